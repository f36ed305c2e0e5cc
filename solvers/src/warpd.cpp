// WARPd and WARPdSR, instantiated for every scalar type.
//
// One restarted primal-dual core serves both: they differ only in the dual
// prox of the data term (shrink by tau2 eps for the constraint, projection
// onto the unit ball for the square-root residual), in C2 (WARPdSR: 1) and in
// the weight lambda on J and on the B block (WARPd: 1). The grouped norm,
// J = 0 and error_of change nothing when unused: the plain l1 path calls the
// same functions in the same order as before (the existing tests and the
// Table-1/solve outputs stay bit-identical).
#include "barriers/solvers/warpd.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <type_traits>

#include "barriers/solvers/prox.hpp"
#include "barriers/solvers/sparse_problem.hpp"
#include "progress.hpp"
#include "restart.hpp"

namespace barriers {

namespace {

template <class T>
struct Core {
  using Real = real_of<T>;
  bool square_root;          // WARPdSR
  Real eps;                  // WARPd constraint level
  Real lambda;               // weight on J and on B (1 for WARPd)
  Real C1, C2, L_A, L_B, delta, nu;
  int restarts;
  long inner;
  bool ergodic, warm_dual;
  long observe_every;
  const LinearOperator<T>* B;
  const GroupLayout<Real>* groups;
  bool l1_on_x;
  const Vector<Real>* weights;
  const Vector<T>* x0;
};

// x_new = soft_threshold(x - tau w, t) (x - tau w when t is null) and
// dir = 2 x_new - x, entry by entry, with the operations of the generic path
// in primal_step. GCC's -O2 cost model ("very cheap") leaves this loop
// scalar because it needs a remainder loop; with the dynamic model it is
// vectorised (the division under a mask on AVX-512), and every entry still
// gets the same IEEE operations, so the same bits.
template <class R>
__attribute__((optimize("vect-cost-model=dynamic", "tree-loop-vectorize"))) void primal_pass(
    Eigen::Index n, const R* xp, const R* wp, const R* tp, R tau, R* out, R* dp) {
  if (tp) {
    for (Eigen::Index i = 0; i < n; ++i) {
      const R v = xp[i] - wp[i] * tau;
      const R m = std::abs(v);
      const R s = m > tp[i] ? v * ((m - tp[i]) / m) : R(0);
      out[i] = s;
      dp[i] = s * R(2) - xp[i];
    }
  } else {
    for (Eigen::Index i = 0; i < n; ++i) {
      const R v = xp[i] - wp[i] * tau;
      out[i] = v;
      dp[i] = v * R(2) - xp[i];
    }
  }
}

// The primal half of an inner step, after w = A^* dA (+ lambda B^* dB):
// x_new = soft_threshold(x - tau1 w, thr) (x - tau1 w when J = 0, thr null)
// and the extrapolation dir = 2 x_new - x. For double and long double it is
// one pass (primal_pass) with the operations of the generic path below
// (Eigen's `w = x - w * tau1`, soft_threshold_into's |v| > t ? v ((|v| - t) /
// |v|) : 0, `dir = x_new * 2 - x`), so the bits are the same; w is then left
// as it was (nothing reads it before the next A^* dA).
template <class T>
void primal_step(const Vector<T>& x, Vector<T>& w, const real_of<T>& tau1, const Vector<real_of<T>>* thr,
                 Vector<T>& x_new, Vector<T>& dir) {
  if constexpr (std::is_floating_point_v<T>) {
    x_new.resize(x.size());
    dir.resize(x.size());
    primal_pass<T>(x.size(), x.data(), w.data(), thr ? thr->data() : nullptr, tau1, x_new.data(), dir.data());
  } else {
    w = x - w * tau1;
    if (thr)
      soft_threshold_into<T>(w, *thr, x_new);
    else
      x_new = w;
    dir = x_new * real_of<T>(2) - x;
  }
}

// `violation`: the constraint violation of an estimate (WARPd), or nullptr
// for the unconstrained WARPdSR.
template <class T, class Objective, class Violation>
SolverResult<T> run_core(const LinearOperator<T>& A, const Vector<T>& b, const Core<T>& c,
                         detail::Progress<T>& progress, Objective&& objective, Violation&& violation) {
  using Real = real_of<T>;
  using std::sqrt;
  const Eigen::Index N = A.cols(), m = A.rows();
  const Eigen::Index q = c.B ? c.B->rows() : 0;
  const Real sqrt_q = group_dual_radius(*c.groups, q);  // sqrt(q) for the plain l1 norm
  const Real LB_eff = c.B ? Real(c.lambda * c.L_B) : Real(0);  // norm bound of the lambda B block
  Vector<T> psi = c.x0->size() ? *c.x0 : Vector<T>(Vector<T>::Zero(N));
  // omega starts at C2 ||b|| (C2 when b = 0, where any scale gives x = 0) and
  // shrinks by nu per restart down to its floor (restart.hpp).
  const Real b_norm = b.norm();
  detail::RestartLevel<Real> omega(c.C2 * (b_norm > 0 ? b_norm : Real(1)), c.nu, c.delta);
  // Every buffer is sized once (in the first restart) and reused; each work
  // buffer keeps one size (a shared one would be resized twice per step).
  Vector<T> x, x_new, dA = Vector<T>::Zero(m), dB = Vector<T>::Zero(q), dir, work_N, work_m, bwork_N, bwork_q,
      tau2_b, estimate;
  Vector<Real> thr;
  detail::RestartAverage<T> average;
  SolverResult<T> result;
  long total = 0;
  bool stop = false;
  for (int r = 0; r < c.restarts && !stop; ++r) {
    const Real bound = c.C1 * (c.delta + omega.value());  // current error bound
    const Real tau1 = bound / (c.L_A * c.C2 + LB_eff * sqrt_q);
    const Real tau2 = c.C2 / (c.L_A * bound);
    const Real tau3 = c.B ? Real(sqrt_q / (LB_eff * bound)) : Real(0);
    const Real jscale = tau1 * c.lambda;
    const Real dual_shrink = tau2 * c.eps;
    const Real dB_step = tau3 * c.lambda;
    if (c.weights->size() == 0)
      thr.setConstant(N, jscale);
    else
      thr = *c.weights * jscale;
    tau2_b = b * tau2;
    x = psi;
    if (!c.warm_dual) {  // else the duals carry over, as in the published WARPd.m
      dA.setZero(m);
      dB.setZero(q);
    }
    average.begin(N);
    for (long k = 0; k < c.inner; ++k) {
      A.apply_adjoint(dA, work_N);
      if (c.B) {
        c.B->apply_adjoint(dB, bwork_N);
        work_N += bwork_N * c.lambda;
      }
      primal_step(x, work_N, tau1, c.l1_on_x ? &thr : nullptr, x_new, dir);
      A.apply(dir, work_m);
      dA = dA + work_m * tau2 - tau2_b;
      // project_l2_ball_in_place(dA, 1) or shrink_in_place(dA, dual_shrink)
      // written out (the same operations), keeping the norm: when it is
      // finite so is every entry, before and after the map (a factor in
      // [0, 1]), and dA needs no finiteness pass of its own below.
      const Real dA_norm = dA.norm();
      if (c.square_root) {
        if (dA_norm > Real(1)) dA *= Real(1) / dA_norm;
      } else if (!(dA_norm > dual_shrink)) {
        dA.setZero();
      } else {
        dA *= (dA_norm - dual_shrink) / dA_norm;
      }
      if (c.B) {
        c.B->apply(dir, bwork_q);
        dB = dB + bwork_q * dB_step;
        project_groups_in_place<T>(dB, *c.groups);
      }
      if (!detail::finite_vector(x_new) || !(is_finite_scalar(dA_norm) || detail::finite_vector(dA))) {
        result.reason = TerminationReason::non_finite;
        stop = true;
        break;
      }
      x.swap(x_new);
      average.add(x);
      ++total;
      if (progress.active() && total % c.observe_every == 0) {
        if (c.ergodic)
          average.average(Real(1), estimate);
        else
          estimate = x;
        if (!progress.report(total, r, estimate, objective, violation)) {
          result.reason = TerminationReason::observer_stopped;
          stop = true;
          break;
        }
      }
    }
    if (average.count() > 0) {
      if (c.ergodic)
        average.average(Real(1), estimate);
      else
        estimate = x;
      if (!detail::accept_restart_output(estimate, psi)) {
        result.reason = TerminationReason::non_finite;
        stop = true;
      }
    }
    omega.shrink();
  }
  result.iterations = total;
  result.solution = psi;
  result.dual = dA;
  result.objective = objective(psi);
  return result;
}

template <class T, class S>
Core<T> common_checks(const LinearOperator<T>& A, const Vector<T>& b, const S& s) {
  using Real = real_of<T>;
  using std::exp;
  using std::ceil;
  detail::check_data(A, b);
  detail::check_weights<T>(s.weights, A.cols());
  if (!s.l1_on_x && s.weights.size() != 0)
    throw std::invalid_argument("weights are given but l1_on_x is false (J = 0); give no weights or set l1_on_x.");
  detail::check_reference(s.reference, A.cols());
  if (s.error_of && s.reference.size() != 0)
    throw std::invalid_argument("both a reference and error_of are given; the observer's error comes from one of them.");
  detail::check_nonnegative(s.delta, "delta");
  detail::check_positive(s.C1, "C1");
  if (s.restarts < 1)
    throw std::invalid_argument("the number of restarts is " + std::to_string(s.restarts) + "; it must be >= 1.");
  if (s.inner < 0)
    throw std::invalid_argument("the inner iteration count is " + std::to_string(s.inner) +
                                "; it must be >= 1 (or 0 for the automatic value).");
  if (s.x0.size() != 0 && (s.x0.size() != A.cols() || !all_finite(s.x0)))
    throw std::invalid_argument("x0 has " + std::to_string(s.x0.size()) + " entries or a non-finite one; it needs " +
                                std::to_string(A.cols()) + " finite entries.");
  Core<T> c;
  c.L_A = s.L_A == 0 ? A.norm_bound() : s.L_A;
  detail::check_positive(c.L_A, "L_A");
  c.B = s.B.get();
  c.L_B = Real(0);
  if (c.B) {
    if (c.B->cols() != A.cols())
      throw std::invalid_argument("B takes " + std::to_string(c.B->cols()) + " entries but A takes " +
                                  std::to_string(A.cols()) + "; they must act on the same x.");
    c.L_B = s.L_B == 0 ? c.B->norm_bound() : s.L_B;
    detail::check_positive(c.L_B, "L_B");
    check_group_layout(s.groups, c.B->rows());
  } else if (!s.groups.empty()) {
    throw std::invalid_argument("groups are given but there is no B; the grouping applies to the rows of B.");
  }
  c.groups = &s.groups;
  c.l1_on_x = s.l1_on_x;
  c.nu = s.nu ? *s.nu : Real(exp(Real(-1)));
  if (!is_finite_scalar(c.nu) || !(c.nu > 0) || !(c.nu < 1))
    throw std::invalid_argument("nu is " + detail::show(c.nu) + "; it must lie strictly between 0 and 1.");
  c.C1 = s.C1;
  c.delta = s.delta;
  c.restarts = s.restarts;
  c.ergodic = s.ergodic;
  c.warm_dual = s.warm_dual;
  if (s.observe_every < 1)
    throw std::invalid_argument("observe_every is " + std::to_string(s.observe_every) + "; it must be >= 1.");
  c.observe_every = s.observe_every;
  c.weights = &s.weights;
  c.x0 = &s.x0;
  return c;
}

// f = J + ||B .|| (J = ||.||_{1,w} or 0; the B term grouped or plain l1).
template <class T, class S>
auto regulariser(const S& s, const Core<T>& c) {
  using Real = real_of<T>;
  return [&s, B = c.B](const Vector<T>& x) {
    Real f = s.l1_on_x ? weighted_l1_norm(x, s.weights) : Real(0);
    if (B) f += grouped_l1_norm(B->forward(x), s.groups);
    return f;
  };
}

// The observer as given, or, with error_of, one that fills in
// error_of(estimate): Progress evaluates the objective on the estimate just
// before it calls the observer, so the wrapped objective remembers which
// vector that was.
template <class T>
struct ObservedError {
  using Real = real_of<T>;
  template <class S>
  explicit ObservedError(const S& s) : error_of(s.error_of) {
    if (!error_of || !s.observer) {
      observer = s.observer;
      return;
    }
    observer = [this, user = s.observer](const IterationInfo<Real>& info) {
      IterationInfo<Real> with_error = info;
      with_error.error = error_of(*last);
      return user(with_error);
    };
  }
  template <class Objective>
  auto wrap(Objective& objective) {
    return [this, &objective](const Vector<T>& x) {
      last = &x;
      return objective(x);
    };
  }
  ObservedError(const ObservedError&) = delete;
  ObservedError& operator=(const ObservedError&) = delete;
  const std::function<Real(const Vector<T>&)>& error_of;
  Observer<Real> observer;
  const Vector<T>* last = nullptr;
};

template <class R>
long inner_count(const R& value) {
  using std::ceil;
  const R k = ceil(value);
  if (!(k < R(1e9)))
    throw std::invalid_argument("the automatic inner iteration count " + detail::show(k) +
                                " is too large; lower C1, C2 or L, or set inner explicitly.");
  return std::max(1L, static_cast<long>(k));
}

}  // namespace

template <class T>
SolverResult<T> warpd(const LinearOperator<T>& A, const Vector<T>& b, const WarpdSettings<T>& s) {
  using Real = real_of<T>;
  Core<T> c = common_checks(A, b, s);
  detail::check_positive(s.C2, "C2");
  detail::check_nonnegative(s.eps, "eps");
  c.square_root = false;
  c.eps = s.eps;
  c.lambda = Real(1);
  c.C2 = s.C2;
  c.inner = s.inner != 0 ? s.inner : inner_count(Real(2 * c.C1 * c.C2 * c.L_A / c.nu));
  auto objective = regulariser(s, c);
  auto violation = [&](const Vector<T>& x) {
    const Real r = (A.forward(x) - b).norm() - s.eps;
    return r > 0 ? r : Real(0);
  };
  ObservedError<T> observed(s);
  detail::Progress<T> progress(observed.observer, s.reference);
  SolverResult<T> result = run_core(A, b, c, progress, observed.wrap(objective), violation);
  result.feasibility_gap = violation(result.solution);
  return result;
}

template <class T>
SolverResult<T> warpd_sr(const LinearOperator<T>& A, const Vector<T>& b, const WarpdSrSettings<T>& s) {
  using Real = real_of<T>;
  using std::sqrt;
  Core<T> c = common_checks(A, b, s);
  detail::check_positive(s.lambda, "lambda");
  c.square_root = true;
  c.eps = Real(0);
  c.lambda = s.lambda;
  c.C2 = Real(1);
  const Real sqrt_q = c.B ? group_dual_radius(s.groups, c.B->rows()) : Real(0);
  c.inner = s.inner != 0 ? s.inner : inner_count(Real(2 * c.C1 * (c.L_A + c.lambda * c.L_B * sqrt_q) / c.nu));
  auto f = regulariser(s, c);
  auto objective = [&](const Vector<T>& x) { return s.lambda * f(x) + Real((A.forward(x) - b).norm()); };
  ObservedError<T> observed(s);
  detail::Progress<T> progress(observed.observer, s.reference);
  SolverResult<T> result = run_core(A, b, c, progress, observed.wrap(objective), nullptr);
  result.feasibility_gap = Real(0);
  return result;
}

template <class T>
long warpd_inner_count(const LinearOperator<T>& A, const WarpdSettings<T>& s) {
  using Real = real_of<T>;
  using std::exp;
  if (s.inner != 0) return s.inner;
  const Real L_A = s.L_A == 0 ? A.norm_bound() : s.L_A;
  const Real nu = s.nu ? *s.nu : Real(exp(Real(-1)));
  return inner_count(Real(2 * s.C1 * s.C2 * L_A / nu));
}

template <class Real>
std::vector<Real> geometric_grid(const Real& center, const Real& ratio, int half) {
  using std::pow;
  detail::check_positive(center, "the grid centre");
  if (!is_finite_scalar(ratio) || !(ratio > 1) || half < 0)
    throw std::invalid_argument("the grid ratio is " + detail::show(ratio) + " and its half-width " +
                                std::to_string(half) + "; they must be > 1 and >= 0.");
  std::vector<Real> out;
  for (int i = -half; i <= half; ++i) out.push_back(Real(center * pow(ratio, Real(i))));
  return out;
}

template <class T>
WarpdGridResult<T> warpd_grid_search(const LinearOperator<T>& A, const Vector<T>& b, const WarpdSettings<T>& settings,
                                     const WarpdGridSearch<T>& grid) {
  using Real = real_of<T>;
  if (grid.C1_values.empty() || grid.C2_values.empty())
    throw std::invalid_argument("the C1 or C2 grid is empty; give at least one value of each.");
  for (const auto* values : {&grid.C1_values, &grid.C2_values})
    for (const Real& v : *values) detail::check_positive(v, "a grid value of C1 or C2");
  const long budget0 = grid.budget;
  const int rounds = grid.rounds;
  if (budget0 < 1 || rounds < 1 || rounds > 40 || budget0 > ((1L << 40) >> (rounds - 1)))
    throw std::invalid_argument("the grid budget is " + std::to_string(budget0) + " and the rounds " +
                                std::to_string(rounds) +
                                "; the budget must be >= 1, the rounds 1..40 and the last budget at most 2^40.");
  detail::check_nonnegative(grid.kappa, "kappa");
  const Real kappa = grid.kappa > 0 ? grid.kappa : *std::max_element(grid.C2_values.begin(), grid.C2_values.end());
  const Real L_A = settings.L_A == 0 ? A.norm_bound() : settings.L_A;
  WarpdSettings<T> s = settings;
  s.observer = nullptr;  // the runs are compared by their outputs only
  s.L_A = L_A;
  WarpdGridResult<T> out;
  bool have = false;
  Real best(0);
  for (int round = 0; round < rounds; ++round) {
    const long budget = budget0 << round;
    for (const Real& C1 : grid.C1_values)
      for (const Real& C2 : grid.C2_values) {
        s.C1 = C1;
        s.C2 = C2;
        s.inner = settings.inner;
        long inner = warpd_inner_count(A, s);
        int restarts = 1;
        if (inner >= budget)
          inner = budget;
        else
          restarts = int(std::min<long>(budget / inner, 1L << 30));
        s.inner = inner;
        s.restarts = restarts;
        SolverResult<T> r = warpd(A, b, s);
        WarpdGridRun<T> run;
        run.C1 = C1;
        run.C2 = C2;
        run.criterion = r.objective + kappa * r.feasibility_gap;
        run.budget = budget;
        run.iterations = r.iterations;
        run.restarts = restarts;
        run.inner = inner;
        if (settings.error_of)
          run.error = settings.error_of(r.solution);
        else if (settings.reference.size() != 0)
          run.error = Real((r.solution - settings.reference).norm());
        out.total_iterations += r.iterations;
        // A non-finite run never wins (its criterion may be NaN).
        const bool usable = r.reason != TerminationReason::non_finite && is_finite_scalar(run.criterion);
        if (usable && (!have || run.criterion < best)) {
          have = true;
          best = run.criterion;
          out.best = std::move(r);
          out.C1 = C1;
          out.C2 = C2;
        }
        out.runs.push_back(run);
      }
  }
  if (!have) throw std::runtime_error("every WARPd run of the grid search ended non-finite.");
  return out;
}

#define BARRIERS_X(T)                                                                                 \
  template long warpd_inner_count<T>(const LinearOperator<T>&, const WarpdSettings<T>&);                  \
  template WarpdGridResult<T> warpd_grid_search<T>(const LinearOperator<T>&, const Vector<T>&,         \
                                                   const WarpdSettings<T>&, const WarpdGridSearch<T>&); \
  template SolverResult<T> warpd<T>(const LinearOperator<T>&, const Vector<T>&, const WarpdSettings<T>&); \
  template SolverResult<T> warpd_sr<T>(const LinearOperator<T>&, const Vector<T>&, const WarpdSrSettings<T>&);
BARRIERS_FOR_EACH_SCALAR(BARRIERS_X)
#undef BARRIERS_X
#define BARRIERS_X(R) template std::vector<R> geometric_grid<R>(const R&, const R&, int);
BARRIERS_FOR_EACH_REAL(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
