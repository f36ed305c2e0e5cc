// `barriers theorem`: the three parts of the impossibility theorem played out
// on one class Omega (impossibility/theorem_class.hpp), with a PASS/FAIL line
// per claim and a non-zero exit if any claim fails.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <memory>
#include <optional>
#include <set>
#include <tuple>
#include <string>
#include <vector>

#include "barriers/impossibility/randomised_algorithms.hpp"
#include "barriers/impossibility/solver_algorithms.hpp"
#include "barriers/impossibility/theorem_class.hpp"
#include "barriers/impossibility/verify.hpp"
#include "barriers/precision/precision_guard.hpp"
#include "commands.hpp"
#include "family_options.hpp"
#include "list_option.hpp"
#include "non_empty.hpp"
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
  std::string trials = "40";
  std::string seed = "0";
  std::string out;
  bool quiet = false;
  const CLI::App* app = nullptr;
  bool given(const std::string& option) const { return app->count(option) > 0; }
  bool solvers_given = false;
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
     << "set grid\nset key below\nset xlabel 'n (V(1, n) and V(2, n) agree to 2^{-n})'\n"
     << "set ylabel 'data read'\nset title 'Part 2: " << K - 1
     << " digits on V(1, n) need precision beyond n (decider, nearest oracle)'\n"
     << "plot 'theorem_part2.dat' using 1:2 with linespoints pt 7 title 'precision read (bits)', '' using 1:3 "
        "with linespoints pt 5 title 'elements (A_m, y_m) read', x title 'n (up to here an adversary can make "
        "V(1, n), V(2, n) look identical)' dt 2 lc rgb 'gray'\n";
  out.plot("theorem.gp", gp.str(), "theorem.png");
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

std::string policy_name(oracle::AnswerPolicy p) { return oracle::to_string(p); }

int run_theorem(const TheoremOptions& o) {
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
  const auto progress = make_progress(o.quiet);
  std::optional<OutputDir> dir;
  if (!o.out.empty())
    dir.emplace(o.out,
                std::vector<std::string>{"theorem_part1.csv", "theorem_part2.csv", "theorem_part3.csv",
                                         "theorem_part2.dat", "theorem.gp", "theorem.png"},
                "barriers theorem");

  const long K = base.K;
  Claims claims;
  // Every member played, so that its conditioning and minimiser are certified at the end.
  std::set<std::tuple<int, std::size_t, long>> played;
  auto played_member = [&](Scale scale, std::size_t j, long n) { played.insert({int(scale), j, n}); };
  struct Entry {
    std::string name;
    Algorithm alg;
  };
  std::vector<Entry> algorithms = {{"decider", class_decider(base, oracle::max_query_bits)},
                                   {"one-shot", one_shot_centroid(base)}};
  for (const SolverAlgorithmSettings& s : solver_settings) {
    FamilyParams p = base;
    p.n = solver_bits;
    if (progress) progress("preparing " + s.solver);
    algorithms.push_back({s.solver + " (" + o.type + ", reads " + std::to_string(solver_bits) + " bits)",
                          make_solver_algorithm(p, s)});
  }
  const std::vector<NamedAlgorithm> randomised = randomised_algorithms(base);
  const std::vector<oracle::AnswerPolicy> policies = {oracle::AnswerPolicy::nearest, oracle::AnswerPolicy::random,
                                                      oracle::AnswerPolicy::adversarial};
  std::printf("Omega for %s, K = %ld, N1 = %zu, N2 = %zu: U(j, n) at scale K (n >= 1) with its limit U(lim), and "
              "V(j, n) at scale K-1 (n >= 1)\n\n",
              to_string(base.problem).c_str(), K, base.N1, base.N2);

  // Part 1.
  std::printf("Part 1: no algorithm gets %ld digits on Omega. Each algorithm runs on U(lim); U(1, n) and U(2, n)\n"
              "with n large enough that every answer up to the bits read can be U(lim)'s are then answered with\n"
              "U(lim)'s bits.\n",
              K);
  std::ostringstream part1_csv;
  part1_csv << "algorithm,limit_bits_read,member_n,identical_data,dist_U1,dist_U2,ten_to_minus_K\n";
  for (const Entry& e : algorithms) {
    if (progress) progress("part 1: " + e.name);
    const ClassGameResult g = play_class_game(base, e.alg, seed);
    played_member(Scale::K, 1, g.member_n);
    played_member(Scale::K, 2, g.member_n);
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
    std::printf("  Randomised algorithms, each on ONE fixed pair U(1, n), U(2, n) over %ld seeds (n from a pilot of\n"
                "  %ld other seeds on U(lim)); success = within 10^-%ld, 95%% Wilson intervals. On a seed whose reads\n"
                "  the adversary matches, both members get the same data: p1 + p2 <= 1 + P(differing data).\n",
                trials, trials, K);
    for (const NamedAlgorithm& r : randomised) {
      if (progress) progress("part 1: " + r.name + " over " + std::to_string(trials) + " seeds");
      const long pilot = max_bits_on_limit(base, r.algorithm, std::size_t(trials), seed + std::uint64_t(trials));
      const long n = member_n_for(base, pilot);
      const SuccessEstimate est = estimate_fixed_pair(base, r.algorithm, n, std::size_t(trials), seed);
      played_member(Scale::K, 1, n);
      played_member(Scale::K, 2, n);
      const std::size_t differing = est.trials - est.identical_trials;
      std::printf("    %-24s U(1, n=%ld): %s, U(2, n=%ld): %s; differing data on %zu seeds\n", r.name.c_str(), n,
                  rate(est.successes1, est.trials).c_str(), n, rate(est.successes2, est.trials).c_str(), differing);
      claims.line(est.both_succeeded_identical == 0 &&
                      est.successes1 + est.successes2 <= est.trials + differing,
                  r.name + ": never both members from identical data, so min(p1, p2) <= 1/2 + " +
                      fixed3(double(differing) / double(2 * est.trials)));
    }
  }

  // Part 2.
  std::printf("\nPart 2: %ld digits are attainable (decider), but on V(j, n) only by reading precision beyond n.\n",
              K - 1);
  const Algorithm& decider = algorithms.front().alg;
  const rational tol2 = ten_to_minus(K - 1), tol3 = ten_to_minus(K - 2);
  std::vector<MemberRun> v_runs;
  std::ostringstream part2_csv;
  part2_csv << "member,scale,j,n,policy,queries,max_bits_read,dist_upper\n";
  auto record = [&](const MemberRun& r, oracle::AnswerPolicy policy, std::ostringstream& csv) {
    csv << '"' << r.member.name() << "\"," << (r.member.scale == Scale::K ? "K" : "K-1") << "," << r.member.j
        << "," << r.member.n << "," << policy_name(policy) << "," << r.queries << "," << r.max_bits_read << ","
        << to_d(r.distance.hi) << "\n";
  };
  rational worst_u = 0, worst_v = 0;
  bool reads_beyond_n = true;
  std::printf("    nearest oracle:\n    %-14s %8s %10s %14s\n", "member", "elements", "bits read", "distance <=");
  for (long n = 1; n <= n_max; ++n) {
    if (progress && n % 4 == 0) progress("part 2: n = " + std::to_string(n) + " of " + std::to_string(n_max));
    for (std::size_t j = 1; j <= base.N1; ++j)
      for (oracle::AnswerPolicy policy : policies) {
        const MemberRun v = run_on_member(base, {Scale::K_minus_1, j, n}, decider, seed, policy);
        const MemberRun u = run_on_member(base, {Scale::K, j, n}, decider, seed, policy);
        played_member(Scale::K_minus_1, j, n);
        played_member(Scale::K, j, n);
        worst_v = std::max(worst_v, v.distance.hi);
        worst_u = std::max(worst_u, u.distance.hi);
        reads_beyond_n &= v.max_bits_read > n;
        record(v, policy, part2_csv);
        record(u, policy, part2_csv);
        if (policy != oracle::AnswerPolicy::nearest) continue;
        v_runs.push_back(v);
        if (j <= 2)
          std::printf("    %-14s %8zu %10ld %14.4e\n", v.member.name().c_str(), v.queries, v.max_bits_read,
                      to_d(v.distance.hi));
      }
  }
  for (oracle::AnswerPolicy policy : policies) {
    const MemberRun lim = run_on_member(base, {Scale::K, 1, 0}, decider, seed, policy);
    record(lim, policy, part2_csv);
    worst_u = std::max(worst_u, lim.distance.hi);
  }
  std::printf("    U members (n = 1..%ld and the limit): 1 element of %ld bits each, distance <= %.4e\n", n_max,
              coarse_bits, to_d(worst_u));
  claims.line(worst_v <= tol2 && worst_u <= tol2,
              "decider within 10^-" + std::to_string(K - 1) + " of every member tried, j = 1.." +
                  std::to_string(base.N1) + ", under the nearest, random and adversarial oracles (largest " +
                  std::to_string(to_d(std::max(worst_u, worst_v))) + ")");
  claims.line(reads_beyond_n, "on every V(j, n) the decider read precision beyond n, under every oracle");
  std::printf("    Lower side: the decider capped at M bits, on V(1, M) (adversary answers with V(2, M)'s bits) and "
              "V(2, M):\n");
  for (long M : budgets) {
    const GameResult g = play_adversary_game(member_family(base, Scale::K_minus_1, M), class_decider(base, M), seed);
    played_member(Scale::K_minus_1, 1, M);
    played_member(Scale::K_minus_1, 2, M);
    std::printf("    M = %-6ld identical data: %s, larger distance >= %.4e\n", M, g.identical_data ? "yes" : "no",
                to_d(g.worst_distance_lower()));
    claims.line(g.identical_data && g.failed_K_digits(),
                "budget " + std::to_string(M) + " bits: " + std::to_string(K - 1) + " digits fail on V(1, " +
                    std::to_string(M) + ") or V(2, " + std::to_string(M) + ")");
  }
  if (trials > 0) {
    const double bound = 1 - 1.0 / double(base.N1);
    std::printf("  Randomised, over all N + 1 - m = N1 = %zu members V(j, n) at one n, each answered with the "
                "scale-(K-1)\n  limit's bits up to M: P(fail or read more than M bits) per member over %ld seeds "
                "(95%% Wilson);\n  some member must have it >= 1 - 1/N1 = %.3f.\n",
                base.N1, trials, bound);
    for (long M : budgets)
      for (const NamedAlgorithm& r : randomised) {
        if (progress) progress("part 2: " + r.name + ", M = " + std::to_string(M));
        const DataNeedEstimate e = estimate_data_need(base, r.algorithm, M, std::size_t(trials), seed);
        for (std::size_t j = 1; j <= base.N1; ++j) played_member(Scale::K_minus_1, j, e.n);
        std::string per_member;
        for (std::size_t j = 0; j < base.N1 && j < 4; ++j)
          per_member += (j ? ", " : "") + rate(e.trials - e.quick_successes[j], e.trials);
        if (base.N1 > 4) per_member += ", ...";
        std::printf("    M = %-4ld %-24s n = %ld: %s; largest %.3f\n", M, r.name.c_str(), e.n, per_member.c_str(),
                    e.worst_need_fraction());
        claims.line(e.unmatched == 0 && e.contradictions == 0 && e.worst_need_fraction() >= bound,
                    r.name + ", M = " + std::to_string(M) + ": some V(j, n) has P(fail or more than M bits) >= " +
                        fixed3(bound));
      }
  }

  // Part 3.
  std::printf("\nPart 3: %ld digit%s from L = 1 datum (one-shot: one query at %ld bits, then the centroid), under\n"
              "the nearest, random and adversarial oracles.\n",
              K - 2, K - 2 == 1 ? "" : "s", coarse_bits);
  const Algorithm& one_shot = algorithms[1].alg;
  rational worst3 = 0;
  bool one_datum = true;
  std::ostringstream part3_csv;
  part3_csv << "member,scale,j,n,policy,queries,max_bits_read,dist_upper\n";
  auto part3 = [&](const ClassMember& m, oracle::AnswerPolicy policy) {
    const MemberRun r = run_on_member(base, m, one_shot, seed, policy);
    worst3 = std::max(worst3, r.distance.hi);
    one_datum &= r.queries == 1;
    record(r, policy, part3_csv);
  };
  for (oracle::AnswerPolicy policy : policies) {
    for (long n = 1; n <= n_max; ++n)
      for (std::size_t j = 1; j <= base.N1; ++j)
        for (Scale s : {Scale::K, Scale::K_minus_1}) part3({s, j, n}, policy);
    part3({Scale::K, 1, 0}, policy);
  }
  std::printf("    largest distance over U(lim) and U(j, n), V(j, n) for n = 1..%ld: %.4e\n", n_max, to_d(worst3));
  claims.line(one_datum && worst3 <= tol3, "one-shot within 10^-" + std::to_string(K - 2) +
                                               " of every member tried, under every oracle");

  // The class's promises for every member played: cond(A A^*) = 1 and a unique, stated minimiser.
  std::printf("\nEvery member played (%zu, and U(lim)): conditioning and minimiser certified (barriers verify's "
              "checks).\n",
              played.size());
  bool members_ok = verify_limit(member_family(base, Scale::K, 1)).all_pass();
  std::size_t done = 0;
  for (const auto& [scale, j, n] : played) {
    if (progress && ++done % 16 == 0)
      progress("certifying members: " + std::to_string(done) + " of " + std::to_string(played.size()));
    const VerifyReport r = verify_member(member_family(base, Scale(scale), n), j);
    if (!r.all_pass())
      std::printf("    %s: %s\n", ClassMember{Scale(scale), j, n}.name().c_str(),
                  r.all_decided() ? "a check failed" : "a check is undecided at the precision cap");
    members_ok = members_ok && r.all_pass();
  }
  claims.line(members_ok, "cond(A A^*) = 1 and the stated minimiser unique and optimal on every member played");

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
  sub->add_option("--out", o->out, "Write theorem_part{1,2,3}.csv and theorem.png into DIR")->check(non_empty())->type_name("DIR");
  sub->add_flag("--quiet", o->quiet, "No progress lines on stderr");
  o->app = sub;
  return {sub, [o] {
            o->solvers_given = o->given("--solvers");
            return run_theorem(*o);
          }};
}

}  // namespace barriers::cli
