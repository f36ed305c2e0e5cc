// mpfr_dot and the MPFR dense products against exact dot products in GMP
// integers and rationals: the kernel promises the exact sum rounded once to
// nearest, so every result must equal MPFR's correctly rounded conversion of
// the exact sum, bit for bit.
#include <doctest/doctest.h>

#include <cstdint>
#include <memory>
#include <random>
#include <vector>

#include <gmp.h>
#include <mpfr.h>

#include "barriers/solvers/dense_operator.hpp"
#include "barriers/solvers/mpfr_dot.hpp"
#include "solver_test_support.hpp"

using namespace barriers;

namespace {
// A vector of raw MPFR numbers, each with its own precision.
class Numbers {
 public:
  Numbers(std::size_t n, mpfr_prec_t prec) : v_(n) {
    for (auto& x : v_) {
      mpfr_init2(&x, prec);
      mpfr_set_zero(&x, 1);
    }
  }
  ~Numbers() {
    for (auto& x : v_) mpfr_clear(&x);
  }
  Numbers(const Numbers&) = delete;
  Numbers& operator=(const Numbers&) = delete;
  mpfr_ptr operator[](std::size_t k) { return &v_[k]; }
  mpfr_srcptr operator[](std::size_t k) const { return &v_[k]; }
  std::size_t size() const { return v_.size(); }
  MpfrPack pack() const {
    return MpfrPack(v_.size(), [&](std::size_t k) { return &v_[k]; });
  }

 private:
  std::vector<__mpfr_struct> v_;
};

// x = +-m 2^e with m uniform in [1/2, 1) at x's full precision.
void random_number(mpfr_ptr x, std::mt19937_64& rng, gmp_randstate_t state, long e_lo, long e_hi) {
  do mpfr_urandomb(x, state);  // uniform bits in every limb
  while (mpfr_zero_p(x));
  mpfr_set_exp(x, 0);
  mpfr_mul_2si(x, x, std::uniform_int_distribution<long>(e_lo, e_hi)(rng), MPFR_RNDN);
  if (rng() & 1) mpfr_neg(x, x, MPFR_RNDN);
}

// The correctly rounded (to nearest) value of sum_runs +-a_k b_k, from the
// exact sum in GMP integers: every x is z 2^e exactly (mpfr_get_z_2exp), so
// the sum is an integer times 2^E, E the lowest exponent of a product. (A
// plain mpq sum would do the same with gcds of 2^(10^9)-sized denominators
// for the tiny-exponent data.) +0 for an exact zero.
void reference_dot(mpfr_ptr ref, const std::vector<std::pair<const Numbers*, const Numbers*>>& pairs,
                   const std::vector<bool>& negate) {
  struct Term {
    mpz_t z;
    long e;
  };
  std::vector<Term> terms;
  mpz_t za, zb;
  mpz_inits(za, zb, nullptr);
  for (std::size_t r = 0; r < pairs.size(); ++r)
    for (std::size_t k = 0; k < pairs[r].first->size(); ++k) {
      mpfr_srcptr a = (*pairs[r].first)[k], b = (*pairs[r].second)[k];
      if (mpfr_zero_p(a) || mpfr_zero_p(b)) continue;
      const long e = long(mpfr_get_z_2exp(za, a)) + long(mpfr_get_z_2exp(zb, b));
      terms.emplace_back();
      mpz_init(terms.back().z);
      mpz_mul(terms.back().z, za, zb);
      if (negate[r]) mpz_neg(terms.back().z, terms.back().z);
      terms.back().e = e;
    }
  long lowest = 0;
  for (std::size_t k = 0; k < terms.size(); ++k) lowest = k == 0 ? terms[k].e : std::min(lowest, terms[k].e);
  mpz_t sum;
  mpz_init(sum);
  for (auto& t : terms) {
    mpz_mul_2exp(t.z, t.z, mp_bitcnt_t(t.e - lowest));
    mpz_add(sum, sum, t.z);
    mpz_clear(t.z);
  }
  mpfr_set_z_2exp(ref, sum, lowest, MPFR_RNDN);
  if (mpfr_zero_p(ref)) mpfr_set_zero(ref, 1);
  mpz_clears(za, zb, sum, nullptr);
}

// mpfr_dot of a . b at precision p equals the correctly rounded exact value
// (including the sign of zero).
bool dot_is_correctly_rounded(const Numbers& a, const Numbers& b, mpfr_prec_t p) {
  const MpfrPack pa = a.pack(), pb = b.pack();
  const MpfrDotRun run{&pa, 0, &pb, 0, a.size()};
  MpfrDotScratch scratch;
  mpfr_t got, want;
  mpfr_inits2(p, got, want, nullptr);
  mpfr_dot(got, std::span(&run, 1), scratch);
  reference_dot(want, {{&a, &b}}, {false});
  const bool same = mpfr_equal_p(got, want) && mpfr_signbit(got) == mpfr_signbit(want);
  if (!same) mpfr_printf("p = %ld: got %.40Rg, want %.40Rg\n", long(p), got, want);
  mpfr_clears(got, want, nullptr);
  return same;
}

struct RandomState {
  explicit RandomState(unsigned long seed) : rng(seed) {
    gmp_randinit_default(state);
    gmp_randseed_ui(state, seed);
  }
  ~RandomState() { gmp_randclear(state); }
  std::mt19937_64 rng;
  gmp_randstate_t state;
};

const mpfr_prec_t test_precisions[] = {2, 53, 64, 100, 128, 192, 256, 257, 512, 1024, 4096};
}  // namespace

TEST_CASE("mpfr_dot: random data is correctly rounded at 2..4096 bits") {
  RandomState rs(1);
  for (mpfr_prec_t p : test_precisions)
    for (std::size_t n : {1u, 2u, 7u, 200u}) {
      Numbers a(n, p), b(n, p);
      for (std::size_t k = 0; k < n; ++k) {
        random_number(a[k], rs.rng, rs.state, -3, 3);
        random_number(b[k], rs.rng, rs.state, -3, 3);
      }
      CAPTURE(p);
      CAPTURE(n);
      CHECK(dot_is_correctly_rounded(a, b, p));
      CHECK(dot_is_correctly_rounded(a, b, p + 37));  // output precision unlike the inputs'
    }
}

TEST_CASE("mpfr_dot: mixed precisions and limb counts") {
  RandomState rs(2);
  const std::pair<mpfr_prec_t, mpfr_prec_t> precs[] = {{128, 300}, {64, 4096}, {700, 65}};
  for (auto [pa, pb] : precs) {
    Numbers a(50, pa), b(50, pb);
    for (std::size_t k = 0; k < 50; ++k) {
      // entries of lower precision in the same pack (fewer limbs, padded)
      if (k % 3 == 0) mpfr_set_prec(a[k], 20);
      random_number(a[k], rs.rng, rs.state, -40, 40);
      random_number(b[k], rs.rng, rs.state, -40, 40);
    }
    for (mpfr_prec_t p : {24, 128, 333})
      CHECK(dot_is_correctly_rounded(a, b, p));
  }
}

TEST_CASE("mpfr_dot: cancellation, exponent spread, zeros and near-ties") {
  RandomState rs(3);
  for (mpfr_prec_t p : {64, 128, 256, 1024, 4096}) {
    CAPTURE(p);
    const std::size_t n = 40;
    // Exact cancellation: pairs (x y) and (-x y) sum to exactly 0 -> +0.
    {
      Numbers a(n, p), b(n, p);
      for (std::size_t k = 0; k < n; k += 2) {
        random_number(a[k], rs.rng, rs.state, -200, 200);
        random_number(b[k], rs.rng, rs.state, -200, 200);
        mpfr_neg(a[k + 1], a[k], MPFR_RNDN);
        mpfr_set(b[k + 1], b[k], MPFR_RNDN);
      }
      CHECK(dot_is_correctly_rounded(a, b, p));
      // ... plus one tiny term far below the window: the sum is that term.
      mpfr_set_ui_2exp(a[0], 1, -5000, MPFR_RNDN);
      mpfr_set_zero(a[1], -1);
      mpfr_set_ui(b[0], 3, MPFR_RNDN);
      CHECK(dot_is_correctly_rounded(a, b, p));
    }
    // Partial cancellation: big terms cancel to a few bits, small ones remain.
    {
      Numbers a(n, p), b(n, p);
      for (std::size_t k = 0; k < n; ++k) {
        random_number(a[k], rs.rng, rs.state, -2, 2);
        random_number(b[k], rs.rng, rs.state, -2, 2);
      }
      mpfr_t s;
      mpfr_init2(s, 2 * p);
      mpfr_set_zero(s, 1);
      for (std::size_t k = 1; k < n; ++k) mpfr_fma(s, a[k], b[k], s, MPFR_RNDN);
      mpfr_neg(a[0], s, MPFR_RNDN);  // a[0] b[0] = -(sum of the rest), rounded to p bits
      mpfr_set_ui(b[0], 1, MPFR_RNDN);
      mpfr_clear(s);
      CHECK(dot_is_correctly_rounded(a, b, p));
    }
    // Huge exponent spread (up to 2^17 apart), negative zeros and zeros.
    {
      Numbers a(n, p), b(n, p);
      for (std::size_t k = 0; k < n; ++k) {
        random_number(a[k], rs.rng, rs.state, -(1 << 16), 1 << 16);
        random_number(b[k], rs.rng, rs.state, -50, 50);
        if (k % 5 == 1) mpfr_set_zero(a[k], -1);
        if (k % 7 == 2) mpfr_set_zero(b[k], 1);
      }
      CHECK(dot_is_correctly_rounded(a, b, p));
    }
    // Tiny exponents near MPFR's minimum (products near 2^(emin)), and all-zero data.
    {
      Numbers a(n, p), b(n, p), z(n, p);
      const long half = long(mpfr_get_emin() / 2);
      for (std::size_t k = 0; k < n; ++k) {
        random_number(a[k], rs.rng, rs.state, half + 10, half + 40);
        random_number(b[k], rs.rng, rs.state, half + 10, half + 40);
        mpfr_set_zero(z[k], (k & 1) ? -1 : 1);
      }
      CHECK(dot_is_correctly_rounded(a, b, p));
      CHECK(dot_is_correctly_rounded(z, z, p));
      CHECK(dot_is_correctly_rounded(z, a, p));
    }
  }
}

// The dropped bits of a far-away term decide the rounding of an exact tie:
// 1 + 2^-p is a tie (to even: 1); +-2^-(p + 300) below the window tips it.
// The fast path cannot tell, so these must be redone exactly.
TEST_CASE("mpfr_dot: a term below the window decides a tie") {
  for (mpfr_prec_t p : {64, 128, 256, 512, 1024, 4096}) {
    CAPTURE(p);
    for (int side : {-1, 0, 1}) {
      Numbers a(3, p), b(3, p);
      mpfr_set_ui(a[0], 1, MPFR_RNDN);
      mpfr_set_ui_2exp(a[1], 1, -p, MPFR_RNDN);
      mpfr_set_si_2exp(a[2], side, -p - 300, MPFR_RNDN);
      for (int k = 0; k < 3; ++k) mpfr_set_ui(b[k], 1, MPFR_RNDN);
      const MpfrDotCounters before = mpfr_dot_counters();
      CHECK(dot_is_correctly_rounded(a, b, p));
      if (side != 0) CHECK(mpfr_dot_counters().redone == before.redone + 1);
    }
  }
}

TEST_CASE("mpfr_dot: random data almost never needs the exact redo") {
  RandomState rs(4);
  const MpfrDotCounters before = mpfr_dot_counters();
  for (int trial = 0; trial < 200; ++trial) {
    Numbers a(100, 128), b(100, 128);
    for (std::size_t k = 0; k < 100; ++k) {
      random_number(a[k], rs.rng, rs.state, -10, 10);
      random_number(b[k], rs.rng, rs.state, -10, 10);
    }
    CHECK(dot_is_correctly_rounded(a, b, 128));
  }
  // 200 dots with ~6 bits of cancellation at most: the window keeps ~32 bits
  // to spare, so a redo has probability ~2^-25 each.
  CHECK(mpfr_dot_counters().redone == before.redone);
  CHECK(mpfr_dot_counters().certified > before.certified);
}

TEST_CASE("mpfr_dot: NaN and infinity make a pack unusable, and mpfr_dot refuses it") {
  for (int kind = 0; kind < 3; ++kind) {
    Numbers a(3, 128);
    for (std::size_t k = 0; k < 3; ++k) mpfr_set_ui(a[k], unsigned(k + 1), MPFR_RNDN);
    if (kind == 0) mpfr_set_nan(a[1]);
    if (kind == 1) mpfr_set_inf(a[1], -1);
    if (kind == 2) mpfr_set_ui_2exp(a[1], 1, (1L << 40) + 1, MPFR_RNDN);
    const MpfrPack pa = a.pack();
    CHECK_FALSE(pa.usable());
    const MpfrDotRun run{&pa, 0, &pa, 0, 3};
    MpfrDotScratch scratch;
    mpfr_t out;
    mpfr_init2(out, 64);
    CHECK_THROWS_AS(mpfr_dot(out, std::span(&run, 1), scratch), std::invalid_argument);
    mpfr_clear(out);
  }
}

// ---------------------------------------------------------------- DenseOperator
namespace {
// Entries at full precision (not just the 53 bits of a double).
template <class T>
Matrix<T> full_precision_matrix(RandomState& rs, Eigen::Index m, Eigen::Index n, long e_lo, long e_hi) {
  Matrix<T> A(m, n);
  for (Eigen::Index j = 0; j < n; ++j)
    for (Eigen::Index i = 0; i < m; ++i) {
      if constexpr (std::is_same_v<T, mpfr_real>) {
        random_number(A(i, j).backend().data(), rs.rng, rs.state, e_lo, e_hi);
      } else {
        A(i, j) = T(0, 0);
        auto* parts = reinterpret_cast<mpfr_real*>(&A(i, j));
        random_number(parts[0].backend().data(), rs.rng, rs.state, e_lo, e_hi);
        random_number(parts[1].backend().data(), rs.rng, rs.state, e_lo, e_hi);
      }
    }
  return A;
}

mpfr_srcptr part(const mpfr_real& x, int) { return x.backend().data(); }
mpfr_srcptr part(const std::complex<mpfr_real>& z, int k) {
  return reinterpret_cast<const mpfr_real*>(&z)[k].backend().data();
}

bool same_bits(mpfr_srcptr x, mpfr_srcptr y) {
  return mpfr_get_prec(x) == mpfr_get_prec(y) && mpfr_total_order_p(x, y) && mpfr_total_order_p(y, x);
}

// Every entry of out = op(A) x (op = identity or the conjugate transpose)
// equals the correctly rounded exact value, real and imaginary part.
template <class T>
bool products_correctly_rounded(const Matrix<T>& A, const Vector<T>& x, const Vector<T>& out, bool adjoint) {
  constexpr bool cplx = number_traits<T>::is_complex;
  mpq_t re, im, ar, ai, xr, xi, t;
  mpq_inits(re, im, ar, ai, xr, xi, t, nullptr);
  bool all = true;
  const Eigen::Index outer = adjoint ? A.cols() : A.rows(), inner = adjoint ? A.rows() : A.cols();
  for (Eigen::Index i = 0; i < outer; ++i) {
    mpq_set_ui(re, 0, 1);
    mpq_set_ui(im, 0, 1);
    for (Eigen::Index k = 0; k < inner; ++k) {
      const T& a = adjoint ? A(k, i) : A(i, k);
      mpfr_get_q(ar, part(a, 0));
      mpfr_get_q(xr, part(x(k), 0));
      mpq_mul(t, ar, xr);
      mpq_add(re, re, t);
      if constexpr (cplx) {
        mpfr_get_q(ai, part(a, 1));
        if (adjoint) mpq_neg(ai, ai);  // conj(a)
        mpfr_get_q(xi, part(x(k), 1));
        mpq_mul(t, ai, xi);
        mpq_sub(re, re, t);
        mpq_mul(t, ar, xi);
        mpq_add(im, im, t);
        mpq_mul(t, ai, xr);
        mpq_add(im, im, t);
      }
    }
    for (int c = 0; c < (cplx ? 2 : 1); ++c) {
      mpfr_t want;
      mpfr_init2(want, mpfr_get_prec(part(out(i), c)));
      mpfr_set_q(want, c == 0 ? re : im, MPFR_RNDN);
      if (mpfr_zero_p(want)) mpfr_set_zero(want, 1);
      all = all && mpfr_equal_p(want, part(out(i), c)) && mpfr_signbit(want) == mpfr_signbit(part(out(i), c));
      mpfr_clear(want);
    }
  }
  mpq_clears(re, im, ar, ai, xr, xi, t, nullptr);
  return all;
}
}  // namespace

TEST_CASE_TEMPLATE("MPFR dense products are correctly rounded, on 1 and 2 threads", T, barriers::mpfr_real,
                   std::complex<barriers::mpfr_real>) {
  RandomState rs(5);
  const unsigned saved = dense_operator_threads();
  for (unsigned bits : {64u, 128u, 256u, 512u, 1024u, 4096u}) {
    CAPTURE(bits);
    PrecisionGuard guard(bits);
    // 130 x 90 = 11700 entries: above MPFR's two-thread threshold (1e4), and
    // more than one 128-entry block of rows (so both threads work); smaller
    // at 4096 bits to keep the exact reference fast.
    const Eigen::Index m = bits >= 1024 ? 24 : 130, n = bits >= 1024 ? 17 : 90;
    const Matrix<T> A = full_precision_matrix<T>(rs, m, n, -20, 20);
    const DenseOperator<T> op(A);
    const Matrix<T> xs = full_precision_matrix<T>(rs, n, 1, -20, 20);
    const Matrix<T> ys = full_precision_matrix<T>(rs, m, 1, -20, 20);
    const Vector<T> x = xs.col(0), y = ys.col(0);
    Vector<T> one_ax, one_aty, two_ax, two_aty;
    set_dense_operator_threads(1);
    op.apply(x, one_ax);
    op.apply_adjoint(y, one_aty);
    set_dense_operator_threads(2);
    op.apply(x, two_ax);
    op.apply_adjoint(y, two_aty);
    set_dense_operator_threads(saved);
    CHECK(products_correctly_rounded(A, x, one_ax, false));
    CHECK(products_correctly_rounded(A, y, one_aty, true));
    for (Eigen::Index i = 0; i < m; ++i)
      for (int c = 0; c < (number_traits<T>::is_complex ? 2 : 1); ++c)
        CHECK(same_bits(part(one_ax(i), c), part(two_ax(i), c)));
    for (Eigen::Index j = 0; j < n; ++j)
      for (int c = 0; c < (number_traits<T>::is_complex ? 2 : 1); ++c)
        CHECK(same_bits(part(one_aty(j), c), part(two_aty(j), c)));
  }
}

// A NaN or infinity in the vector propagates exactly as MPFR's own
// arithmetic does (the products fall back to it).
TEST_CASE("MPFR dense products propagate NaN and infinity") {
  PrecisionGuard guard(128);
  Matrix<mpfr_real> A(2, 3);
  A << mpfr_real(1), mpfr_real(0), mpfr_real(2), mpfr_real(0), mpfr_real(0), mpfr_real(-1);
  const DenseOperator<mpfr_real> op(A);
  Vector<mpfr_real> x(3), out;
  x << mpfr_real(1), std::numeric_limits<mpfr_real>::infinity(), mpfr_real(3);
  op.apply(x, out);
  CHECK(mpfr_nan_p(out(0).backend().data()));  // 0 * inf
  CHECK(mpfr_nan_p(out(1).backend().data()));
  x(1) = mpfr_real(5);
  x(2) = std::numeric_limits<mpfr_real>::quiet_NaN();
  op.apply(x, out);
  CHECK(mpfr_nan_p(out(0).backend().data()));
  Vector<mpfr_real> y(2);
  y << std::numeric_limits<mpfr_real>::infinity(), mpfr_real(1);
  op.apply_adjoint(y, out);
  CHECK(mpfr_inf_p(out(0).backend().data()));
  CHECK(mpfr_nan_p(out(1).backend().data()));  // 0 * inf
  CHECK(mpfr_inf_p(out(2).backend().data()));
}
