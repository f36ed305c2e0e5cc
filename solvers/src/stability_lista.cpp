// ListaMap: LISTA's forward pass with a tape (the network's own forward,
// ListaNetwork::forward(Y, Z)), and its reverse mode.
#include "barriers/solvers/stability/lista_gradient.hpp"

#include <stdexcept>
#include <string>

namespace barriers {

template <class T>
ListaMap<T>::ListaMap(const ListaNetwork<T>& net) : net_(net) {}

template <class T>
void ListaMap<T>::forward(const Vector<T>& y, Vector<T>& out) {
  const Eigen::Index m = net_.rows();
  if (y.size() != m)
    throw std::invalid_argument("y has " + std::to_string(y.size()) + " entries; the LISTA network takes m = " +
                                std::to_string(m) + ".");
  if (!all_finite(y)) throw std::invalid_argument("y has a NaN or infinite entry; every entry must be finite.");
  y_ = y;
  out = net_.forward(y_, z_).col(0);
  have_forward_ = true;
}

template <class T>
void ListaMap<T>::backward(const Vector<T>& g, Vector<T>& g_y) {
  this->check_backward(have_forward_, g);
  const Matrix<T>& As = net_.A_scaled();
  const std::vector<Matrix<T>>& W = net_.W();
  gz_ = g;
  g_y.setZero(As.rows());
  for (std::size_t i = W.size(); i-- > 0;) {
    const Real& t = net_.theta()[i];
    for (Eigen::Index k = 0; k < gz_.size(); ++k) {
      const T& z = z_[i](k, 0);
      const Real m = modulus(z);
      if (!(m > t)) {
        gz_(k) = T(0);  // at or inside the kink: derivative 0
        continue;
      }
      if constexpr (number_traits<T>::is_complex) {
        // x = (1 - t/m) z: J = (1 - t/m) I + (t/m^3) z z^T in R^2
        const Real radial = (z.real() * gz_(k).real() + z.imag() * gz_(k).imag()) * t / (m * m * m);
        gz_(k) = gz_(k) * Real(1 - t / m) + z * radial;
      }
    }
    gr_.noalias() = W[i] * gz_;  // z = x + W_i^H r: d/dr = W_i d/dz
    g_y += gr_;
    if (i == 0) break;
    gm_.noalias() = As.adjoint() * gr_;  // r = y - As x
    gz_ -= gm_;
  }
}

#define BARRIERS_X(T) template class ListaMap<T>;
BARRIERS_FOR_EACH_SCALAR(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
