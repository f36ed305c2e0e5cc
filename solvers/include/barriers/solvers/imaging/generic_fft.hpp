// A fast Fourier transform of any length in any complex number type.
//
// GenericFft<T> computes y_k = sum_j x_j exp(-+2 pi i j k / n) in place,
// unnormalised, for T = std::complex<R> with R any real type (it is what
// MPFR uses; FFTW does double, long double and float128). Powers of two use
// the iterative radix-2 algorithm (bit reversal, then log2 n butterfly
// stages); other lengths use recursive mixed-radix Cooley-Tukey over the
// prime factors of n, with a direct p-point DFT for each factor p, so the cost
// is O(n sum_i p_i): O(n log n) for smooth n, O(n^2) for a prime n.
//
// Twiddles: the n roots exp(-2 pi i k / n) are computed once in MPFR at 32
// bits more than R carries and rounded once to R (correctly, through an
// exact rational), so each part is within u (1 + 2^-26) of the truth, u the
// unit roundoff of R (the angle 2 pi k / n itself is then off by at most
// 2^-27 u); the complex error is mu <= sqrt2 u (1 + 2^-26) <= 1.5 u.
//
// Error analysis (in the style of Higham, Accuracy and Stability of
// Numerical Algorithms, 2nd ed., section 24.1): a stage of radix p
// multiplies each value by a twiddle (error <= alpha |v|, alpha = mu +
// sqrt2 gamma_2 (1 + mu), the complex product error) and then forms p-point
// DFTs of groups v_0..v_{p-1}. Each output is a sum of p complex products
// with table entries, so its error is <= beta_p sum_r |v_r| with
// beta_p = 2 alpha + alpha^2 + sqrt2 gamma_{p-1} (1 + alpha)^2; by
// Cauchy-Schwarz over the p outputs of a group the error is
// <= p beta_p ||v||, while the exact stage output has norm sqrt(p) ||v||.
// So a stage has relative error eta_p = sqrt(p) beta_p (a radix-2 butterfly
// is the case p = 2), and the whole transform
//   ||fl(y) - y|| <= (prod_i (1 + eta_{p_i}) - 1) ||y||
// <= (exp(S) - 1) ||y|| <= 2 S ||y||  with S = sum_i eta_{p_i} <= 1.
// relative_error_bound() returns 2.02 S (the extra 1% covers the rounding
// of evaluating it); lengths with S > 1 are refused (std::domain_error).
#pragma once

#include <vector>

#include "barriers/solvers/solver_types.hpp"

namespace barriers {

template <class T>
class GenericFft {
  static_assert(number_traits<T>::is_complex, "the FFT needs a complex scalar type");

 public:
  using Real = real_of<T>;

  /// Plans the transform of length n (>= 1; std::invalid_argument otherwise).
  explicit GenericFft(Eigen::Index n);

  Eigen::Index size() const { return n_; }

  /// data[0..n) <- its DFT with sign -1 (inverse = false) or +1, unnormalised.
  void transform(T* data, bool inverse) const;

  /// An upper bound on ||fl(y) - y|| / ||y|| (see the header comment).
  Real relative_error_bound() const { return error_bound_; }
  /// The same bound for length n, without planning (std::domain_error when
  /// S > 1 at the working precision).
  static Real error_bound_for(Eigen::Index n);

 private:
  void radix2(T* a, const std::vector<T>& w) const;
  void mixed(const T* in, Eigen::Index stride, T* out, Eigen::Index n, std::size_t f,
             const std::vector<T>& w, std::vector<T>& tmp) const;

  Eigen::Index n_;
  std::vector<Eigen::Index> factors_;      // prime factors of n, ascending
  std::vector<Eigen::Index> bit_reverse_;  // only for powers of two
  std::vector<T> forward_, backward_;      // exp(-+2 pi i k / n), k = 0..n-1
  Real error_bound_;
};

/// exp(-2 pi i k / n) for k = 0..n-1, each part correctly rounded to the
/// working precision of R from a 32-bit-wider MPFR evaluation.
template <class R>
std::vector<std::complex<R>> unit_roots(Eigen::Index n);

#define BARRIERS_X(T) extern template class GenericFft<T>;
BARRIERS_FOR_EACH_COMPLEX(BARRIERS_X)
#undef BARRIERS_X
#define BARRIERS_X(R) extern template std::vector<std::complex<R>> unit_roots<R>(Eigen::Index);
BARRIERS_FOR_EACH_REAL(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
