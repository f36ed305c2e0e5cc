// `barriers theorem`: the three parts of the impossibility theorem played out
// on one class Omega (impossibility/theorem_class.hpp), with a PASS, FAIL or
// UNDECIDED line per claim and a non-zero exit unless every claim passes.
// Each finished unit of work is saved as it completes; --resume continues.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "barriers/impossibility/randomised_algorithms.hpp"
#include "barriers/impossibility/solver_algorithms.hpp"
#include "barriers/impossibility/theorem_class.hpp"
#include "barriers/impossibility/verify.hpp"
#include "barriers/precision/precision_guard.hpp"
#include "commands.hpp"
#include "family_options.hpp"
#include "list_option.hpp"
#include "mpi_cells.hpp"
#include "non_empty.hpp"
#include "output_files.hpp"
#include "parse_number.hpp"
#include "progress.hpp"
#include "resume.hpp"
#include "usage_error.hpp"

namespace barriers::cli {
namespace {

namespace fs = std::filesystem;
using namespace barriers::impossibility;

struct TheoremOptions {
  FamilyOptions family;
  std::string n_max = "16";
  std::string budgets = "4,8,16,32";
  std::string solvers;  // default depends on the problem
  std::string solver_bits = "30";
  std::string type = "double", bits = "256";
  std::string trials = "40";
  std::string seed = "0";
  std::string samples = "1";
  std::string max_bits = "auto";
  std::string out;
  bool quiet = false, resume = false;
  const CLI::App* app = nullptr;
  bool given(const std::string& option) const { return app->count(option) > 0; }
  bool solvers_given = false;
};

double to_d(const rational& q) { return q.convert_to<double>(); }

// Claim lines: PASS, FAIL, or UNDECIDED (a certified comparison that stayed
// undecided at the precision cap: neither PASS nor FAIL, and the run exits 1).
struct Claims {
  int failed = 0, undecided = 0;
  std::string first_undecided;
  void line(Decision d, const std::string& what, const std::string& undecided_note = "") {
    const char* verdict = d == Decision::yes ? "PASS" : d == Decision::no ? "FAIL" : "UNDECIDED";
    std::printf("  %s  %s%s\n", verdict, what.c_str(),
                d == Decision::undecided && !undecided_note.empty() ? (" (" + undecided_note + ")").c_str() : "");
    failed += d == Decision::no;
    if (d == Decision::undecided && undecided++ == 0) first_undecided = what + ": " + undecided_note;
  }
};

// Solver names from --solvers; empty items ("pdhg,,firenet") are skipped.
std::vector<std::string> split_names(const std::string& text) {
  std::vector<std::string> out;
  for (std::string& item : split_list(text))
    if (!item.empty()) out.push_back(std::move(item));
  return out;
}

// The distribution of a success count: the fraction, its 95% Wilson interval.
std::string rate(std::size_t k, std::size_t n) {
  const auto [lo, hi] = wilson_interval(k, n);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%.3f [%.3f, %.3f]", double(k) / double(n), lo, hi);
  return buf;
}

std::string fixed3(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", x);
  return buf;
}

std::string sci(const rational& q) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4e", to_d(q));
  return buf;
}

std::string policy_name(oracle::AnswerPolicy p) { return oracle::to_string(p); }

// Why a claim is UNDECIDED: which comparison, at what precision.
std::string undecided_note(long k, long bits) {
  return "against 10^-" + std::to_string(k) + ": undecided at " + std::to_string(bits) + " bits (raise --max-bits)";
}
std::string undecided_at(const std::string& members, long k, long bits) {
  return members + " " + undecided_note(k, bits);
}

// ---------------------------------------------------------------------------
// The run as a sequence of units of work. Each finished unit is saved at once
// (theorem_units.txt) with everything it contributes: its printed text, its
// rows of the part CSVs and the plot, its claim verdicts and the members it
// played. --resume replays saved units instead of recomputing them, so a
// resumed run prints and writes exactly what an uninterrupted one does.

// A claim whose verdict combines several units (the conjunction of theirs).
struct Aggregate {
  Decision decision = Decision::yes;
  rational worst = 0;  // the largest distance seen, for the claim's text
  std::string note;    // the first undecided comparison
  void add(Decision d, const rational& w, const std::string& n) {
    if (d == Decision::undecided && decision != Decision::undecided && note.empty()) note = n;
    decision = both(decision, d);
    worst = std::max(worst, w);
  }
};

struct Unit {
  std::string key;
  std::string text;                                     // stdout
  std::vector<std::pair<char, std::string>> rows;       // ('1'..'3' part CSV, 'p' plot data) and the row
  std::vector<std::tuple<Decision, std::string, std::string>> claims;  // printed after the text: verdict, what, note
  std::vector<std::tuple<std::string, Decision, rational, std::string>> aggregates;  // id, verdict, worst, note
  std::vector<std::tuple<int, std::size_t, long>> played;  // (scale, j, n)
};

constexpr const char* units_file = "theorem_units.txt";
constexpr const char* units_header = "barriers theorem units v1";
constexpr const char* settings_file = "theorem_settings.txt";

std::string escape(const std::string& t) {
  std::string o;
  for (char c : t) {
    if (c == '\\') o += "\\\\";
    else if (c == '\t') o += "\\t";
    else if (c == '\n') o += "\\n";
    else o += c;
  }
  return o;
}

std::string unescape(const std::string& t) {
  std::string o;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i] != '\\' || i + 1 == t.size()) {
      o += t[i];
      continue;
    }
    const char c = t[++i];
    o += c == 't' ? '\t' : c == 'n' ? '\n' : c;
  }
  return o;
}

Decision parse_decision(const std::string& t) {
  if (t == "yes") return Decision::yes;
  if (t == "no") return Decision::no;
  if (t == "undecided") return Decision::undecided;
  throw std::invalid_argument("not a verdict: " + t);
}

// One unit as lines "key<TAB>kind<TAB>fields...", closed by "key<TAB>end".
std::string serialise(const Unit& u) {
  std::ostringstream o;
  const std::string k = escape(u.key) + "\t";
  o << k << "text\t" << escape(u.text) << "\n";
  for (const auto& [part, row] : u.rows) o << k << "row\t" << part << "\t" << escape(row) << "\n";
  for (const auto& [d, what, note] : u.claims)
    o << k << "claim\t" << to_string(d) << "\t" << escape(what) << "\t" << escape(note) << "\n";
  for (const auto& [id, d, worst, note] : u.aggregates)
    o << k << "aggregate\t" << escape(id) << "\t" << to_string(d) << "\t" << worst.str() << "\t" << escape(note)
      << "\n";
  for (const auto& [scale, j, n] : u.played) o << k << "played\t" << scale << "\t" << j << "\t" << n << "\n";
  o << k << "end\n";
  return o.str();
}

// The complete units of a saved file (a unit without its "end" line is dropped).
std::map<std::string, Unit> parse_units(const std::string& text, const std::string& path) {
  std::map<std::string, Unit> done;
  std::map<std::string, Unit> open;
  std::istringstream in(text);
  std::string line;
  std::getline(in, line);  // the header, checked by saved_cells
  for (long number = 2; std::getline(in, line); ++number) {
    std::vector<std::string> f;
    for (std::size_t a = 0;;) {
      const std::size_t b = line.find('\t', a);
      f.push_back(unescape(line.substr(a, b == std::string::npos ? std::string::npos : b - a)));
      if (b == std::string::npos) break;
      a = b + 1;
    }
    const std::string where = quote_for_message(path) + " line " + std::to_string(number);
    try {
      // The units hold only printable text (tabs and newlines escaped); any
      // other control character means damage, and replaying it would send
      // it to the terminal.
      for (const std::string& field : f)
        for (const char c : field)
          if ((static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n') || c == 0x7f)
            throw std::invalid_argument("a control character");
      if (f.size() < 2) throw std::invalid_argument("too few fields");
      Unit& u = open[f[0]];
      u.key = f[0];
      const std::string& kind = f[1];
      if (kind == "text" && f.size() == 3) u.text = f[2];
      else if (kind == "row" && f.size() == 4 && f[2].size() == 1) u.rows.emplace_back(f[2][0], f[3]);
      else if (kind == "claim" && f.size() == 5) u.claims.emplace_back(parse_decision(f[2]), f[3], f[4]);
      else if (kind == "aggregate" && f.size() == 6)
        u.aggregates.emplace_back(f[2], parse_decision(f[3]), rational(f[4]), f[5]);
      else if (kind == "played" && f.size() == 5)
        u.played.emplace_back(int(parse_integer("scale in " + where, f[2], 0, 1)),
                              std::size_t(parse_integer("j in " + where, f[3], 1, 1000000)),
                              long(parse_integer("n in " + where, f[4], 0, 1000000)));
      else if (kind == "end" && f.size() == 2) {
        done[f[0]] = std::move(u);
        open.erase(f[0]);
      } else
        throw std::invalid_argument("unknown record");
    } catch (const std::exception& e) {
      throw UsageError("--resume: " + where + " is not a theorem unit (" + e.what() + "): " + quote_for_message(line));
    }
  }
  return done;
}

// The run-wide settings a resumed run must share with the saved units.
std::string settings_text(const FamilyParams& b, long n_max, const std::vector<long>& budgets,
                          const std::vector<std::string>& solvers, const TheoremOptions& o, long solver_bits,
                          long trials, std::uint64_t seed, const PlaySettings& play) {
  std::ostringstream t;
  t << "problem=" << to_string(b.problem) << "\nK=" << b.K << "\ndelta=" << b.delta << "\nlambda=" << b.lambda
    << "\neta=" << b.eta << "\nN1=" << b.N1 << "\nN2=" << b.N2 << "\ndct=" << (b.dct_mixing ? "yes" : "no")
    << "\nn_max=" << n_max << "\nbudgets=";
  for (std::size_t i = 0; i < budgets.size(); ++i) t << (i ? "," : "") << budgets[i];
  t << "\nsolvers=";
  for (std::size_t i = 0; i < solvers.size(); ++i) t << (i ? "," : "") << solvers[i];
  t << "\nsolver_bits=" << solver_bits << "\ntype=" << o.type << "\nbits=" << o.bits << "\ntrials=" << trials
    << "\nseed=" << seed << "\nsamples=" << play.samples << "\nmax_bits=" << play.distance_cap_bits << "\n";
  return t.str();
}

// Under mpirun the units are computed by the worker ranks and the run goes in
// rounds: rank 0 serves a round's units (first come, first served), then
// replays them in order exactly as a resumed serial run would, so it prints
// and writes what a serial run does. Units after synchronise() may depend on
// the ones before it (the members certified are those played), so at that
// point rank 0 sends the record so far to the workers, which replay it too.
enum class Role { serial, coordinator, worker };

// Thrown on rank 0 when a worker failed: the run stops with what is saved.
struct WorkersFailed {
  std::vector<std::string> failures;
};

class Journal {
 public:
  Journal(const OutputDir* dir, std::map<std::string, Unit> saved, Role role = Role::serial)
      : dir_(dir), saved_(std::move(saved)), role_(role) {}

  /// Runs `work` into a fresh unit unless a saved one has this key; either
  /// way the unit is recorded (and saved at once) and then replayed.
  void unit(const std::string& key, const std::function<void(Unit&)>& work) {
    if (role_ == Role::worker) return work_on(key, work);
    if (role_ == Role::coordinator && !served_) serve_round();
    auto s = saved_.find(key);
    Unit u;
    const bool received = received_.erase(key) > 0;
    if (s != saved_.end()) {
      u = s->second;
      if (!received) ++resumed_;
    } else if (role_ == Role::coordinator) {
      throw std::logic_error("no MPI rank computed the theorem unit '" + key + "'");
    } else {
      u.key = key;
      work(u);
    }
    record_ += serialise(u);
    if (dir_ && (s == saved_.end() || received)) save();
    replay(u);
  }

  /// Between units that later units depend on (see above). In a serial run, nothing.
  void synchronise() { end_round(false); }
  /// After the last unit: the workers stop.
  void finish() { end_round(true); }
  /// Rank 0 leaving early (an exception): the workers waiting for the next
  /// round are told to stop instead of waiting for ever.
  void release_workers() {
    if (role_ == Role::coordinator && served_) {
      std::string stop = "s";
      MpiCells::get().broadcast(stop);
      served_ = false;
    }
  }

  std::size_t resumed() const { return resumed_; }
  std::size_t saved() const { return saved_.size(); }

  Claims claims;
  std::map<std::string, Aggregate> aggregates;
  std::set<std::tuple<int, std::size_t, long>> played;
  std::string part[3];
  std::ostringstream plot;

 private:
  void replay(const Unit& u) {
    std::fputs(u.text.c_str(), stdout);
    for (const auto& [d, what, note] : u.claims) claims.line(d, what, note);
    for (const auto& [id, d, worst, note] : u.aggregates) aggregates[id].add(d, worst, note);
    for (const auto& m : u.played) played.insert(m);
    for (const auto& [which, row] : u.rows) {
      if (which == 'p') plot << row << "\n";
      else part[which - '1'] += row + "\n";
    }
  }
  // The units file: the record in run order, then the units received but not
  // yet replayed (so a killed run keeps every unit that reached rank 0).
  void save() const {
    std::string text = std::string(units_header) + "\n" + record_;
    for (const std::string& k : received_) text += serialise(saved_.at(k));
    dir_->write(units_file, text);
  }

  // A worker computes the units rank 0 grants it, skipping saved ones.
  void work_on(const std::string& key, const std::function<void(Unit&)>& work) {
    MpiCells& mpi = MpiCells::get();
    const std::size_t index = next_++;
    if (failed_ || saved_.count(key) > 0) return;
    try {
      if (!mpi.claim(index)) return;
      Unit u;
      u.key = key;
      work(u);
      mpi.finished(serialise(u));
    } catch (const std::exception& e) {
      failed_ = true;  // rank 0 stops the run at the end of the round
      mpi.done("unit '" + key + "': " + e.what());
    }
  }

  void serve_round() {
    const std::vector<std::string> failures = MpiCells::get().serve(
        [](std::size_t) { return false; },  // the workers skip the saved units themselves
        [&](const std::string& text) {
          std::map<std::string, Unit> units =
              parse_units(std::string(units_header) + "\n" + text, "the unit an MPI rank sent");
          for (auto& [k, u] : units) {
            if (progress_) progress_("finished (MPI): " + k);
            received_.insert(k);
            saved_[k] = std::move(u);
          }
          if (dir_) save();
        });
    served_ = true;
    if (!failures.empty()) {
      release_workers();
      throw WorkersFailed{failures};
    }
  }

  void end_round(bool last) {
    MpiCells& mpi = MpiCells::get();
    if (role_ == Role::coordinator) {
      if (!served_) serve_round();
      std::string go = last ? std::string("s") : "g" + std::string(units_header) + "\n" + record_;
      mpi.broadcast(go);
      served_ = false;
    } else if (role_ == Role::worker) {
      if (!failed_) mpi.done("");
      std::string round;
      mpi.broadcast(round);
      if (round.empty() || round[0] != 'g') throw WorkerStops{};
      // Start the next round from rank 0's state. Only `played` matters to
      // the units that follow; the rest is replayed for completeness (the
      // worker's stdout goes nowhere).
      claims = Claims{};
      aggregates.clear();
      played.clear();
      for (std::string& p : part) p.clear();
      plot.str("");
      for (const auto& [k, u] : parse_units(round.substr(1), "the record rank 0 sent")) replay(u);
    }
  }

 public:
  struct WorkerStops {};  // a worker's run ends here (exit 0: rank 0 reports)
  std::function<void(const std::string&)> progress_;

 private:
  const OutputDir* dir_;
  std::map<std::string, Unit> saved_;
  Role role_;
  std::set<std::string> received_;
  std::string record_;
  std::size_t resumed_ = 0, next_ = 0;
  bool served_ = false, failed_ = false;
};

// printf into a unit's text.
template <typename... Args>
void say(Unit& u, const char* format, Args... args) {
  const int n = std::snprintf(nullptr, 0, format, args...);
  std::string buf(std::size_t(n) + 1, '\0');
  std::snprintf(buf.data(), buf.size(), format, args...);
  buf.pop_back();
  u.text += buf;
}

void write_plot(const OutputDir& out, const std::string& dat, long K) {
  out.write("theorem_part2.dat", dat);
  std::ostringstream gp;
  gp << "set terminal pngcairo size 900,600\nset output 'theorem.png'\n"
     << "set grid\nset key below\nset xlabel 'n (V(1, n) and V(2, n) agree to 2^{-n})'\n"
     << "set ylabel 'data read'\nset title 'Part 2: " << K - 1
     << " digits on V(1, n) need precision beyond n (decider, nearest oracle)'\n"
     << "plot 'theorem_part2.dat' using 1:2 with linespoints pt 7 title 'precision read (bits)', '' using 1:3 "
        "with linespoints pt 5 title 'elements (A_m, y_m) read', x title 'n (up to here an adversary can make "
        "V(1, n), V(2, n) look identical)' dt 2 lc rgb 'gray'\n";
  out.plot("theorem.gp", gp.str(), "theorem.png");
}

int run_theorem(const TheoremOptions& o) {
  MpiCells& mpi = MpiCells::get();  // first: under mpirun, only rank 0 speaks
  // Every option is parsed and checked here, before any expensive work.
  FamilyParams base = o.family.params();
  validate_theorem_class(base);
  // Part 2 reads up to n + 4 bits for each n and three oracle policies, so its cost grows
  // like n_max^2 (measured: see docs/impossibility.md); the caps keep a run within minutes.
  const long n_max = long(parse_integer("--n-max", o.n_max, 1, 256));
  const std::vector<long> budgets = parse_integer_list("--budgets", o.budgets, coarse_bits, 2048);
  if (budgets.empty()) throw UsageError("--budgets needs at least one value (bits, 4..2048)");
  const long trials = long(parse_integer("--trials", o.trials, 0, 100000));
  const std::uint64_t seed = std::uint64_t(parse_integer("--seed", o.seed, 0, 1LL << 62));
  PlaySettings play;
  play.samples = std::size_t(parse_integer("--samples", o.samples, 1, long(max_samples)));
  if (o.max_bits != "auto") play.distance_cap_bits = long(parse_integer("--max-bits", o.max_bits, 16, 1L << 24));
  if (o.resume && o.out.empty()) throw UsageError("--resume needs --out DIR (the directory of the run to continue)");
  std::vector<std::string> solvers;
  if (o.solvers_given) {
    solvers = split_names(o.solvers);
    if (solvers.empty())
      throw UsageError("--solvers " + quote_for_message(o.solvers) +
                       " names no solver: give a list such as pdhg,firenet, or none");
    if (solvers == std::vector<std::string>{"none"}) solvers.clear();
  } else {
    solvers = split_names(base.problem == Problem::p3 ? "pdhg,firenet" : "pdhg");
  }
  for (const char* opt : {"--solver-bits", "--type", "--bits"})
    if (solvers.empty() && o.given(opt)) throw UsageError(std::string(opt) + " applies to solvers, but --solvers is none");
  if (o.given("--bits") && o.type != "mpfr") throw UsageError("--bits applies to --type mpfr only");
  const long solver_bits = long(parse_integer("--solver-bits", o.solver_bits, 1, oracle::max_query_bits));
  std::optional<PrecisionGuard> guard;
  if (o.type == "mpfr") guard.emplace(unsigned(parse_integer("--bits", o.bits, 2, 1 << 20)));
  std::vector<SolverAlgorithmSettings> solver_settings;
  {
    FamilyParams p = base;
    p.n = solver_bits;
    for (const std::string& name : solvers) {
      SolverAlgorithmSettings s;
      s.solver = name;
      s.type = o.type;
      s.seed = seed;
      check_solver_algorithm(p, s);
      solver_settings.push_back(s);
    }
  }
  const std::string settings =
      settings_text(base, n_max, budgets, solvers, o, solver_bits, trials, seed, play);
  std::map<std::string, Unit> saved;
  std::string saved_text;
  std::function<void(const std::string&)> progress;
  std::optional<OutputDir> dir;
  Role role = Role::serial;
  if (mpi.active() && !mpi.coordinator()) {
    // A worker: rank 0 prints, writes and says whether the run goes ahead;
    // it sends the saved units so that this rank skips them too.
    std::fflush(stdout);
    if (!std::freopen("/dev/null", "w", stdout)) return 0;
    if (!mpi.start(false)) return 0;
    mpi.broadcast(saved_text);
    if (!saved_text.empty()) saved = parse_units(saved_text, "the saved units rank 0 sent");
    role = Role::worker;
  } else {
    try {
      if (o.resume)
        if (const std::optional<std::string> text =
                saved_cells(o.out, units_file, settings_file, settings, units_header)) {
          saved = parse_units(*text, o.out + "/" + units_file);
          saved_text = *text;
        }
      progress = make_progress(o.quiet);
      if (!o.out.empty()) {
        // A resumed run keeps the saved units until it rewrites them.
        std::vector<std::string> files{"theorem_part1.csv", "theorem_part2.csv", "theorem_part3.csv",
                                       "theorem_part2.dat", "theorem.gp",        "theorem.png"};
        if (!o.resume) files.insert(files.end(), {units_file, settings_file});
        dir.emplace(o.out, files, "barriers theorem");
        dir->write(settings_file, settings);
      }
    } catch (...) {
      if (mpi.active()) mpi.start(false);  // the workers stop too
      throw;
    }
    if (mpi.active()) {
      mpi.start(true);
      mpi.broadcast(saved_text);
      role = Role::coordinator;
    }
  }
  Journal journal(dir ? &*dir : nullptr, std::move(saved), role);
  journal.progress_ = progress;
  if (progress && journal.saved() > 0)
    progress("resuming: " + std::to_string(journal.saved()) + " finished units read from " + units_file);
  Claims& claims = journal.claims;
  auto play_out = [&]() -> int {

    const long K = base.K;
    const std::size_t R = play.samples;
    auto played_member = [](Unit& u, Scale scale, std::size_t j, long n) { u.played.emplace_back(int(scale), j, n); };
    struct Entry {
      std::string name;
      std::function<Algorithm()> make;  // built only when a unit needs it (LISTA trains)
    };
    std::vector<Entry> algorithms = {{"decider", [&] { return class_decider(base, oracle::max_query_bits); }},
                                     {"one-shot", [&] { return one_shot_centroid(base); }}};
    for (const SolverAlgorithmSettings& s : solver_settings)
      algorithms.push_back({s.solver + " (" + o.type + ", reads " + std::to_string(solver_bits) + " bits)", [&, s] {
                              FamilyParams p = base;
                              p.n = solver_bits;
                              if (progress) progress("preparing " + s.solver);
                              return make_solver_algorithm(p, s);
                            }});
    const std::vector<NamedAlgorithm> randomised = randomised_algorithms(base);
    const std::vector<oracle::AnswerPolicy> policies = {oracle::AnswerPolicy::nearest, oracle::AnswerPolicy::random,
                                                        oracle::AnswerPolicy::adversarial};
    const Algorithm decider = class_decider(base, oracle::max_query_bits), one_shot = one_shot_centroid(base);
    std::printf("Omega for %s, K = %ld, N1 = %zu, N2 = %zu: U(j, n) at scale K (n >= 1) with its limit U(lim), and "
                "V(j, n) at scale K-1 (n >= 1)\n",
                to_string(base.problem).c_str(), K, base.N1, base.N2);
    if (R > 1)
      std::printf("Every member (A, S) has R = %zu samples y_k = c_k D e_1, c_k = 1 + (k-1)/%zu; a member counts as "
                  "solved to D digits when sup over S of the distances <= 10^-D (min over S shown beside it).\n",
                  R, R);
    std::printf("\n");
    const std::string csv_header1 =
        "algorithm,limit_bits_read,member_n,identical_data,dist_U1,dist_U2,min_dist_U1,min_dist_U2,ten_to_minus_K,"
        "verdict";
    const std::string csv_header23 = "member,scale,j,n,policy,queries,max_bits_read,dist_upper,min_dist_upper,verdict";

    // Part 1.
    std::printf("Part 1: no algorithm gets %ld digits on Omega. Each algorithm runs on U(lim); U(1, n) and U(2, n)\n"
                "with n large enough that every answer up to the bits read can be U(lim)'s are then answered with\n"
                "U(lim)'s bits.\n",
                K);
    for (const Entry& e : algorithms)
      journal.unit("part1 " + e.name, [&](Unit& u) {
        if (progress) progress("part 1: " + e.name);
        const ClassGameResult g = play_class_game(base, e.make(), seed, play);
        played_member(u, Scale::K, 1, g.member_n);
        played_member(u, Scale::K, 2, g.member_n);
        say(u, "    %-36s read %4ld bits on U(lim); on U(1, n=%ld), U(2, n=%ld): distances %.4e, %.4e%s; "
               "identical data: %s\n",
            e.name.c_str(), g.limit_bits_read, g.member_n, g.member_n, to_d(g.world1.distance.hi),
            to_d(g.world2.distance.hi),
            R > 1 ? (" (sup over S; min over S " + sci(g.min_distance1.hi) + ", " + sci(g.min_distance2.hi) + ")").c_str()
                  : "",
            g.identical_data ? "yes" : "no");
        const Decision d = both(decision_of(g.identical_data), g.K_digits_fail());
        std::ostringstream row;
        row << '"' << e.name << "\"," << g.limit_bits_read << "," << g.member_n << "," << (g.identical_data ? 1 : 0)
            << "," << to_d(g.world1.distance.hi) << "," << to_d(g.world2.distance.hi) << ","
            << to_d(g.min_distance1.hi) << "," << to_d(g.min_distance2.hi) << "," << to_d(g.ten_to_minus_K) << ","
            << to_string(d);
        u.rows.emplace_back('1', row.str());
        const std::string n = std::to_string(g.member_n);
        u.claims.emplace_back(d, e.name + ": identical data and the larger distance > 10^-" + std::to_string(K),
                              undecided_at("U(1, n=" + n + ") and U(2, n=" + n + ")", K, g.distance_bits()));
      });
    if (trials > 0) {
      std::printf("  Randomised algorithms, each on ONE fixed pair U(1, n), U(2, n) over %ld seeds (n from a pilot of\n"
                  "  %ld other seeds on U(lim)); success = within 10^-%ld, 95%% Wilson intervals. On a seed whose reads\n"
                  "  the adversary matches, both members get the same data: p1 + p2 <= 1 + P(differing data).\n",
                  trials, trials, K);
      for (const NamedAlgorithm& r : randomised)
        journal.unit("part1 " + r.name, [&](Unit& u) {
          if (progress) progress("part 1: " + r.name + " over " + std::to_string(trials) + " seeds");
          const long pilot =
              max_bits_on_limit(base, r.algorithm, std::size_t(trials), seed + std::uint64_t(trials), play);
          const long n = member_n_for(base, pilot);
          const SuccessEstimate est = estimate_fixed_pair(base, r.algorithm, n, std::size_t(trials), seed, play);
          played_member(u, Scale::K, 1, n);
          played_member(u, Scale::K, 2, n);
          const std::size_t differing = est.trials - est.identical_trials;
          say(u, "    %-24s U(1, n=%ld): %s, U(2, n=%ld): %s; differing data on %zu seeds\n", r.name.c_str(), n,
              rate(est.successes1, est.trials).c_str(), n, rate(est.successes2, est.trials).c_str(), differing);
          const bool holds =
              est.both_succeeded_identical == 0 && est.successes1 + est.successes2 <= est.trials + differing;
          const Decision d = !holds ? Decision::no
                             : est.undecided1 + est.undecided2 > 0 ? Decision::undecided
                                                                   : Decision::yes;
          const std::string ns = std::to_string(n);
          u.claims.emplace_back(d,
                                r.name + ": never both members from identical data, so min(p1, p2) <= 1/2 + " +
                                    fixed3(double(differing) / double(2 * est.trials)),
                                std::to_string(est.undecided1 + est.undecided2) + " run(s) on U(1, n=" + ns +
                                    ") or U(2, n=" + ns + ") " + undecided_note(K, est.undecided_bits));
        });
    }

    // Part 2.
    std::printf("\nPart 2: %ld digits are attainable (decider), but on V(j, n) only by reading precision beyond n.\n",
                K - 1);
    const rational tol2 = ten_to_minus(K - 1), tol3 = ten_to_minus(K - 2);
    auto csv_row = [](const MemberRun& r, oracle::AnswerPolicy policy, Decision d) {
      std::ostringstream csv;
      csv << '"' << r.member.name() << "\"," << (r.member.scale == Scale::K ? "K" : "K-1") << "," << r.member.j << ","
          << r.member.n << "," << policy_name(policy) << "," << r.queries << "," << r.max_bits_read << ","
          << to_d(r.distance.hi) << "," << to_d(r.min_distance.hi) << "," << to_string(d);
      return csv.str();
    };
    auto policy_note = [](const MemberRun& r, oracle::AnswerPolicy policy, long k) {
      return undecided_at(r.member.name() + " (" + policy_name(policy) + " oracle)", k, r.distance_bits);
    };
    std::printf("    nearest oracle:\n    %-14s %8s %10s %14s\n", "member", "elements", "bits read",
                R > 1 ? "sup_S dist <=" : "distance <=");
    for (long n = 1; n <= n_max; ++n)
      journal.unit("part2 n=" + std::to_string(n), [&](Unit& u) {
        if (progress && n % 4 == 0) progress("part 2: n = " + std::to_string(n) + " of " + std::to_string(n_max));
        for (std::size_t j = 1; j <= base.N1; ++j)
          for (oracle::AnswerPolicy policy : policies) {
            const MemberRun v = run_on_member(base, {Scale::K_minus_1, j, n}, decider, seed, policy, play);
            const MemberRun w = run_on_member(base, {Scale::K, j, n}, decider, seed, policy, play);
            played_member(u, Scale::K_minus_1, j, n);
            played_member(u, Scale::K, j, n);
            const Decision dv = less_equal(v.distance, tol2), dw = less_equal(w.distance, tol2);
            u.aggregates.emplace_back("decider", dv, v.distance.hi, policy_note(v, policy, K - 1));
            u.aggregates.emplace_back("decider", dw, w.distance.hi, policy_note(w, policy, K - 1));
            u.aggregates.emplace_back("beyond", decision_of(v.max_bits_read > n), 0, "");
            u.rows.emplace_back('2', csv_row(v, policy, dv));
            u.rows.emplace_back('2', csv_row(w, policy, dw));
            if (policy != oracle::AnswerPolicy::nearest) continue;
            if (j == 1) u.rows.emplace_back('p', std::to_string(n) + " " + std::to_string(v.max_bits_read) + " " +
                                                     std::to_string(v.queries));
            if (j <= 2)
              say(u, "    %-14s %8zu %10ld %14.4e\n", v.member.name().c_str(), v.queries, v.max_bits_read,
                  to_d(v.distance.hi));
          }
      });
    journal.unit("part2 limit", [&](Unit& u) {
      for (oracle::AnswerPolicy policy : policies) {
        const MemberRun lim = run_on_member(base, {Scale::K, 1, 0}, decider, seed, policy, play);
        const Decision d = less_equal(lim.distance, tol2);
        u.rows.emplace_back('2', csv_row(lim, policy, d));
        u.aggregates.emplace_back("decider", d, lim.distance.hi, policy_note(lim, policy, K - 1));
      }
    });
    {
      const Aggregate& a = journal.aggregates["decider"];
      std::printf("    U members (n = 1..%ld and the limit): %zu element(s) of %ld bits each\n", n_max, R, coarse_bits);
      claims.line(a.decision,
                  "decider within 10^-" + std::to_string(K - 1) + " of every member tried, j = 1.." +
                      std::to_string(base.N1) + ", under the nearest, random and adversarial oracles (largest " +
                      std::to_string(to_d(a.worst)) + ")",
                  a.note);
      claims.line(journal.aggregates["beyond"].decision,
                  "on every V(j, n) the decider read precision beyond n, under every oracle");
    }
    std::printf("    Lower side: the decider capped at M bits, on V(1, M) (adversary answers with V(2, M)'s bits) and "
                "V(2, M):\n");
    for (long M : budgets)
      journal.unit("part2 budget " + std::to_string(M), [&](Unit& u) {
        // Sample 1 (c = 1) suffices: the lower side needs one sample that fails.
        const GameResult g = play_adversary_game(member_family(base, Scale::K_minus_1, M), class_decider(base, M),
                                                 seed, play.distance_cap_bits);
        played_member(u, Scale::K_minus_1, 1, M);
        played_member(u, Scale::K_minus_1, 2, M);
        say(u, "    M = %-6ld identical data: %s, larger distance >= %.4e\n", M, g.identical_data ? "yes" : "no",
            to_d(g.worst_distance_lower()));
        const std::string ms = std::to_string(M);
        u.claims.emplace_back(both(decision_of(g.identical_data), g.K_digits_fail()),
                              "budget " + ms + " bits: " + std::to_string(K - 1) + " digits fail on V(1, " + ms +
                                  ") or V(2, " + ms + ")",
                              undecided_at("V(1, n=" + ms + ") and V(2, n=" + ms + ")", K - 1, g.distance_bits()));
      });
    if (trials > 0) {
      const double bound = 1 - 1.0 / double(base.N1);
      std::printf("  Randomised, over all N + 1 - m = N1 = %zu members V(j, n) at one n, each answered with the "
                  "scale-(K-1)\n  limit's bits up to M: P(fail or read more than M bits) per member over %ld seeds "
                  "(95%% Wilson);\n  some member must have it >= 1 - 1/N1 = %.3f.\n",
                  base.N1, trials, bound);
      for (long M : budgets)
        for (const NamedAlgorithm& r : randomised)
          journal.unit("part2 randomised M=" + std::to_string(M) + " " + r.name, [&](Unit& u) {
            if (progress) progress("part 2: " + r.name + ", M = " + std::to_string(M));
            const DataNeedEstimate e = estimate_data_need(base, r.algorithm, M, std::size_t(trials), seed, play);
            for (std::size_t j = 1; j <= base.N1; ++j) played_member(u, Scale::K_minus_1, j, e.n);
            std::string per_member;
            for (std::size_t j = 0; j < base.N1 && j < 4; ++j)
              per_member += (j ? ", " : "") + rate(e.trials - e.quick_successes[j], e.trials);
            if (base.N1 > 4) per_member += ", ...";
            say(u, "    M = %-4ld %-24s n = %ld: %s; largest %.3f\n", M, r.name.c_str(), e.n, per_member.c_str(),
                e.worst_need_fraction());
            const bool holds = e.unmatched == 0 && e.contradictions == 0;
            const Decision d = !holds ? Decision::no
                               : e.undecided > 0 ? Decision::undecided
                                                 : decision_of(e.worst_need_fraction() >= bound);
            u.claims.emplace_back(d,
                                  r.name + ", M = " + std::to_string(M) +
                                      ": some V(j, n) has P(fail or more than M bits) >= " + fixed3(bound),
                                  std::to_string(e.undecided) + " run(s) on V(j, n=" + std::to_string(e.n) + ") " +
                                      undecided_note(K - 1, e.undecided_bits));
          });
    }

    // Part 3.
    std::printf("\nPart 3: %ld digit%s from L = %zu %s (one-shot: one query at %ld bits%s, then the centroid), under\n"
                "the nearest, random and adversarial oracles.\n",
                K - 2, K - 2 == 1 ? "" : "s", R, R == 1 ? "datum" : "data", coarse_bits, R > 1 ? " per sample" : "");
    for (oracle::AnswerPolicy policy : policies)
      journal.unit("part3 " + policy_name(policy), [&](Unit& u) {
        auto part3 = [&](const ClassMember& m) {
          const MemberRun r = run_on_member(base, m, one_shot, seed, policy, play);
          const Decision d = both(decision_of(r.queries == R), less_equal(r.distance, tol3));
          u.aggregates.emplace_back("one-shot", d, r.distance.hi, policy_note(r, policy, K - 2));
          u.rows.emplace_back('3', csv_row(r, policy, d));
        };
        for (long n = 1; n <= n_max; ++n)
          for (std::size_t j = 1; j <= base.N1; ++j)
            for (Scale s : {Scale::K, Scale::K_minus_1}) part3({s, j, n});
        part3({Scale::K, 1, 0});
      });
    {
      const Aggregate& a = journal.aggregates["one-shot"];
      std::printf("    largest distance over U(lim) and U(j, n), V(j, n) for n = 1..%ld: %.4e\n", n_max, to_d(a.worst));
      claims.line(a.decision, "one-shot within 10^-" + std::to_string(K - 2) + " of every member tried, under every oracle",
                  a.note);
    }

    // The class's promises for every member played, every sample: cond(A A^*) = 1 and a unique, stated minimiser.
    journal.synchronise();  // the members certified are those the units so far played
    const std::vector<std::tuple<int, std::size_t, long>> played(journal.played.begin(), journal.played.end());
    std::printf("\nEvery member played (%zu, and U(lim)%s): conditioning and minimiser certified (barriers verify's "
                "checks).\n",
                played.size(), R > 1 ? (", each with its " + std::to_string(R) + " samples").c_str() : "");
    constexpr std::size_t chunk = 16;  // members per saved unit
    for (std::size_t first = 0; first <= played.size(); first += chunk)
      journal.unit("certify " + std::to_string(first), [&](Unit& u) {
        if (progress)
          progress("certifying members: " + std::to_string(first) + " of " + std::to_string(played.size()));
        auto add = [&](const VerifyReport& r, const std::string& name) {
          const Decision d = r.all_pass() ? Decision::yes : r.all_decided() ? Decision::no : Decision::undecided;
          if (d != Decision::yes)
            say(u, "    %s: %s\n", name.c_str(),
                d == Decision::no ? "a check failed" : "a check is undecided at the precision cap");
          u.aggregates.emplace_back("members", d, 0,
                                    name + ": a check undecided at " + std::to_string(r.schedule.cap_bits) + " bits");
        };
        if (first == 0)
          for (std::size_t k = 1; k <= R; ++k)
            add(verify_limit(sample_family(member_family(base, Scale::K, 1), k, R)), "U(lim)");
        for (std::size_t i = first; i < std::min(played.size(), first + chunk); ++i) {
          const auto& [scale, j, n] = played[i];
          for (std::size_t k = 1; k <= R; ++k) {
            const std::string name = ClassMember{Scale(scale), j, n}.name() + (R > 1 ? " y_" + std::to_string(k) : "");
            add(verify_member(sample_family(member_family(base, Scale(scale), n), k, R), j), name);
          }
        }
      });
    journal.finish();
    claims.line(journal.aggregates["members"].decision,
                "cond(A A^*) = 1 and the stated minimiser unique and optimal on every member played" +
                    std::string(R > 1 ? ", every sample" : ""),
                journal.aggregates["members"].note);

    if (dir) {
      dir->write("theorem_part1.csv", csv_header1 + "\n" + journal.part[0]);
      dir->write("theorem_part2.csv", csv_header23 + "\n" + journal.part[1]);
      dir->write("theorem_part3.csv", csv_header23 + "\n" + journal.part[2]);
      write_plot(*dir, journal.plot.str(), K);
      dir->finish();
      std::printf("\nwrote %s/theorem_part{1,2,3}.csv and theorem.png\n", dir->path().c_str());
    }
    if (claims.failed > 0) {
      std::printf("\nFAIL: %d claim(s) failed\n", claims.failed);
      return exit_failure;
    }
    if (claims.undecided > 0) {
      std::printf("\nUNDECIDED: %d claim(s) undecided\n", claims.undecided);
      std::fprintf(stderr, "barriers: error: %d claim(s) undecided at the precision cap, first: %s\n", claims.undecided,
                   claims.first_undecided.c_str());
      return exit_failure;
    }
    std::printf("\nALL PASS: 0 claim(s) failed\n");
    return 0;
  };
  try {
    return play_out();
  } catch (const Journal::WorkerStops&) {
    return 0;  // a worker: rank 0 reports
  } catch (const WorkersFailed& f) {
    for (const std::string& e : f.failures) std::fprintf(stderr, "barriers: error: MPI %s\n", e.c_str());
    if (dir)
      std::fprintf(stderr,
                   "barriers: error: the finished units are saved in %s/%s; the same command with --resume "
                   "computes the rest\n",
                   dir->path().c_str(), units_file);
    return exit_failure;
  } catch (...) {
    journal.release_workers();
    throw;
  }
}

}  // namespace

Command add_theorem_command(CLI::App& app) {
  auto o = std::make_shared<TheoremOptions>();
  CLI::App* sub = app.add_subcommand(
      "theorem",
      "Play out all three parts of the impossibility theorem on one class Omega (K digits impossible; K-1 "
      "attainable but only with unboundedly precise data; K-2 from one datum), with certified distances.");
  o->family.K = "3";  // the smallest K for which the theorem's three parts all mean something
  o->family.add_to(*sub, false);
  sub->add_option("--n-max", o->n_max, "Members V(j, n), U(j, n) for n = 1..N (N <= 256)")->type_name("N")->capture_default_str();
  sub->add_option("--budgets", o->budgets, "Read budgets M (bits, 4..2048) for the lower side of part 2")
      ->type_name("LIST")
      ->capture_default_str();
  sub->add_option("--solvers", o->solvers, "Built-in solvers also played in part 1, or none (default: pdhg,firenet for p3, pdhg otherwise)")
      ->type_name("LIST");
  sub->add_option("--solver-bits", o->solver_bits, "Precision at which the built-in solvers read the data")
      ->type_name("BITS")
      ->capture_default_str();
  sub->add_option("--type", o->type, "Working type of the built-in solvers: double, long-double, float128, mpfr")
      ->type_name("NAME")
      ->capture_default_str();
  sub->add_option("--bits", o->bits, "Working precision for --type mpfr")->type_name("BITS")->capture_default_str();
  sub->add_option("--trials", o->trials,
                  "Seeds for each randomised algorithm in parts 1 and 2, and as many pilot seeds (0: skip)")
      ->type_name("T")
      ->capture_default_str();
  sub->add_option("--seed", o->seed, "Seed")->type_name("S")->capture_default_str();
  sub->add_option("--samples", o->samples,
                  "R: samples y_k = (1 + (k-1)/R) D e_1 per member (1..64); success is the sup over them")
      ->type_name("R")
      ->capture_default_str();
  sub->add_option("--max-bits", o->max_bits,
                  "Cap on the precision of the certified distances, 16..16777216 bits (auto: 16 times the start "
                  "7K + 128); a comparison undecided at the cap makes its claim UNDECIDED (exit 1)")
      ->type_name("BITS")
      ->capture_default_str();
  sub->add_option("--out", o->out,
                  "Write theorem_part{1,2,3}.csv and theorem.png into DIR, and every finished unit of work as it "
                  "completes (theorem_units.txt)")
      ->check(non_empty())
      ->type_name("DIR");
  sub->add_flag("--resume", o->resume,
                "Continue a killed run in --out DIR: finished units are read back (same settings required)");
  sub->add_flag("--quiet", o->quiet, "No progress lines on stderr");
  o->app = sub;
  return {sub, [o] {
            o->solvers_given = o->given("--solvers");
            return run_theorem(*o);
          }};
}

}  // namespace barriers::cli
