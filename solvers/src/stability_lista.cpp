// ListaMap: LISTA's forward pass with a tape (the network's own forward,
// ListaNetwork::forward(Y, Z)), and its reverse mode.
#include "barriers/solvers/stability/lista_gradient.hpp"

#include <stdexcept>
#include <string>

#include "in_place_ops.hpp"

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
  if constexpr (std::is_same_v<T, mpfr_real>)
    forward_in_place(out);
  else
    out = net_.forward(y_, z_).col(0);
  have_forward_ = true;
}

namespace {
// acc += a b, one fused and correctly rounded operation (the madd of
// ListaNetwork's MPFR products, lista_impl.hpp)
inline void fma_into(mpfr_real& acc, const mpfr_real& a, const mpfr_real& b) {
  mpfr_fma(acc.backend().data(), a.backend().data(), b.backend().data(), acc.backend().data(), MPFR_RNDN);
}
}  // namespace

// ListaNetwork's forward pass for one column in real MPFR (lista_impl.hpp's
// forward_pass and product_add: the same fused operations in the same
// order, so the same bits), on the map's kept buffers.
template <class T>
void ListaMap<T>::forward_in_place(Vector<T>& out) {
  if constexpr (std::is_same_v<T, mpfr_real>) {
    using in_place_ops::set_zero;
    const Matrix<T>& As = net_.A_scaled();
    const std::vector<Matrix<T>>& W = net_.W();
    const Eigen::Index m = As.rows(), N = As.cols();
    if (in_place_ops::stale(x_) || acc_.precision() != mpfr_real::default_precision()) {  // another precision
      z_.clear();
      x_.resize(0);
      r_.resize(0);
      acc_ = T();
      minus_t_ = T();
    }
    z_.resize(W.size());
    set_zero(x_, N);
    for (std::size_t i = 0; i < W.size(); ++i) {
      r_ = y_;
      if (i > 0)  // r = y - As x, x's zero entries skipped
        for (Eigen::Index k = 0; k < N; ++k) {
          if (x_(k) == 0) continue;
          acc_ = x_(k);
          acc_ *= -1;
          for (Eigen::Index row = 0; row < m; ++row) fma_into(r_(row), As(row, k), acc_);
        }
      Matrix<T>& z = z_[i];
      z.resize(N, 1);
      for (Eigen::Index c = 0; c < N; ++c) {  // z = x + W_i^T r
        acc_ = 0;
        for (Eigen::Index k = 0; k < m; ++k) fma_into(acc_, W[i](k, c), r_(k));
        z(c, 0) = x_(c);
        z(c, 0) += acc_;
      }
      const T& t = net_.theta()[i];
      minus_t_ = t;
      minus_t_ *= -1;
      for (Eigen::Index c = 0; c < N; ++c) {  // x = soft(z)
        const T& zc = z(c, 0);
        x_(c) = zc;
        if (zc > t)
          x_(c) -= t;
        else if (zc < minus_t_)
          x_(c) += t;
        else
          x_(c) = 0;
      }
    }
    out = x_;
  }
}

template <class T>
void ListaMap<T>::backward(const Vector<T>& g, Vector<T>& g_y) {
  this->check_backward(have_forward_, g);
  const Matrix<T>& As = net_.A_scaled();
  const std::vector<Matrix<T>>& W = net_.W();
  gz_ = g;
  if constexpr (std::is_same_v<T, mpfr_real>) {  // in place, on kept numbers
    const Eigen::Index m = As.rows(), N = As.cols();
    in_place_ops::fresh_output(g_y, m);
    for (std::size_t i = W.size(); i-- > 0;) {
      const Real& t = net_.theta()[i];
      minus_t_ = t;
      minus_t_ *= -1;
      for (Eigen::Index k = 0; k < N; ++k) {
        const T& z = z_[i](k, 0);
        if (!(z > t || z < minus_t_)) gz_(k) = 0;  // at or inside the kink: derivative 0
      }
      in_place_ops::set_zero(gr_, m);  // gr = W_i gz, gz's zero entries skipped
      for (Eigen::Index k = 0; k < N; ++k) {
        if (gz_(k) == 0) continue;
        for (Eigen::Index row = 0; row < m; ++row) fma_into(gr_(row), W[i](row, k), gz_(k));
      }
      in_place_ops::add(g_y, gr_);
      if (i == 0) break;
      for (Eigen::Index c = 0; c < N; ++c) {  // gz -= As^T gr
        acc_ = 0;
        for (Eigen::Index row = 0; row < m; ++row) fma_into(acc_, As(row, c), gr_(row));
        gz_(c) -= acc_;
      }
    }
    return;
  }
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
