// Proximal maps, instantiated for every scalar type.
#include "barriers/solvers/prox.hpp"

#include <limits>
#include <stdexcept>

namespace barriers {

namespace {
// Shrinks the modulus of a by t >= 0, keeping the phase. |a| > t is tested
// first, so the division below is by a positive number.
template <class T>
T soft_one_by_modulus(const T& a, const real_of<T>& t) {
  const real_of<T> m = modulus(a);
  if (!(m > t)) return T(0);
  return a * ((m - t) / m);
}

// True only when |a| < t by a margin that no rounding below can cross, so
// that soft_one_by_modulus(a, t) is certainly 0; false tells nothing. For
// complex IEEE types, where |a| is a hypot call (glibc: about 18 ns per
// double entry, most of the imaging FIRENET step's own time), and most
// entries are below their thresholds.
//
// Why it is safe: with u = eps / 2 and eta the smallest subnormal, the
// computed s = a_r^2 + a_i^2 (any fusing) satisfies s >= |a|^2 (1 - u)^2 -
// 2 eta, and c = fl(fl(t^2) (1 - 32 eps)) <= t^2 (1 + u)^2 (1 - 64 u). If
// s < c, then |a|^2 < t^2 (1 - 59 u) as long as 2 eta is below t^2 u, which
// t^2 >= min / eps guarantees; so |a| < t (1 - 29 u), and a modulus with an
// error below 29 ulps (hypot is within 1) is <= t. t^2 above the largest
// finite value, s = inf (|a|^2 overflows) and NaN anywhere make the test
// false: such entries keep the old path, and so its NaN and inf behaviour.
template <class T>
bool certainly_below(const T& a, const real_of<T>& t) {
  using R = real_of<T>;
  if constexpr (number_traits<T>::is_complex && std::numeric_limits<R>::is_iec559) {
    const R tt = t * t;
    if (!(tt >= std::numeric_limits<R>::min() / std::numeric_limits<R>::epsilon() &&
          tt <= std::numeric_limits<R>::max()))
      return false;
    const R s = a.real() * a.real() + a.imag() * a.imag();
    return s < tt * (R(1) - 32 * std::numeric_limits<R>::epsilon());
  } else {
    return false;  // real |a| is exact and cheap; MPFR keeps its own modulus
  }
}

// The same map as soft_one_by_modulus, bit for bit: the entries decided by
// certainly_below are exactly those it sends to +0.
template <class T>
T soft_one(const T& a, const real_of<T>& t) {
  if (certainly_below(a, t)) return T(0);
  return soft_one_by_modulus(a, t);
}
}  // namespace

template <class T>
void soft_threshold_into(const Vector<T>& v, const Vector<real_of<T>>& t, Vector<T>& out) {
  if (t.size() != v.size())
    throw std::invalid_argument("soft_threshold got " + std::to_string(t.size()) + " thresholds for " +
                                std::to_string(v.size()) + " entries; the counts must match.");
  out.resize(v.size());
  for (Eigen::Index i = 0; i < v.size(); ++i) out(i) = soft_one(v(i), t(i));
}

template <class T>
Vector<T> soft_threshold(const Vector<T>& v, const Vector<real_of<T>>& t) {
  Vector<T> out;
  soft_threshold_into(v, t, out);
  return out;
}

template <class T>
Vector<T> soft_threshold(const Vector<T>& v, const real_of<T>& t) {
  Vector<T> out(v.size());
  for (Eigen::Index i = 0; i < v.size(); ++i) out(i) = soft_one(v(i), t);
  return out;
}

template <class T>
void project_l2_ball_in_place(Vector<T>& v, const real_of<T>& radius) {
  const real_of<T> n = v.norm();
  if (n > radius) v *= radius / n;  // else inside (also covers v = 0)
}

template <class T>
Vector<T> project_l2_ball(const Vector<T>& v, const real_of<T>& radius) {
  Vector<T> out = v;
  project_l2_ball_in_place(out, radius);
  return out;
}

template <class T>
void shrink_in_place(Vector<T>& v, const real_of<T>& t) {
  const real_of<T> n = v.norm();
  if (!(n > t))
    v.setZero();
  else
    v *= (n - t) / n;
}

template <class T>
Vector<T> shrink(const Vector<T>& v, const real_of<T>& t) {
  Vector<T> out = v;
  shrink_in_place(out, t);
  return out;
}

template <class T>
void clip_in_place(Vector<T>& v, const real_of<T>& r) {
  for (Eigen::Index i = 0; i < v.size(); ++i) {
    const real_of<T> m = modulus(v(i));
    if (m > r) v(i) = T(v(i) * (r / m));
  }
}

template <class T>
Vector<T> clip(const Vector<T>& v, const real_of<T>& r) {
  Vector<T> out = v;
  clip_in_place(out, r);
  return out;
}

template <class T>
real_of<T> weighted_l1_norm(const Vector<T>& x, const Vector<real_of<T>>& w) {
  real_of<T> s(0);
  if (w.size() == 0) {
    for (Eigen::Index i = 0; i < x.size(); ++i) s += modulus(x(i));
  } else {
    for (Eigen::Index i = 0; i < x.size(); ++i) s += w(i) * modulus(x(i));
  }
  return s;
}

#define BARRIERS_X(T)                                                               \
  template Vector<T> soft_threshold<T>(const Vector<T>&, const Vector<real_of<T>>&); \
  template Vector<T> soft_threshold<T>(const Vector<T>&, const real_of<T>&);          \
  template Vector<T> project_l2_ball<T>(const Vector<T>&, const real_of<T>&);         \
  template Vector<T> shrink<T>(const Vector<T>&, const real_of<T>&);                  \
  template Vector<T> clip<T>(const Vector<T>&, const real_of<T>&);                    \
  template void soft_threshold_into<T>(const Vector<T>&, const Vector<real_of<T>>&, Vector<T>&); \
  template void project_l2_ball_in_place<T>(Vector<T>&, const real_of<T>&);                      \
  template void shrink_in_place<T>(Vector<T>&, const real_of<T>&);                               \
  template void clip_in_place<T>(Vector<T>&, const real_of<T>&);                                 \
  template real_of<T> weighted_l1_norm<T>(const Vector<T>&, const Vector<real_of<T>>&);
BARRIERS_FOR_EACH_SCALAR(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
