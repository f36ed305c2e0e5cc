// A trained LISTA network (lista.hpp) as a reconstruction map with its exact
// reverse-mode gradient with respect to the measurements y.
//
// The forward pass is the network's own (ListaNetwork::forward(Y, Z), which
// keeps every layer's pre-threshold values z_i), so it equals
// ListaNetwork::forward bit for bit by construction:
//     x_0 = 0,  r_i = y - As x_{i-1},  z_i = x_{i-1} + W_i^H r_i,
//     x_i = soft_{theta_i}(z_i),       As = A / (10 ||A||_2).
// Backward: g_z = soft'(z_i)^* g, g_y += W_i g_z,
// g <- g_z - As^H W_i g_z. At a kink |z| = theta_i the derivative is 0 (the
// convention of ListaNetwork::gradient, TensorFlow's relu'(0) = 0). Complex:
// the convention of reconstruction_map.hpp (dF/dRe + i dF/dIm).
// The map copies the network; later changes to the original do not reach it.
#pragma once

#include <array>
#include <vector>

#include "barriers/solvers/lista.hpp"
#include "barriers/solvers/stability/reconstruction_map.hpp"

namespace barriers {

template <class T>
class ListaMap final : public ReconstructionMap<T> {
 public:
  using Real = real_of<T>;

  explicit ListaMap(const ListaNetwork<T>& net);

  Eigen::Index input_size() const override { return net_.rows(); }
  Eigen::Index output_size() const override { return net_.cols(); }
  void forward(const Vector<T>& y, Vector<T>& out) override;
  void backward(const Vector<T>& g, Vector<T>& g_y) override;

 private:
  // MPFR: the forward pass on the kept buffers below (no number made).
  void forward_in_place(Vector<T>& out);

  ListaNetwork<T> net_;
  Matrix<T> y_;                 // y as a one-column batch
  std::vector<Matrix<T>> z_;    // tape: z_i per layer (N x 1)
  bool have_forward_ = false;
  Vector<T> gz_, gr_, gm_;      // backward work space
  // MPFR: the iterate, residual, pre-threshold values and y by parts; the
  // parts of W_i and As (complex); a sum, -theta_i or |z| - t, |z|; a
  // complex sum.
  Vector<Real> xr_, xi_, rr_, ri_, zr_, zi_, yr_, yi_;
  std::vector<std::array<Matrix<Real>, 2>> w_parts_;
  std::array<Matrix<Real>, 2> as_parts_;
  Real acc_ = Real(), minus_t_ = Real(), mod_ = Real();
  T acc_t_ = T();
};

#define BARRIERS_X(T) extern template class ListaMap<T>;
BARRIERS_FOR_EACH_SCALAR(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
