// Rows of the unitary discrete Fourier transform: A = P_Omega F.
//
// F_{kn} = exp(-2 pi i k n / N) / sqrt(N); P_Omega keeps the rows listed in
// Omega (the sampled frequencies), as in compressed-sensing MRI. Only for
// complex T. The transform is applied directly, O(|Omega| N) operations per
// application, from a table of the N twiddle factors computed once at the
// working precision: this works for every number type (no FFT library
// handles MPFR), and correctness matters more than speed at the sizes this
// project studies. A radix-2 FFT would be the first thing to add for large N.
#pragma once

#include <vector>

#include "barriers/solvers/linear_operator.hpp"

namespace barriers {

template <class T>
class SubsampledDft final : public LinearOperator<T> {
  static_assert(number_traits<T>::is_complex, "the DFT needs a complex scalar type");

 public:
  using Real = real_of<T>;

  /// Keeps the frequencies `rows` (each in [0, N), no repeats, any order).
  /// Throws std::invalid_argument otherwise or when N < 1.
  SubsampledDft(Eigen::Index N, std::vector<Eigen::Index> rows);

  Eigen::Index rows() const override { return Eigen::Index(rows_.size()); }
  Eigen::Index cols() const override { return n_; }
  void apply(const Vector<T>& x, Vector<T>& out) const override;
  void apply_adjoint(const Vector<T>& y, Vector<T>& out) const override;
  /// The exact operator has norm 1 (orthonormal rows); the stored one differs
  /// by the rounding of the twiddles (sin/cos within 2 ulp of exact: glibc,
  /// libquadmath and MPFR all meet that) and of 1/sqrt(N): each entry is off
  /// by at most about sqrt(2) 3 eps / sqrt(N), so
  /// ||A_stored|| <= 1 + ||E||_F <= 1 + 4.3 eps sqrt(|Omega|) <= 1 + 4 eps |Omega| + eps.
  Real norm_bound() const override { return bound_; }

 private:
  Eigen::Index n_;
  std::vector<Eigen::Index> rows_;
  Vector<T> twiddle_;  // exp(-2 pi i k / N) / sqrt(N), k = 0..N-1
  Real bound_;
};

#define BARRIERS_X(T) extern template class SubsampledDft<T>;
BARRIERS_FOR_EACH_COMPLEX(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
