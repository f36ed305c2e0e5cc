// Counts the allocations GMP, and so MPFR and Boost's MPFR numbers, make
// while it is alive (issue 10: loops that create no MPFR number). Not for
// concurrent use: it swaps GMP's process-wide allocation functions.
#pragma once

#include <gmp.h>

#include <array>
#include <cstddef>

namespace barriers::test {

class GmpAllocationCounter {
 public:
  GmpAllocationCounter() {
    mp_get_memory_functions(&alloc_, &realloc_, &free_);
    count_ = 0;
    mp_set_memory_functions(counting_alloc, counting_realloc, free_);
  }
  ~GmpAllocationCounter() { mp_set_memory_functions(alloc_, realloc_, free_); }
  GmpAllocationCounter(const GmpAllocationCounter&) = delete;
  GmpAllocationCounter& operator=(const GmpAllocationCounter&) = delete;

  /// Allocations and reallocations since construction.
  long count() const { return count_; }

 private:
  static void* counting_alloc(std::size_t n) {
    ++count_;
    return alloc_(n);
  }
  static void* counting_realloc(void* p, std::size_t old_size, std::size_t new_size) {
    ++count_;
    return realloc_(p, old_size, new_size);
  }

  static inline void* (*alloc_)(std::size_t) = nullptr;
  static inline void* (*realloc_)(void*, std::size_t, std::size_t) = nullptr;
  static inline void (*free_)(void*, std::size_t) = nullptr;
  static inline long count_ = 0;
};

/// The allocations GMP makes while f() runs.
template <class F>
long gmp_allocations_of(F&& f) {
  GmpAllocationCounter counter;
  f();
  return counter.count();
}

/// Allocations of perturbation_search(loss, s) at `iterations` steps per
/// start, for momentum and for Adam: {momentum, adam}.
template <class Loss, class Settings, class Search>
std::array<long, 2> search_allocations(Loss& loss, Settings s, int iterations, Search search) {
  std::array<long, 2> out{};
  for (int k = 0; k < 2; ++k) {
    s.method = k == 0 ? decltype(s.method)::momentum : decltype(s.method)::adam;
    s.iterations = iterations;
    out[std::size_t(k)] = gmp_allocations_of([&] { search(loss, s); });
  }
  return out;
}

}  // namespace barriers::test
