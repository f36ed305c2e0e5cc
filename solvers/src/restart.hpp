// Internal: the restart bookkeeping FIRENET and WARPd share: the shrinking
// level of the restart schedule (FIRENET's eps, WARPd's omega) with its floor
// at the working precision, and the average of one restart's iterates.
#pragma once

#include "barriers/solvers/solver_types.hpp"

namespace barriers::detail {

/// level_{r+1} = max(factor (delta + level_r), floor), never below the floor,
/// which is level_0 u (u the working epsilon; u itself when level_0 u
/// underflows). Why the floor: the steps of both schemes scale with the
/// level (FIRENET in rescaled variables alpha ~ 1 / eps, WARPd through
/// tau1 ~ omega and tau2 ~ 1 / omega). Once the level is below level_0 u
/// the primal moves fall below the rounding unit of the iterate relative to
/// its scale: further shrinking only adds rounding, and with delta = 0 the
/// reciprocal overflows after about ln(max / level_0) / ln(1 / factor)
/// restarts. level_0 u is also the relative accuracy the data carry in R.
template <class R>
class RestartLevel {
 public:
  RestartLevel(const R& start, const R& factor, const R& delta) : level_(start), factor_(factor), delta_(delta) {
    const R u = number_traits<R>::epsilon();
    const R f = start * u;
    floor_ = f > 0 ? f : u;
    if (level_ < floor_) level_ = floor_;
  }
  const R& value() const { return level_; }
  const R& floor() const { return floor_; }
  void shrink() {
    level_ = factor_ * (delta_ + level_);
    if (level_ < floor_) level_ = floor_;
  }

 private:
  R level_, factor_, delta_, floor_;
};

/// The running sum of one restart's iterates. Its storage is kept across
/// restarts, so a run allocates it once.
template <class T>
class RestartAverage {
 public:
  using Real = real_of<T>;
  void begin(Eigen::Index n) {
    sum_.setZero(n);
    count_ = 0;
  }
  void add(const Vector<T>& x) {
    sum_ += x;
    ++count_;
  }
  long count() const { return count_; }
  /// out = sum / (count * scale) (scale: FIRENET's alpha, 1 for WARPd).
  void average(const Real& scale, Vector<T>& out) const { out = sum_ / (Real(count_) * scale); }

 private:
  Vector<T> sum_;
  long count_ = 0;
};

/// The end of a restart that took at least one step: its output becomes the
/// next start psi, unless it is not finite (the running sum can overflow even
/// when every iterate is finite); then psi keeps the previous restart's
/// output and the result is false. `output` is left in an unspecified state.
template <class T>
bool accept_restart_output(Vector<T>& output, Vector<T>& psi) {
  if (!all_finite(output)) return false;
  psi.swap(output);
  return true;
}

}  // namespace barriers::detail
