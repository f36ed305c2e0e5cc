#include <doctest/doctest.h>

#include "barriers/oracle/matrix_oracle.hpp"
#include "barriers/oracle/to_working.hpp"
#include "barriers/precision/convert.hpp"
#include "barriers/precision/dyadic.hpp"
#include "barriers/precision/precision_guard.hpp"

using namespace barriers;
using namespace barriers::oracle;

TEST_CASE("answers convert exactly when the type holds them, and say when they do not") {
  MatrixOracle o(ExactMatrix::dct2(5), {AnswerPolicy::nearest, 0});
  const Answer coarse = o.query(20);  // ~25 fraction bits: exact in double
  const Answer fine = o.query(200);   // ~205 fraction bits
  const auto d = to_working<double>(coarse.value);
  CHECK(d.exact);
  CHECK(to_rational(d.value(1, 2)) == coarse.value.real(1, 2));
  CHECK_FALSE(to_working<double>(fine.value).exact);
  CHECK_FALSE(to_working<float128>(fine.value).exact);
  {
    PrecisionGuard g(300);
    const auto m = to_working<mpfr_real>(fine.value);
    CHECK(m.exact);
    for (Eigen::Index i = 0; i < 5; ++i)
      for (Eigen::Index j = 0; j < 5; ++j) CHECK(to_rational(m.value(i, j)) == fine.value.real(i, j));
  }
  {
    PrecisionGuard g(64);
    CHECK_FALSE(to_working<mpfr_real>(fine.value).exact);
  }
  CHECK(to_working<rational>(fine.value).exact);
}

TEST_CASE("complex answers convert to complex types only") {
  MatrixOracle o(ExactMatrix::dft(3), {AnswerPolicy::nearest, 0});
  const Answer a = o.query(30);
  CHECK(a.value.is_complex());
  const auto z = to_working<std::complex<double>>(a.value);
  CHECK(z.exact);
  CHECK(to_rational(z.value(1, 1).imag()) == a.value.imag(1, 1));
  CHECK_THROWS_WITH_AS(to_working<double>(a.value), doctest::Contains("imaginary"), std::invalid_argument);
  // Real answers convert to complex types with zero imaginary parts.
  MatrixOracle r(ExactMatrix::dct2(2), {AnswerPolicy::nearest, 0});
  const auto w = to_working<std::complex<long double>>(r.query(10).value);
  CHECK(w.value(0, 1).imag() == 0);
}

TEST_CASE("a value outside the working type names its row and column") {
  RationalMatrix m(2, 3);
  m.re[1 * 3 + 2] = rational(integer(1) << 2000);  // 2^2000: beyond double, fine in float128 (max ~2^16384)
  CHECK_THROWS_WITH_AS(to_working<double>(m), doctest::Contains("row 2, column 3"), barriers::outside_type_range);
  CHECK_THROWS_WITH_AS(to_working<std::complex<double>>(m), doctest::Contains("row 2, column 3"),
                       barriers::outside_type_range);
  CHECK(to_working<float128>(m).exact);
}
