// Memory and time estimates checked before an experiment starts, so that a
// run too large for the machine is refused with the figures instead of
// aborting inside GMP ("Cannot allocate memory") after hours of work.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string>

namespace barriers::impossibility {

/// Bytes one number of the working type occupies, with allocation overhead:
/// an MPFR number is a 32-byte header plus its limbs on the heap (+16 bytes
/// of allocator bookkeeping).
inline double bytes_per_number(const std::string& type, unsigned bits) {
  if (type == "double") return 8;
  if (type == "long-double" || type == "float128") return 16;
  return 32 + 16 + 8.0 * ((bits + 63) / 64);
}

/// An exact rational with `bits` bits of numerator (the oracle's answers at
/// precision n): two GMP integers with headers and heap blocks.
inline double bytes_per_rational(long bits) { return 64 + 2 * (16 + 8.0 * double((bits + 63) / 64)); }

/// Rough seconds per multiply-add in the working type (measured orders of
/// magnitude on one core; only used to refuse astronomically long runs).
inline double seconds_per_operation(const std::string& type, unsigned bits) {
  if (type == "double") return 1e-9;
  if (type == "long-double") return 3e-9;
  if (type == "float128") return 5e-8;
  const double limbs = double((bits + 63) / 64);
  return 4e-8 + 1e-9 * limbs * limbs;  // schoolbook up to a few hundred limbs, an over-estimate beyond
}

/// Memory the machine can give this process now: MemAvailable from
/// /proc/meminfo, else physical memory; 0 if neither is known.
inline double available_memory_bytes() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  double kb = 0;
  std::string unit;
  while (in >> key >> kb >> unit)
    if (key == "MemAvailable:") return kb * 1024;
  const long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGE_SIZE);
  return pages > 0 && size > 0 ? double(pages) * double(size) : 0;
}

/// Runs longer than this (one year) are refused as astronomically large.
inline constexpr double max_run_seconds = 365.0 * 24 * 3600;

/// Throws std::invalid_argument naming `what`, the estimate and the limit
/// when `bytes` exceeds `limit_bytes` (0: available_memory_bytes()) or
/// `seconds` exceeds max_run_seconds.
inline void check_resources(const std::string& what, double bytes, double seconds, double limit_bytes = 0) {
  if (limit_bytes <= 0) limit_bytes = available_memory_bytes();
  char buf[400];
  if (limit_bytes > 0 && bytes > limit_bytes) {
    std::snprintf(buf, sizeof buf,
                  "%s needs about %.3g GB of memory, more than the %.3g GB available: reduce the sizes, "
                  "precisions or sample counts",
                  what.c_str(), bytes / 1e9, limit_bytes / 1e9);
    throw std::invalid_argument(buf);
  }
  if (seconds > max_run_seconds) {
    std::snprintf(buf, sizeof buf,
                  "%s would run for about %.3g years (limit: 1 year): reduce the sizes, precisions or iteration "
                  "counts",
                  what.c_str(), seconds / max_run_seconds);
    throw std::invalid_argument(buf);
  }
}

}  // namespace barriers::impossibility
