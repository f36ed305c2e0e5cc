// The unitary discrete Fourier transform of a 1-D signal or 2-D image.
//
// F x for x stored as in image_shape.hpp: along each side of length n the
// transform is y_k = n^-1/2 sum_j x_j exp(-2 pi i j k / n) (the convention of
// SubsampledDft), so F = F_cols (x) F_rows is unitary and F^* = F^-1. Only
// for complex T. Any size: FFTW (plans made once per shape and direction and
// shared) for double, long double and float128, GenericFft otherwise or on
// request (FftBackend::generic), e.g. to compare the two.
//
// Norm bound. The generic path transforms every column (length rows) and
// then every row (length cols) with relative error <= e_n each
// (GenericFft::relative_error_bound, proven there; each pass is a
// block-diagonal map, so its error bound is that of one block), unnormalised,
// then multiplies once by s = fl(1 / sqrt(rows cols)) (s is within 2u of the
// truth relative, the product adds u per part: <= 4u in all). So
//   ||F_stored|| <= (1 + e_rows)(1 + e_cols)(1 + 4u),
// evaluated with one more factor (1 + 4u) for its own rounding. For FFTW the
// same formula is used with 4 e_n in place of e_n: FFTW's algorithms (e.g.
// Rader's for large primes) are not analysed here, so this bound is an
// assumption resting on FFTW's documented O(u log n) accuracy, with margin;
// the tests check FFTW against the generic transform within it.
#pragma once

#include <memory>

#include "barriers/solvers/imaging/generic_fft.hpp"
#include "barriers/solvers/imaging/image_shape.hpp"
#include "barriers/solvers/linear_operator.hpp"

namespace barriers {

enum class FftBackend {
  automatic,  ///< FFTW where it supports the type, else generic
  generic,    ///< always GenericFft
};

namespace detail {
/// An FFTW plan pair (forward, backward) for one shape and one real type.
template <class T>
class FftwPlans;
}  // namespace detail

template <class T>
class FourierTransform final : public LinearOperator<T> {
  static_assert(number_traits<T>::is_complex, "the Fourier transform needs a complex scalar type");

 public:
  using Real = real_of<T>;

  /// Throws std::invalid_argument for a side below 1.
  explicit FourierTransform(ImageShape shape, FftBackend backend = FftBackend::automatic);
  ~FourierTransform() override;

  const ImageShape& shape() const { return shape_; }
  /// True when FFTW computes the transform.
  bool uses_fftw() const { return uses_fftw_; }

  Eigen::Index rows() const override { return shape_.size(); }
  Eigen::Index cols() const override { return shape_.size(); }
  void apply(const Vector<T>& x, Vector<T>& out) const override;
  void apply_adjoint(const Vector<T>& y, Vector<T>& out) const override;
  Real norm_bound() const override { return bound_; }

 private:
  void transform(const Vector<T>& x, Vector<T>& out, bool inverse) const;

  ImageShape shape_;
  std::shared_ptr<const detail::FftwPlans<T>> fftw_;  // set only when uses_fftw_
  bool uses_fftw_ = false;
  std::unique_ptr<GenericFft<T>> along_rows_, along_cols_;  // lengths shape.rows, shape.cols
  Real scale_;                                              // fl(1 / sqrt(rows cols))
  Real bound_;
};

#define BARRIERS_X(T) extern template class FourierTransform<T>;
BARRIERS_FOR_EACH_COMPLEX(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
