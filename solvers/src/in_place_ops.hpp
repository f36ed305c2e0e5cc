// In-place element operations for the stability loops (issue 10: training
// and attack loops that create no MPFR number).
//
// Eigen's expressions create a number per entry for MPFR (a + b, a * s and
// even v *= s, whose constant operand is copied per entry), and with MPFR
// each number is an allocation. For real MPFR these helpers work with
// compound assignment on kept temporaries instead: nothing is allocated (an
// assignment takes the source's precision without new limbs of the same
// size), each entry is rounded as the expression in its comment would round
// it, and sums run in index order, as Eigen's reductions do for MPFR.
// Complex MPFR numbers are worked on as their two parts (parts()), each
// rounded as std::complex's operators round it. The other types use the
// expressions.
#pragma once

#include <cmath>
#include <type_traits>

#include <mpfr.h>

#include "barriers/solvers/solver_types.hpp"

namespace barriers::in_place_ops {

template <class T>
constexpr bool in_place = std::is_same_v<real_of<T>, mpfr_real>;

// The number of real parts of a T: 2 for complex numbers, 1 for real ones.
template <class T>
constexpr int width = number_traits<T>::is_complex ? 2 : 1;

// The parts of x as an array of width<T> reals: x itself, or [re, im]
// (std::complex<R> holds its two parts in a row; real() and imag() would
// copy them, and so allocate).
template <class T>
real_of<T>* parts(T& x) {
  static_assert(sizeof(T) == width<T> * sizeof(real_of<T>), "a complex number is not its two parts in a row");
  return reinterpret_cast<real_of<T>*>(&x);
}
template <class T>
const real_of<T>* parts(const T& x) {
  static_assert(sizeof(T) == width<T> * sizeof(real_of<T>), "a complex number is not its two parts in a row");
  return reinterpret_cast<const real_of<T>*>(&x);
}

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
    thread_local real_of<T> p;
    for (Eigen::Index i = 0; i < dst.size(); ++i) {
      const real_of<T>* xi = parts(entry(x, i));
      real_of<T>* di = parts(dst(i));
      for (int c = 0; c < width<T>; ++c) {
        p = xi[c];
        p *= s;
        di[c] += p;
      }
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

// acc = 0 at the precision of a's entries (an accumulator kept from a run
// at another precision, e.g. a thread_local, would otherwise sum at that
// one). Assignment takes the source's precision, with new limbs only when
// it rises; an empty a gives a fresh zero.
template <class A>
void zero_like_data(real_of<typename A::Scalar>& acc, const Eigen::MatrixBase<A>& a) {
  if (a.size() > 0)
    acc = parts(entry(a, 0))[0];
  else
    acc = real_of<typename A::Scalar>();
  acc = 0;
}

// acc = sum_i Re(conj(a_i) b_i), a and b vectors or columns of a matrix.
// A complex term is rounded as std::complex's product rounds its real part,
// re(a) re(b) + im(a) im(b), each product rounded, then their sum.
template <class A, class B>
void real_inner_into(real_of<typename A::Scalar>& acc, const Eigen::MatrixBase<A>& a,
                     const Eigen::MatrixBase<B>& b) {
  using T = typename A::Scalar;
  if constexpr (in_place<T>) {
    thread_local real_of<T> p, q;
    zero_like_data(acc, a);
    for (Eigen::Index i = 0; i < a.size(); ++i) {
      const real_of<T>*ai = parts(entry(a, i)), *bi = parts(entry(b, i));
      p = ai[0];
      p *= bi[0];
      if constexpr (width<T> == 2) {
        q = ai[1];
        q *= bi[1];
        p += q;
      }
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
  return parts(x)[0];
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

// m = |x| at x's precision: for complex MPFR mpfr_modulus, as modulus()
// computes it; for real MPFR exact.
template <class T>
void modulus_into(real_of<T>& m, const T& x) {
  if constexpr (in_place<T>) {
    thread_local real_of<T> scratch;
    const real_of<T>* p = parts(x);
    mpfr_ptr out = m.backend().data(), work = scratch.backend().data();
    mpfr_srcptr re = p[0].backend().data();
    const mpfr_prec_t prec = mpfr_get_prec(re);
    if (mpfr_get_prec(out) != prec) mpfr_set_prec(out, prec);  // new limbs only when the precision rises
    if constexpr (width<T> == 2) {
      if (mpfr_get_prec(work) != prec) mpfr_set_prec(work, prec);
      mpfr_modulus(out, re, p[1].backend().data(), work);
    } else {
      mpfr_abs(out, re, MPFR_RNDN);
    }
  } else {
    m = modulus(x);
  }
}

// x = soft_t(v) by modulus for one entry, v ((|v| - t) / |v|), or 0 at or
// below t (soft_one_by_modulus's roundings); m receives |v|. x may not
// alias v. True when |v| > t.
template <class T>
bool soft_by_modulus_into(T& x, const T& v, const real_of<T>& t, real_of<T>& m) {
  thread_local real_of<T> q;
  modulus_into(m, v);
  x = v;  // v's precision, also for the zero
  real_of<T>* xp = parts(x);
  if (!(m > t)) {
    for (int c = 0; c < width<T>; ++c) xp[c] = 0;
    return false;
  }
  q = m;
  q -= t;
  q /= m;
  for (int c = 0; c < width<T>; ++c) xp[c] *= q;
  return true;
}

// g <- J^* g for one complex entry of the soft threshold at v, |v| = m > t:
// J = (1 - t/m) I + (t/m^3) v v^T in R^2, so g <- g (1 - t/m) + v (t proj /
// ((m m) m)) with proj = Re(conj(v) g), which proj receives (rounded as the
// expression, each product rounded).
template <class R>
void soft_backward_complex(std::complex<R>& g, const std::complex<R>& v, const R& t, const R& m, R& proj) {
  thread_local R radial, keep, q;
  const R* vp = parts(v);
  R* gp = parts(g);
  proj = vp[0];
  proj *= gp[0];
  q = vp[1];
  q *= gp[1];
  proj += q;
  radial = t;
  radial *= proj;
  q = m;
  q *= m;
  q *= m;
  radial /= q;
  keep = t;  // 1 - t / m
  keep /= m;
  mpfr_ui_sub(keep.backend().data(), 1, keep.backend().data(), MPFR_RNDN);
  for (int c = 0; c < 2; ++c) {
    gp[c] *= keep;
    q = vp[c];
    q *= radial;
    gp[c] += q;
  }
}

// out = a b, or a conj(b), rounded as std::complex's product (re = a_re b_re
// - a_im b_im, im = a_re b_im + a_im b_re, each product rounded, then the
// sum). out may not alias a or b.
template <class T>
void product_into(T& out, const T& a, const T& b, bool conj_b = false) {
  out = a;
  if constexpr (width<T> == 1) {
    out *= b;
  } else {
    thread_local real_of<T> q;
    const real_of<T>*ap = parts(a), *bp = parts(b);
    real_of<T>* o = parts(out);
    o[0] *= bp[0];
    q = ap[1];
    q *= bp[1];
    if (conj_b)
      o[0] += q;
    else
      o[0] -= q;
    o[1] = ap[1];
    o[1] *= bp[0];
    q = ap[0];
    q *= bp[1];
    if (conj_b)
      o[1] -= q;
    else
      o[1] += q;
  }
}

// acc = sum_i conj(a_i) b_i, each term rounded as product_into(b_i, a_i,
// conj) rounds it, summed in index order.
template <class A, class B>
void inner_into(typename A::Scalar& acc, const Eigen::MatrixBase<A>& a, const Eigen::MatrixBase<B>& b) {
  using T = typename A::Scalar;
  if constexpr (width<T> == 1) {
    real_inner_into(acc, a, b);
  } else {
    thread_local T p;
    real_of<T>* r = parts(acc);
    zero_like_data(r[0], a);
    zero_like_data(r[1], a);
    for (Eigen::Index i = 0; i < a.size(); ++i) {
      product_into(p, entry(b, i), entry(a, i), true);
      const real_of<T>* q = parts(p);
      r[0] += q[0];
      r[1] += q[1];
    }
  }
}

// dst += x s for a scalar s of x's type (x a vector or a column of a matrix)
template <class T, class X>
void add_product(Vector<T>& dst, const Eigen::MatrixBase<X>& x, const T& s) {
  if constexpr (width<T> == 1) {
    add_scaled(dst, x, s);
  } else {
    thread_local T p;
    for (Eigen::Index i = 0; i < dst.size(); ++i) {
      product_into(p, entry(x, i), s);
      const real_of<T>* q = parts(p);
      real_of<T>* d = parts(dst(i));
      d[0] += q[0];
      d[1] += q[1];
    }
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

// The real parts of the entries of a vector or matrix in a row (2 n for n
// complex entries).
template <class D>
real_of<typename D::Scalar>* reals(Eigen::PlainObjectBase<D>& v) {
  return reinterpret_cast<real_of<typename D::Scalar>*>(v.data());
}
template <class D>
const real_of<typename D::Scalar>* reals(const Eigen::PlainObjectBase<D>& v) {
  return reinterpret_cast<const real_of<typename D::Scalar>*>(v.data());
}

// dst += b
template <class T>
void add(Vector<T>& dst, const Vector<T>& b) {
  if constexpr (in_place<T>) {
    real_of<T>* d = reals(dst);
    const real_of<T>* q = reals(b);
    for (Eigen::Index k = 0; k < width<T> * dst.size(); ++k) d[k] += q[k];
  } else {
    dst += b;
  }
}

// dst -= b
template <class T>
void subtract(Vector<T>& dst, const Vector<T>& b) {
  if constexpr (in_place<T>) {
    real_of<T>* d = reals(dst);
    const real_of<T>* q = reals(b);
    for (Eigen::Index k = 0; k < width<T> * dst.size(); ++k) d[k] -= q[k];
  } else {
    dst -= b;
  }
}

// dst = a + b
template <class T>
void set_sum(Vector<T>& dst, const Vector<T>& a, const Vector<T>& b) {
  if constexpr (in_place<T>) {
    dst = a;
    add(dst, b);
  } else {
    dst = a + b;
  }
}

// dst = a - b
template <class T>
void set_difference(Vector<T>& dst, const Vector<T>& a, const Vector<T>& b) {
  if constexpr (in_place<T>) {
    dst = a;
    subtract(dst, b);
  } else {
    dst = a - b;
  }
}

// dst -= x * s
template <class T>
void subtract_scaled(Vector<T>& dst, const Vector<T>& x, const real_of<T>& s) {
  if constexpr (in_place<T>) {
    thread_local real_of<T> p;
    real_of<T>* d = reals(dst);
    const real_of<T>* q = reals(x);
    for (Eigen::Index k = 0; k < width<T> * dst.size(); ++k) {
      p = q[k];
      p *= s;
      d[k] -= p;
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
