// Proximal maps, instantiated for every scalar type.
#include "barriers/solvers/prox.hpp"

#include <stdexcept>

namespace barriers {

namespace {
// Shrinks the modulus of a by t >= 0, keeping the phase. |a| > t is tested
// first, so the division below is by a positive number.
template <class T>
T soft_one(const T& a, const real_of<T>& t) {
  const real_of<T> m = modulus(a);
  if (!(m > t)) return T(0);
  return a * ((m - t) / m);
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
