// FIRENET (algorithm and unrolled network), instantiated for every scalar type.
//
// Both firenet() and FirenetNetwork go through make_firenet_plan,
// firenet_alphas, firenet_primal_step and firenet_dual_step (firenet() for
// double and long double: the same operations with the extrapolation and a
// finiteness check folded into the primal pass), so they perform identical
// floating-point operations in identical order.
#include "barriers/solvers/firenet.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <type_traits>

#include "barriers/solvers/firenet_network.hpp"
#include "barriers/solvers/prox.hpp"
#include "in_place_ops.hpp"
#include "progress.hpp"
#include "restart.hpp"

namespace barriers {

template <class R>
Vector<R> sparsity_in_levels_weights(const std::vector<Eigen::Index>& level_ends,
                                     const std::vector<long>& sparsities) {
  using std::sqrt;
  if (level_ends.empty() || level_ends.size() != sparsities.size())
    throw std::invalid_argument("there are " + std::to_string(level_ends.size()) + " level ends but " +
                                std::to_string(sparsities.size()) +
                                " sparsities; give one sparsity per level (at least one level).");
  long total = 0;
  Eigen::Index prev = 0;
  for (std::size_t k = 0; k < level_ends.size(); ++k) {
    if (level_ends[k] <= prev)
      throw std::invalid_argument("level end " + std::to_string(level_ends[k]) +
                                  " does not exceed the previous one; level ends must increase from above 0.");
    if (sparsities[k] <= 0)
      throw std::invalid_argument("sparsity " + std::to_string(sparsities[k]) + " of level " + std::to_string(k) +
                                  " is not positive; each level needs s_k >= 1.");
    total += sparsities[k];
    prev = level_ends[k];
  }
  Vector<R> w(level_ends.back());
  prev = 0;
  for (std::size_t k = 0; k < level_ends.size(); ++k) {
    const R wk = sqrt(R(total) / R(sparsities[k]));
    for (Eigen::Index i = prev; i < level_ends[k]; ++i) w(i) = wk;
    prev = level_ends[k];
  }
  return w;
}

namespace detail {

template <class T>
FirenetPlan<T> make_firenet_plan(const LinearOperator<T>& A, const FirenetSettings<T>& s) {
  using Real = real_of<T>;
  check_weights<T>(s.weights, A.cols());
  check_reference(s.reference, A.cols());
  check_positive(s.lambda, "lambda");
  check_nonnegative(s.delta, "delta");
  if (s.restarts < 1)
    throw std::invalid_argument("the number of restarts is " + std::to_string(s.restarts) + "; it must be >= 1.");
  if (s.inner < 1)
    throw std::invalid_argument("the number of inner iterations is " + std::to_string(s.inner) +
                                "; it must be >= 1.");
  if (s.eps0) check_positive(*s.eps0, "eps0");
  FirenetPlan<T> plan;
  plan.L = s.norm_bound == 0 ? A.norm_bound() : s.norm_bound;
  check_positive(plan.L, "the operator norm bound L_A");
  plan.tau = s.tau == 0 ? Real(0.99) / plan.L : s.tau;
  plan.sigma = s.sigma == 0 ? Real(0.99) / plan.L : s.sigma;
  check_steps(plan.tau, plan.sigma, plan.L);
  plan.lambda = s.lambda;
  plan.delta = s.delta;
  plan.eps0 = s.eps0;
  plan.restarts = s.restarts;
  plan.inner = s.inner;
  const Real scale = plan.tau * plan.lambda;
  plan.thresholds = s.weights.size() == 0 ? Vector<Real>(Vector<Real>::Constant(A.cols(), scale))
                                           : Vector<Real>(s.weights * scale);
  return plan;
}

template <class T>
real_of<T> firenet_eps0(const FirenetPlan<T>& plan, const Vector<T>& y) {
  if (plan.eps0) return *plan.eps0;
  real_of<T> n;
  in_place_ops::norm_into(n, y);
  return n > 0 ? n : real_of<T>(1);  // y = 0: any eps0 > 0 gives x = 0
}

template <class T>
std::vector<real_of<T>> firenet_alphas(const FirenetPlan<T>& plan, const real_of<T>& eps0) {
  using Real = real_of<T>;
  using std::exp;
  // eps_r = max(e^-1 (delta + eps_{r-1}), eps0 u): in the rescaled variables
  // a dual step moves the iterate by at most tau ||A^* z|| <= tau L < 1, which
  // is below its rounding unit once alpha ||psi|| ~ 2 L ||psi|| / (eps p)
  // exceeds 1/u, i.e. once eps < eps0 u (eps0 = ||y|| by default).
  RestartLevel<Real> eps(eps0, Real(exp(Real(-1))), plan.delta);  // e^-1 at the working precision
  std::vector<Real> alphas;
  alphas.reserve(std::size_t(plan.restarts));
  for (int r = 0; r < plan.restarts; ++r) {
    eps.shrink();
    alphas.push_back(2 * plan.L / (eps.value() * Real(plan.inner)));
  }
  return alphas;
}

namespace {
// v = x - tau w and x_new = soft_threshold(v, t), entry by entry, with the
// operations of `w = x - w * tau` and soft_threshold_into, so the same bits
// as the generic path. Extrapolate = false: w keeps v (for the reverse mode,
// FirenetMap). Extrapolate = true: dir = 2 x_new - x too (the operations of
// `x_new * 2 - x`), and the result says whether every entry of x_new is
// finite, so firenet() needs no further pass over x_new. GCC's -O2 cost
// model leaves this loop scalar; the dynamic one vectorises it (as in
// warpd.cpp) with the same IEEE operations per entry.
template <class R, bool Extrapolate>
__attribute__((optimize("vect-cost-model=dynamic", "tree-loop-vectorize"))) bool primal_pass(
    Eigen::Index n, const R* xp, R* wp, const R* tp, R tau, R* out, R* dp) {
  long non_finite = 0;
  for (Eigen::Index i = 0; i < n; ++i) {
    const R v = xp[i] - wp[i] * tau;
    const R m = std::abs(v);
    const R s = m > tp[i] ? v * ((m - tp[i]) / m) : R(0);
    out[i] = s;
    if constexpr (Extrapolate) {
      dp[i] = s * R(2) - xp[i];
      non_finite += !std::isfinite(s);
    } else {
      wp[i] = v;
    }
  }
  return non_finite == 0;
}

// z <- z + sigma A dir - sigma alpha y, with ||z|| into norm.
template <class T>
void dual_ascent_along(const LinearOperator<T>& A, const FirenetPlan<T>& plan, const Vector<T>& dir,
                       const Vector<T>& sigma_alpha_y, Vector<T>& z, Vector<T>& work, real_of<T>& norm) {
  A.apply(dir, work);
  if constexpr (in_place_ops::in_place<T>) {  // the same roundings, entry by entry
    in_place_ops::add_scaled(z, work, plan.sigma);
    in_place_ops::subtract(z, sigma_alpha_y);
    in_place_ops::norm_into(norm, z);
  } else {
    z = z + work * plan.sigma - sigma_alpha_y;
    norm = z.norm();
  }
}

// x_new <- soft_t(v) for MPFR, real or complex, v = work on entry
// (soft_one_by_modulus's roundings: v ((|v| - t) / |v|), +0 at or below t),
// creating no number. A zero takes v's precision first, as the values do.
template <class T>
void soft_threshold_in_place(const Vector<T>& v, const Vector<real_of<T>>& t, Vector<T>& x_new) {
  thread_local real_of<T> m;
  x_new.resize(v.size());
  for (Eigen::Index i = 0; i < v.size(); ++i) in_place_ops::soft_by_modulus_into(x_new(i), v(i), t(i), m);
}
}  // namespace

// Both steps work in the caller's buffers: after the first iteration nothing
// is allocated (the coefficient-wise assignments below read each entry
// before writing it, so the aliasing is safe).
template <class T>
void firenet_primal_step(const LinearOperator<T>& A, const FirenetPlan<T>& plan, const Vector<T>& x,
                         const Vector<T>& z, Vector<T>& x_new, Vector<T>& work) {
  A.apply_adjoint(z, work);
  if constexpr (std::is_floating_point_v<T>) {
    x_new.resize(x.size());
    primal_pass<T, false>(x.size(), x.data(), work.data(), plan.thresholds.data(), plan.tau, x_new.data(),
                          nullptr);
  } else if constexpr (in_place_ops::in_place<T>) {
    thread_local real_of<T> q;  // work = x - tau work, part by part
    real_of<T>* w = in_place_ops::reals(work);
    const real_of<T>* xr = in_place_ops::reals(x);
    for (Eigen::Index k = 0; k < in_place_ops::width<T> * x.size(); ++k) {
      q = w[k];
      q *= plan.tau;
      w[k] = xr[k];
      w[k] -= q;
    }
    soft_threshold_in_place(work, plan.thresholds, x_new);
  } else {
    work = x - work * plan.tau;
    soft_threshold_into<T>(work, plan.thresholds, x_new);
  }
}

template <class T>
void firenet_dual_ascent_into(const LinearOperator<T>& A, const FirenetPlan<T>& plan, const Vector<T>& x,
                              const Vector<T>& x_new, const Vector<T>& sigma_alpha_y, Vector<T>& z, Vector<T>& dir,
                              Vector<T>& work, real_of<T>& u_norm) {
  if constexpr (in_place_ops::in_place<T>) {  // dir = 2 x_new - x
    dir = x_new;
    real_of<T>* d = in_place_ops::reals(dir);
    const real_of<T>* xr = in_place_ops::reals(x);
    for (Eigen::Index k = 0; k < in_place_ops::width<T> * x.size(); ++k) {
      d[k] *= 2;
      d[k] -= xr[k];
    }
  } else {
    dir = x_new * real_of<T>(2) - x;
  }
  dual_ascent_along(A, plan, dir, sigma_alpha_y, z, work, u_norm);
}

template <class T>
real_of<T> firenet_dual_ascent(const LinearOperator<T>& A, const FirenetPlan<T>& plan, const Vector<T>& x,
                               const Vector<T>& x_new, const Vector<T>& sigma_alpha_y, Vector<T>& z,
                               Vector<T>& dir, Vector<T>& work) {
  real_of<T> u_norm;
  firenet_dual_ascent_into(A, plan, x, x_new, sigma_alpha_y, z, dir, work, u_norm);
  return u_norm;
}

template <class T>
void firenet_dual_project(Vector<T>& u, const real_of<T>& u_norm) {
  if constexpr (in_place_ops::in_place<T>) {  // u *= 1 / ||u||, the factor rounded once
    if (!(u_norm > 1)) return;
    thread_local real_of<T> q;
    q = u_norm;
    mpfr_ui_div(q.backend().data(), 1, u_norm.backend().data(), MPFR_RNDN);
    in_place_ops::scale(u, q);
  } else {
    if (u_norm > real_of<T>(1)) u *= real_of<T>(1) / u_norm;
  }
}

template <class T>
void firenet_dual_step(const LinearOperator<T>& A, const FirenetPlan<T>& plan, const Vector<T>& x,
                       const Vector<T>& x_new, const Vector<T>& sigma_alpha_y, Vector<T>& z, Vector<T>& dir,
                       Vector<T>& work) {
  firenet_dual_project(z, firenet_dual_ascent(A, plan, x, x_new, sigma_alpha_y, z, dir, work));
}

}  // namespace detail

template <class T>
SolverResult<T> firenet(const LinearOperator<T>& A, const Vector<T>& y, const FirenetSettings<T>& s) {
  using Real = real_of<T>;
  detail::check_data(A, y);
  const detail::FirenetPlan<T> plan = detail::make_firenet_plan(A, s);
  if (s.observe_every < 1)
    throw std::invalid_argument("observe_every is " + std::to_string(s.observe_every) + "; it must be >= 1.");
  const std::vector<Real> alphas = detail::firenet_alphas(plan, detail::firenet_eps0(plan, y));
  auto objective = [&](const Vector<T>& x) {
    return sparse_objective(SparseProblem::p3_sqrt_lasso, A, y, x, s.lambda, s.weights);
  };
  detail::Progress<T> progress(s.observer, s.reference);
  const Eigen::Index N = A.cols(), m = A.rows();

  // Every buffer is sized once (in the first restart) and reused; work_N and
  // work_m keep their sizes (one shared buffer would be resized twice per step).
  Vector<T> psi = Vector<T>::Zero(N), x, x_new, z, dir, work_N, work_m, sigma_alpha_y, estimate;
  detail::RestartAverage<T> average;
  SolverResult<T> result;
  long total = 0;
  bool stop = false;
  for (int r = 0; r < plan.restarts && !stop; ++r) {
    const Real alpha = alphas[r];
    x = psi * alpha;
    z.setZero(m);
    average.begin(N);
    sigma_alpha_y = y * (plan.sigma * alpha);
    for (int i = 0; i < plan.inner; ++i) {
      Real z_norm;
      bool x_finite;
      if constexpr (std::is_floating_point_v<T>) {
        // firenet_primal_step and firenet_dual_step with the extrapolation
        // and x_new's finiteness check in the primal pass.
        A.apply_adjoint(z, work_N);
        x_new.resize(N);
        dir.resize(N);
        x_finite = detail::primal_pass<T, true>(N, x.data(), work_N.data(), plan.thresholds.data(), plan.tau,
                                                x_new.data(), dir.data());
        detail::dual_ascent_along(A, plan, dir, sigma_alpha_y, z, work_m, z_norm);
      } else {
        detail::firenet_primal_step(A, plan, x, z, x_new, work_N);
        z_norm = detail::firenet_dual_ascent(A, plan, x, x_new, sigma_alpha_y, z, dir, work_m);
        x_finite = detail::finite_vector(x_new);
      }
      detail::firenet_dual_project(z, z_norm);
      // A finite norm means every entry of z is finite, before and after the
      // projection (a factor in [0, 1]); only an infinite one needs the pass.
      if (!x_finite || !(is_finite_scalar(z_norm) || detail::finite_vector(z))) {
        result.reason = TerminationReason::non_finite;
        stop = true;
        break;
      }
      x.swap(x_new);
      average.add(x);
      ++total;
      if (progress.active() && total % s.observe_every == 0) {
        average.average(alpha, estimate);
        if (!progress.report(total, r, estimate, objective)) {
          result.reason = TerminationReason::observer_stopped;
          stop = true;
          break;
        }
      }
    }
    if (average.count() > 0) {
      average.average(alpha, estimate);
      if (!detail::accept_restart_output(estimate, psi)) {
        result.reason = TerminationReason::non_finite;
        stop = true;
      }
    }
  }
  result.iterations = total;
  result.solution = psi;
  result.objective = objective(psi);
  result.feasibility_gap = Real(0);
  // Both terms of (P3) are positively homogeneous, so the dual of the
  // rescaled problem (data alpha y) has the same feasible set as the original.
  result.dual = z;
  return result;
}

// ---------------------------------------------------------------- network

std::string to_string(NetworkLayer::Kind kind) {
  switch (kind) {
    case NetworkLayer::Kind::scale: return "scale";
    case NetworkLayer::Kind::primal: return "primal";
    case NetworkLayer::Kind::dual: return "dual";
    case NetworkLayer::Kind::average: return "average";
  }
  return "unknown";
}

template <class T>
FirenetNetwork<T>::FirenetNetwork(OperatorPtr<T> A, const FirenetSettings<T>& settings) : A_(std::move(A)) {
  if (!A_) throw std::invalid_argument("the FIRENET network got a null operator; it needs A.");
  plan_ = detail::make_firenet_plan(*A_, settings);
  const Eigen::Index c = number_traits<T>::is_complex ? 2 : 1;
  const Eigen::Index state = c * (A_->cols() + A_->rows());
  const Eigen::Index skip = c * (A_->cols() + A_->rows());
  for (int r = 0; r < plan_.restarts; ++r) {
    layers_.push_back({NetworkLayer::Kind::scale, r, state, skip});
    for (int i = 0; i < plan_.inner; ++i) {
      layers_.push_back({NetworkLayer::Kind::primal, r, state, skip});
      layers_.push_back({NetworkLayer::Kind::dual, r, state, skip});
    }
    layers_.push_back({NetworkLayer::Kind::average, r, c * A_->cols(), c * A_->rows()});
  }
}

template <class T>
Eigen::Index FirenetNetwork<T>::max_width() const {
  Eigen::Index w = 0;
  for (const auto& l : layers_) w = std::max(w, l.width);
  return w;
}

template <class T>
Eigen::Index FirenetNetwork<T>::input_width() const {
  return (number_traits<T>::is_complex ? 2 : 1) * A_->rows();
}

template <class T>
Eigen::Index FirenetNetwork<T>::output_width() const {
  return (number_traits<T>::is_complex ? 2 : 1) * A_->cols();
}

template <class T>
Vector<T> FirenetNetwork<T>::operator()(const Vector<T>& y) const {
  using Real = real_of<T>;
  detail::check_data(*A_, y);
  const std::vector<Real> alphas = detail::firenet_alphas(plan_, detail::firenet_eps0(plan_, y));
  const Eigen::Index N = A_->cols(), m = A_->rows();
  Vector<T> psi = Vector<T>::Zero(N), x, x_new, z, S, dir, work_N, work_m, sigma_alpha_y;
  for (const NetworkLayer& layer : layers_) {
    const Real& alpha = alphas[layer.restart];
    switch (layer.kind) {
      case NetworkLayer::Kind::scale:
        x = psi * alpha;
        z = Vector<T>::Zero(m);
        S = Vector<T>::Zero(N);
        sigma_alpha_y = y * (plan_.sigma * alpha);
        break;
      case NetworkLayer::Kind::primal:
        detail::firenet_primal_step(*A_, plan_, x, z, x_new, work_N);
        break;
      case NetworkLayer::Kind::dual:
        detail::firenet_dual_step(*A_, plan_, x, x_new, sigma_alpha_y, z, dir, work_m);
        x.swap(x_new);
        S += x;
        break;
      case NetworkLayer::Kind::average:
        psi = S / (Real(plan_.inner) * alpha);
        break;
    }
  }
  return psi;
}

#define BARRIERS_X(T)                                                                                        \
  template SolverResult<T> firenet<T>(const LinearOperator<T>&, const Vector<T>&, const FirenetSettings<T>&); \
  template detail::FirenetPlan<T> detail::make_firenet_plan<T>(const LinearOperator<T>&,                      \
                                                               const FirenetSettings<T>&);                    \
  template std::vector<real_of<T>> detail::firenet_alphas<T>(const detail::FirenetPlan<T>&, const real_of<T>&); \
  template real_of<T> detail::firenet_eps0<T>(const detail::FirenetPlan<T>&, const Vector<T>&);              \
  template void detail::firenet_primal_step<T>(const LinearOperator<T>&, const detail::FirenetPlan<T>&,       \
                                               const Vector<T>&, const Vector<T>&, Vector<T>&, Vector<T>&);   \
  template void detail::firenet_dual_step<T>(const LinearOperator<T>&, const detail::FirenetPlan<T>&,         \
                                             const Vector<T>&, const Vector<T>&, const Vector<T>&, Vector<T>&, \
                                             Vector<T>&, Vector<T>&);                                         \
  template real_of<T> detail::firenet_dual_ascent<T>(const LinearOperator<T>&, const detail::FirenetPlan<T>&, \
                                                     const Vector<T>&, const Vector<T>&, const Vector<T>&,    \
                                                     Vector<T>&, Vector<T>&, Vector<T>&);                     \
  template void detail::firenet_dual_ascent_into<T>(const LinearOperator<T>&, const detail::FirenetPlan<T>&,  \
                                                    const Vector<T>&, const Vector<T>&, const Vector<T>&,     \
                                                    Vector<T>&, Vector<T>&, Vector<T>&, real_of<T>&);        \
  template void detail::firenet_dual_project<T>(Vector<T>&, const real_of<T>&);                              \
  template class FirenetNetwork<T>;
BARRIERS_FOR_EACH_SCALAR(BARRIERS_X)
#undef BARRIERS_X
#define BARRIERS_X(R) \
  template Vector<R> sparsity_in_levels_weights<R>(const std::vector<Eigen::Index>&, const std::vector<long>&);
BARRIERS_FOR_EACH_REAL(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
