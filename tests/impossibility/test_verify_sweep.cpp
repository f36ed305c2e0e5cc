// Property sweep over the documented parameter ranges of `barriers verify`
// (family.hpp: K in 1..max_K, n in 1..max_query_bits, delta in (0, 1/4),
// lambda in (0, 1], eta in [0, 1/4], N1 >= 2, N2 >= 0, N1 + N2 <= 512, DCT
// mixing on or off). The construction is correct for all of them, so every
// check must come out PASS, decided: a FAIL or an UNDECIDED is a bug in the
// construction or in its certification.
//
// The default sweep is coarse and takes a few seconds: every K of a ladder
// that includes both ends, each paired with rotating values of the other
// parameters (coprime list lengths, so the pairings vary). Set
// BARRIERS_VERIFY_SWEEP=dense for the full product over a smaller grid plus
// the largest n and sizes (minutes).
#include <doctest/doctest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "barriers/impossibility/verify.hpp"
#include "barriers/oracle/answer_policy.hpp"

using namespace barriers;
using namespace barriers::impossibility;

namespace {

void require_pass(const FamilyParams& fp) {
  const VerifyReport r = verify_family(fp);
  CAPTURE(to_string(fp.problem));
  CAPTURE(fp.K);
  CAPTURE(fp.n);
  CAPTURE(fp.delta.str());
  CAPTURE(fp.lambda.str());
  CAPTURE(fp.eta.str());
  CAPTURE(fp.N1);
  CAPTURE(fp.N2);
  CAPTURE(fp.dct_mixing);
  for (const auto& c : r.checks) {
    CAPTURE(c.name);
    CAPTURE(c.value);
    CAPTURE(c.precision_bits);
    CHECK(c.decision == Decision::yes);
  }
  CHECK(r.all_pass());
}

bool dense() {
  const char* v = std::getenv("BARRIERS_VERIFY_SWEEP");
  return v && std::string(v) == "dense";
}

const std::vector<Problem> problems = {Problem::p1, Problem::p2, Problem::p3};
// Both ends of every range, and values near them.
const std::vector<rational> deltas = {rational(1, 1000000), rational(1, 6), rational(2499, 10000)};
const std::vector<rational> lambdas = {rational(1), rational(1, 3), rational(1, 1000000007),
                                       ten_to_minus(30)};
const std::vector<rational> etas = {rational(0), rational(1, 10), rational(1, 4), rational(1, 1000)};
const std::vector<std::size_t> N1s = {2, 3, 7};
const std::vector<std::size_t> N2s = {1, 2, 5, 20, 0, 9, 3};  // 7 values: coprime with the other lengths

}  // namespace

TEST_CASE("verify passes across the documented parameter ranges (coarse)") {
  const std::vector<long> Ks = {1, 2, 3, 5, 10, 23, 46, 47, 50, 64, 99, max_K};
  const std::vector<long> ns = {1, 2, 3, 10, 31, 64, 257, 1000, 53, 4000, 7};
  // Two passes with different rotations, so each K meets two sets of the others.
  for (std::size_t offset : {std::size_t(0), std::size_t(5)}) {
    std::size_t i = offset;
    for (Problem p : problems)
      for (long K : Ks) {
        FamilyParams fp;
        fp.problem = p;
        fp.K = K;
        fp.n = ns[i % ns.size()];
        fp.delta = deltas[i % deltas.size()];
        fp.lambda = lambdas[i % lambdas.size()];
        fp.eta = etas[i % etas.size()];
        fp.N1 = N1s[i % N1s.size()];
        fp.N2 = N2s[i % N2s.size()];
        fp.dct_mixing = i % 2 == 0;
        ++i;
        require_pass(fp);
      }
  }
}

TEST_CASE("verify passes across the documented parameter ranges (dense, BARRIERS_VERIFY_SWEEP=dense)") {
  if (!dense()) return;
  for (Problem p : problems)
    for (long K : {1L, 3L, 47L, max_K})
      for (long n : {1L, 10L, 1000L})
        for (const rational& lambda : lambdas)
          for (std::size_t N1 : N1s)
            for (std::size_t N2 : {std::size_t(1), std::size_t(20)})
              for (bool mix : {true, false}) {
                FamilyParams fp;
                fp.problem = p;
                fp.K = K;
                fp.n = n;
                fp.lambda = lambda;
                fp.eta = etas[std::size_t(K) % etas.size()];
                fp.delta = deltas[std::size_t(n) % deltas.size()];
                fp.N1 = N1;
                fp.N2 = N2;
                fp.dct_mixing = mix;
                require_pass(fp);
              }
  // The largest precision and the largest sizes.
  for (Problem p : problems) {
    FamilyParams fp;
    fp.problem = p;
    fp.K = max_K;
    fp.n = oracle::max_query_bits;
    fp.N2 = 5;
    require_pass(fp);
    fp.n = 10;
    fp.N1 = 2;
    fp.N2 = 510;
    require_pass(fp);
  }
}
