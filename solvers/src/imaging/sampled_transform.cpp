// A = P_Omega U W^*.
#include "barriers/solvers/imaging/sampled_transform.hpp"

#include <stdexcept>
#include <string>

#include "scratch.hpp"

namespace barriers {

namespace {
using imaging_detail::Scratch;
struct ImageTag;     // W^* x, or U^* of the scattered measurements
struct SpectrumTag;  // U W^* x, or the scattered measurements
}  // namespace

std::vector<Eigen::Index> mask_to_indices(const std::vector<bool>& mask) {
  std::vector<Eigen::Index> out;
  for (std::size_t k = 0; k < mask.size(); ++k)
    if (mask[k]) out.push_back(Eigen::Index(k));
  return out;
}

template <class T>
SampledTransform<T>::SampledTransform(OperatorPtr<T> U, OperatorPtr<T> W, std::vector<Eigen::Index> omega,
                                      Real delta_U, Real delta_W)
    : U_(std::move(U)), W_(std::move(W)), omega_(std::move(omega)) {
  if (!U_ || !W_) throw std::invalid_argument("a sampled transform got a null operator; U and W must be set.");
  const Eigen::Index N = U_->cols();
  if (U_->rows() != N || W_->rows() != N || W_->cols() != N)
    throw std::invalid_argument("a sampled transform needs square U and W of one size; got U " +
                                std::to_string(U_->rows()) + " x " + std::to_string(N) + " and W " +
                                std::to_string(W_->rows()) + " x " + std::to_string(W_->cols()) + ".");
  if (omega_.empty()) throw std::invalid_argument("the sampling set is empty; it needs at least one index.");
  std::vector<char> seen(static_cast<std::size_t>(N), 0);
  for (Eigen::Index k : omega_) {
    if (k < 0 || k >= N)
      throw std::invalid_argument("sampled index " + std::to_string(k) + " is outside [0, " + std::to_string(N) + ").");
    if (seen[k]) throw std::invalid_argument("sampled index " + std::to_string(k) + " is listed twice; each may appear once.");
    seen[k] = 1;
  }
  if (!(delta_U >= 0) || !(delta_W >= 0))
    throw std::invalid_argument("the error bounds of U and W must be non-negative numbers.");
  const Real eps = number_traits<Real>::epsilon();
  bound_ = U_->norm_bound() * W_->norm_bound() * (1 + eps);
  // (1 + dU)(1 + dW) - 1 = dU + dW + dU dW, each rounding covered by 1 + 2 eps.
  delta_ = (delta_U + delta_W + delta_U * delta_W) * (1 + 2 * eps);
}

template <class T>
void SampledTransform<T>::apply(const Vector<T>& x, Vector<T>& out) const {
  if (x.size() != cols())
    throw std::invalid_argument("the sampled transform's input has length " + std::to_string(x.size()) +
                                " but the operator needs " + std::to_string(cols()) + ".");
  // The intermediate images live in per-thread scratch; once it has the
  // image's size, U and W write into it without allocating.
  Scratch<Vector<T>, ImageTag> image;
  Scratch<Vector<T>, SpectrumTag> measured;
  W_->apply_adjoint(x, *image);
  U_->apply(*image, *measured);
  out.resize(rows());
  for (std::size_t r = 0; r < omega_.size(); ++r) out(Eigen::Index(r)) = (*measured)(omega_[r]);
}

template <class T>
void SampledTransform<T>::apply_adjoint(const Vector<T>& y, Vector<T>& out) const {
  if (y.size() != rows())
    throw std::invalid_argument("the sampled transform's adjoint input has length " + std::to_string(y.size()) +
                                " but the operator has " + std::to_string(rows()) + " rows.");
  Scratch<Vector<T>, SpectrumTag> full;
  Scratch<Vector<T>, ImageTag> image;
  in_place_ops::set_zero(*full, cols());
  for (std::size_t r = 0; r < omega_.size(); ++r) (*full)(omega_[r]) = y(Eigen::Index(r));
  U_->apply_adjoint(*full, *image);
  W_->apply(*image, out);
}

#define BARRIERS_X(T) template class SampledTransform<T>;
BARRIERS_FOR_EACH_SCALAR(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
