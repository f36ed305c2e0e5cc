// LearnedIstaMap: the learned unrolled ISTA network with a tape, and its
// reverse mode into the measurements and the parameters.
#include "barriers/solvers/stability/learned_ista.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include "barriers/solvers/imaging/noise.hpp"
#include "in_place_ops.hpp"

namespace barriers {

namespace {

using namespace in_place_ops;

// c = V^* y, out += U c (the linear term; rank r columns)
template <class T>
void linear_term(const Matrix<T>& U, const Matrix<T>& V, const Vector<T>& y, Vector<T>& c, Vector<T>& out) {
  if constexpr (in_place<T>) {
    c.resize(V.cols());
    for (Eigen::Index j = 0; j < V.cols(); ++j) inner_into(c(j), V.col(j), y);
    for (Eigen::Index j = 0; j < U.cols(); ++j) add_product(out, U.col(j), c(j));
  } else {
    c.noalias() = V.adjoint() * y;
    out.noalias() += U * c;
  }
}

// The reverse of linear_term for F = Re<g, out>: gc = U^* g, g_y += V gc,
// and when asked grad U = g c^*, grad V = y gc^*.
template <class T>
void linear_term_reverse(const Matrix<T>& U, const Matrix<T>& V, const Vector<T>& g, const Vector<T>& y,
                         const Vector<T>& c, Vector<T>& gc, Vector<T>& g_y, Matrix<T>* grad_U, Matrix<T>* grad_V) {
  if constexpr (in_place<T>) {
    gc.resize(U.cols());
    for (Eigen::Index j = 0; j < U.cols(); ++j) {
      inner_into(gc(j), U.col(j), g);
      add_product(g_y, V.col(j), gc(j));
    }
    if (grad_U) {  // outer products g c^*, y gc^*, entry by entry (Eigen's col *= s would copy s per entry)
      grad_U->resize(U.rows(), U.cols());
      grad_V->resize(V.rows(), V.cols());
      for (Eigen::Index j = 0; j < U.cols(); ++j) {
        for (Eigen::Index i = 0; i < U.rows(); ++i) product_into((*grad_U)(i, j), g(i), c(j), true);
        for (Eigen::Index i = 0; i < V.rows(); ++i) product_into((*grad_V)(i, j), y(i), gc(j), true);
      }
    }
  } else {
    gc.noalias() = U.adjoint() * g;
    g_y.noalias() += V * gc;
    if (grad_U) {
      grad_U->noalias() = g * c.adjoint();
      grad_V->noalias() = y * gc.adjoint();
    }
  }
}

}  // namespace

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
  set_params(params);
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
void LearnedIstaMap<T>::set_params(const LearnedIstaParams<T>& params) {
  check(params);
  p_ = params;
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
  if (stale(x_)) {  // built at another precision: rebuild every buffer at this one
    v_.clear();
    gk_.clear();
    for (Vector<T>* b : {&y_, &x_, &r_, &c_, &gx_, &gv_, &gc_, &am_, &an_}) b->resize(0);
  }
  if (v_.size() != K) {
    v_.assign(K, Vector<T>(N));
    gk_.assign(K, Vector<T>(N));
  }
  y_ = y;
  set_zero(x_, N);
  for (std::size_t k = 0; k < K; ++k) {
    A_->apply(x_, am_);
    r_ = y_;
    subtract(r_, am_);
    A_->apply_adjoint(r_, gk_[k]);
    Vector<T>& v = v_[k];
    set_sum_scaled(v, x_, gk_[k], p_.steps[k]);  // v = x + s_k g_k
    for (std::size_t l = 0; l + 1 < starts_.size(); ++l) {
      const Real& t = p_.thresholds[k](Eigen::Index(l));
      thread_local Real minus_t;  // -t without creating a number per comparison
      minus_t = t;
      minus_t *= -1;
      for (Eigen::Index i = starts_[l]; i < starts_[l + 1]; ++i) {
        if constexpr (number_traits<T>::is_complex && in_place<T>) {
          thread_local Real mod;
          soft_by_modulus_into(x_(i), v(i), t, mod);
        } else if constexpr (number_traits<T>::is_complex) {
          const Real mod = modulus(v(i));
          if (mod > t)
            x_(i) = v(i) * Real((mod - t) / mod);
          else
            x_(i) = T(0);
        } else {
          if (v(i) > t) {
            x_(i) = v(i);
            x_(i) -= t;
          } else if (v(i) < minus_t) {
            x_(i) = v(i);
            x_(i) += t;
          } else {
            x_(i) = 0;
          }
        }
      }
    }
  }
  out = x_;
  if (p_.U.cols() > 0) linear_term(p_.U, p_.V, y_, c_, out);
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
  fresh_output(g_y, m);
  if (p_.U.cols() > 0) {
    linear_term_reverse(p_.U, p_.V, g, y_, c_, gc_, g_y, grad ? &grad->U : nullptr, grad ? &grad->V : nullptr);
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
      thread_local Real minus_t;
      minus_t = t;
      minus_t *= -1;
      thread_local Real gt;
      gt = t;  // the threshold's precision
      gt = 0;
      for (Eigen::Index i = starts_[std::size_t(l)]; i < starts_[std::size_t(l) + 1]; ++i) {
        if constexpr (number_traits<T>::is_complex && in_place<T>) {
          thread_local Real mod, proj;
          modulus_into(mod, v(i));
          gv_(i) = gx_(i);
          if (mod > t) {
            soft_backward_complex(gv_(i), v(i), t, mod, proj);
            proj /= mod;
            gt -= proj;
          } else {
            Real* z = parts(gv_(i));
            z[0] = 0;
            z[1] = 0;
          }
        } else if constexpr (number_traits<T>::is_complex) {
          const Real mod = modulus(v(i));
          if (mod > t) {
            const Real proj = (std::conj(v(i)) * gx_(i)).real();  // Re(conj(v) g)
            gv_(i) = gx_(i) * Real(Real(1) - t / mod) + v(i) * Real(t * proj / (mod * mod * mod));
            gt -= proj / mod;
          } else {
            gv_(i) = 0;
          }
        } else {
          if (v(i) > t) {
            gv_(i) = gx_(i);
            gt -= gx_(i);
          } else if (v(i) < minus_t) {
            gv_(i) = gx_(i);
            gt += gx_(i);
          } else {
            gv_(i) = 0;
          }
        }
      }
      if (grad) grad->thresholds[k](l) = gt;
    }
    if (grad) real_inner_into(grad->steps[k], gv_, gk_[k]);
    A_->apply(gv_, am_);
    add_scaled(g_y, am_, p_.steps[k]);  // g_y += s_k A g_v
    if (k > 0) {  // x_0 = 0 is constant
      A_->apply_adjoint(am_, an_);
      set_diff_scaled(gx_, gv_, an_, p_.steps[k]);  // g_x = g_v - s_k A^* A g_v
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
