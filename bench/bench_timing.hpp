// CPU-time measurement shared by the benchmarks that print ratios of costs
// measured in the same run.
#pragma once

#include <ctime>
#include <functional>

namespace barriers::bench {

/// CPU time of the process (all its threads): unlike wall time it does not
/// count the time other processes hold the cores, which on a loaded machine
/// is most of the noise.
inline double cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

/// CPU seconds per unit of `run` (which returns how many units it did),
/// calling it until at least min_seconds have passed (and at least once).
inline double per_unit(const std::function<long()>& run, double min_seconds) {
  long units = 0;
  const double start = cpu_seconds();
  double elapsed = 0;
  do {
    units += run();
    elapsed = cpu_seconds() - start;
  } while (elapsed < min_seconds);
  return elapsed / double(units);
}

}  // namespace barriers::bench
