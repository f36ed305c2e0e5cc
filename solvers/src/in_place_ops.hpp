// In-place element operations for the stability loops (issue 10: training
// and attack loops that create no MPFR number).
//
// Eigen's expressions create a number per entry for MPFR (a + b, a * s and
// even v *= s, whose constant operand is copied per entry), and with MPFR
// each number is an allocation. For real MPFR these helpers work with
// compound assignment on kept temporaries instead: nothing is allocated (an
// assignment takes the source's precision without new limbs of the same
// size), each entry is rounded as the expression in its comment would round
// it, and sums run in index order, as Eigen's reductions do for MPFR. The
// other types (complex MPFR included, for now) use the expressions.
#pragma once

#include <cmath>
#include <type_traits>

#include <mpfr.h>

#include "barriers/solvers/solver_types.hpp"

namespace barriers::in_place_ops {

template <class T>
constexpr bool in_place = std::is_same_v<T, mpfr_real>;

// dst += x * s
template <class T>
void add_scaled(Vector<T>& dst, const Vector<T>& x, const real_of<T>& s) {
  if constexpr (in_place<T>) {
    thread_local T p;
    for (Eigen::Index i = 0; i < dst.size(); ++i) {
      p = x(i);
      p *= s;
      dst(i) += p;
    }
  } else {
    dst += x * s;
  }
}

// dst = a + x * s (dst may not alias x)
template <class T>
void set_sum_scaled(Vector<T>& dst, const Vector<T>& a, const Vector<T>& x, const real_of<T>& s) {
  if constexpr (in_place<T>) {
    dst.resize(a.size());
    for (Eigen::Index i = 0; i < a.size(); ++i) {
      dst(i) = x(i);
      dst(i) *= s;
      dst(i) += a(i);
    }
  } else {
    dst = a + x * s;
  }
}

// sum_i Re(conj(a_i) b_i)
template <class T>
void real_inner_into(real_of<T>& acc, const Vector<T>& a, const Vector<T>& b) {
  if constexpr (in_place<T>) {
    thread_local T p;
    acc = 0;
    for (Eigen::Index i = 0; i < a.size(); ++i) {
      p = a(i);
      p *= b(i);
      acc += p;
    }
  } else {
    acc = real_inner(a, b);
  }
}

// dst = a - x * s (dst may not alias x)
template <class T>
void set_diff_scaled(Vector<T>& dst, const Vector<T>& a, const Vector<T>& x, const real_of<T>& s) {
  if constexpr (in_place<T>) {
    thread_local T p;
    dst.resize(a.size());
    for (Eigen::Index i = 0; i < a.size(); ++i) {
      p = x(i);
      p *= s;
      dst(i) = a(i);
      dst(i) -= p;
    }
  } else {
    dst = a - x * s;
  }
}

// A buffer whose MPFR numbers have another precision than the current
// default (the map was last used under another PrecisionGuard).
template <class T>
bool stale(const Vector<T>& v) {
  if constexpr (in_place<T>)
    return v.size() > 0 && v(0).precision() != T::default_precision();
  else
    return false;
}

// out resized to n entries, all zero, at the current precision.
template <class T>
void fresh_output(Vector<T>& out, Eigen::Index n) {
  if (stale(out)) out.resize(0);
  out.resize(n);
  for (Eigen::Index i = 0; i < n; ++i) out(i) = 0;
}

// x = sqrt(x)
template <class R>
void sqrt_in_place(R& x) {
  if constexpr (std::is_same_v<R, mpfr_real>) {
    mpfr_sqrt(x.backend().data(), x.backend().data(), MPFR_RNDN);
  } else {
    using std::sqrt;
    x = sqrt(x);
  }
}

// acc = ||v||^2 (acc keeps its precision for MPFR; v empty: 0)
template <class T>
void squared_norm_into(real_of<T>& acc, const Vector<T>& v) {
  if constexpr (in_place<T>) {
    thread_local T p;
    acc = 0;
    for (Eigen::Index i = 0; i < v.size(); ++i) {
      p = v(i);
      p *= v(i);
      acc += p;
    }
  } else {
    acc = v.squaredNorm();
  }
}

// acc = ||v||
template <class T>
void norm_into(real_of<T>& acc, const Vector<T>& v) {
  squared_norm_into(acc, v);
  sqrt_in_place(acc);
}

// v *= s, entry by entry
template <class T, class S>
void scale(Vector<T>& v, const S& s) {
  for (Eigen::Index i = 0; i < v.size(); ++i) v(i) *= s;
}

// v /= s, entry by entry
template <class T, class S>
void divide(Vector<T>& v, const S& s) {
  for (Eigen::Index i = 0; i < v.size(); ++i) v(i) /= s;
}

// dst = a + b
template <class T>
void set_sum(Vector<T>& dst, const Vector<T>& a, const Vector<T>& b) {
  if constexpr (in_place<T>) {
    dst.resize(a.size());
    for (Eigen::Index i = 0; i < a.size(); ++i) {
      dst(i) = a(i);
      dst(i) += b(i);
    }
  } else {
    dst = a + b;
  }
}

// dst = a - b
template <class T>
void set_difference(Vector<T>& dst, const Vector<T>& a, const Vector<T>& b) {
  if constexpr (in_place<T>) {
    dst.resize(a.size());
    for (Eigen::Index i = 0; i < a.size(); ++i) {
      dst(i) = a(i);
      dst(i) -= b(i);
    }
  } else {
    dst = a - b;
  }
}

// dst -= x * s
template <class T>
void subtract_scaled(Vector<T>& dst, const Vector<T>& x, const real_of<T>& s) {
  if constexpr (in_place<T>) {
    thread_local T p;
    for (Eigen::Index i = 0; i < dst.size(); ++i) {
      p = x(i);
      p *= s;
      dst(i) -= p;
    }
  } else {
    dst -= x * s;
  }
}

// v = 0 entry by entry (Eigen's setZero creates a zero per call)
template <class T>
void zero(Vector<T>& v) {
  if constexpr (in_place<T>)
    for (Eigen::Index i = 0; i < v.size(); ++i) v(i) = 0;
  else
    v.setZero();
}

}  // namespace barriers::in_place_ops
