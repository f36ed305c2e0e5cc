// FIRENET (the unrolled network of firenet_network.hpp) with its exact
// reverse-mode gradient with respect to the measurements y.
//
// The forward pass performs the very operations of FirenetNetwork (same step
// formulas, same order), keeping per inner step the pre-threshold vector v
// and the pre-projection dual vector u; the tests check bitwise equality
// with FirenetNetwork. The backward pass runs the layers in reverse:
//   x' = soft_t(v), v = x - tau A^* z      (t = tau lambda w)
//   z' = proj_{||.||<=1}(u), u = z + sigma A (2x' - x) - sigma alpha_r y
//   x_0 = alpha_r psi_{r-1},  psi_r = (x_1 + ... + x_p) / (p alpha_r)
// Kinks (the one-sided convention of LISTA's training, TensorFlow's
// relu'(0) = 0): at |v_i| = t_i the soft threshold's derivative is 0; at
// ||u|| = 1 the projection is the identity (the forward pass does not
// divide, and neither does its derivative).
// eps0: when settings.eps0 is empty FIRENET takes eps0 = ||y|| from its
// input, so every alpha_r depends on y; that dependence is differentiated
// too (d alpha_r / d eps0 through the restart schedule, including the
// floor eps0 u, and d ||y|| / dy = y / ||y||). At y = 0 (eps0 = 1, a kink)
// that term is taken as 0. A fixed settings.eps0 makes the alphas constant.
#pragma once

#include <vector>

#include "barriers/solvers/firenet.hpp"
#include "barriers/solvers/linear_operator.hpp"
#include "barriers/solvers/stability/reconstruction_map.hpp"

namespace barriers {

template <class T>
class FirenetMap final : public ReconstructionMap<T> {
 public:
  using Real = real_of<T>;

  /// Validates like firenet() (observer and reference are ignored).
  FirenetMap(OperatorPtr<T> A, const FirenetSettings<T>& settings);

  Eigen::Index input_size() const override { return A_->rows(); }
  Eigen::Index output_size() const override { return A_->cols(); }
  void forward(const Vector<T>& y, Vector<T>& out) override;
  void backward(const Vector<T>& g, Vector<T>& g_y) override;

  const detail::FirenetPlan<T>& plan() const { return plan_; }

 private:
  OperatorPtr<T> A_;
  detail::FirenetPlan<T> plan_;
  bool have_forward_ = false;
  // Tape of the last forward pass.
  Vector<T> y_;
  Real eps0_;
  std::vector<Real> alphas_, eps_, deps_;  // alpha_r, eps_r, d eps_r / d eps0
  std::vector<Vector<T>> psi_;             // psi_0 = 0, ..., psi_n
  std::vector<Vector<T>> v_, u_;           // per inner step
  std::vector<Real> u_norm_;
  // Work space.
  Vector<T> x_, x_new_, z_, S_, dir_, work_m_, say_;
  Vector<T> gpsi_, gx_, gz_, gS_, gd_, gsay_, gm_;
  std::vector<Real> dalpha_;
  Real two_ = Real(2), inner_a_, inner_b_;
  // MPFR: the restart schedule and the per-restart scalars on kept numbers
  // (schedule_in_place), so that a pass creates no number.
  void schedule_in_place();
  Real factor_, unit_, floor_, level_, unclamped_, scalar_, norm_y_, sum_;
};

#define BARRIERS_X(T) extern template class FirenetMap<T>;
BARRIERS_FOR_EACH_SCALAR(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
