// `barriers theorem`: the three parts of the impossibility theorem played out
// on one class Omega (impossibility/theorem_class.hpp), with a PASS/FAIL line
// per claim and a non-zero exit if any claim fails.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "barriers/impossibility/solver_algorithms.hpp"
#include "barriers/impossibility/theorem_class.hpp"
#include "barriers/precision/precision_guard.hpp"
#include "commands.hpp"
#include "family_options.hpp"
#include "list_option.hpp"
#include "output_files.hpp"
#include "parse_number.hpp"
#include "progress.hpp"
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
  std::string trials = "200";
  std::string seed = "0";
  std::string out;
  bool quiet = false;
};

double to_d(const rational& q) { return q.convert_to<double>(); }

struct Claims {
  int failed = 0;
  void line(bool ok, const std::string& what) {
    std::printf("  %s  %s\n", ok ? "PASS" : "FAIL", what.c_str());
    failed += !ok;
  }
};

// Solver names from --solvers; empty items ("pdhg,,firenet") are skipped.
std::vector<std::string> split_names(const std::string& text) {
  std::vector<std::string> out;
  for (std::string& item : split_list(text))
    if (!item.empty()) out.push_back(std::move(item));
  return out;
}

void write_plot(const OutputDir& out, const std::vector<MemberRun>& v_runs, long K) {
  std::ostringstream dat;
  for (const MemberRun& r : v_runs)
    if (r.member.j == 1) dat << r.member.n << " " << r.max_bits_read << " " << r.queries << "\n";
  out.write("theorem_part2.dat", dat.str());
  std::ostringstream gp;
  gp << "set terminal pngcairo size 900,600\nset output 'theorem.png'\n"
     << "set grid\nset key top left\nset xlabel 'n (V(1, n) and V(2, n) agree to 2^{-n})'\n"
     << "set ylabel 'data read'\nset title 'Part 2: " << K - 1
     << " digits on V(1, n) need precision beyond n (decider, nearest oracle)'\n"
     << "plot 'theorem_part2.dat' using 1:2 with linespoints pt 7 title 'precision read (bits)', '' using 1:3 "
        "with linespoints pt 5 title 'elements (A_m, y_m) read', x title 'n (up to here an adversary can make "
        "V(1, n), V(2, n) look identical)' dt 2 lc rgb 'gray'\n";
  out.plot("theorem.gp", gp.str(), "theorem.png");
}

int run_theorem(const TheoremOptions& o) {
  FamilyParams base = o.family.params();
  validate_theorem_class(base);
  // Part 2 reads every precision up to n + 4 for each n, so its cost grows like
  // n_max^2 (n_max = 64: about 20 s); the caps keep a run within minutes.
  const long n_max = long(parse_integer("--n-max", o.n_max, 1, 256));
  const std::vector<long> budgets = parse_integer_list("--budgets", o.budgets, coarse_bits, 2048);
  const long trials = long(parse_integer("--trials", o.trials, 0, 100000));
  const long solver_bits = long(parse_integer("--solver-bits", o.solver_bits, 1, 100000));
  const std::uint64_t seed = std::uint64_t(parse_integer("--seed", o.seed, 0, 1LL << 62));
  std::optional<PrecisionGuard> guard;
  if (o.type == "mpfr") guard.emplace(unsigned(parse_integer("--bits", o.bits, 2, 1 << 20)));
  const auto progress = make_progress(o.quiet);
  std::optional<OutputDir> dir;
  if (!o.out.empty())
    dir.emplace(o.out,
                std::vector<std::string>{"theorem_part1.csv", "theorem_part2.csv", "theorem_part3.csv",
                                         "theorem_part2.dat", "theorem.gp", "theorem.png"},
                "barriers theorem");

  const long K = base.K;
  std::vector<std::string> solvers =
      split_names(o.solvers.empty() ? (base.problem == Problem::p3 ? "pdhg,firenet" : "pdhg") : o.solvers);
  Claims claims;
  struct Entry {
    std::string name;
    Algorithm alg;
  };
  std::vector<Entry> algorithms = {{"decider", class_decider(base, 100000)},
                                   {"one-shot", one_shot_centroid(base)},
                                   {"random-vertex", random_vertex(base)}};
  for (const std::string& name : solvers) {
    FamilyParams p = base;
    p.n = solver_bits;
    SolverAlgorithmSettings s;
    s.solver = name;
    s.type = o.type;
    s.seed = seed;
    if (progress) progress("preparing " + name);
    algorithms.push_back({name + " (" + o.type + ", reads " + std::to_string(solver_bits) + " bits)",
                          make_solver_algorithm(p, s)});
  }
  std::printf("Omega for %s, K = %ld: U(j, n) at scale K (n >= 1) with its limit U(lim), and V(j, n) at scale "
              "K-1 (n >= 1)\n\n",
              to_string(base.problem).c_str(), K);

  // Part 1.
  std::printf("Part 1: no algorithm gets %ld digits on Omega. Each algorithm runs on U(lim); U(1, n) and U(2, n)\n"
              "with n = (bits read) + 2 are then answered with U(lim)'s bits.\n",
              K);
  std::ostringstream part1_csv;
  {
    part1_csv << "algorithm,limit_bits_read,member_n,identical_data,dist_U1,dist_U2,ten_to_minus_K\n";
  }
  for (const Entry& e : algorithms) {
    if (progress) progress("part 1: " + e.name);
    const ClassGameResult g = play_class_game(base, e.alg, seed);
    std::printf("    %-36s read %4ld bits on U(lim); on U(1, n=%ld), U(2, n=%ld): distances %.4e, %.4e; "
                "identical data: %s\n",
                e.name.c_str(), g.limit_bits_read, g.member_n, g.member_n, to_d(g.world1.distance.hi),
                to_d(g.world2.distance.hi), g.identical_data ? "yes" : "no");
    part1_csv << '"' << e.name << "\"," << g.limit_bits_read << "," << g.member_n << ","
                << (g.identical_data ? 1 : 0) << "," << to_d(g.world1.distance.hi) << ","
                << to_d(g.world2.distance.hi) << "," << to_d(g.ten_to_minus_K) << "\n";
    claims.line(g.identical_data && g.failed_K_digits(),
                e.name + ": identical data and the larger distance > 10^-" + std::to_string(K));
  }
  if (trials > 0) {
    if (progress) progress("part 1: random-vertex over " + std::to_string(trials) + " seeds");
    const SuccessEstimate est = estimate_class_success(base, random_vertex(base), std::size_t(trials), seed);
    std::printf("    random-vertex over %ld seeds: P(within 10^-%ld of U(1, n)) = %.3f [%.3f, %.3f], of U(2, n) = "
                "%.3f [%.3f, %.3f] (95%% Wilson)\n",
                trials, K, est.p1, est.lo1, est.hi1, est.p2, est.lo2, est.hi2);
    claims.line(est.identical_data && est.successes1 + est.successes2 <= est.trials,
                "randomised: p1 + p2 <= 1 in every trial's identical data, so one of them is <= 1/2");
  }

  // Part 2.
  std::printf("\nPart 2: %ld digits are attainable (decider), but on V(j, n) only by reading precision beyond n.\n",
              K - 1);
  const Algorithm decider = class_decider(base, 100000);
  const rational tol2 = ten_to_minus(K - 1), tol3 = ten_to_minus(K - 2);
  std::vector<MemberRun> v_runs;
  std::ostringstream part2_csv;
  {
    part2_csv << "member,scale,j,n,queries,max_bits_read,dist_upper\n";
  }
  auto record = [&](const MemberRun& r, std::ostringstream& csv) {
    csv << '"' << r.member.name() << "\"," << (r.member.scale == Scale::K ? "K" : "K-1") << "," << r.member.j
          << "," << r.member.n << "," << r.queries << "," << r.max_bits_read << "," << to_d(r.distance.hi) << "\n";
  };
  rational worst_u = 0, worst_v = 0;
  bool reads_beyond_n = true;
  std::printf("    %-14s %8s %10s %14s\n", "member", "elements", "bits read", "distance <=");
  for (long n = 1; n <= n_max; ++n) {
    if (progress && n % 4 == 0) progress("part 2: n = " + std::to_string(n));
    for (std::size_t j = 1; j <= 2; ++j) {
      const MemberRun v = run_on_member(base, {Scale::K_minus_1, j, n}, decider, seed);
      const MemberRun u = run_on_member(base, {Scale::K, j, n}, decider, seed);
      worst_v = std::max(worst_v, v.distance.hi);
      worst_u = std::max(worst_u, u.distance.hi);
      reads_beyond_n &= v.max_bits_read > n;
      v_runs.push_back(v);
      record(v, part2_csv);
      record(u, part2_csv);
      std::printf("    %-14s %8zu %10ld %14.4e\n", v.member.name().c_str(), v.queries, v.max_bits_read,
                  to_d(v.distance.hi));
    }
  }
  const MemberRun lim = run_on_member(base, {Scale::K, 1, 0}, decider, seed);
  record(lim, part2_csv);
  worst_u = std::max(worst_u, lim.distance.hi);
  std::printf("    U members (n = 1..%ld and the limit): 1 element of %ld bits each, distance <= %.4e\n", n_max,
              coarse_bits, to_d(worst_u));
  claims.line(worst_v <= tol2 && worst_u <= tol2,
              "decider within 10^-" + std::to_string(K - 1) + " of every member tried (largest " +
                  std::to_string(to_d(std::max(worst_u, worst_v))) + ")");
  claims.line(reads_beyond_n, "on every V(j, n) the decider read precision beyond n");
  std::printf("    Lower side: the decider capped at M bits, on V(1, M) (adversary answers with V(2, M)'s bits) and "
              "V(2, M):\n");
  for (long M : budgets) {
    const GameResult g = play_adversary_game(member_family(base, Scale::K_minus_1, M), class_decider(base, M), seed);
    std::printf("    M = %-6ld identical data: %s, larger distance >= %.4e\n", M, g.identical_data ? "yes" : "no",
                to_d(g.worst_distance_lower()));
    claims.line(g.identical_data && g.failed_K_digits(),
                "budget " + std::to_string(M) + " bits: " + std::to_string(K - 1) + " digits fail on V(1, " +
                    std::to_string(M) + ") or V(2, " + std::to_string(M) + ")");
  }

  // Part 3.
  std::printf("\nPart 3: %ld digit%s from L = 1 datum (one-shot: one query at %ld bits, then the centroid).\n", K - 2,
              K - 2 == 1 ? "" : "s", coarse_bits);
  const Algorithm one_shot = one_shot_centroid(base);
  rational worst3 = 0;
  bool one_datum = true;
  std::ostringstream part3_csv;
  {
    part3_csv << "member,scale,j,n,queries,max_bits_read,dist_upper\n";
  }
  for (long n = 1; n <= n_max; ++n)
    for (std::size_t j = 1; j <= 2; ++j)
      for (Scale s : {Scale::K, Scale::K_minus_1}) {
        const MemberRun r = run_on_member(base, {s, j, n}, one_shot, seed);
        worst3 = std::max(worst3, r.distance.hi);
        one_datum &= r.queries == 1;
        record(r, part3_csv);
      }
  const MemberRun lim3 = run_on_member(base, {Scale::K, 1, 0}, one_shot, seed);
  record(lim3, part3_csv);
  worst3 = std::max(worst3, lim3.distance.hi);
  one_datum &= lim3.queries == 1;
  std::printf("    largest distance over U(lim) and U(j, n), V(j, n) for n = 1..%ld: %.4e\n", n_max, to_d(worst3));
  claims.line(one_datum && worst3 <= tol3, "one-shot within 10^-" + std::to_string(K - 2) + " of every member tried");

  if (dir) {
    dir->write("theorem_part1.csv", part1_csv.str());
    dir->write("theorem_part2.csv", part2_csv.str());
    dir->write("theorem_part3.csv", part3_csv.str());
    write_plot(*dir, v_runs, K);
    dir->finish();
    std::printf("\nwrote %s/theorem_part{1,2,3}.csv and theorem.png\n", dir->path().c_str());
  }
  std::printf("\n%s: %d claim(s) failed\n", claims.failed == 0 ? "ALL PASS" : "FAIL", claims.failed);
  return claims.failed == 0 ? 0 : exit_failure;
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
  sub->add_option("--solvers", o->solvers, "Built-in solvers also played in part 1 (default: pdhg,firenet for p3, pdhg otherwise)")
      ->type_name("LIST");
  sub->add_option("--solver-bits", o->solver_bits, "Precision at which the built-in solvers read the data")
      ->type_name("BITS")
      ->capture_default_str();
  sub->add_option("--type", o->type, "Working type of the built-in solvers: double, long-double, float128, mpfr")
      ->type_name("NAME")
      ->capture_default_str();
  sub->add_option("--bits", o->bits, "Working precision for --type mpfr")->type_name("BITS")->capture_default_str();
  sub->add_option("--trials", o->trials, "Seeds for the randomised algorithm in part 1 (0: skip)")
      ->type_name("T")
      ->capture_default_str();
  sub->add_option("--seed", o->seed, "Seed")->type_name("S")->capture_default_str();
  sub->add_option("--out", o->out, "Write theorem_part{1,2,3}.csv and theorem.png into DIR")->type_name("DIR");
  sub->add_flag("--quiet", o->quiet, "No progress lines on stderr");
  return {sub, [o] { return run_theorem(*o); }};
}

}  // namespace barriers::cli
