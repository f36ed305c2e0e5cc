// Proximal maps of the non-smooth terms in (P1)-(P3), FIRENET and WARPd.
//
//   soft_threshold(v, t)  prox of sum_i t_i |x_i| (weighted l1): each entry's
//                         modulus shrinks by t_i, its phase (sign) is kept;
//   project_l2_ball(v, r) the nearest point of {||x||_2 <= r};
//   shrink(v, t)          max(0, 1 - t/||v||) v, the prox of t ||.||_2 (and,
//                         by Moreau, v minus the projection onto the t-ball);
//   clip(v, r)            entrywise projection onto {|x_i| <= r}, the prox of
//                         the conjugate of r ||.||_1.
// No division by a norm happens unless the norm is known to exceed a
// non-negative number, so a zero vector needs no "+ 1e-30" guard tied to a
// number type: the branch is decided by comparisons that are exact.
#pragma once

#include "barriers/solvers/solver_types.hpp"

namespace barriers {

/// prox of x -> sum_i t_i |x_i| at v. Thresholds t_i >= 0 (not checked here:
/// the algorithms validate their weights once).
template <class T>
Vector<T> soft_threshold(const Vector<T>& v, const Vector<real_of<T>>& t);
/// Same with one threshold t >= 0 for every entry.
template <class T>
Vector<T> soft_threshold(const Vector<T>& v, const real_of<T>& t);

/// Projection onto {x : ||x||_2 <= radius}, radius >= 0.
template <class T>
Vector<T> project_l2_ball(const Vector<T>& v, const real_of<T>& radius);

/// max(0, 1 - t / ||v||_2) v for t >= 0 (0 when ||v|| <= t, so v = 0 is safe).
template <class T>
Vector<T> shrink(const Vector<T>& v, const real_of<T>& t);

/// Entrywise v_i * min(1, r / |v_i|): each |v_i| clipped to r >= 0, phase kept.
template <class T>
Vector<T> clip(const Vector<T>& v, const real_of<T>& r = real_of<T>(1));

/// Forms that write into storage the caller keeps (no allocation once it has
/// the right size), for iteration loops; same operations, same results.
/// out = soft_threshold(v, t) (out must not alias v).
template <class T>
void soft_threshold_into(const Vector<T>& v, const Vector<real_of<T>>& t, Vector<T>& out);
/// v = project_l2_ball(v, radius), v = shrink(v, t), v = clip(v, r).
template <class T>
void project_l2_ball_in_place(Vector<T>& v, const real_of<T>& radius);
template <class T>
void shrink_in_place(Vector<T>& v, const real_of<T>& t);
template <class T>
void clip_in_place(Vector<T>& v, const real_of<T>& r = real_of<T>(1));

/// sum_i w_i |x_i|; an empty w means all weights 1.
template <class T>
real_of<T> weighted_l1_norm(const Vector<T>& x, const Vector<real_of<T>>& w);

#define BARRIERS_X(T)                                                                      \
  extern template Vector<T> soft_threshold<T>(const Vector<T>&, const Vector<real_of<T>>&); \
  extern template Vector<T> soft_threshold<T>(const Vector<T>&, const real_of<T>&);          \
  extern template Vector<T> project_l2_ball<T>(const Vector<T>&, const real_of<T>&);         \
  extern template Vector<T> shrink<T>(const Vector<T>&, const real_of<T>&);                  \
  extern template Vector<T> clip<T>(const Vector<T>&, const real_of<T>&);                    \
  extern template void soft_threshold_into<T>(const Vector<T>&, const Vector<real_of<T>>&, Vector<T>&); \
  extern template void project_l2_ball_in_place<T>(Vector<T>&, const real_of<T>&);                      \
  extern template void shrink_in_place<T>(Vector<T>&, const real_of<T>&);                               \
  extern template void clip_in_place<T>(Vector<T>&, const real_of<T>&);                                 \
  extern template real_of<T> weighted_l1_norm<T>(const Vector<T>&, const Vector<real_of<T>>&);
BARRIERS_FOR_EACH_SCALAR(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
