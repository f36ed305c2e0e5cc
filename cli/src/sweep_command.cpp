// `barriers sweep`: accuracy against oracle precision x working precision x
// iterations, as CSV and a plot. Each finished cell is saved at once (the
// whole CSV so far, written atomically), so a killed run keeps its finished
// cells beside the INCOMPLETE marker and `--resume` continues it.
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <algorithm>
#include <sstream>
#include <tuple>

#include "barriers/impossibility/sweep.hpp"
#include "barriers/oracle/instance.hpp"
#include "commands.hpp"
#include "family_options.hpp"
#include "list_option.hpp"
#include "outward_decimal.hpp"
#include "non_empty.hpp"
#include "output_files.hpp"
#include "mpi_cells.hpp"
#include "resume.hpp"
#include "shard.hpp"
#include "progress.hpp"

namespace barriers::cli {
namespace {

using impossibility::SweepPoint;

struct SweepOptions {
  CLI::App* app = nullptr;
  FamilyOptions family;
  std::string instance = "gaussian";
  std::string size = "40x100", sparsity = "5", seed = "0", lambda = "1/20";
  std::string solver = "firenet", inner = "100";
  std::string ns = "10,20,40,80,160", bits = "53,113,256", iters = "500,2000,8000";
  std::string out, shard;
  bool quiet = false, resume = false;

  bool given(const std::string& option) const { return app->get_option(option)->count() > 0; }
};

const char* const csv_header = "n,bits,iterations,status,error_lo,error_hi,type,reference";

double mid(const oracle::Interval& i) { return ((i.lo + i.hi) / 2).convert_to<double>(); }

using CellKey = std::tuple<long, unsigned, long>;
CellKey key(const SweepPoint& p) { return {p.n, p.bits, p.iterations}; }

std::string csv_row(const SweepPoint& p) {
  std::ostringstream row;
  row << p.n << "," << p.bits << "," << p.iterations << ",";
  if (p.finite)
    row << "ok," << outward_decimal(p.error.lo, false) << "," << outward_decimal(p.error.hi, true);
  else
    row << "non-finite,,";
  row << "," << p.type << "," << (p.certified_minimiser ? "minimiser" : "planted");
  return row.str();
}

// Every option the chosen instance or solver does not use is an error, so
// that nothing given on the command line is silently ignored.
void reject_unused_options(const SweepOptions& o) {
  auto reject = [&o](const std::vector<std::string>& options, const std::string& why) {
    for (const std::string& opt : options)
      if (o.given(opt)) throw UsageError(opt + " does not apply: " + why);
  };
  if (o.instance == "gaussian")
    reject({"--problem", "--K", "--delta", "--lambda", "--eta", "--N1", "--N2", "--no-dct"},
           "it sets the Omega_K family (--instance family); the Gaussian instance is solved as the square-root "
           "LASSO (p3) with --lambda-gaussian");
  else if (o.instance == "family")
    reject({"--size", "--sparsity", "--seed", "--lambda-gaussian"},
           "it sets the Gaussian instance (--instance gaussian)");
  if (o.instance == "family") reject({"--eta"}, "the sweep solves the square-root LASSO (p3), which has no eta");
  if (o.solver == "pdhg") reject({"--inner"}, "it sets FIRENET's steps per restart (--solver firenet)");
  if (o.resume && o.out.empty()) throw UsageError("--resume needs --out DIR (the directory of the run to continue)");
  if (!o.shard.empty() && o.out.empty()) throw UsageError("--shard needs --out DIR (where the shard saves its cells)");
}

// The run-wide settings a resumed run must share with the saved cells.
std::string settings_text(const impossibility::SweepSettings& s) {
  std::ostringstream t;
  t << "instance=" << s.instance << "\n";
  if (s.instance == "gaussian") {
    t << "size=" << s.rows << "x" << s.cols << "\nsparsity=" << s.sparsity << "\nseed=" << s.seed
      << "\nlambda=" << s.lambda << "\n";
  } else {
    t << "problem=" << impossibility::to_string(s.family.problem) << "\nK=" << s.family.K
      << "\ndelta=" << s.family.delta << "\nlambda=" << s.family.lambda << "\nN1=" << s.family.N1
      << "\nN2=" << s.family.N2 << "\ndct=" << (s.family.dct_mixing ? "yes" : "no") << "\n";
  }
  t << "solver=" << s.solver << "\n";
  if (s.solver == "firenet") t << "inner=" << s.inner << "\n";
  return t.str();
}

// One saved cell line (as csv_row writes it), checked against this run;
// errors start with `prefix` and name `where` the line came from.
SweepPoint parse_cell(const std::string& line, const std::string& prefix, const std::string& where,
                      const impossibility::SweepSettings& s) {
  const std::vector<std::string> f = split_list(line);
  if (f.size() != 8 || (f[3] != "ok" && f[3] != "non-finite"))
    throw UsageError(prefix + where + " is not a sweep cell: " + quote_for_message(line));
  SweepPoint p;
  p.n = long(parse_integer("n in " + where, f[0], 0, 100000));
  p.bits = unsigned(parse_integer("bits in " + where, f[1], 2, 100000));
  p.iterations = long(parse_integer("iterations in " + where, f[2], 1, 100000000));
  p.finite = f[3] == "ok";
  if (p.finite) {
    try {
      p.error = {oracle::parse_rational(f[4]), oracle::parse_rational(f[5])};
    } catch (const std::invalid_argument& e) {
      throw UsageError(prefix + where + ": " + e.what());
    }
  }
  p.type = f[6];
  p.certified_minimiser = f[7] == "minimiser";
  auto in_list = [](const auto& list, auto v) { return std::find(list.begin(), list.end(), v) != list.end(); };
  if (!in_list(s.ns, p.n) || !in_list(s.bits, p.bits) || !in_list(s.iterations, p.iterations))
    throw UsageError(prefix + where + " holds the cell n=" + f[0] + " bits=" + f[1] + " iterations=" + f[2] +
                     ", which this run does not request: give the same --n, --bits and --iters lists");
  return p;
}

// The cells an earlier run saved in DIR (--resume), checked against this run.
std::vector<SweepPoint> resumed_cells(const std::string& dir, const impossibility::SweepSettings& s) {
  const std::optional<std::string> saved =
      saved_cells(dir, "sweep.csv", "sweep_settings.txt", settings_text(s), csv_header);
  if (!saved) return {};
  const std::string csv_path = dir + "/sweep.csv";
  std::istringstream in(*saved);
  std::string line;
  std::getline(in, line);
  std::vector<SweepPoint> cells;
  for (long number = 2; std::getline(in, line); ++number)
    cells.push_back(parse_cell(line, "--resume: ", quote_for_message(csv_path) + " line " + std::to_string(number), s));
  return cells;
}

// The CSV of the cells so far, in the order of the requested lists.
std::string csv_text(const std::map<CellKey, SweepPoint>& cells, const impossibility::SweepSettings& s) {
  std::string csv = std::string(csv_header) + "\n";
  for (long n : s.ns)
    for (unsigned b : s.bits)
      for (long it : s.iterations)
        if (auto c = cells.find({n, b, it}); c != cells.end()) csv += csv_row(c->second) + "\n";
  return csv;
}

void write_plot(const std::map<CellKey, SweepPoint>& cells, const std::string& title, const std::string& ylabel,
                const OutputDir& out) {
  // One data block per (n, bits): error against iterations. Every series
  // has its own colour and point type; a series that coincides on the plot
  // with an earlier one (same iterations, every error within 1%, closer than
  // a marker's width on the log scale) is drawn with a larger open marker and
  // says so in its title, so it cannot hide behind the other.
  std::map<std::pair<long, unsigned>, std::vector<std::pair<long, double>>> series;
  for (const auto& [k, p] : cells)
    if (p.finite) series[{p.n, p.bits}].emplace_back(p.iterations, std::max(mid(p.error), 1e-300));
  std::ostringstream dat, gp;
  gp << "set terminal pngcairo size 1000,750\nset output 'sweep.png'\n"
     << "set logscale xy\nset format y '10^{%L}'\nset grid\nset key below\nset offsets graph 0.03, graph 0.03, graph 0.05, graph 0.05\n"
     << "set xlabel 'iterations'\nset ylabel " << gnuplot_string(ylabel) << "\n"
     << "set title " << gnuplot_string(title) << " noenhanced\nplot ";
  std::vector<std::pair<std::pair<long, unsigned>, std::vector<std::pair<long, double>>>> drawn;
  int block = 0;
  for (const auto& [k, pts] : series) {
    for (const auto& [it, e] : pts) dat << it << " " << e << "\n";
    dat << "\n\n";
    std::string same;
    auto coincide = [](const auto& a, const auto& b) {
      if (a.size() != b.size()) return false;
      for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i].first != b[i].first || std::abs(a[i].second - b[i].second) > 0.01 * std::abs(b[i].second)) return false;
      return true;
    };
    for (const auto& [dk, dpts] : drawn)
      if (same.empty() && coincide(pts, dpts))
        same = " (coincides with n=" + std::to_string(dk.first) + ", " + std::to_string(dk.second) + " bits)";
    const int style = block % 14;  // 14 gnuplot point types; colours cycle separately over 8
    gp << (block ? ", " : "") << "'sweep_plot.dat' index " << block << " using 1:2 with linespoints lc " << (block % 8 + 1)
       << " pt " << (same.empty() ? 1 + style : 6) << " ps " << (same.empty() ? 1.2 : 2.5) << " dt "
       << (block / 8 + 1) << " title " << gnuplot_string("n=" + std::to_string(k.first) + ", " +
                                                         std::to_string(k.second) + " bits" + same);
    drawn.emplace_back(k, pts);
    ++block;
  }
  if (block == 0) gp << "1/0 title 'no finite cells'";
  gp << "\n";
  out.write("sweep_plot.dat", dat.str());
  out.plot("sweep.gp", gp.str(), "sweep.png");
}

int run_sweep(const SweepOptions& o) {
  MpiCells& mpi = MpiCells::get();  // first: under mpirun, only rank 0 speaks
  if (o.instance != "gaussian" && o.instance != "family")
    throw UsageError("unknown instance " + quote_for_message(o.instance) + ": allowed are gaussian, family");
  reject_unused_options(o);
  impossibility::SweepSettings s;
  s.instance = o.instance;
  if (o.instance == "family") s.family = o.family.params();
  const auto x = o.size.find('x');
  if (x == std::string::npos) throw UsageError("--size '" + o.size + "' must look like ROWSxCOLS, e.g. 40x100");
  s.rows = std::size_t(parse_integer("--size rows", o.size.substr(0, x), 1, 2000));
  s.cols = std::size_t(parse_integer("--size columns", o.size.substr(x + 1), 1, 2000));
  s.sparsity = std::size_t(parse_integer("--sparsity", o.sparsity, 1, 2000));
  s.seed = std::uint64_t(parse_integer("--seed", o.seed, 0, 1LL << 62));
  try {
    s.lambda = oracle::parse_rational(o.lambda);
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("--lambda-gaussian: ") + e.what());
  }
  s.solver = o.solver;
  s.inner = int(parse_integer("--inner", o.inner, 1, 1000000));
  s.ns = parse_integer_list("--n", o.ns, 0, 100000);
  s.bits.clear();
  for (long b : parse_integer_list("--bits", o.bits, 2, 100000)) s.bits.push_back(unsigned(b));
  s.iterations = parse_integer_list("--iters", o.iters, 1, 100000000);
  const Shard shard = parse_shard(o.shard);
  s.validate();  // also refuses runs too large for the machine, before any work

  // Cells are numbered in the order of the lists; a shard runs its share.
  std::map<CellKey, std::size_t> cell_number;
  std::vector<CellKey> numbered;
  for (long n : s.ns)
    for (unsigned b : s.bits)
      for (long it : s.iterations)
        if (cell_number.emplace(CellKey{n, b, it}, numbered.size()).second) numbered.push_back({n, b, it});

  // An MPI worker computes the cells rank 0 grants it. It exits 0 even when
  // it fails: rank 0 reports the failure and sets the job's exit code, and a
  // non-zero worker exit would make mpirun kill rank 0 before it has saved
  // the other workers' cells.
  if (mpi.active() && !mpi.coordinator()) {
    if (!mpi.start(false)) return 0;  // rank 0 refused the run and says why
    s.skip = [&](long n, unsigned b, long it) {
      const std::size_t c = cell_number.at({n, b, it});
      return !shard.owns(c) || !mpi.claim(c);
    };
    s.on_point = [&](const SweepPoint& p) { mpi.finished(csv_row(p)); };
    try {
      impossibility::run_sweep(s);
    } catch (const std::exception& e) {
      mpi.done(e.what());
      return 0;
    }
    mpi.done("");
    return 0;
  }

  std::map<CellKey, SweepPoint> cells;
  std::optional<OutputDir> out;
  try {
    if (o.resume)
      for (const SweepPoint& p : resumed_cells(o.out, s)) cells[key(p)] = p;
    if (!o.out.empty()) {
      // A resumed run keeps the saved CSV until it writes the merged one.
      std::vector<std::string> files{"sweep_plot.dat", "sweep.gp", "sweep.png"};
      if (!o.resume) files.insert(files.end(), {"sweep.csv", "sweep_settings.txt"});
      out.emplace(o.out, files, "barriers sweep");
      out->write("sweep_settings.txt", settings_text(s));
      out->write("sweep.csv", csv_text(cells, s));
    }
  } catch (...) {
    if (mpi.active()) mpi.start(false);  // the workers stop too
    throw;
  }
  const std::size_t resumed = cells.size();
  std::set<CellKey> resumed_keys;
  for (const auto& [k, p] : cells) resumed_keys.insert(k);
  s.skip = [&](long n, unsigned b, long it) {
    return cells.count({n, b, it}) > 0 || !shard.owns(cell_number.at({n, b, it}));
  };
  s.on_point = [&](const SweepPoint& p) {
    cells[key(p)] = p;
    if (out) out->write("sweep.csv", csv_text(cells, s));
  };
  const auto progress = make_fraction_progress(o.quiet);
  s.progress = progress;
  if (progress && resumed > 0) progress(0, "resuming: " + std::to_string(resumed) + " cells read from sweep.csv");
  if (mpi.active()) {  // rank 0: hands out the cells, saves what the workers send
    mpi.start(true);
    const std::vector<std::string> failures = mpi.serve(
        [&](std::size_t c) { return cells.count(numbered[c]) > 0; },
        [&](const std::string& line) {
          s.on_point(parse_cell(line, "", "the cell an MPI rank sent", s));
          if (progress)
            progress(double(cells.size()) / double(numbered.size()),
                     std::to_string(cells.size()) + " of " + std::to_string(numbered.size()) + " cells finished");
        });
    if (!failures.empty()) {
      for (const std::string& f : failures) std::cerr << "barriers: error: MPI " << f << "\n";
      if (out)
        std::cerr << "barriers: error: the finished cells are saved in sweep.csv in " << quote_for_message(o.out, 4096)
                  << "; the same command with --resume computes the rest\n";
      return exit_failure;
    }
    s.skip = [](long, unsigned, long) { return true; };  // every cell came from a worker
  }
  const impossibility::SweepResult r = impossibility::run_sweep(s);

  bool all_certified = true;
  std::size_t non_finite = 0;
  for (const auto& [k, p] : cells) {
    all_certified = all_certified && p.certified_minimiser;
    non_finite += p.finite ? 0 : 1;
  }
  const std::string what = all_certified ? "certified distance to the exact minimiser"
                                         : "certified distance to the planted x (not certified to be the minimiser)";
  const std::string description = r.instance_description.empty() ? s.instance + " instance" : r.instance_description;
  std::printf("%s, solver %s\n", description.c_str(), s.solver.c_str());
  if (!r.reference.explanation.empty()) std::printf("reference: %s\n", r.reference.explanation.c_str());
  std::printf("%8s %6s %10s   %s\n", "n", "bits", "iterations", what.c_str());
  for (long n : s.ns)
    for (unsigned b : s.bits)
      for (long it : s.iterations) {
        const auto c = cells.find({n, b, it});
        if (c == cells.end()) continue;
        const SweepPoint& p = c->second;
        const std::string value = p.finite ? outward_decimal(p.error.hi, true, 4) : std::string("non-finite");
        std::printf("%8ld %6u %10ld   %s%s%s\n", p.n, p.bits, p.iterations, p.finite ? "<= " : "", value.c_str(),
                    resumed_keys.count(c->first) ? "  (resumed)" : "");
      }
  if (out) {
    write_plot(cells, description + ", solver " + s.solver, what, *out);
    out->finish();
    std::cerr << "wrote sweep.csv and sweep.png in " << quote_for_message(o.out, 4096);
    if (!shard.whole())
      std::cerr << " (shard " << shard.index << " of " << shard.count << ": " << cells.size() << " of "
                << cell_number.size() << " cells; combine the shards with 'barriers merge')";
    std::cerr << "\n";
  }
  if (non_finite > 0) {
    std::cerr << "barriers: error: " << non_finite << " of " << cells.size()
              << " cells ended with a NaN or infinite output (status non-finite in the CSV)\n";
    return exit_failure;
  }
  return 0;
}

}  // namespace

Command add_sweep_command(CLI::App& app) {
  auto o = std::make_shared<SweepOptions>();
  CLI::App* sub = app.add_subcommand(
      "sweep", "Accuracy reached for each combination of oracle precision n, working precision (bits) and "
               "iterations, on a seeded Gaussian sparse-recovery instance or on the Table-1 family, both solved as "
               "the square-root LASSO (p3). Distances are to the planted x, called the exact minimiser only when "
               "that is certified. Options of the other instance, or of the other solver, are errors.");
  o->app = sub;
  o->family.add_to(*sub, false);
  sub->add_option("--instance", o->instance, "gaussian or family")->type_name("NAME")->capture_default_str();
  sub->add_option("--size", o->size, "gaussian: ROWSxCOLS")->type_name("MxN")->capture_default_str();
  sub->add_option("--sparsity", o->sparsity, "gaussian: non-zeros of x")->type_name("S")->capture_default_str();
  sub->add_option("--seed", o->seed, "gaussian: seed")->type_name("S")->capture_default_str();
  sub->add_option("--lambda-gaussian", o->lambda, "gaussian: square-root LASSO lambda (family: --lambda)")
      ->type_name("Q")
      ->capture_default_str();
  sub->add_option("--solver", o->solver, "firenet or pdhg (square-root LASSO)")->type_name("NAME")->capture_default_str();
  sub->add_option("--inner", o->inner, "firenet steps per restart")->type_name("P")->capture_default_str();
  sub->add_option("--n", o->ns, "Oracle precisions n (bits), comma-separated")->type_name("LIST")->capture_default_str();
  sub->add_option("--bits", o->bits, "Working precisions: 53 double, 64 long double, 113 float128, else MPFR")
      ->type_name("LIST")
      ->capture_default_str();
  sub->add_option("--iters", o->iters, "Total iteration budgets, comma-separated")->type_name("LIST")->capture_default_str();
  sub->add_option("--out", o->out, "Write sweep.csv (each cell as it finishes) and sweep.png into DIR")->check(non_empty())->type_name("DIR");
  sub->add_flag("--resume", o->resume,
                "Continue the run saved in --out DIR: keep its finished cells (same settings required), compute the rest");
  sub->add_option("--shard", o->shard,
                  "Run only cells I, I + N, ... (numbered from 1 in the order of the lists) into --out DIR; "
                  "'barriers merge' combines the shards")
      ->type_name("I/N");
  sub->add_flag("--quiet", o->quiet, "No progress lines on stderr");
  return {sub, [o] { return run_sweep(*o); }};
}

}  // namespace barriers::cli
