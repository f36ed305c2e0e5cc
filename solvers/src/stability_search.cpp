// The attack objective, the worst-case perturbation search and FIRENET's
// stability bound.
#include <cmath>
#include <random>
#include <stdexcept>
#include <string>

#include "barriers/solvers/stability/firenet_stability_bound.hpp"
#include "barriers/solvers/stability/perturbation_search.hpp"

namespace barriers {

// ---------------------------------------------------------------- loss

template <class T>
PerturbationLoss<T>::PerturbationLoss(ReconstructionMap<T>& phi, OperatorPtr<T> B, Vector<T> y)
    : phi_(phi), B_(std::move(B)), y_(std::move(y)) {
  if (y_.size() != phi_.input_size())
    throw std::invalid_argument("y has " + std::to_string(y_.size()) + " entries; the map takes " +
                                std::to_string(phi_.input_size()) + ".");
  if (B_ && B_->rows() != phi_.input_size())
    throw std::invalid_argument("the perturbation operator has " + std::to_string(B_->rows()) +
                                " rows; the map takes " + std::to_string(phi_.input_size()) + " measurements.");
  phi_.forward(y_, base_);
}

template <class T>
Eigen::Index PerturbationLoss<T>::perturbation_size() const {
  return B_ ? B_->cols() : y_.size();
}

template <class T>
typename PerturbationLoss<T>::Value PerturbationLoss<T>::evaluate(const Vector<T>& r, Vector<T>* grad) {
  if (r.size() != perturbation_size())
    throw std::invalid_argument("the perturbation has " + std::to_string(r.size()) + " entries; it needs " +
                                std::to_string(perturbation_size()) + ".");
  if (B_)
    B_->apply(r, e_);
  else
    e_ = r;
  ye_ = y_ + e_;
  phi_.forward(ye_, out_);
  diff_ = out_ - base_;
  Value v;
  v.loss = diff_.squaredNorm();
  using std::sqrt;
  v.change_norm = sqrt(v.loss);
  v.e_norm = e_.norm();
  if (grad) {
    diff_ *= Real(2);
    phi_.backward(diff_, ge_);
    if (B_)
      B_->apply_adjoint(ge_, *grad);
    else
      *grad = ge_;
  }
  return v;
}

// ---------------------------------------------------------------- search

namespace {

// N(0, 1) by Box-Muller from 53-bit uniforms of the raw engine output (no
// std::normal_distribution, which differs between standard libraries).
double gaussian(std::mt19937_64& rng) {
  const double u1 = (double(rng() >> 11) + 0.5) * 0x1p-53;
  const double u2 = double(rng() >> 11) * 0x1p-53;
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2 * M_PI * u2);
}

template <class T>
void random_direction(std::mt19937_64& rng, Vector<T>& r) {
  using Real = real_of<T>;
  for (Eigen::Index i = 0; i < r.size(); ++i) {
    if constexpr (number_traits<T>::is_complex)
      r(i) = T(Real(gaussian(rng)), Real(gaussian(rng)));
    else
      r(i) = T(gaussian(rng));
  }
}

// Adam's second moment, entrywise: |g|^2 per real part (complex entries:
// real and imaginary parts are two parameters, as in LISTA's training).
template <class T>
T squares(const T& g) {
  if constexpr (number_traits<T>::is_complex)
    return T(g.real() * g.real(), g.imag() * g.imag());
  else
    return g * g;
}

template <class T>
T adam_direction(const T& m, const T& v, const real_of<T>& c1, const real_of<T>& c2, const real_of<T>& eps) {
  using std::sqrt;
  if constexpr (number_traits<T>::is_complex) {
    using R = real_of<T>;
    return T(R(m.real() / c1 / (sqrt(v.real() / c2) + eps)), R(m.imag() / c1 / (sqrt(v.imag() / c2) + eps)));
  } else {
    return m / c1 / (sqrt(v / c2) + eps);
  }
}

template <class T>
void project_to_ball(Vector<T>& r, const real_of<T>& b) {
  const real_of<T> n = r.norm();
  if (n > b) r *= b / n;
}

}  // namespace

template <class T>
PerturbationSearchResult<T> perturbation_search(PerturbationLoss<T>& loss, const PerturbationSearchSettings<T>& s) {
  using Real = real_of<T>;
  if (s.budgets.empty()) throw std::invalid_argument("the perturbation search needs at least one budget.");
  for (const Real& b : s.budgets)
    if (!(b > 0) || !is_finite_scalar(b))
      throw std::invalid_argument("a perturbation budget is not a finite positive number; every ||r|| budget must be > 0.");
  if (!(s.mu >= 0) || !is_finite_scalar(s.mu)) throw std::invalid_argument("mu must be finite and >= 0.");
  if (!(s.learning_rate > 0) || !is_finite_scalar(s.learning_rate))
    throw std::invalid_argument("the learning rate must be finite and > 0.");
  if (!(s.momentum >= 0 && s.momentum < 1)) throw std::invalid_argument("the momentum must be in [0, 1).");
  if (!(s.beta2 >= 0 && s.beta2 < 1)) throw std::invalid_argument("Adam's beta2 must be in [0, 1).");
  if (s.iterations < 1) throw std::invalid_argument("the search needs at least 1 iteration per start.");
  if (s.restarts < 1) throw std::invalid_argument("the search needs at least 1 start per budget.");
  if (!(s.start_fraction > 0 && s.start_fraction <= 1))
    throw std::invalid_argument("the start fraction must be in (0, 1].");

  const Eigen::Index n = loss.perturbation_size();
  PerturbationSearchResult<T> res;
  res.max_ratio_e = Real(0);
  res.max_ratio_r = Real(0);
  Vector<T> r(n), g(n), vel(n), sq(n);
  std::mt19937_64 rng(s.seed);
  const Real adam_eps = sqrt(number_traits<Real>::epsilon());  // guard only: the gradient has norm 1
  for (std::size_t bi = 0; bi < s.budgets.size(); ++bi) {
    const Real& b = s.budgets[bi];
    const Real step = s.learning_rate * b;
    PerturbationPoint<T> best;
    bool have_best = false;
    Vector<T> best_r;
    for (int start = 0; start < s.restarts; ++start) {
      random_direction(rng, r);
      const Real rn = r.norm();
      r *= s.start_fraction * b / rn;
      vel.setZero();
      sq.setZero();
      Real p1(1), p2(1);
      for (int it = 0; it <= s.iterations; ++it) {
        const bool last = it == s.iterations;
        const auto v = loss.evaluate(r, last ? nullptr : &g);
        ++res.evaluations;
        PerturbationPoint<T> pt;
        pt.budget = b;
        pt.r_norm = r.norm();
        pt.e_norm = v.e_norm;
        pt.change_norm = v.change_norm;
        pt.objective = v.loss - s.mu * pt.r_norm * pt.r_norm;
        pt.restart = start;
        if (v.e_norm > 0 && v.change_norm / v.e_norm > res.max_ratio_e) {
          res.max_ratio_e = v.change_norm / v.e_norm;
          res.worst = pt;
          res.worst_r = r;
        }
        if (pt.r_norm > 0 && v.change_norm / pt.r_norm > res.max_ratio_r) res.max_ratio_r = v.change_norm / pt.r_norm;
        if (!have_best || pt.objective > best.objective) {
          best = pt;
          best_r = r;
          have_best = true;
        }
        if (last) break;
        g -= r * (Real(2) * s.mu);
        const Real gn = g.norm();
        if (!(gn > 0) || !is_finite_scalar(gn)) break;  // stationary (or broken): this start is done
        g /= gn;
        if (s.method == AscentMethod::momentum) {
          vel = vel * s.momentum + g;
          r += vel * step;
        } else {
          p1 *= s.momentum;
          p2 *= s.beta2;
          vel = vel * s.momentum + g * (Real(1) - s.momentum);
          for (Eigen::Index i = 0; i < n; ++i) {
            sq(i) = sq(i) * s.beta2 + squares(g(i)) * (Real(1) - s.beta2);
            r(i) += adam_direction(vel(i), sq(i), Real(1) - p1, Real(1) - p2, adam_eps) * step;
          }
        }
        project_to_ball(r, b);
      }
    }
    res.curve.push_back(best);
    res.curve_r.push_back(best_r);
  }
  return res;
}

// ---------------------------------------------------------------- FIRENET bound

template <class R>
SharpnessConstants<R> full_column_rank_sharpness(const R& s_min, const R& lambda, const Vector<R>& weights,
                                                 Eigen::Index N) {
  using std::sqrt;
  const R wnorm = weights.size() == 0 ? R(sqrt(R(N))) : R(weights.norm());
  const R kappa = s_min - lambda * wnorm;
  if (!(kappa > 0))
    throw std::invalid_argument("s_min - lambda ||w||_2 is not positive; the full-column-rank sharpness bound "
                                "needs lambda < s_min / ||w||_2.");
  return {R(1) / kappa, R(2) / kappa};
}

template <class T>
real_of<T> firenet_error_bound(const detail::FirenetPlan<T>& plan, const SharpnessConstants<real_of<T>>& c,
                               const Vector<T>& y, const real_of<T>& x_norm, const real_of<T>& residual) {
  using Real = real_of<T>;
  const std::vector<Real> alphas = detail::firenet_alphas(plan, detail::firenet_eps0(plan, y));
  const Real p(plan.inner);
  Real d = x_norm;
  for (const Real& alpha : alphas)
    d = c.C1 * (alpha * d * d / (p * plan.tau) + Real(1) / (alpha * p * plan.sigma)) + c.C2 * residual;
  return d;
}

template <class T>
real_of<T> firenet_stability_bound(const LinearOperator<T>& A, const detail::FirenetPlan<T>& plan,
                                   const SharpnessConstants<real_of<T>>& c, const Vector<T>& x,
                                   const Vector<T>& y, const Vector<T>& e) {
  const Vector<T> res = A.forward(x) - y;
  const real_of<T> xn = x.norm(), rn = res.norm();
  const Vector<T> ye = y + e;
  return firenet_error_bound(plan, c, ye, xn, real_of<T>(rn + e.norm())) + firenet_error_bound(plan, c, y, xn, rn);
}

#define BARRIERS_X(T)                                                                                             \
  template class PerturbationLoss<T>;                                                                            \
  template PerturbationSearchResult<T> perturbation_search<T>(PerturbationLoss<T>&,                              \
                                                              const PerturbationSearchSettings<T>&);             \
  template real_of<T> firenet_error_bound<T>(const detail::FirenetPlan<T>&, const SharpnessConstants<real_of<T>>&, \
                                             const Vector<T>&, const real_of<T>&, const real_of<T>&);             \
  template real_of<T> firenet_stability_bound<T>(const LinearOperator<T>&, const detail::FirenetPlan<T>&,         \
                                                 const SharpnessConstants<real_of<T>>&, const Vector<T>&,         \
                                                 const Vector<T>&, const Vector<T>&);
BARRIERS_FOR_EACH_SCALAR(BARRIERS_X)
#undef BARRIERS_X
#define BARRIERS_X(R) \
  template SharpnessConstants<R> full_column_rank_sharpness<R>(const R&, const R&, const Vector<R>&, Eigen::Index);
BARRIERS_FOR_EACH_REAL(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
