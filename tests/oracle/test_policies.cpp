#include <doctest/doctest.h>

#include "barriers/oracle/oracle.hpp"
#include "barriers/precision/convert.hpp"
#include "barriers/precision/dyadic.hpp"

using namespace barriers;
using namespace barriers::oracle;

namespace {
ExactMatrix rational_matrix(std::size_t r, std::size_t c, std::vector<rational> v) {
  RationalMatrix m(r, c);
  m.re = std::move(v);
  return ExactMatrix::from_rational(std::move(m));
}
rational exact_error(const Answer& a, const RationalMatrix& exact) {
  return frobenius_upper_bound(difference(a.value, exact));
}
}  // namespace

TEST_CASE("dyadic rational data are answered exactly once 2^-n allows it") {
  const ExactMatrix m = rational_matrix(2, 2, {rational(3, 8), rational(-5, 4), rational(7), rational(1, 1024)});
  MatrixOracle o(m, {AnswerPolicy::nearest, 0});
  // Entries need 10 fraction bits; the grid has at least n + 2 of them.
  for (long n : {8L, 9L, 20L, 500L}) {
    const Answer a = o.query(n);
    CAPTURE(n);
    CHECK(a.exact);
    CHECK(a.bound == 0);
    CHECK(a.value == *m.exact_rational());
    CHECK(a.working_bits == 0);
  }
  // A coarse query rounds 1/1024 away, and says so.
  const Answer coarse = o.query(1);
  CHECK_FALSE(coarse.exact);
  CHECK(coarse.bound > 0);
  CHECK(coarse.bound <= rational(1, 2));
  CHECK(exact_error(coarse, *m.exact_rational()) <= coarse.bound);
}

TEST_CASE("non-dyadic rationals are rounded with an exact, certified error") {
  const ExactMatrix m = rational_matrix(1, 3, {rational(1, 3), rational(-2, 7), rational(5, 9)});
  MatrixOracle o(m, {AnswerPolicy::nearest, 0});
  for (long n : {0L, 1L, 17L, 300L}) {
    const Answer a = o.query(n);
    CAPTURE(n);
    CHECK_FALSE(a.exact);
    CHECK(a.bound_met);
    CHECK(exact_error(a, *m.exact_rational()) <= a.bound);
    CHECK(a.bound <= pow2(-n));
    for (const auto& v : a.value.re) CHECK(is_dyadic(v));
    // Correctly rounded: each entry is the nearest grid point to the exact value.
    for (std::size_t k = 0; k < 3; ++k)
      CHECK(a.value.re[k] == round_to_dyadic(m.exact_rational()->re[k], a.grid_bits));
    CHECK(a.fraction_bits <= a.grid_bits);
  }
}

TEST_CASE("the nearest policy is deterministic") {
  const Instance inst = dct_instance(9);
  Oracle a(inst, {AnswerPolicy::nearest, 1}), b(inst, {AnswerPolicy::nearest, 2});
  for (long n : {3L, 50L, 700L}) {
    CHECK(a.query(n).A.value == a.query(n).A.value);
    CHECK(a.query(n).A.value == b.query(n).A.value);  // the seed plays no part
  }
}

TEST_CASE("the random policy is reproducible per seed, varies with the seed, and stays within the bound") {
  const Instance inst = dct_instance(9);
  Oracle a(inst, {AnswerPolicy::random, 7}), a2(inst, {AnswerPolicy::random, 7}), b(inst, {AnswerPolicy::random, 8});
  Oracle nearest(inst, {AnswerPolicy::nearest, 0});
  for (long n : {3L, 50L, 700L}) {
    CAPTURE(n);
    const InstanceAnswer x = a.query(n), x2 = a2.query(n), y = b.query(n);
    CHECK(x.A.value == x2.A.value);
    CHECK(x.y.value == x2.y.value);
    CHECK_FALSE(x.A.value == y.A.value);
    CHECK_FALSE(x.A.value == nearest.query(n).A.value);
    CHECK(x.A.bound_met);
    CHECK(x.y.bound_met);
  }
  // Different n give independent draws, and the same n the same draw in any order.
  const auto late = a.query(50);
  a.query(3);
  CHECK(late.A.value == a.query(50).A.value);
}

TEST_CASE("random answers of rational data are within the bound, checked exactly") {
  const ExactMatrix m = rational_matrix(2, 3, {rational(1, 3), 2, rational(-1, 5), rational(7, 11), 0, 1});
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    MatrixOracle o(m, {AnswerPolicy::random, seed});
    for (long n : {0L, 4L, 60L}) {
      const Answer a = o.query(n);
      const rational e = exact_error(a, *m.exact_rational());
      CHECK(e <= a.bound);
      CHECK(e <= pow2(-n));
    }
  }
}

TEST_CASE("the adversarial policy answers with the other instance only when certified legitimate") {
  const ExactMatrix a = rational_matrix(2, 2, {1, 0, 0, 1});
  // The other instance differs by 2^-20 in one entry.
  const ExactMatrix b = rational_matrix(2, 2, {1 + pow2(-20), 0, 0, 1});
  MatrixOracle o(a, {AnswerPolicy::adversarial, 0}, b);
  for (long n = 0; n <= 19; ++n) {
    const Answer ans = o.query(n);
    CAPTURE(n);
    CHECK(ans.from_other);
    CHECK(ans.value == *b.exact_rational());  // B is dyadic: its exact data
    CHECK(ans.bound_met);
    CHECK(ans.bound == pow2(-20));           // exactly ||A - B||
  }
  for (long n : {20L, 21L, 40L}) {
    const Answer ans = o.query(n);
    CAPTURE(n);
    CHECK_FALSE(ans.from_other);  // ||A - B|| = 2^-20 is not < 2^-n
    CHECK(ans.value == *a.exact_rational());
    CHECK_FALSE(ans.note.empty());
    CHECK(ans.bound_met);
  }
}

TEST_CASE("the adversarial policy on irrational data: two DCT-mixed instances 0.7 * 2^-n apart") {
  // A1 = D diag(1 + e, 1), A2 = D diag(1, 1 + e) with e = 2^-(n+1):
  // ||A1 - A2||_2 = sqrt(2) e = 2^-(n+1/2) < 2^-n (the THEORY.md construction).
  const long n = 30;
  const rational e = pow2(-n - 1);
  const ExactMatrix d = ExactMatrix::dct2(2);
  const ExactMatrix a1 = d * rational_matrix(2, 2, {1 + e, 0, 0, 1});
  const ExactMatrix a2 = d * rational_matrix(2, 2, {1, 0, 0, 1 + e});
  MatrixOracle o(a1, {AnswerPolicy::adversarial, 0}, a2);
  const Answer ans = o.query(n);
  CHECK(ans.from_other);
  CHECK(ans.bound_met);
  CHECK(ans.bound <= pow2(-n));
  // The answer is bit for bit what A2's own nearest oracle answers: an
  // algorithm cannot tell which of the two instances it is looking at.
  MatrixOracle direct(a2, {AnswerPolicy::nearest, 0});
  CHECK(ans.value == direct.query(n).value);
  // One bit finer and the two instances are distinguishable: no adversary.
  const Answer finer = o.query(n + 1);
  CHECK_FALSE(finer.from_other);
}

TEST_CASE("the ieee policy reports the bound that really holds") {
  const ExactMatrix m = rational_matrix(1, 2, {rational(1, 3), rational(2, 3)});
  MatrixOracle o(m, {AnswerPolicy::ieee, 0});
  const Answer coarse = o.query(20);
  CHECK(coarse.bound_met);
  CHECK(coarse.value.re[0] == to_rational(1.0 / 3.0));
  CHECK(coarse.value.re[1] == to_rational(2.0 / 3.0));
  const Answer fine = o.query(80);
  CHECK_FALSE(fine.bound_met);   // doubles cannot get within 2^-80 of 1/3
  CHECK(fine.bound > pow2(-80));
  CHECK(exact_error(fine, *m.exact_rational()) <= fine.bound);
  CHECK(fine.value == coarse.value);
}

TEST_CASE("bad queries and settings are rejected with a message") {
  MatrixOracle o(ExactMatrix::identity(2), {AnswerPolicy::nearest, 0});
  CHECK_THROWS_WITH_AS(o.query(-1), doctest::Contains("n = -1"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(o.query(max_query_bits + 1), doctest::Contains("allowed 0.."), std::invalid_argument);
  CHECK_THROWS_AS(MatrixOracle(ExactMatrix::identity(2), {AnswerPolicy::adversarial, 0}), std::invalid_argument);
  CHECK_THROWS_AS(MatrixOracle(ExactMatrix::identity(2), {AnswerPolicy::adversarial, 0}, ExactMatrix::identity(3)),
                  std::invalid_argument);
  // A query whose answer would not fit in memory is refused up front.
  MatrixOracle big(ExactMatrix::dct2(1024), {AnswerPolicy::nearest, 0});
  CHECK_THROWS_WITH_AS(big.query(100000), doctest::Contains("query too large"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(parse_answer_policy("closest"), doctest::Contains("'closest'"), std::invalid_argument);
  CHECK(parse_answer_policy("ieee") == AnswerPolicy::ieee);
}
