// Reusable per-thread buffers for the temporaries of the imaging operators.
//
// One operator object is applied from several threads at once (sweep-like
// commands share it), so its scratch space cannot be a member; allocating it
// per call costs page faults at image sizes (a 256 x 256 complex image is
// 1 MiB, above glibc's mmap threshold), more than some transforms cost.
// Scratch<V, Tag> hands out a thread-local V (a std::vector or an Eigen
// vector), one per (V, Tag), so buffers of different call sites never meet;
// it keeps its contents and size between uses. A buffer already in use on
// this thread (a nested call through the same site, e.g. a composition inside
// a composition) is not shared: that use gets a fresh local V instead. MPFR
// numbers carry their precision, which the thread's working precision may
// change between calls: a buffer whose numbers have another precision than
// the current default is emptied on acquisition, so that it is rebuilt at
// the working precision (numbers assigned into it take the precision of
// what is assigned, as a fresh buffer's would). A thread keeps its buffers,
// sized for the largest image it transformed, until it exits.
#pragma once

#include <optional>
#include <type_traits>
#include <vector>

#include "barriers/solvers/solver_types.hpp"

namespace barriers::imaging_detail {

template <class V, class Tag>
class Scratch {
  using Real = real_of<typename V::value_type>;
  struct Slot {
    V v;
    bool busy = false;
  };
  static Slot& slot() {
    thread_local Slot s;
    return s;
  }

 public:
  Scratch() {
    Slot& s = slot();
    if (!s.busy) {
      s.busy = true;
      owner_ = true;
      v_ = &s.v;
      if constexpr (std::is_same_v<Real, mpfr_real>) {
        if (s.v.size() > 0 && real_part_of(s.v[0]).precision() != mpfr_real::default_precision()) s.v = V();
      }
    }
    if (!v_) v_ = &local_.emplace();
  }
  ~Scratch() {
    if (owner_) slot().busy = false;
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;

  V& operator*() { return *v_; }
  V* operator->() { return v_; }

 private:
  template <class S>
  static const Real& real_part_of(const S& x) {
    if constexpr (std::is_same_v<S, Real>)
      return x;
    else {  // std::complex<R> holds [re, im]; real() would copy (and allocate)
      static_assert(sizeof(S) == 2 * sizeof(Real));
      return reinterpret_cast<const Real(&)[2]>(x)[0];
    }
  }

  std::optional<V> local_;
  V* v_ = nullptr;
  bool owner_ = false;
};

/// v resized to n entries, all zero. For MPFR (real or complex) the zeros
/// are assigned in place, keeping v's precision; Eigen's setZero would
/// create a new MPFR zero per call (per entry for complex numbers).
template <class T>
void set_zero(Vector<T>& v, Eigen::Index n) {
  using R = real_of<T>;
  if constexpr (std::is_same_v<R, mpfr_real>) {
    v.resize(n);
    constexpr Eigen::Index w = number_traits<T>::is_complex ? 2 : 1;
    static_assert(sizeof(T) == w * sizeof(R));
    R* r = reinterpret_cast<R*>(v.data());  // std::complex<R> holds [re, im]
    for (Eigen::Index k = 0; k < w * n; ++k) r[k] = 0;
  } else {
    v.setZero(n);
  }
}

/// v with at least n entries (a std::vector only grows, so a thread's
/// buffer is not reallocated when it alternates between image sizes).
template <class S>
S* at_least(std::vector<S>& v, std::size_t n) {
  if (v.size() < n) v.resize(n);
  return v.data();
}

}  // namespace barriers::imaging_detail
