#include <doctest/doctest.h>

#include <map>
#include <tuple>
#include <vector>

#include "barriers/impossibility/sweep.hpp"
#include "barriers/precision/dyadic.hpp"

using namespace barriers;
using namespace barriers::impossibility;

namespace {
rational error_at(const SweepResult& r, long n, unsigned bits, long iters) {
  for (const auto& p : r.points)
    if (p.n == n && p.bits == bits && p.iterations == iters) return p.error.hi;
  FAIL("missing point");
  return 0;
}
}  // namespace

TEST_CASE("each regime limits accuracy where it should (Gaussian sparse recovery)") {
  SweepSettings s;
  s.rows = 30;
  s.cols = 60;
  s.sparsity = 3;
  s.ns = {10, 30, 60};
  s.bits = {53, 128};
  s.iterations = {500, 4000};
  const SweepResult r = run_sweep(s);
  REQUIRE(r.points.size() == 12);
  // Data-limited: with enough iterations and arithmetic, n bits of data give
  // about 2^-n accuracy (times a modest conditioning factor), and more data help.
  CHECK(error_at(r, 10, 128, 4000) > pow2(-16));
  CHECK(error_at(r, 30, 128, 4000) < error_at(r, 10, 128, 4000) / 1000);
  // Iteration-limited: 500 iterations are far from converged whatever n and bits.
  CHECK(error_at(r, 60, 128, 500) > 100 * error_at(r, 60, 128, 4000));
  // Precision-limited: with 60 bits of data, double stalls above what 128 bits reach.
  CHECK(error_at(r, 60, 53, 4000) > 100 * error_at(r, 60, 128, 4000));
  CHECK(error_at(r, 60, 53, 4000) < pow2(-40));
}

TEST_CASE("sweep settings are validated") {
  SweepSettings s;
  s.instance = "wavelet";
  CHECK_THROWS_WITH_AS(run_sweep(s), doctest::Contains("unknown instance 'wavelet'"), std::invalid_argument);
  s = {};
  s.bits = {1};
  CHECK_THROWS_WITH_AS(run_sweep(s), doctest::Contains("bits = 1"), std::invalid_argument);
  s = {};
  s.sparsity = 0;
  CHECK_THROWS_AS(run_sweep(s), std::invalid_argument);
  s = {};
  s.instance = "family";
  s.family.problem = Problem::p2;
  CHECK_THROWS_WITH_AS(run_sweep(s), doctest::Contains("p3"), std::invalid_argument);
}

TEST_CASE("the sweep calls its reference the minimiser only when that is certified") {
  SweepSettings s;
  s.rows = 30;
  s.cols = 60;
  s.sparsity = 3;
  // lambda = 1/20: the planted x is the unique minimiser (exact dual certificate).
  const SweepReference ok = certify_gaussian_reference(s);
  CHECK(ok.certified_minimiser);
  CHECK(ok.explanation.find("unique minimiser") != std::string::npos);
  // lambda = 1: the l1 term dominates and the least-norm certificate is longer
  // than 1, so the planted x is provably not the minimiser.
  s.lambda = 1;
  const SweepReference bad = certify_gaussian_reference(s);
  CHECK_FALSE(bad.certified_minimiser);
  CHECK(bad.explanation.find("NOT the minimiser") != std::string::npos);
  // Too many non-zeros for the exact certificate: not certified, and said so.
  SweepSettings dense = s;
  dense.sparsity = 33;
  const SweepReference big = certify_gaussian_reference(dense);
  CHECK_FALSE(big.certified_minimiser);
  CHECK(big.explanation.find("at most 32") != std::string::npos);
  s.ns = {20};
  s.bits = {53};
  s.iterations = {200};
  const SweepResult r = run_sweep(s);
  REQUIRE(r.points.size() == 1);
  CHECK_FALSE(r.points[0].certified_minimiser);
  CHECK_FALSE(r.reference.certified_minimiser);
}

TEST_CASE("the family sweep's reference is certified by verify's checks") {
  SweepSettings s;
  s.instance = "family";
  s.family.K = 1;
  s.ns = {10};
  s.bits = {53};
  s.iterations = {100};
  const SweepResult r = run_sweep(s);
  REQUIRE(r.points.size() == 1);
  CHECK(r.points[0].certified_minimiser);
}

TEST_CASE("a sweep reports each cell as it completes and skips cells already done") {
  SweepSettings s;
  s.rows = 10;
  s.cols = 20;
  s.sparsity = 2;
  s.ns = {10, 20};
  s.bits = {53};
  s.iterations = {50, 100};
  std::vector<std::tuple<long, unsigned, long>> seen;
  s.skip = [](long n, unsigned, long it) { return n == 10 && it == 50; };
  s.on_point = [&seen](const SweepPoint& p) { seen.emplace_back(p.n, p.bits, p.iterations); };
  const SweepResult r = run_sweep(s);
  REQUIRE(r.points.size() == 3);
  REQUIRE(seen.size() == 3);
  CHECK(seen[0] == std::tuple<long, unsigned, long>{10, 53, 100});
  CHECK(seen[2] == std::tuple<long, unsigned, long>{20, 53, 100});
}

TEST_CASE("a sweep too large for the memory is refused before any work, with the figures") {
  SweepSettings s;
  s.rows = s.cols = 2000;
  s.bits = {100000};
  s.memory_limit_bytes = 16e9;
  CHECK_THROWS_WITH_AS(run_sweep(s), doctest::Contains("GB of memory, more than the 16 GB"), std::invalid_argument);
  s = {};
  s.memory_limit_bytes = 16e9;
  CHECK_NOTHROW(s.validate());  // the default sweep fits
}

TEST_CASE("every FIRENET cell runs exactly its iteration budget") {
  SweepSettings s;
  s.rows = 10;
  s.cols = 20;
  s.sparsity = 2;
  s.ns = {20};
  s.bits = {53};
  s.inner = 100;
  // 50 steps (one shorter restart) and 100 steps (one restart) must differ:
  // both used to run 100 steps.
  s.iterations = {50, 100};
  const SweepResult r = run_sweep(s);
  REQUIRE(r.points.size() == 2);
  CHECK(r.points[0].error.hi != r.points[1].error.hi);
  // A budget that is neither below inner nor a multiple of it is refused.
  s.iterations = {250};
  CHECK_THROWS_WITH_AS(run_sweep(s), doctest::Contains("iterations = 250 is not a multiple of inner = 100"),
                       std::invalid_argument);
}
