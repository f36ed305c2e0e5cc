// The oracle's central promise: ||A_n - A||_2 <= 2^-n, checked independently.
#include <doctest/doctest.h>

#include "barriers/oracle/oracle.hpp"
#include "barriers/precision/dyadic.hpp"
#include "mpfi_reference.hpp"

using namespace barriers;
using namespace barriers::oracle;

namespace {
// The check runs in MPFI at n + 80 bits: its own enclosure widths (~2^-(n+75))
// are far below the 2^-n being checked, so it can only fail if the answer is
// really too far from the exact matrix.
void check_instance(const Instance& inst, bool dft, AnswerPolicy policy) {
  const long size = long(inst.A.rows());
  for (long n : {1L, 2L, 3L, 7L, 10L, 30L, 53L, 64L, 113L, 200L, 500L, 1000L, 2000L, 2500L}) {
    Oracle o(inst, {policy, 99});
    const InstanceAnswer a = o.query(n);
    CAPTURE(inst.name);
    CAPTURE(n);
    CHECK(a.A.bound_met);
    CHECK(a.y.bound_met);
    CHECK(a.A.bound <= pow2(-n));
    const rational err2 = testing::squared_frobenius_error(a.A.value, size, dft, n + 80);
    CHECK(err2 <= pow2(-2 * n));
    // The oracle's own bound must also hold independently.
    CHECK(err2 <= a.A.bound * a.A.bound);
    // Entries are dyadic, on a grid not much finer than needed.
    CHECK(a.A.fraction_bits <= n + 20);
  }
}
}  // namespace

TEST_CASE("DCT answers are certified within 2^-n (independent MPFI check)") {
  for (std::size_t size : {1u, 2u, 5u, 8u, 21u})
    for (auto policy : {AnswerPolicy::nearest, AnswerPolicy::random}) check_instance(dct_instance(size), false, policy);
}

TEST_CASE("DFT answers are certified within 2^-n (independent MPFI check)") {
  for (std::size_t size : {1u, 2u, 3u, 8u, 13u})
    for (auto policy : {AnswerPolicy::nearest, AnswerPolicy::random}) check_instance(dft_instance(size), true, policy);
}

TEST_CASE("y = A e_1 is certified against the first column") {
  for (bool dft : {false, true}) {
    const Instance inst = dft ? dft_instance(6) : dct_instance(6);
    Oracle o(inst, {AnswerPolicy::nearest, 0});
    for (long n : {5L, 100L, 1500L}) {
      const InstanceAnswer a = o.query(n);
      CAPTURE(n);
      CHECK(a.y.bound <= pow2(-n));
      CHECK(testing::squared_frobenius_error(a.y.value, 6, dft, n + 80, 0) <= pow2(-2 * n));
    }
  }
}

TEST_CASE("nearest answers are correctly rounded, hence independent of precision schedule") {
  Oracle o(dct_instance(7), {AnswerPolicy::nearest, 0});
  for (long n : {4L, 40L, 400L}) {
    const Answer a = o.query(n).A;
    CHECK(a.correctly_rounded);
    // Rounding the same matrix to a coarser grid from a finer answer never
    // disagrees by more than one grid step.
    const Answer b = o.query(n + 30).A;
    for (std::size_t k = 0; k < a.value.re.size(); ++k)
      CHECK(abs(a.value.re[k] - b.value.re[k]) <= pow2(-a.fraction_bits));
  }
}
