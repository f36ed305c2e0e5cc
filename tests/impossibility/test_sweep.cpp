#include <doctest/doctest.h>

#include <map>

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
