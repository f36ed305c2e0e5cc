// The attack objective, the worst-case perturbation search and FIRENET's
// stability bound.
#include <cmath>
#include <random>
#include <stdexcept>
#include <string>

#include "barriers/solvers/stability/firenet_stability_bound.hpp"
#include "barriers/solvers/stability/perturbation_search.hpp"
#include "in_place_ops.hpp"

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
const typename PerturbationLoss<T>::Value& PerturbationLoss<T>::evaluate_into(const Vector<T>& r, Vector<T>* grad) {
  using namespace in_place_ops;
  if (r.size() != perturbation_size())
    throw std::invalid_argument("the perturbation has " + std::to_string(r.size()) + " entries; it needs " +
                                std::to_string(perturbation_size()) + ".");
  if (B_)
    B_->apply(r, e_);
  else
    e_ = r;
  set_sum(ye_, y_, e_);
  phi_.forward(ye_, out_);
  set_difference(diff_, out_, base_);
  Value& v = value_;
  squared_norm_into(v.loss, diff_);
  v.change_norm = v.loss;
  sqrt_in_place(v.change_norm);
  norm_into(v.e_norm, e_);
  if (grad) {
    scale(diff_, two_);
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
      r(i) = gaussian(rng);  // assigned into r's number (T(...) would create one)
  }
}

// One ascent step on r from the normalised gradient g: momentum
//   vel = m vel + g,  r += step vel
// or Adam (bias corrections c1, c2; complex entries: real and imaginary
// parts are two parameters, as in LISTA's training)
//   vel = m vel + (1 - m) g,  sq = b2 sq + (|g|^2 per part)(1 - b2),
//   r += step vel / c1 / (sqrt(sq / c2) + eps).
// Real MPFR in place on kept temporaries (no number created), each entry
// rounded as those expressions; the other types as written.
template <class R>
struct AscentConstants {
  R one_minus_m, one_minus_b2, eps;  // per search
  R step;                            // per budget
  in_place_ops::AdamBias<R> bias;   // per iteration
};

template <class T>
void ascent_step(AscentMethod method, const Vector<T>& g, Vector<T>& r, Vector<T>& vel, Vector<T>& sq,
                 const PerturbationSearchSettings<T>& s, const AscentConstants<real_of<T>>& k) {
  using Real = real_of<T>;
  using in_place_ops::in_place;
  const Real &step = k.step, &c1 = k.bias.c1, &c2 = k.bias.c2, &eps = k.eps;
  if constexpr (in_place<T>) {  // part by part (Adam's moments are per part, as below)
    thread_local Real t, q;
    Real *rr = in_place_ops::reals(r), *vr = in_place_ops::reals(vel), *sr = in_place_ops::reals(sq);
    const Real* gr = in_place_ops::reals(g);
    for (Eigen::Index i = 0; i < in_place_ops::width<T> * r.size(); ++i) {
      vr[i] *= s.momentum;
      if (method == AscentMethod::momentum) {
        vr[i] += gr[i];
        t = vr[i];
        t *= step;
        rr[i] += t;
        continue;
      }
      t = gr[i];
      t *= k.one_minus_m;
      vr[i] += t;
      sr[i] *= s.beta2;
      t = gr[i];
      t *= gr[i];
      t *= k.one_minus_b2;
      sr[i] += t;
      q = sr[i];
      q /= c2;
      in_place_ops::sqrt_in_place(q);
      q += eps;
      t = vr[i];
      t /= c1;
      t /= q;
      t *= step;
      rr[i] += t;
    }
  } else {
    using std::sqrt;
    if (method == AscentMethod::momentum) {
      vel = vel * s.momentum + g;
      r += vel * step;
      return;
    }
    vel = vel * s.momentum + g * k.one_minus_m;
    for (Eigen::Index i = 0; i < r.size(); ++i) {
      if constexpr (number_traits<T>::is_complex) {
        const T& gi = g(i);
        sq(i) = sq(i) * s.beta2 + T(gi.real() * gi.real(), gi.imag() * gi.imag()) * k.one_minus_b2;
        const T& m = vel(i);
        const T& v = sq(i);
        r(i) += T(Real(m.real() / c1 / (sqrt(v.real() / c2) + eps)), Real(m.imag() / c1 / (sqrt(v.imag() / c2) + eps))) *
                step;
      } else {
        sq(i) = sq(i) * s.beta2 + g(i) * g(i) * k.one_minus_b2;
        r(i) += vel(i) / c1 / (sqrt(sq(i) / c2) + eps) * step;
      }
    }
  }
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

  using namespace in_place_ops;
  const Eigen::Index n = loss.perturbation_size();
  PerturbationSearchResult<T> res;
  res.max_ratio_e = Real(0);
  res.max_ratio_r = Real(0);
  Vector<T> r(n), g(n), vel(n), sq(n), best_r(n);
  std::mt19937_64 rng(s.seed);
  const Real two_mu = Real(2) * s.mu;
  // Every number the iterations need exists before them (issue 10: for real
  // MPFR an iteration creates none).
  AscentConstants<Real> k;
  k.one_minus_m = Real(1) - s.momentum;
  k.one_minus_b2 = Real(1) - s.beta2;
  k.eps = sqrt(number_traits<Real>::epsilon());  // Adam's guard only: the gradient has norm 1
  Real rn, gn, ratio;
  PerturbationPoint<T> pt, best;
  for (std::size_t bi = 0; bi < s.budgets.size(); ++bi) {
    const Real& b = s.budgets[bi];
    k.step = s.learning_rate * b;
    bool have_best = false;
    for (int start = 0; start < s.restarts; ++start) {
      random_direction(rng, r);
      norm_into(rn, r);
      scale(r, Real(s.start_fraction * b / rn));
      set_zero(vel, n);
      set_zero(sq, n);
      k.bias.restart();
      for (int it = 0; it <= s.iterations; ++it) {
        const bool last = it == s.iterations;
        const auto& v = loss.evaluate_into(r, last ? nullptr : &g);
        ++res.evaluations;
        pt.budget = b;
        norm_into(pt.r_norm, r);
        pt.e_norm = v.e_norm;
        pt.change_norm = v.change_norm;
        ratio = s.mu;  // objective = loss - mu ||r||^2
        ratio *= pt.r_norm;
        ratio *= pt.r_norm;
        pt.objective = v.loss;
        pt.objective -= ratio;
        pt.restart = start;
        if (v.e_norm > 0) {
          ratio = v.change_norm;
          ratio /= v.e_norm;
          if (ratio > res.max_ratio_e) {
            res.max_ratio_e = ratio;
            res.worst = pt;
            res.worst_r = r;
          }
        }
        if (pt.r_norm > 0) {
          ratio = v.change_norm;
          ratio /= pt.r_norm;
          if (ratio > res.max_ratio_r) res.max_ratio_r = ratio;
        }
        if (!have_best || pt.objective > best.objective) {
          best = pt;
          best_r = r;
          have_best = true;
        }
        if (last) break;
        subtract_scaled(g, r, two_mu);
        norm_into(gn, g);
        if (!(gn > 0) || !is_finite_scalar(gn)) break;  // stationary (or broken): this start is done
        divide(g, gn);
        k.bias.step(s.momentum, s.beta2);
        ascent_step(s.method, g, r, vel, sq, s, k);
        norm_into(rn, r);  // back onto the ball ||r|| <= b
        if (rn > b) {
          ratio = b;
          ratio /= rn;
          scale(r, ratio);
        }
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
