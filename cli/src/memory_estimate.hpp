// Refusing a run up front whose working set would not fit in memory: the
// bytes one scalar of the working type occupies, and the check of an
// estimated total against the machine's physical memory.
#pragma once

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <type_traits>

#include "barriers/precision/traits.hpp"
#include "barriers/solvers/solver_types.hpp"
#include "usage_error.hpp"

namespace barriers::cli {

/// Bytes one scalar of T occupies (MPFR: the object, its limbs and the
/// allocator's header; complex: twice the real part).
template <class T>
double bytes_per_scalar(unsigned bits) {
  const double c = number_traits<T>::is_complex ? 2 : 1;
  using R = real_of<T>;
  if constexpr (std::is_same_v<R, mpfr_real>)
    return c * (double(sizeof(mpfr_real)) + 8.0 * std::ceil(bits / 64.0) + 16);
  else
    return c * double(sizeof(R));
}

/// Throws UsageError "<what> needs about X GB of working memory<detail>;
/// this machine has Y GB (limit 80%): <advice>" when need_bytes exceeds 80%
/// of the physical memory (the rest is left to the system and other jobs).
/// Does nothing where the physical memory is unknown.
inline void check_memory_fits(double need_bytes, const std::string& what, const std::string& detail,
                              const std::string& advice) {
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || page <= 0) return;
  const double have = double(pages) * double(page);
  if (need_bytes <= 0.8 * have) return;
  char gb[64];
  std::snprintf(gb, sizeof gb, "%.3g GB", need_bytes / 1e9);
  char has[64];
  std::snprintf(has, sizeof has, "%.3g GB", have / 1e9);
  throw UsageError(what + " needs about " + gb + " of working memory" + detail + "; this machine has " + has +
                   " (limit 80%): " + advice);
}

}  // namespace barriers::cli
