// Operator-norm estimate and certified bounds, instantiated for every scalar.
//
// The tight bound works in double whatever the working type: ||A||_2 only has
// to be bounded from above, and the error of rounding A to double is itself
// bounded (below), so a double computation with every rounding accounted for
// gives a rigorous bound for an MPFR matrix too, at a fraction of the cost.
#include "barriers/solvers/operator_norm.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <Eigen/Cholesky>
#include <Eigen/Eigenvalues>

namespace barriers {

namespace {

constexpr double unit_roundoff = 0x1p-53;  // u of double, round to nearest

// gamma_k = k u / (1 - k u), Higham's bound for k successive roundings.
double gamma_of(double k) { return k * unit_roundoff / (1 - k * unit_roundoff); }

template <class T, class F>
void for_each_part(const T& z, F f) {
  if constexpr (number_traits<T>::is_complex) {
    f(z.real());
    f(z.imag());
  } else {
    f(z);
  }
}

// Largest and smallest non-zero |real part| or |imaginary part| of an entry
// (exact, unlike a modulus); both 0 for a zero matrix.
template <class T>
std::pair<real_of<T>, real_of<T>> part_range(const Matrix<T>& A) {
  using R = real_of<T>;
  R top(0), low(0);
  for (Eigen::Index j = 0; j < A.cols(); ++j)
    for (Eigen::Index i = 0; i < A.rows(); ++i)
      for_each_part(A(i, j), [&](const R& x) {
        if (x == 0) return;
        // Compared without forming |x|, which allocates for MPFR.
        auto cmpabs = [](const R& a, const R& b) {
          if constexpr (std::is_same_v<R, mpfr_real>) {
            return mpfr_cmpabs(a.backend().data(), b.backend().data());
          } else {
            using std::abs;
            return abs(a) < abs(b) ? -1 : (abs(a) > abs(b) ? 1 : 0);
          }
        };
        using std::abs;
        if (top == 0 || cmpabs(x, top) > 0) top = abs(x);
        if (low == 0 || cmpabs(x, low) < 0) low = abs(x);
      });
  return {top, low};
}

// x 2^-e rounded to the nearest double. With |x 2^-e| < 1 the error is at most
// u |result| + 2^-1074 (the second term covers results in the subnormal range,
// including the double rounding of the MPFR path there).
template <class R>
double scaled_to_double(const R& x, int e) {
  if constexpr (std::is_same_v<R, mpfr_real>) {
    long ex = 0;
    const double d = mpfr_get_d_2exp(&ex, x.backend().data(), MPFR_RNDN);
    const long shift = ex - long(e);
    return shift < -1100 ? 0.0 : std::ldexp(d, int(shift));
  } else {
    using std::ldexp;
    return static_cast<double>(ldexp(x, -e));
  }
}

// The least value of R that is >= x.
template <class R>
R from_double_up(double x) {
  if constexpr (std::is_same_v<R, mpfr_real>) {
    R r;  // working precision, which may be below 53 bits
    mpfr_set_d(r.backend().data(), x, MPFR_RNDU);
    return r;
  } else {
    return R(x);  // exact: long double and float128 hold every double
  }
}

// An upper bound on b 2^e in R, or nothing on overflow. Scaling by a power of
// two is exact except in the subnormal range, where one denorm_min repairs a
// rounding down (MPFR has no subnormals).
template <class R>
std::optional<R> unscale_up(const R& b, int e) {
  using std::ldexp;
  R r = ldexp(b, e);
  if (!is_finite_scalar(r)) return std::nullopt;
  if constexpr (!std::is_same_v<R, mpfr_real>) {
    if (ldexp(r, -e) < b) r += std::numeric_limits<R>::denorm_min();
  }
  return r;
}

// Top eigenvalue of the symmetric G (lower triangle read) by Lanczos with
// full reorthogonalisation from a seeded start. Only an estimate: the
// certificate below decides what is proved.
double lanczos_top_eigenvalue(const Eigen::MatrixXd& G) {
  const Eigen::Index n = G.rows();
  const Eigen::Index k = std::min<Eigen::Index>(n, 80);
  Eigen::MatrixXd V(n, k);
  std::mt19937_64 rng(1);
  for (Eigen::Index i = 0; i < n; ++i) V(i, 0) = double(rng() >> 11) * 0x1p-53 - 0.5;
  V.col(0).normalize();
  std::vector<double> alpha, beta;
  Eigen::VectorXd w(n);
  double scale = 0;
  for (Eigen::Index j = 0; j < k; ++j) {
    w.noalias() = G.selfadjointView<Eigen::Lower>() * V.col(j);
    alpha.push_back(V.col(j).dot(w));
    scale = std::max(scale, std::abs(alpha.back()));
    for (int pass = 0; pass < 2; ++pass) {
      const Eigen::VectorXd c = V.leftCols(j + 1).transpose() * w;
      w.noalias() -= V.leftCols(j + 1) * c;
    }
    if (j + 1 == k) break;
    const double b = w.norm();
    if (!(b > 1e-10 * scale)) break;  // an invariant subspace: its Ritz values are eigenvalues
    beta.push_back(b);
    V.col(j + 1) = w / b;
  }
  const Eigen::Index steps = Eigen::Index(alpha.size());
  if (steps == 1) return alpha[0];
  const Eigen::VectorXd diag = Eigen::Map<const Eigen::VectorXd>(alpha.data(), steps);
  const Eigen::VectorXd sub = Eigen::Map<const Eigen::VectorXd>(beta.data(), steps - 1);
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es;
  es.computeFromTridiagonal(diag, sub, Eigen::EigenvaluesOnly);
  return es.eigenvalues().maxCoeff();
}

}  // namespace

namespace detail {

// Why a successful Cholesky proves the bound. Let G_x = B B^T be the exact
// Gram matrix, G the computed one with ||G - G_x||_2 <= gram_error, and
// C = fl(mu I - G) (only the diagonal is rounded: |C_ii - (mu - G_ii)| <=
// u C_ii). If the factorisation of C runs to completion with positive pivots,
// the computed L satisfies L L^T = C + dC with |dC| <= g |L| |L|^T entrywise,
// g = gamma_{s+2} (Higham, Accuracy and Stability, Thm 10.3, whose proof
// holds for any order of the inner products, so for Eigen's blocked LLT; the
// +1 over Higham's s+1 covers a division done as a reciprocal and a multiply).
// The diagonal of that identity gives ||l_i||^2 <= C_ii / (1 - g), so by
// Cauchy-Schwarz ||dC||_2 <= g sum ||l_i||^2 <= g / (1 - g) tr(C). Then
// L L^T >= 0 gives mu I - G_x >= -delta I with
//   delta = g / (1 - g) tr(C) + gram_error + u max C_ii,
// i.e. ||B||_2^2 = lambda_max(G_x) <= mu + delta. This is Rump's argument
// (BIT 46, 2006) with a simpler, slightly larger constant.
std::optional<double> cholesky_norm_certificate(const Eigen::MatrixXd& G, double mu, double gram_error) {
  const Eigen::Index s = G.rows();
  if (s == 0 || G.cols() != s || !(mu > 0) || !std::isfinite(mu) || !(gram_error >= 0)) return std::nullopt;
  Eigen::MatrixXd C(s, s);
  C.triangularView<Eigen::StrictlyLower>() = -G;
  double trace = 0, cmax = 0;
  for (Eigen::Index i = 0; i < s; ++i) {
    C(i, i) = mu - G(i, i);
    if (!(C(i, i) > 0)) return std::nullopt;
    trace += C(i, i);
    cmax = std::max(cmax, C(i, i));
  }
  Eigen::LLT<Eigen::Ref<Eigen::MatrixXd>, Eigen::Lower> llt(C);
  if (llt.info() != Eigen::Success) return std::nullopt;
  // Eigen stops only on a pivot <= 0; a NaN pivot passes that test, and any
  // NaN or Inf in L reaches a later pivot, so checking the diagonal suffices.
  for (Eigen::Index i = 0; i < s; ++i)
    if (!(C(i, i) > 0) || !std::isfinite(C(i, i))) return std::nullopt;
  const double g = gamma_of(double(s + 2));
  const double delta = g / (1 - g) * trace + gram_error + unit_roundoff * cmax;
  // The computed delta is within a relative 1e-6 of the formula (sums of at
  // most 2^40 non-negative terms), so 2 delta covers it; each of the three
  // roundings below (sum, sqrt, product) loses at most a factor (1 - u),
  // which the factor 1 + 8u = 1 + 2^-50 restores.
  return std::sqrt(mu + 2 * delta) * (1 + 0x1p-50);
}

}  // namespace detail

template <class T>
real_of<T> power_iteration(const LinearOperator<T>& A, int iterations, std::uint64_t seed,
                           real_of<T> rel_tol) {
  using R = real_of<T>;
  using std::sqrt;
  if (iterations < 1)
    throw std::invalid_argument("power iteration needs at least 1 iteration, not " + std::to_string(iterations) + ".");
  std::mt19937_64 rng(seed);
  // Uniform in (-1, 1) from 53 random bits: portable, unlike std distributions.
  auto uni = [&rng] { return double(rng() >> 11) * 0x1p-52 - 1.0; };
  Vector<T> x(A.cols());
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    if constexpr (number_traits<T>::is_complex)
      x(i) = T(R(uni()), R(uni()));
    else
      x(i) = T(uni());
  }
  R estimate(0);
  Vector<T> ax, atax;
  for (int it = 0; it < iterations; ++it) {
    const R nx = x.norm();
    if (nx == 0) return R(0);  // A^* A x vanished: A = 0 on the span reached
    x /= nx;
    A.apply(x, ax);
    const R next = ax.norm();  // ||A x|| with ||x|| = 1: a lower estimate
    A.apply_adjoint(ax, atax);
    x = atax;
    using std::abs;
    const bool settled = rel_tol > 0 && abs(next - estimate) <= rel_tol * next;
    estimate = next;
    if (settled) break;
  }
  return estimate;
}

// The tight bound. With 2^e > max |part| and A_s = A 2^-e, let B (s x d, s =
// min(rows, cols)) be A_s or its transpose (same norm) rounded to double, and
// for complex A the real matrix B_r = [Re -Im; Im Re] (same singular values,
// each twice); s', d' are B_r's sizes. Then
//   ||A_s||_2 <= ||B_r||_2 + ||A_s - B||_F,  ||A_s - B||_F <= u ||B||_F + 2^-1000
// (per real part the error is <= u |b| + 2^-1074, and there are < 2^74 parts).
// G = B_r B_r^T is formed with each entry one real dot product of length d'
// in some order, so |G - G_x| <= gamma_{d'} |B_r| |B_r|^T entrywise and
// ||G - G_x||_2 <= gamma_{d'} ||B_r||_F^2 (a non-negative matrix's 2-norm is
// monotone in its entries, and || |B_r| ||_2 <= ||B_r||_F). The certificate
// then bounds ||B_r||_2; the final sum and product round up as explained there.
template <class T>
std::optional<real_of<T>> gram_certified_norm_bound(const Matrix<T>& A) {
  using R = real_of<T>;
  constexpr bool cx = number_traits<T>::is_complex;
  const Eigen::Index m = A.rows(), n = A.cols();
  const bool wide = m <= n;
  const Eigen::Index s = wide ? m : n, d = wide ? n : m;
  const Eigen::Index p = cx ? 2 : 1;
  if (s == 0) return std::nullopt;
  // Forming G costs about s'^2 d' / 2 multiply-adds (Eigen's GEMM, about
  // 1 s at 1000 x 4000 complex on the development machine); above 5e10 the
  // cheap bound is used instead.
  if (double(p * s) * double(p * s) * double(p * d) > 5e10) return std::nullopt;
  const R top = part_range(A).first;
  if (!(top > 0)) return std::nullopt;
  int e = 0;
  {
    using std::frexp;
    frexp(top, &e);  // top = f 2^e, 1/2 <= f < 1
  }
  Eigen::MatrixXd B(s, p * d);
  for (Eigen::Index j = 0; j < n; ++j)
    for (Eigen::Index i = 0; i < m; ++i) {
      const Eigen::Index r = wide ? i : j, c = wide ? j : i;
      if constexpr (cx) {
        B(r, c) = scaled_to_double(A(i, j).real(), e);
        B(r, d + c) = scaled_to_double(A(i, j).imag(), e);
      } else {
        B(r, c) = scaled_to_double(A(i, j), e);
      }
    }
  const Eigen::Index sr = p * s;
  Eigen::MatrixXd G = Eigen::MatrixXd::Zero(sr, sr);
  if constexpr (cx) {
    // B_r B_r^T = [P Q^T; Q P] with P = Re Re^T + Im Im^T = B B^T and
    // Q = Im Re^T - Re Im^T; every entry is a sum of 2d products.
    Eigen::MatrixXd P = Eigen::MatrixXd::Zero(s, s);
    P.selfadjointView<Eigen::Lower>().rankUpdate(B);
    G.topLeftCorner(s, s) = P;
    G.bottomRightCorner(s, s) = P;
    const auto re = B.leftCols(d);
    const auto im = B.rightCols(d);
    G.bottomLeftCorner(s, s).noalias() = im * re.transpose();
    G.bottomLeftCorner(s, s).noalias() -= re * im.transpose();
  } else {
    G.selfadjointView<Eigen::Lower>().rankUpdate(B);
  }
  const double frob2 = B.squaredNorm();  // ||B||_F^2; ||B_r||_F^2 = p of it
  const double gram_error = 2 * gamma_of(double(p * d)) * double(p) * frob2;  // 2: see the certificate
  const double conversion = 2 * (unit_roundoff * std::sqrt(frob2) + 0x1p-1000);
  const double theta = lanczos_top_eigenvalue(G);
  if (!(theta > 0) || !std::isfinite(theta)) return std::nullopt;
  // mu slightly above the estimate; raised when the factorisation fails
  // (theta short of lambda_max, or rounding), up to 5% (2.5% in the norm).
  for (double t : {1e-4, 8e-4, 6.4e-3, 5.12e-2}) {
    const auto b = detail::cholesky_norm_certificate(G, theta * (1 + t), gram_error);
    if (!b) continue;
    const double bound = (*b + conversion) * (1 + 0x1p-50);  // the sum's rounding, restored
    return unscale_up(from_double_up<R>(bound), e);
  }
  return std::nullopt;
}

namespace {
// Whether the a-priori bound forms the Gram matrix for Gershgorin: at most
// 1e7 multiply-adds (2e5 for float128 and MPFR, whose operations cost 100x more).
template <class T>
bool gershgorin_affordable(Eigen::Index m, Eigen::Index n) {
  const double s = double(std::min(m, n)), d = double(std::max(m, n));
  return s * s * d <= (std::is_floating_point_v<real_of<T>> ? 1e7 : 2e5);
}
}  // namespace

template <class T>
real_of<T> a_priori_norm_bound(const Matrix<T>& A) {
  using R = real_of<T>;
  using std::sqrt;
  using std::min;
  using std::max;
  using std::ldexp;
  const Eigen::Index m = A.rows(), n = A.cols();
  // With every non-zero part in [2^-450, 2^450] no square, product or sum
  // below under- or overflows in any of the types, and A is used as stored.
  // Otherwise A 2^-e is used (parts below 1, the largest at least 1/2): no
  // overflow, and underflow loses less than one eps relative in every sum
  // (each is at least 1/4), which two more eps in the margins cover.
  const auto [top, low] = part_range(A);
  if (!(top > 0)) return R(0);
  int e = 0;
  const bool rescale = top > ldexp(R(1), 450) || low < ldexp(R(1), -450);
  if (rescale) {
    using std::frexp;
    frexp(top, &e);
  }
  const int extra = rescale ? 8 : 6;
  auto scaled = [e](const T& z) -> T {
    if constexpr (number_traits<T>::is_complex)
      return T(ldexp(z.real(), -e), ldexp(z.imag(), -e));
    else
      return ldexp(z, -e);
  };
  Vector<R> col = Vector<R>::Zero(n), row = Vector<R>::Zero(m);
  R frob(0);
  for (Eigen::Index j = 0; j < n; ++j)
    for (Eigen::Index i = 0; i < m; ++i) {
      const R a = rescale ? modulus(scaled(A(i, j))) : modulus(A(i, j));
      col(j) += a;
      row(i) += a;
      frob += a * a;
    }
  R one(0), inf(0);
  for (Eigen::Index j = 0; j < n; ++j) one = max(one, col(j));
  for (Eigen::Index i = 0; i < m; ++i) inf = max(inf, row(i));
  const R eps = number_traits<R>::epsilon();
  const R k = R(std::max<Eigen::Index>(m * n, m + n));
  const R margin = (k + extra) * eps;
  if (!(margin < R(0.5)))
    throw std::domain_error("the matrix is too large (" + std::to_string(m) + " x " + std::to_string(n) +
                            ") for a certified norm bound at " + std::to_string(number_traits<R>::precision_bits()) +
                            " bits; raise the working precision.");
  R bound = min(sqrt(one * inf), sqrt(frob)) * (1 + margin);
  // Gershgorin on the smaller Gram matrix G (A A^* or A^* A, size s, inner
  // length d): ||A||^2 = rho(G) <= max_j sum_k |g_jk|. Computed entries obey
  // |fl(g_jk) - g_jk| <= (d + 2) eps sum_i |a_ji| |a_ki| (dot product, complex
  // product), and summed over k that is at most (d + 2) eps ||A||_1 ||A||_inf.
  // The row sums add (s + 6) eps relative, as above. Exact for block structures
  // like the Table-1 matrix, where the other two bounds are 4x too large.
  // Skipped when forming G would cost more than 1e7 multiply-adds (2e5 for
  // software types such as float128 and MPFR, whose operations cost 100x more).
  const Eigen::Index s = std::min(m, n), d = std::max(m, n);
  if (gershgorin_affordable<T>(m, n)) {
    const Matrix<T> As = rescale ? Matrix<T>(A.unaryExpr(scaled)) : A;
    const Matrix<T> G = m <= n ? Matrix<T>(As * As.adjoint()) : Matrix<T>(As.adjoint() * As);
    R rows(0);
    for (Eigen::Index j = 0; j < s; ++j) {
      R sum(0);
      for (Eigen::Index k2 = 0; k2 < s; ++k2) sum += modulus(G(j, k2));
      rows = max(rows, sum);
    }
    const R slack = R(d + 2) * eps * one * inf * (1 + margin);
    const R gram = sqrt((rows * (1 + R(s + extra) * eps) + slack) * (1 + 2 * eps)) * (1 + 4 * eps);
    bound = min(bound, gram);
  }
  const std::optional<R> unscaled = unscale_up(bound, e);
  if (!unscaled)
    throw std::domain_error("the norm bound overflowed; the matrix entries are too large for this number type.");
  return *unscaled;
}

// Without Gershgorin the a-priori bound can only beat a certified Gram bound
// (at most 2.5% above ||A||, normally 5e-5) for special structure (near
// rank-one, or non-negative with equal row and column sums), and
// its O(mn) pass costs seconds at 1000 x 4000 in float128 or MPFR: skipped.
template <class T>
real_of<T> certified_norm_bound(const Matrix<T>& A) {
  using std::min;
  const auto tight = gram_certified_norm_bound(A);
  if (tight && !gershgorin_affordable<T>(A.rows(), A.cols())) return *tight;
  try {
    const real_of<T> cheap = a_priori_norm_bound(A);
    return tight ? min(*tight, cheap) : cheap;
  } catch (const std::domain_error&) {
    if (tight) return *tight;
    throw;
  }
}

#define BARRIERS_X(T)                                                                                \
  template real_of<T> power_iteration<T>(const LinearOperator<T>&, int, std::uint64_t, real_of<T>); \
  template real_of<T> certified_norm_bound<T>(const Matrix<T>&);                                    \
  template std::optional<real_of<T>> gram_certified_norm_bound<T>(const Matrix<T>&);                \
  template real_of<T> a_priori_norm_bound<T>(const Matrix<T>&);
BARRIERS_FOR_EACH_SCALAR(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
