// Internal: the per-iteration bookkeeping every algorithm shares (clock,
// observer call, error against the reference, non-finite detection).
#pragma once

#include <chrono>
#include <cstddef>
#include <type_traits>

#include "barriers/solvers/solver_result.hpp"

namespace barriers::detail {

template <class T>
class Progress {
 public:
  using Real = real_of<T>;
  Progress(const Observer<Real>& observer, const Vector<T>& reference)
      : observer_(observer), reference_(reference), start_(std::chrono::steady_clock::now()) {}

  bool active() const { return static_cast<bool>(observer_); }

  /// Calls the observer (if any) for `estimate`; `objective` (and
  /// `feasibility_gap`, for constrained problems) is only evaluated when
  /// there is an observer. Returns false to stop.
  template <class ObjectiveFn>
  bool report(long iteration, long restart, const Vector<T>& estimate, ObjectiveFn&& objective) const {
    return report(iteration, restart, estimate, objective, nullptr);
  }
  template <class ObjectiveFn, class FeasibilityFn>
  bool report(long iteration, long restart, const Vector<T>& estimate, ObjectiveFn&& objective,
              FeasibilityFn&& feasibility_gap) const {
    if (!observer_) return true;
    IterationInfo<Real> info;
    info.iteration = iteration;
    info.restart = restart;
    info.objective = objective(estimate);
    if constexpr (!std::is_null_pointer_v<std::decay_t<FeasibilityFn>>)
      info.feasibility_gap = feasibility_gap(estimate);
    if (reference_.size() != 0) info.error = (estimate - reference_).norm();
    info.elapsed_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    return observer_(info);
  }

 private:
  const Observer<Real>& observer_;
  const Vector<T>& reference_;
  std::chrono::steady_clock::time_point start_;
};

/// True when every entry of v is finite. For the built-in types Eigen's
/// vectorised allFinite (checked once per iteration, so its speed matters at
/// small sizes); all_finite otherwise.
template <class T>
bool finite_vector(const Vector<T>& v) {
  if constexpr (std::is_floating_point_v<real_of<T>>)
    return v.allFinite();
  else
    return all_finite(v);
}

}  // namespace barriers::detail
