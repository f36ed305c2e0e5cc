// A trained LISTA network (lista.hpp) as a reconstruction map with its exact
// reverse-mode gradient with respect to the measurements y.
//
// The forward pass is re-evaluated from the network's A(), a_norm(), W() and
// theta() with the same operations, in the same order, as
// ListaNetwork::forward (the tests check bitwise equality):
//     x_0 = 0,  r_i = y - As x_{i-1},  z_i = x_{i-1} + W_i^H r_i,
//     x_i = soft_{theta_i}(z_i),       As = A / (10 ||A||_2),
// keeping every z_i. Backward: g_z = soft'(z_i)^* g, g_y += W_i g_z,
// g <- g_z - As^H W_i g_z. At a kink |z| = theta_i the derivative is 0 (the
// convention of ListaNetwork::gradient, TensorFlow's relu'(0) = 0). Complex:
// the convention of reconstruction_map.hpp (dF/dRe + i dF/dIm).
// The map copies the weights; later changes to the network do not reach it.
#pragma once

#include <vector>

#include "barriers/solvers/lista.hpp"
#include "barriers/solvers/stability/reconstruction_map.hpp"

namespace barriers {

template <class T>
class ListaMap final : public ReconstructionMap<T> {
 public:
  using Real = real_of<T>;

  explicit ListaMap(const ListaNetwork<T>& net);

  Eigen::Index input_size() const override { return A_scaled_.rows(); }
  Eigen::Index output_size() const override { return A_scaled_.cols(); }
  void forward(const Vector<T>& y, Vector<T>& out) override;
  void backward(const Vector<T>& g, Vector<T>& g_y) override;

 private:
  Matrix<T> A_scaled_;
  std::vector<Matrix<T>> W_;
  std::vector<Real> theta_;
  // Real and imaginary parts (complex T only), as the network computes.
  Matrix<Real> As_re_, As_im_;
  std::vector<Matrix<Real>> W_re_, W_im_;
  // Tape: z_i per layer (complex: z_i assembled from its parts).
  std::vector<Matrix<T>> z_;
  bool have_forward_ = false;
  // Work space (real: forward; complex parts: x, r, z).
  Matrix<Real> xr_, xi_, rr_, ri_, zr_, zi_, yr_, yi_;
  Matrix<T> x_, r_, row_y_, row_z_, row_r_;
  Vector<T> gz_, gr_, gm_;
};

#define BARRIERS_X(T) extern template class ListaMap<T>;
BARRIERS_FOR_EACH_SCALAR(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
