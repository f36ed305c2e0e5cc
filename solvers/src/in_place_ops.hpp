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

// Entry i of a vector or a column of a matrix, by reference: a column of a
// const matrix hands out its entries by value (a copy, so an MPFR number).
template <class X>
const typename X::Scalar& entry(const Eigen::MatrixBase<X>& x, Eigen::Index i) {
  return x.derived().data()[i * x.innerStride()];
}

// dst += x * s (x a vector or a column of a matrix)
template <class T, class X>
void add_scaled(Vector<T>& dst, const Eigen::MatrixBase<X>& x, const real_of<T>& s) {
  if constexpr (in_place<T>) {
    thread_local T p;
    for (Eigen::Index i = 0; i < dst.size(); ++i) {
      p = entry(x, i);
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
    dst = a;
    add_scaled(dst, x, s);
  } else {
    dst = a + x * s;
  }
}

// acc = sum_i Re(conj(a_i) b_i), a and b vectors or columns of a matrix
template <class A, class B>
void real_inner_into(real_of<typename A::Scalar>& acc, const Eigen::MatrixBase<A>& a,
                     const Eigen::MatrixBase<B>& b) {
  using T = typename A::Scalar;
  if constexpr (in_place<T>) {
    thread_local T p;
    acc = 0;
    for (Eigen::Index i = 0; i < a.size(); ++i) {
      p = entry(a, i);
      p *= entry(b, i);
      acc += p;
    }
  } else if constexpr (number_traits<T>::is_complex) {
    acc = a.dot(b).real();
  } else {
    acc = a.dot(b);
  }
}

// The real part of an MPFR number, real or complex, without a copy
// (std::complex<R> holds [re, im]; real() would copy, and so allocate).
template <class S>
const mpfr_real& real_part_ref(const S& x) {
  if constexpr (std::is_same_v<S, mpfr_real>) {
    return x;
  } else {
    static_assert(sizeof(S) == 2 * sizeof(mpfr_real));
    return reinterpret_cast<const mpfr_real(&)[2]>(x)[0];
  }
}

// A buffer (Eigen vector or std::vector) of MPFR numbers, real or complex,
// made at another precision than the current default (under another
// PrecisionGuard); false for the other types.
template <class V>
bool stale(const V& v) {
  using S = std::remove_cv_t<std::remove_reference_t<decltype(v[0])>>;
  if constexpr (std::is_same_v<real_of<S>, mpfr_real>)
    return v.size() > 0 && real_part_ref(v[0]).precision() != mpfr_real::default_precision();
  else
    return false;
}

// v resized to n entries, all zero. For MPFR (real or complex) the zeros are
// assigned in place, keeping v's precision; Eigen's setZero would create a
// new MPFR zero per call (per entry for complex numbers).
template <class T>
void set_zero(Vector<T>& v, Eigen::Index n) {
  using R = real_of<T>;
  if constexpr (std::is_same_v<R, mpfr_real>) {
    v.resize(n);
    constexpr Eigen::Index w = number_traits<T>::is_complex ? 2 : 1;
    static_assert(sizeof(T) == w * sizeof(R));
    R* r = reinterpret_cast<R*>(v.data());
    for (Eigen::Index k = 0; k < w * n; ++k) r[k] = 0;
  } else {
    v.setZero(n);
  }
}

// out resized to n entries, all zero, at the current precision.
template <class T>
void fresh_output(Vector<T>& out, Eigen::Index n) {
  if (stale(out)) out.resize(0);
  set_zero(out, n);
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
  if constexpr (in_place<T>)
    real_inner_into(acc, v, v);
  else
    acc = v.squaredNorm();
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

// dst = a - x * s (dst may not alias x)
template <class T>
void set_diff_scaled(Vector<T>& dst, const Vector<T>& a, const Vector<T>& x, const real_of<T>& s) {
  if constexpr (in_place<T>) {
    dst = a;
    subtract_scaled(dst, x, s);
  } else {
    dst = a - x * s;
  }
}

// Adam's bias corrections c1 = 1 - b1^t, c2 = 1 - b2^t, advanced one step
// at a time in place (no MPFR number made per step).
template <class R>
struct AdamBias {
  R p1 = R(1), p2 = R(1), c1 = R(1), c2 = R(1);  // b1^t, b2^t and the corrections
  void restart() {
    p1 = 1;
    p2 = 1;
  }
  void step(const R& b1, const R& b2) {
    p1 *= b1;
    p2 *= b2;
    c1 = 1;
    c1 -= p1;
    c2 = 1;
    c2 -= p2;
  }
};

}  // namespace barriers::in_place_ops
