// ListaMap: LISTA's forward pass re-evaluated with a tape, and its reverse
// mode. The forward mirrors lista_impl.hpp operation for operation (the
// tests hold it to bitwise equality with ListaNetwork::forward).
#include "barriers/solvers/stability/lista_gradient.hpp"

#include <mpfr.h>
#include <quadmath.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <type_traits>

namespace barriers {

namespace {

// As ListaNetwork's kernels: C += op(A) B or C -= A B (op = transpose when
// tA). Builtin types through Eigen's products, the Boost types by loops with
// an in-place multiply-add (MPFR: fused), zero b skipped in the axpy form.
template <class R>
inline void madd(R& acc, const R& a, const R& b) {
  if constexpr (std::is_same_v<R, mpfr_real>)
    mpfr_fma(acc.backend().data(), a.backend().data(), b.backend().data(), acc.backend().data(), MPFR_RNDN);
  else
    acc += a * b;
}

template <class R>
void product_add(Matrix<R>& C, const Matrix<R>& A, bool tA, const Matrix<R>& B, bool subtract) {
  if constexpr (std::is_floating_point_v<R>) {
    if (!tA) {
      if (subtract) C.noalias() -= A * B; else C.noalias() += A * B;
    } else {
      if (subtract) C.noalias() -= A.transpose() * B; else C.noalias() += A.transpose() * B;
    }
  } else {
    const Eigen::Index rows = C.rows(), cols = C.cols();
    if (tA) {
      R acc;
      for (Eigen::Index j = 0; j < cols; ++j)
        for (Eigen::Index i = 0; i < rows; ++i) {
          acc = R(0);
          for (Eigen::Index k = 0; k < A.rows(); ++k) madd(acc, A(k, i), B(k, j));
          if (subtract) C(i, j) -= acc; else C(i, j) += acc;
        }
      return;
    }
    R b;
    for (Eigen::Index j = 0; j < cols; ++j)
      for (Eigen::Index k = 0; k < A.cols(); ++k) {
        const R& bkj = B(k, j);
        if (bkj == 0) continue;
        b = subtract ? R(-bkj) : bkj;
        for (Eigen::Index i = 0; i < rows; ++i) madd(C(i, j), A(i, k), b);
      }
  }
}

template <class R>
R soft(const R& z, const R& t) {
  if (z > t) return z - t;
  if (z < -t) return z + t;
  return R(0);
}

template <class R>
R modulus_of(const R& re, const R& im) {
  using std::abs;
  if (im == 0) return abs(re);
  if (re == 0) return abs(im);
  if constexpr (std::is_same_v<R, mpfr_real>) {
    R out;
    mpfr_hypot(out.backend().data(), re.backend().data(), im.backend().data(), MPFR_RNDN);
    return out;
  } else if constexpr (std::is_same_v<R, float128>) {
    return R(hypotq(re.backend().value(), im.backend().value()));
  } else {
    return std::hypot(re, im);
  }
}

template <class R>
void soft_complex(const R& zr, const R& zi, const R& t, R& xr, R& xi) {
  const R m = modulus_of(zr, zi);
  if (!(m > t)) {
    xr = R(0);
    xi = R(0);
    return;
  }
  const R shrunk = m - t;
  xr = zr / m * shrunk;
  xi = zi / m * shrunk;
}

// Complex C += op(A) op(B) as four real products, in the network's order
// (op = conjugate transpose when hA).
template <class R>
void parts_product_add(Matrix<R>& Cr, Matrix<R>& Ci, const Matrix<R>& Ar, const Matrix<R>& Ai, bool hA,
                       const Matrix<R>& Br, const Matrix<R>& Bi, bool subtract) {
  product_add(Cr, Ar, hA, Br, subtract);
  product_add(Cr, Ai, hA, Bi, subtract != !hA);
  product_add(Ci, Ar, hA, Bi, subtract);
  product_add(Ci, Ai, hA, Br, subtract != hA);
}

}  // namespace

template <class T>
ListaMap<T>::ListaMap(const ListaNetwork<T>& net) : W_(net.W()), theta_(net.theta()) {
  // A / (10 a_norm) rounded as the network rounds it (complex: each part
  // divided by the real number on its own).
  const Real s = Real(10) * net.a_norm();
  if constexpr (number_traits<T>::is_complex) {
    const Matrix<T>& A = net.A();
    A_scaled_.resize(A.rows(), A.cols());
    for (Eigen::Index j = 0; j < A.cols(); ++j)
      for (Eigen::Index i = 0; i < A.rows(); ++i)
        A_scaled_(i, j) = T(Real(A(i, j).real() / s), Real(A(i, j).imag() / s));
    As_re_ = A_scaled_.real();
    As_im_ = A_scaled_.imag();
    for (const auto& W : W_) {
      W_re_.push_back(W.real());
      W_im_.push_back(W.imag());
    }
  } else {
    A_scaled_ = net.A() / (T(10) * net.a_norm());
  }
  z_.assign(W_.size(), Matrix<T>(A_scaled_.cols(), 1));
}

template <class T>
void ListaMap<T>::forward(const Vector<T>& y, Vector<T>& out) {
  const Eigen::Index m = A_scaled_.rows(), N = A_scaled_.cols();
  if (y.size() != m)
    throw std::invalid_argument("y has " + std::to_string(y.size()) + " entries; the LISTA network takes m = " +
                                std::to_string(m) + ".");
  if (!all_finite(y)) throw std::invalid_argument("y has a NaN or infinite entry; every entry must be finite.");
  const std::size_t L = W_.size();
  if constexpr (number_traits<T>::is_complex) {
    yr_ = y.real();
    yi_ = y.imag();
    xr_.setZero(N, 1);
    xi_.setZero(N, 1);
    for (std::size_t i = 0; i < L; ++i) {
      rr_ = yr_;
      ri_ = yi_;
      parts_product_add(rr_, ri_, As_re_, As_im_, false, xr_, xi_, true);  // r = y - As x
      zr_ = xr_;
      zi_ = xi_;
      parts_product_add(zr_, zi_, W_re_[i], W_im_[i], true, rr_, ri_, false);  // z = x + W_i^H r
      for (Eigen::Index k = 0; k < N; ++k) {
        soft_complex(zr_(k, 0), zi_(k, 0), theta_[i], xr_(k, 0), xi_(k, 0));
        z_[i](k, 0) = T(zr_(k, 0), zi_(k, 0));
      }
    }
    out.resize(N);
    for (Eigen::Index k = 0; k < N; ++k) out(k) = T(xr_(k, 0), xi_(k, 0));
  } else if constexpr (std::is_same_v<T, double>) {
    // The network's double path holds samples as rows: r = y - x As^T, z = x + r W_i.
    row_y_ = y.transpose();
    for (std::size_t i = 0; i < L; ++i) {
      Matrix<T>& z = row_z_;
      if (i == 0) {
        z.noalias() = row_y_ * W_[0];
      } else {
        row_r_ = row_y_;
        row_r_.noalias() -= z * A_scaled_.transpose();
        z.noalias() += row_r_ * W_[i];
      }
      z_[i] = z.transpose();
      z.array() = (z.array() - theta_[i]).cwiseMax(T(0)) + (z.array() + theta_[i]).cwiseMin(T(0));
    }
    out = row_z_.transpose();
  } else {
    x_.setZero(N, 1);
    for (std::size_t i = 0; i < L; ++i) {
      r_ = y;
      if (i > 0) product_add(r_, A_scaled_, false, x_, true);  // r = y - As x
      Matrix<T>& z = z_[i];
      z = x_;
      product_add(z, W_[i], true, r_, false);  // z = x + W_i^T r
      for (Eigen::Index k = 0; k < N; ++k) x_(k, 0) = soft(z(k, 0), theta_[i]);
    }
    out = x_.col(0);
  }
  have_forward_ = true;
}

template <class T>
void ListaMap<T>::backward(const Vector<T>& g, Vector<T>& g_y) {
  if (!have_forward_) throw std::logic_error("ListaMap::backward needs a forward pass first.");
  if (g.size() != A_scaled_.cols())
    throw std::invalid_argument("the output gradient has " + std::to_string(g.size()) + " entries; it needs N = " +
                                std::to_string(A_scaled_.cols()) + ".");
  gz_ = g;
  g_y.setZero(A_scaled_.rows());
  for (std::size_t i = W_.size(); i-- > 0;) {
    const Real& t = theta_[i];
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
    gr_.noalias() = W_[i] * gz_;  // z = x + W_i^H r: d/dr = W_i d/dz
    g_y += gr_;
    if (i == 0) break;
    gm_.noalias() = A_scaled_.adjoint() * gr_;  // r = y - As x
    gz_ -= gm_;
  }
}

#define BARRIERS_X(T) template class ListaMap<T>;
BARRIERS_FOR_EACH_SCALAR(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
