// `barriers adversary`: play the adversary game of the impossibility theorem
// against a built-in solver.
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>

#include "barriers/impossibility/solver_algorithms.hpp"
#include "barriers/precision/precision_guard.hpp"
#include "commands.hpp"
#include "family_options.hpp"
#include "parse_number.hpp"
#include "usage_error.hpp"

namespace barriers::cli {
namespace {

struct AdversaryOptions {
  FamilyOptions family;
  std::string solver = "pdhg";
  std::string type = "double", bits = "256";
  std::string iterations = "2000", restarts = "30", inner = "20";
  std::string trials = "0";
  std::string seed = "0";
  const CLI::App* app = nullptr;
};

double to_d(const rational& q) { return q.convert_to<double>(); }

int run_adversary(const AdversaryOptions& o) {
  const impossibility::FamilyParams p = o.family.params();
  // Options that do not apply to the chosen solver or type are errors, not silently ignored.
  auto not_for = [&](const char* option, bool applies, const std::string& what) {
    if (!applies && o.app->count(option) > 0) throw UsageError(std::string(option) + " applies to " + what + " only");
  };
  not_for("--iterations", o.solver == "pdhg" || o.solver == "fista", "--solver pdhg or fista");
  not_for("--restarts", o.solver == "firenet" || o.solver == "warpd-sr", "--solver firenet or warpd-sr");
  not_for("--inner", o.solver == "firenet" || o.solver == "warpd-sr", "--solver firenet or warpd-sr");
  not_for("--bits", o.type == "mpfr", "--type mpfr");
  impossibility::SolverAlgorithmSettings s;
  s.solver = o.solver;
  s.type = o.type;
  s.iterations = long(parse_integer("--iterations", o.iterations, 1, 100000000));
  s.restarts = int(parse_integer("--restarts", o.restarts, 1, 100000));
  s.inner = int(parse_integer("--inner", o.inner, 1, 100000));
  s.seed = std::uint64_t(parse_integer("--seed", o.seed, 0, 1LL << 62));
  const long trials = long(parse_integer("--trials", o.trials, 0, 100000));
  // Repeating a deterministic algorithm on the same data gives the same outcome every time:
  // a Wilson interval over such repeats would dress one observation up as a statistic.
  if (trials > 0)
    throw UsageError("--trials " + std::to_string(trials) +
                     ": every built-in solver is deterministic (same data, same output), so repeated trials "
                     "estimate nothing; randomised algorithms are played by `barriers theorem --trials T`");
  std::optional<PrecisionGuard> guard;
  if (o.type == "mpfr") guard.emplace(unsigned(parse_integer("--bits", o.bits, 2, 1 << 20)));

  impossibility::check_solver_algorithm(p, s);
  const impossibility::Algorithm alg = impossibility::make_solver_algorithm(p, s);
  const impossibility::GameResult g = impossibility::play_adversary_game(p, alg, s.seed);
  std::printf("adversary game: %s on %s, K = %ld, n = %ld, type %s\n", o.solver.c_str(),
              impossibility::to_string(p.problem).c_str(), p.K, p.n, o.type.c_str());
  std::printf("  world 1 (truth: member 1, oracle answers with member 2's bits): distance to x^1 = %.7e"
              " (certified in [%.7e, %.7e])\n",
              to_d((g.world1.distance.lo + g.world1.distance.hi) / 2), to_d(g.world1.distance.lo),
              to_d(g.world1.distance.hi));
  std::printf("  world 2 (truth: member 2, nearest oracle):                   distance to x^2 = %.7e\n",
              to_d((g.world2.distance.lo + g.world2.distance.hi) / 2));
  std::printf("  data read: precision %ld bits, %zu queries; identical in both worlds: %s\n", g.world1.max_n_read,
              g.world1.queries, g.identical_data ? "yes" : "no");
  const impossibility::Decision fail = g.K_digits_fail();
  std::printf("  larger distance >= %.7e %s 10^-%ld  (> 10^-K whenever the data are identical: no output is within\n"
              "  10^-K of both minimisers; an algorithm reading beyond n bits can tell the members apart)\n",
              to_d(g.worst_distance_lower()),
              fail == impossibility::Decision::yes  ? ">"
              : fail == impossibility::Decision::no ? "<="
                                                    : "undecided against",
              p.K);
  if (fail == impossibility::Decision::undecided) {
    std::fprintf(stderr,
                 "barriers: error: the larger distance against 10^-%ld is undecided at %ld bits (the precision cap)\n",
                 p.K, g.distance_bits());
    return exit_failure;
  }
  // The theorem can only be contradicted with identical data; say so loudly if it were.
  if (g.identical_data && fail == impossibility::Decision::no) {
    std::printf("  ** an algorithm got K digits on both members from identical data: this contradicts the theorem **\n");
    return exit_failure;
  }
  return 0;
}

}  // namespace

Command add_adversary_command(CLI::App& app) {
  auto o = std::make_shared<AdversaryOptions>();
  CLI::App* sub = app.add_subcommand(
      "adversary",
      "Run a solver, reading the data at precision n, on two members of an Omega_K family that agree to 2^-n "
      "(the adversarial oracle answers member 1 with member 2's bits), and report the larger of its two distances "
      "to the true minimisers. Shown: whenever both runs see identical data, that distance is above 10^-K for any "
      "output; an algorithm reading n + 2 bits can tell the members apart at this fixed n (`barriers theorem` "
      "plays the class on which every algorithm fails).");
  o->family.add_to(*sub);
  sub->add_option("--solver", o->solver, "pdhg, fista (p2), firenet (p3), warpd-sr (p3) or lista (p3)")
      ->type_name("NAME")
      ->capture_default_str();
  sub->add_option("--type", o->type, "Working type: double, long-double, float128, mpfr")
      ->type_name("NAME")
      ->capture_default_str();
  sub->add_option("--bits", o->bits, "Working precision for --type mpfr")->type_name("BITS")->capture_default_str();
  sub->add_option("--iterations", o->iterations, "pdhg, fista: iterations")->type_name("N")->capture_default_str();
  sub->add_option("--restarts", o->restarts, "firenet, warpd-sr: restarts")->type_name("N")->capture_default_str();
  sub->add_option("--inner", o->inner, "firenet, warpd-sr: steps per restart")->type_name("P")->capture_default_str();
  sub->add_option("--trials", o->trials,
                  "Must stay 0: the built-in solvers are deterministic (see `barriers theorem --trials`)")
      ->type_name("T")
      ->capture_default_str();
  sub->add_option("--seed", o->seed, "Seed")->type_name("S")->capture_default_str();
  o->app = sub;
  return {sub, [o] { return run_adversary(*o); }};
}

}  // namespace barriers::cli
