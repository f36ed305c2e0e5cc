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
#include "../in_place_ops.hpp"

namespace barriers::imaging_detail {

template <class V, class Tag>
class Scratch {
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
      if (in_place_ops::stale(s.v)) s.v = V();
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
  std::optional<V> local_;
  V* v_ = nullptr;
  bool owner_ = false;
};

/// v with at least n entries (a std::vector only grows, so a thread's
/// buffer is not reallocated when it alternates between image sizes).
template <class S>
S* at_least(std::vector<S>& v, std::size_t n) {
  if (v.size() < n) v.resize(n);
  return v.data();
}

}  // namespace barriers::imaging_detail
