// The FIRENET convergence experiment, instantiated for every scalar type.
#include "barriers/solvers/imaging/convergence_experiment.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "barriers/solvers/optimality.hpp"

namespace barriers {

template <class T>
ConvergenceRun firenet_convergence(const LinearOperator<T>& A, const Vector<T>& y, const Vector<T>& x_true,
                                   FirenetSettings<T> settings, const std::function<void(long)>& progress) {
  using Real = real_of<T>;
  if (x_true.size() != A.cols())
    throw std::invalid_argument("x_true has " + std::to_string(x_true.size()) + " entries but A has " +
                                std::to_string(A.cols()) + " columns.");
  const Real x_norm = x_true.norm();
  if (!(x_norm > 0)) throw std::invalid_argument("x_true is zero; a relative error needs a nonzero x_true.");
  // Objectives are kept in T's precision until the best one is known, so
  // that gaps far below double's epsilon survive the subtraction.
  std::vector<Real> objectives;
  ConvergenceRun run;
  settings.reference = x_true;
  settings.observe_every = 1;
  settings.observer = [&](const IterationInfo<Real>& info) {
    ConvergencePoint p;
    p.iteration = info.iteration;
    p.restart = info.restart;
    p.relative_error = static_cast<double>(Real(*info.error / x_norm));
    p.objective = static_cast<double>(info.objective);
    run.history.push_back(p);
    objectives.push_back(info.objective);
    if (progress) progress(info.iteration);
    return true;
  };
  const SolverResult<T> result = firenet(A, y, settings);
  if (!objectives.empty()) {
    const Real best = *std::min_element(objectives.begin(), objectives.end());
    for (std::size_t k = 0; k < objectives.size(); ++k)
      run.history[k].objective_gap = static_cast<double>(Real(objectives[k] - best));
  }
  run.x_norm = static_cast<double>(x_norm);
  const detail::FirenetPlan<T> plan = detail::make_firenet_plan(A, settings);
  run.eps0 = static_cast<double>(detail::firenet_eps0(plan, y));
  run.final_duality_gap = static_cast<double>(
      duality_gap(SparseProblem::p3_sqrt_lasso, A, y, result.solution, result.dual, settings.lambda, Real(0),
                  settings.weights)
          .gap);
  run.reason = result.reason;
  return run;
}

double predicted_relative_bound(double delta, double eps0, double x_norm, long n) {
  return (delta + std::exp(-double(n)) * eps0) / x_norm;
}

namespace {

// Least-squares slope of log e_r against r over restarts [first, last] (from 1).
double log_slope(const std::vector<double>& e, long first, long last) {
  double sr = 0, sl = 0, srr = 0, srl = 0;
  const double count = double(last - first + 1);
  for (long r = first; r <= last; ++r) {
    // An exact zero error (possible in principle) is taken as the smallest
    // normal double so that the logarithm stays finite.
    const double l = std::log(std::max(e[std::size_t(r - 1)], std::numeric_limits<double>::min()));
    sr += double(r);
    sl += l;
    srr += double(r) * double(r);
    srl += double(r) * l;
  }
  return (count * srl - sr * sl) / (count * srr - sr * sr);
}

}  // namespace

ConvergenceSummary summarise_convergence(const std::vector<ConvergencePoint>& history) {
  ConvergenceSummary s;
  for (std::size_t k = 0; k < history.size(); ++k)
    if (k + 1 == history.size() || history[k + 1].restart != history[k].restart)
      s.restart_errors.push_back(history[k].relative_error);
  const long n = long(s.restart_errors.size());
  const long q = std::max(4L, n / 5);
  if (n >= q + 1) {
    // Falling by less than 10% per restart over the last q restarts.
    s.floor_reached = log_slope(s.restart_errors, n - q + 1, n) > -std::log(1.1);
  }
  if (s.floor_reached) {
    double sum = 0;
    for (long r = n - q + 1; r <= n; ++r)
      sum += std::log(std::max(s.restart_errors[std::size_t(r - 1)], std::numeric_limits<double>::min()));
    s.floor = std::exp(sum / double(q));
    s.flattens_at = n;
    while (s.flattens_at > 1 && s.restart_errors[std::size_t(s.flattens_at - 2)] <= 2 * s.floor) --s.flattens_at;
  }
  // The linear phase: from the first restart to the last one still more
  // than ten times above the floor, so that the floor does not bend the fit.
  s.fit_last = s.floor_reached ? s.flattens_at - 1 : n;
  while (s.floor_reached && s.fit_last > 0 && s.restart_errors[std::size_t(s.fit_last - 1)] <= 10 * s.floor)
    --s.fit_last;
  s.fit_first = s.fit_last > 0 ? 1 : 0;
  if (s.fit_last >= 3)
    s.rate_per_restart = std::exp(log_slope(s.restart_errors, s.fit_first, s.fit_last));
  else
    s.rate_per_restart = std::numeric_limits<double>::quiet_NaN();
  return s;
}

#define BARRIERS_X(T)                                                                                    \
  template ConvergenceRun firenet_convergence<T>(const LinearOperator<T>&, const Vector<T>&, const Vector<T>&, \
                                                 FirenetSettings<T>, const std::function<void(long)>&);
BARRIERS_FOR_EACH_SCALAR(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
