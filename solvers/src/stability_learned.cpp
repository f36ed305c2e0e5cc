// LearnedIstaMap: the learned unrolled ISTA network with a tape, and its
// reverse mode into the measurements and the parameters.
#include "barriers/solvers/stability/learned_ista.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>

#include "barriers/solvers/imaging/noise.hpp"

namespace barriers {

template <class T>
LearnedIstaParams<T> initial_learned_ista_params(const LinearOperator<T>& A, int layers, int levels,
                                                 const real_of<T>& threshold, int rank,
                                                 const real_of<T>& scale, std::uint64_t seed) {
  using Real = real_of<T>;
  using std::sqrt;
  if (layers < 1) throw std::invalid_argument("layers = " + std::to_string(layers) + "; it must be >= 1");
  if (levels < 1) throw std::invalid_argument("levels = " + std::to_string(levels) + "; it must be >= 1");
  if (rank < 0) throw std::invalid_argument("rank = " + std::to_string(rank) + "; it must be >= 0");
  if (!is_finite_scalar(threshold) || threshold < 0)
    throw std::invalid_argument("threshold must be finite and >= 0");
  if (!is_finite_scalar(scale) || scale < 0) throw std::invalid_argument("scale must be finite and >= 0");
  const Real L = A.norm_bound();
  LearnedIstaParams<T> p;
  p.steps.assign(std::size_t(layers), Real(1) / (L * L));
  p.thresholds.assign(std::size_t(layers), Vector<Real>::Constant(levels, threshold));
  const Eigen::Index N = A.cols(), m = A.rows();
  // Two streams from one seed (fixed odd mixes, so that U and V differ).
  const Vector<T> u = gaussian_vector<T>(N * rank, seed * 0x9E3779B97F4A7C15ull + 1);
  const Vector<T> v = gaussian_vector<T>(m * rank, seed * 0xBF58476D1CE4E5B9ull + 2);
  p.U = Eigen::Map<const Matrix<T>>(u.data(), N, rank) * T(scale / sqrt(Real(N)));
  p.V = Eigen::Map<const Matrix<T>>(v.data(), m, rank) * T(scale / sqrt(Real(m)));
  return p;
}

template <class T>
LearnedIstaMap<T>::LearnedIstaMap(OperatorPtr<T> A, std::vector<Eigen::Index> level_starts,
                                  LearnedIstaParams<T> params)
    : A_(std::move(A)), starts_(std::move(level_starts)) {
  if (!A_) throw std::invalid_argument("the learned network needs an operator A");
  const Eigen::Index N = A_->cols();
  if (starts_.size() < 2 || starts_.front() != 0 || starts_.back() != N)
    throw std::invalid_argument("level_starts must run from 0 to N = " + std::to_string(N) +
                                " with at least one level");
  for (std::size_t l = 1; l < starts_.size(); ++l)
    if (starts_[l] <= starts_[l - 1]) throw std::invalid_argument("level_starts must be increasing");
  set_params(std::move(params));
}

template <class T>
void LearnedIstaMap<T>::check(const LearnedIstaParams<T>& p) const {
  const std::size_t K = p.steps.size();
  const Eigen::Index levels = Eigen::Index(starts_.size()) - 1;
  if (K < 1) throw std::invalid_argument("the learned network needs at least one layer (steps is empty)");
  if (p.thresholds.size() != K)
    throw std::invalid_argument("thresholds has " + std::to_string(p.thresholds.size()) +
                                " layers; steps has " + std::to_string(K));
  for (std::size_t k = 0; k < K; ++k) {
    if (!is_finite_scalar(p.steps[k])) throw std::invalid_argument("step " + std::to_string(k) + " is not finite");
    if (p.thresholds[k].size() != levels)
      throw std::invalid_argument("layer " + std::to_string(k) + " has " + std::to_string(p.thresholds[k].size()) +
                                  " thresholds; there are " + std::to_string(levels) + " levels");
    for (Eigen::Index l = 0; l < levels; ++l)
      if (!is_finite_scalar(p.thresholds[k](l)) || p.thresholds[k](l) < 0)
        throw std::invalid_argument("threshold (" + std::to_string(k) + ", " + std::to_string(l) +
                                    ") must be finite and >= 0");
  }
  if (p.U.rows() != A_->cols() || p.V.rows() != A_->rows() || p.U.cols() != p.V.cols())
    throw std::invalid_argument("U must be N x r and V m x r with the same r");
  if (!all_finite(p.U) || !all_finite(p.V)) throw std::invalid_argument("U and V must be finite");
}

template <class T>
void LearnedIstaMap<T>::set_params(LearnedIstaParams<T> params) {
  check(params);
  p_ = std::move(params);
  have_forward_ = false;
}

template <class T>
void LearnedIstaMap<T>::forward(const Vector<T>& y, Vector<T>& out) {
  const Eigen::Index m = A_->rows(), N = A_->cols();
  if (y.size() != m)
    throw std::invalid_argument("y has " + std::to_string(y.size()) + " entries; the learned network takes m = " +
                                std::to_string(m) + ".");
  if (!all_finite(y)) throw std::invalid_argument("y has a NaN or infinite entry; every entry must be finite.");
  const std::size_t K = p_.steps.size();
  if (v_.size() != K) {
    v_.assign(K, Vector<T>(N));
    gk_.assign(K, Vector<T>(N));
  }
  y_ = y;
  x_.setZero(N);
  for (std::size_t k = 0; k < K; ++k) {
    A_->apply(x_, am_);
    r_ = y_ - am_;
    A_->apply_adjoint(r_, gk_[k]);
    Vector<T>& v = v_[k];
    v = x_ + gk_[k] * p_.steps[k];
    for (std::size_t l = 0; l + 1 < starts_.size(); ++l) {
      const Real& t = p_.thresholds[k](Eigen::Index(l));
      for (Eigen::Index i = starts_[l]; i < starts_[l + 1]; ++i) {
        if constexpr (number_traits<T>::is_complex) {
          const Real mod = modulus(v(i));
          if (mod > t)
            x_(i) = v(i) * Real((mod - t) / mod);
          else
            x_(i) = T(0);
        } else {
          if (v(i) > t)
            x_(i) = v(i) - t;
          else if (v(i) < -t)
            x_(i) = v(i) + t;
          else
            x_(i) = T(0);
        }
      }
    }
  }
  out = x_;
  if (p_.U.cols() > 0) {
    c_.noalias() = p_.V.adjoint() * y_;
    out.noalias() += p_.U * c_;
  }
  have_forward_ = true;
}

template <class T>
void LearnedIstaMap<T>::backward(const Vector<T>& g, Vector<T>& g_y) {
  reverse(g, nullptr, g_y);
}

template <class T>
void LearnedIstaMap<T>::backward_all(const Vector<T>& g, LearnedIstaParams<T>& grad, Vector<T>& g_y) {
  reverse(g, &grad, g_y);
}

template <class T>
void LearnedIstaMap<T>::reverse(const Vector<T>& g, LearnedIstaParams<T>* grad, Vector<T>& g_y) {
  this->check_backward(have_forward_, g);
  const Eigen::Index m = A_->rows(), N = A_->cols();
  const std::size_t K = p_.steps.size();
  const Eigen::Index levels = Eigen::Index(starts_.size()) - 1;
  if (grad) {
    grad->steps.resize(K);
    grad->thresholds.resize(K);
    for (auto& t : grad->thresholds) t.resize(levels);
  }
  g_y.resize(m);
  g_y.setZero();
  if (p_.U.cols() > 0) {
    gc_.noalias() = p_.U.adjoint() * g;
    g_y.noalias() += p_.V * gc_;
    if (grad) {
      grad->U.noalias() = g * c_.adjoint();
      grad->V.noalias() = y_ * gc_.adjoint();
    }
  } else if (grad) {
    grad->U.resize(N, 0);
    grad->V.resize(m, 0);
  }
  gx_ = g;
  for (std::size_t k = K; k-- > 0;) {
    const Vector<T>& v = v_[k];
    gv_.resize(N);
    for (Eigen::Index l = 0; l < levels; ++l) {
      const Real& t = p_.thresholds[k](l);
      Real gt(0);
      for (Eigen::Index i = starts_[std::size_t(l)]; i < starts_[std::size_t(l) + 1]; ++i) {
        if constexpr (number_traits<T>::is_complex) {
          const Real mod = modulus(v(i));
          if (mod > t) {
            const Real proj = (std::conj(v(i)) * gx_(i)).real();  // Re(conj(v) g)
            gv_(i) = gx_(i) * Real(Real(1) - t / mod) + v(i) * Real(t * proj / (mod * mod * mod));
            gt -= proj / mod;
          } else {
            gv_(i) = T(0);
          }
        } else {
          if (v(i) > t) {
            gv_(i) = gx_(i);
            gt -= gx_(i);
          } else if (v(i) < -t) {
            gv_(i) = gx_(i);
            gt += gx_(i);
          } else {
            gv_(i) = T(0);
          }
        }
      }
      if (grad) grad->thresholds[k](l) = gt;
    }
    if (grad) grad->steps[k] = real_inner(gv_, gk_[k]);
    A_->apply(gv_, am_);
    g_y += am_ * p_.steps[k];
    if (k > 0) {  // x_0 = 0 is constant
      A_->apply_adjoint(am_, an_);
      gx_ = gv_ - an_ * p_.steps[k];
    }
  }
}

template <class T>
real_of<T> learned_lipschitz_bound(const LearnedIstaMap<T>& map) {
  using Real = real_of<T>;
  using std::abs;
  const Real L = map.op().norm_bound(), L2 = L * L;
  const LearnedIstaParams<T>& p = map.params();
  Real lip(0);
  for (const Real& s : p.steps) {
    const Real a = s >= 0 ? std::max(Real(1), Real(abs(Real(Real(1) - s * L2)))) : Real(Real(1) + abs(s) * L2);
    lip = a * lip + abs(s) * L;
  }
  return lip + Real(p.U.norm()) * Real(p.V.norm());
}

#define BARRIERS_X(T)                                                                                        \
  template real_of<T> learned_lipschitz_bound<T>(const LearnedIstaMap<T>&);                                  \
  template struct LearnedIstaParams<T>;                                                                      \
  template LearnedIstaParams<T> initial_learned_ista_params<T>(const LinearOperator<T>&, int, int,          \
                                                               const real_of<T>&, int, const real_of<T>&,    \
                                                               std::uint64_t);                               \
  template class LearnedIstaMap<T>;
BARRIERS_FOR_EACH_SCALAR(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
