// ListaMap: LISTA's forward pass with a tape (the network's own forward,
// ListaNetwork::forward(Y, Z)), and its reverse mode.
#include "barriers/solvers/stability/lista_gradient.hpp"

#include <array>
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
  if constexpr (in_place_ops::in_place<T>)
    forward_in_place(out);
  else
    out = net_.forward(y_, z_).col(0);
  have_forward_ = true;
}

namespace {
template <class R>
using Parts = std::array<Matrix<R>, 2>;

// acc += a b, one fused and correctly rounded operation (the madd of
// ListaNetwork's MPFR products, lista_impl.hpp)
inline void fma_into(mpfr_real& acc, const mpfr_real& a, const mpfr_real& b) {
  mpfr_fma(acc.backend().data(), a.backend().data(), b.backend().data(), acc.backend().data(), MPFR_RNDN);
}

// lista_impl.hpp's product_add for one column, MPFR, op(A) = A:
// c += A b (subtract: c -= A b), column by column, b's zero entries skipped.
// neg: a kept number.
inline void axpy_columns(mpfr_real* c, const Matrix<mpfr_real>& A, const mpfr_real* b, bool subtract,
                         mpfr_real& neg) {
  for (Eigen::Index k = 0; k < A.cols(); ++k) {
    if (b[k] == 0) continue;
    neg = b[k];
    if (subtract) neg *= -1;
    for (Eigen::Index row = 0; row < A.rows(); ++row) fma_into(c[row], A(row, k), neg);
  }
}

// The same with op(A) = A^T: c_i += A.col(i) . b (subtract: -=), each dot
// summed by fused operations from zero.
inline void dot_columns(mpfr_real* c, const Matrix<mpfr_real>& A, const mpfr_real* b, bool subtract,
                        mpfr_real& acc) {
  for (Eigen::Index i = 0; i < A.cols(); ++i) {
    acc = 0;
    for (Eigen::Index k = 0; k < A.rows(); ++k) fma_into(acc, A(k, i), b[k]);
    if (subtract)
      c[i] -= acc;
    else
      c[i] += acc;
  }
}

// The parts of column 0 of y as two vectors of reals.
template <class R>
void split(const Matrix<std::complex<R>>& y, Vector<R>& re, Vector<R>& im) {
  re.resize(y.rows());
  im.resize(y.rows());
  for (Eigen::Index k = 0; k < y.rows(); ++k) {
    re(k) = in_place_ops::parts(y(k, 0))[0];
    im(k) = in_place_ops::parts(y(k, 0))[1];
  }
}

// |re + i im| as lista_impl.hpp's modulus_of computes it: exact when a part
// is zero, else mpfr_modulus; on kept numbers.
inline void lista_modulus_into(mpfr_real& out, const mpfr_real& re, const mpfr_real& im) {
  if (im == 0 || re == 0) {
    out = im == 0 ? re : im;
    if (out < 0) out *= -1;
    return;
  }
  thread_local mpfr_real scratch;
  out = re;  // re's precision
  scratch = re;
  mpfr_modulus(out.backend().data(), re.backend().data(), im.backend().data(), scratch.backend().data());
}

template <class T>
bool is_zero_entry(const T& x) {
  for (int c = 0; c < in_place_ops::width<T>; ++c)
    if (!(in_place_ops::parts(x)[c] == 0)) return false;
  return true;
}
}  // namespace

// ListaNetwork's forward pass for one column in MPFR, real or complex
// (lista_impl.hpp's forward_pass and product_add, for complex networks on
// separate real and imaginary parts: the same fused operations in the same
// order, so the same bits), on the map's kept buffers.
template <class T>
void ListaMap<T>::forward_in_place(Vector<T>& out) {
  if constexpr (in_place_ops::in_place<T>) {
    constexpr bool cplx = number_traits<T>::is_complex;
    const Matrix<T>& As = net_.A_scaled();
    const std::vector<Matrix<T>>& W = net_.W();
    const Eigen::Index m = As.rows(), N = As.cols();
    if (in_place_ops::stale(xr_) || acc_.precision() != mpfr_real::default_precision()) {  // another precision
      z_.clear();
      for (Vector<Real>* v : {&xr_, &xi_, &rr_, &ri_, &zr_, &zi_}) v->resize(0);
      acc_ = Real();
      minus_t_ = Real();
      mod_ = Real();
    }
    if constexpr (cplx) {
      if (w_parts_.size() != W.size() || w_parts_[0][0](0, 0).precision() != mpfr_real::default_precision()) {
        // the parts, made once per precision
        w_parts_.clear();
        for (const Matrix<T>& w : W) w_parts_.push_back({w.real(), w.imag()});
        as_parts_ = {As.real(), As.imag()};
      }
    }
    z_.resize(W.size());
    for (Vector<Real>* v : {&xr_, &xi_}) in_place_ops::set_zero(*v, N);
    if constexpr (cplx) split(y_, yr_, yi_);
    for (std::size_t i = 0; i < W.size(); ++i) {
      const Real& t = net_.theta()[i];
      Matrix<T>& z = z_[i];
      z.resize(N, 1);
      if constexpr (!cplx) {
        rr_ = y_.col(0);
        if (i > 0) axpy_columns(rr_.data(), As, xr_.data(), true, acc_);  // r = y - As x
        zr_ = xr_;
        dot_columns(zr_.data(), W[i], rr_.data(), false, acc_);  // z = x + W_i^T r
        minus_t_ = t;
        minus_t_ *= -1;
        for (Eigen::Index c = 0; c < N; ++c) {  // x = soft(z)
          const Real& zc = zr_(c);
          z(c, 0) = zc;
          xr_(c) = zc;
          if (zc > t)
            xr_(c) -= t;
          else if (zc < minus_t_)
            xr_(c) += t;
          else
            xr_(c) = 0;
        }
      } else {
        const Parts<Real>& Ap = as_parts_;
        const Parts<Real>& Wp = w_parts_[i];
        rr_ = yr_;  // r = y - As x: re -= Ar xr, += Ai xi; im -= Ar xi, -= Ai xr
        ri_ = yi_;
        if (i > 0) {
          axpy_columns(rr_.data(), Ap[0], xr_.data(), true, acc_);
          axpy_columns(rr_.data(), Ap[1], xi_.data(), false, acc_);
          axpy_columns(ri_.data(), Ap[0], xi_.data(), true, acc_);
          axpy_columns(ri_.data(), Ap[1], xr_.data(), true, acc_);
        }
        zr_ = xr_;  // z = x + W^H r: re += Wr^T rr + Wi^T ri; im += Wr^T ri - Wi^T rr
        zi_ = xi_;
        dot_columns(zr_.data(), Wp[0], rr_.data(), false, acc_);
        dot_columns(zr_.data(), Wp[1], ri_.data(), false, acc_);
        dot_columns(zi_.data(), Wp[0], ri_.data(), false, acc_);
        dot_columns(zi_.data(), Wp[1], rr_.data(), true, acc_);
        for (Eigen::Index c = 0; c < N; ++c) {  // x = soft(z): (z / |z|) (|z| - t)
          Real* zp = in_place_ops::parts(z(c, 0));
          zp[0] = zr_(c);
          zp[1] = zi_(c);
          lista_modulus_into(mod_, zr_(c), zi_(c));
          if (!(mod_ > t)) {
            xr_(c) = 0;
            xi_(c) = 0;
            continue;
          }
          minus_t_ = mod_;  // the shrunk modulus |z| - t
          minus_t_ -= t;
          xr_(c) = zr_(c);
          xr_(c) /= mod_;
          xr_(c) *= minus_t_;
          xi_(c) = zi_(c);
          xi_(c) /= mod_;
          xi_(c) *= minus_t_;
        }
      }
    }
    out.resize(N);
    for (Eigen::Index c = 0; c < N; ++c) {
      Real* o = in_place_ops::parts(out(c));
      o[0] = xr_(c);
      if constexpr (cplx) o[1] = xi_(c);
    }
  }
}

template <class T>
void ListaMap<T>::backward(const Vector<T>& g, Vector<T>& g_y) {
  this->check_backward(have_forward_, g);
  const Matrix<T>& As = net_.A_scaled();
  const std::vector<Matrix<T>>& W = net_.W();
  gz_ = g;
  if constexpr (in_place_ops::in_place<T>) {  // in place, on kept numbers
    using namespace in_place_ops;
    const Eigen::Index m = As.rows(), N = As.cols();
    fresh_output(g_y, m);
    for (std::size_t i = W.size(); i-- > 0;) {
      const Real& t = net_.theta()[i];
      for (Eigen::Index k = 0; k < N; ++k) {  // through the soft threshold
        const T& z = z_[i](k, 0);
        if constexpr (number_traits<T>::is_complex)
          lista_modulus_into(mod_, parts(z)[0], parts(z)[1]);  // the forward pass's modulus
        else
          modulus_into(mod_, z);
        if (!(mod_ > t)) {
          for (int c = 0; c < width<T>; ++c) parts(gz_(k))[c] = 0;  // at or inside the kink: derivative 0
        } else if constexpr (number_traits<T>::is_complex) {
          soft_backward_complex(gz_(k), z, t, mod_, acc_);
        }
      }
      set_zero(gr_, m);  // gr = W_i gz, gz's zero entries skipped
      for (Eigen::Index k = 0; k < N; ++k) {
        if (is_zero_entry(gz_(k))) continue;
        add_product(gr_, W[i].col(k), gz_(k));
      }
      add(g_y, gr_);
      if (i == 0) break;
      for (Eigen::Index c = 0; c < N; ++c) {  // gz -= As^H gr
        inner_into(acc_t_, As.col(c), gr_);
        for (int p = 0; p < width<T>; ++p) parts(gz_(c))[p] -= parts(acc_t_)[p];
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
