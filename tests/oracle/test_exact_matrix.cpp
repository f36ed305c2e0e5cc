#include <doctest/doctest.h>

#include "barriers/oracle/enclosure.hpp"
#include "barriers/oracle/exact_matrix.hpp"
#include "barriers/precision/dyadic.hpp"

using namespace barriers;
using namespace barriers::oracle;

namespace {
// Every entry's interval contains the given exact rational matrix entry.
bool contains(const Enclosure& e, const RationalMatrix& m) {
  for (std::size_t k = 0; k < m.size(); ++k) {
    if (!(e.re[k].lo <= m.re[k] && m.re[k] <= e.re[k].hi)) return false;
    const rational im = m.is_complex() ? m.im[k] : rational(0);
    if (e.is_complex() ? !(e.im[k].lo <= im && im <= e.im[k].hi) : im != 0) return false;
  }
  return true;
}
}  // namespace

TEST_CASE("DCT-II is orthogonal and the DFT unitary: enclosures of D D^T and F F^* contain I") {
  for (std::size_t n : {1u, 2u, 3u, 8u, 21u}) {
    for (long prec : {64L, 300L, 2000L}) {
      const Enclosure dd = enclose(ExactMatrix::dct2(n) * ExactMatrix::dct2(n).transpose(), prec);
      const Enclosure ff = enclose(ExactMatrix::dft(n) * ExactMatrix::dft(n).adjoint(), prec);
      const RationalMatrix eye = *ExactMatrix::identity(n).exact_rational();
      CAPTURE(n);
      CAPTURE(prec);
      CHECK(contains(dd, eye));
      CHECK(contains(ff, eye));
      // ... and the enclosures are as tight as the precision promises.
      CHECK(dd.max_width() < pow2(-prec + 20));
      if (n > 1) CHECK(ff.max_width() < pow2(-prec + 20));
    }
  }
}

TEST_CASE("known DCT and DFT entries are enclosed") {
  // D_2 = [1 1; 1 -1] / sqrt(2): entries squared are exactly 1/2.
  const Enclosure d2 = enclose(ExactMatrix::dct2(2), 200);
  for (const auto& iv : d2.re) {
    CHECK(iv.lo * iv.lo <= rational(1, 2) + pow2(-190));
    CHECK(abs(iv.lo) * abs(iv.lo) >= rational(1, 2) - pow2(-190));
  }
  // F_4 = [1 1 1 1; 1 -i -1 i; ...] / 2.
  const Enclosure f4 = enclose(ExactMatrix::dft(4), 100);
  CHECK(f4.is_complex());
  CHECK(f4.re[5].lo <= 0);
  CHECK(f4.re[5].hi >= 0);
  CHECK(f4.im[5].lo <= rational(-1, 2));
  CHECK(f4.im[5].hi >= rational(-1, 2));
  CHECK(f4.im[5].hi - f4.im[5].lo < pow2(-90));
}

TEST_CASE("rational expressions stay exact") {
  RationalMatrix a(2, 2), b(2, 1);
  a.re = {1, rational(1, 3), 2, -1};
  b.re = {rational(3, 2), 6};
  const ExactMatrix p = ExactMatrix::from_rational(a) * ExactMatrix::from_rational(b);
  const auto q = p.exact_rational();
  REQUIRE(q);
  CHECK(q->re[0] == rational(7, 2));
  CHECK(q->re[1] == -3);
  const Enclosure e = enclose(p, 64);
  CHECK(e.exact);
  CHECK(e.re[0].lo == rational(7, 2));
  // Block, stack, scale, difference and transpose keep exactness.
  const ExactMatrix m = ExactMatrix::block_diag(ExactMatrix::from_rational(a), ExactScalar(rational(1, 7)) *
                                                                                 ExactMatrix::identity(1));
  REQUIRE(m.exact_rational());
  CHECK(m.rows() == 3);
  CHECK(m.exact_rational()->real(2, 2) == rational(1, 7));
  CHECK(m.exact_rational()->real(0, 2) == 0);
  CHECK((m - m).exact_rational()->re == RationalMatrix(3, 3).re);
  CHECK(ExactMatrix::from_rational(a).transpose().exact_rational()->real(0, 1) == 2);
  // sqrt of a perfect square is rational; sqrt(2) is not.
  CHECK(ExactScalar::sqrt(rational(4, 9)).exact_rational() == rational(2, 3));
  CHECK_FALSE(ExactScalar::sqrt(rational(2)).exact_rational());
  // An irrational factor makes the product inexact, and enclosures still contain the value.
  const ExactMatrix s2 = ExactScalar::sqrt(2) * ExactMatrix::identity(2);
  CHECK_FALSE(s2.exact_rational());
  const Enclosure es = enclose(s2 * s2, 128);
  CHECK(contains(es, *(ExactScalar(2) * ExactMatrix::identity(2)).exact_rational()));
}

TEST_CASE("formula scalars") {
  const ExactScalar x = ExactScalar::sqrt(2) * rational(1000) / 3;
  CHECK(x.is_real());
  CHECK(x.formula().find("sqrt(2)") != std::string::npos);
  const ExactScalar z = ExactScalar::complex(ExactScalar::cos_pi(rational(1, 3)), ExactScalar::sin_pi(rational(1, 3)));
  CHECK_FALSE(z.is_real());
  const Enclosure e = enclose(ExactMatrix::from_entries(1, 1, {z * z * z}), 200);  // e^{i pi} = -1
  CHECK(contains(e, *ExactMatrix::from_rational([] {
                       RationalMatrix m(1, 1);
                       m.re[0] = -1;
                       return m;
                     }()).exact_rational()));
  CHECK_THROWS_AS(ExactScalar(1) / ExactScalar(0), std::domain_error);
}

TEST_CASE("size mismatches are rejected with both sizes named") {
  CHECK_THROWS_WITH_AS(ExactMatrix::dct2(3) * ExactMatrix::dct2(4), doctest::Contains("3x3 and 4x4"),
                       std::invalid_argument);
  CHECK_THROWS_AS(ExactMatrix::dct2(3) + ExactMatrix::zeros(3, 2), std::invalid_argument);
  CHECK_THROWS_AS(ExactMatrix::hstack(ExactMatrix::dct2(3), ExactMatrix::dct2(2)), std::invalid_argument);
  CHECK_THROWS_AS(ExactMatrix::vstack(ExactMatrix::zeros(1, 3), ExactMatrix::zeros(1, 2)), std::invalid_argument);
  CHECK_THROWS_WITH_AS(ExactMatrix::zeros(0, 3), doctest::Contains("empty"), std::invalid_argument);
  CHECK_THROWS_AS(ExactMatrix::dct2(0), std::invalid_argument);
}
