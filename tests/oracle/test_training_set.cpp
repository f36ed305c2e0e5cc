#include <doctest/doctest.h>

#include "barriers/oracle/training_set.hpp"
#include "barriers/precision/dyadic.hpp"

using namespace barriers;
using namespace barriers::oracle;

namespace {
TrainingData small_set(std::size_t samples) {
  TrainingData d{ExactMatrix::dct2(4), {}};
  for (std::size_t k = 0; k < samples; ++k) {
    RationalMatrix x(4, 1);
    x.re[k % 4] = rational(long(k) + 1, 3);
    d.samples.push_back(d.A * ExactMatrix::from_rational(x));
  }
  return d;
}
}  // namespace

TEST_CASE("the query log counts exactly what was read") {
  TrainingSet t(small_set(10), {AnswerPolicy::nearest, 0});
  CHECK(t.size() == 10);
  CHECK(t.summary().queries == 0);
  CHECK(t.summary().max_n == -1);

  t.matrix(12);
  t.sample(3, 5);
  t.sample(3, 40);
  t.sample(7, 20);
  t.sample(0, 1);

  const QuerySummary s = t.summary();
  CHECK(s.queries == 5);
  CHECK(s.matrix_queries == 1);
  CHECK(s.sample_queries == 4);
  CHECK(s.distinct_samples == 3);
  CHECK(s.max_n == 40);
  const auto log = t.log();
  REQUIRE(log.size() == 5);
  CHECK(log[0].sample == -1);
  CHECK(log[0].n == 12);
  CHECK(log[2].sample == 3);
  CHECK(log[2].n == 40);

  // Failed queries are not logged.
  CHECK_THROWS_AS(t.sample(10, 5), std::out_of_range);
  CHECK_THROWS_AS(t.sample(2, -3), std::invalid_argument);
  CHECK(t.summary().queries == 5);

  t.clear_log();
  CHECK(t.summary().queries == 0);
}

TEST_CASE("samples are answered lazily within 2^-n") {
  TrainingSet t(small_set(6), {AnswerPolicy::random, 3});
  for (std::size_t k = 0; k < 6; ++k)
    for (long n : {2L, 64L, 300L}) {
      const Answer a = t.sample(k, n);
      CHECK(a.bound_met);
      CHECK(a.bound <= pow2(-n));
      CHECK(a.value.rows == 4);
      CHECK(a.value.cols == 1);
    }
  CHECK(t.summary().distinct_samples == 6);
}

TEST_CASE("samples that are not columns of A's height are rejected") {
  TrainingData d{ExactMatrix::identity(3), {ExactMatrix::zeros(2, 1)}};
  CHECK_THROWS_WITH_AS(TrainingSet(d, {}), doctest::Contains("sample 0"), std::invalid_argument);
}
