// LearnedFirenetMap: FIRENET on the residual of a learned network's output,
// with its reverse mode, and the bound the residual problem inherits.
#include "barriers/solvers/stability/learned_firenet.hpp"

#include <stdexcept>
#include <string>
#include <utility>

namespace barriers {

template <class T>
LearnedFirenetMap<T>::LearnedFirenetMap(std::shared_ptr<ReconstructionMap<T>> learned, OperatorPtr<T> A,
                                        const FirenetSettings<T>& settings)
    : learned_(std::move(learned)), A_(A), firenet_(std::move(A), settings) {
  if (!learned_) throw std::invalid_argument("the composite map needs a learned network");
  if (learned_->input_size() != A_->rows() || learned_->output_size() != A_->cols())
    throw std::invalid_argument("the learned network maps " + std::to_string(learned_->input_size()) + " -> " +
                                std::to_string(learned_->output_size()) + "; A is " + std::to_string(A_->rows()) +
                                " x " + std::to_string(A_->cols()));
}

template <class T>
void LearnedFirenetMap<T>::forward(const Vector<T>& y, Vector<T>& out) {
  learned_->forward(y, xl_);  // checks y
  A_->apply(xl_, work_);
  b_ = y - work_;
  firenet_.forward(b_, d_);
  out = xl_ + d_;
  have_forward_ = true;
}

template <class T>
void LearnedFirenetMap<T>::backward(const Vector<T>& g, Vector<T>& g_y) {
  this->check_backward(have_forward_, g);
  // out = x_l + Phi_F(y - A x_l): g reaches b through Phi_F, and x_l both
  // directly and through b.
  firenet_.backward(g, gF_);
  A_->apply_adjoint(gF_, work_);
  gl_ = g - work_;
  learned_->backward(gl_, gyl_);
  g_y = gF_ + gyl_;
}

template <class T>
real_of<T> learned_firenet_stability_bound(const LinearOperator<T>& A, const detail::FirenetPlan<T>& plan,
                                           const SharpnessConstants<real_of<T>>& c, const Vector<T>& x,
                                           const Vector<T>& y, const Vector<T>& e, const Vector<T>& xl_y,
                                           const Vector<T>& xl_ye) {
  using Real = real_of<T>;
  const Real rn = (A.forward(x) - y).norm();  // = ||A d* - b|| for both residual problems (up to e)
  const Vector<T> b = y - A.forward(xl_y);
  const Vector<T> be = y + e - A.forward(xl_ye);
  return firenet_error_bound(plan, c, be, Real((x - xl_ye).norm()), Real(rn + e.norm())) +
         firenet_error_bound(plan, c, b, Real((x - xl_y).norm()), rn);
}

#define BARRIERS_X(T)                                                                                           \
  template class LearnedFirenetMap<T>;                                                                          \
  template real_of<T> learned_firenet_stability_bound<T>(const LinearOperator<T>&, const detail::FirenetPlan<T>&, \
                                                         const SharpnessConstants<real_of<T>>&, const Vector<T>&,  \
                                                         const Vector<T>&, const Vector<T>&, const Vector<T>&,     \
                                                         const Vector<T>&);
BARRIERS_FOR_EACH_SCALAR(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
