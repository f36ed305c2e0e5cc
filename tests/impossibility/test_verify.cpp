#include <doctest/doctest.h>

#include "barriers/impossibility/verify.hpp"

using namespace barriers;
using namespace barriers::impossibility;

TEST_CASE("every property the theorem relies on is certified, for all three problems") {
  for (Problem p : {Problem::p1, Problem::p2, Problem::p3})
    for (long K : {1L, 3L, 6L})
      for (long n : {10L, 20L, 30L, 200L})
        for (bool mix : {true, false}) {
          FamilyParams fp;
          fp.problem = p;
          fp.K = K;
          fp.n = n;
          fp.dct_mixing = mix;
          const VerifyReport r = verify_family(fp);
          CAPTURE(to_string(p));
          CAPTURE(K);
          CAPTURE(n);
          CAPTURE(mix);
          for (const auto& c : r.checks) {
            CAPTURE(c.name);
            CAPTURE(c.value);
            CHECK(c.pass);
          }
          CHECK(r.checks.size() == (mix ? 10u : 9u));
          CHECK(r.all_pass());
        }
}

TEST_CASE("P1 at the largest allowed eta still separates its minimisers") {
  // The P1 minimisers shrink by (1 - eta); the separation 3 (1 - eta) 10^-K
  // stays above 2 10^-K only while eta < 1/3, so the allowed range stops at 1/4.
  FamilyParams fp;
  fp.problem = Problem::p1;
  fp.eta = rational(1, 4);
  const VerifyReport r = verify_family(fp);
  CHECK(r.all_pass());
  // Remove the DCT and shrink N1: the same checks, different numbers.
  fp.dct_mixing = false;
  fp.N1 = 5;
  CHECK(verify_family(fp).all_pass());
}

TEST_CASE("very fine agreement still decides: n = 3000") {
  FamilyParams fp;
  fp.n = 3000;
  fp.K = 6;
  const VerifyReport r = verify_family(fp);
  CHECK(r.all_pass());
  CHECK(r.precision_bits > 3000);
}
