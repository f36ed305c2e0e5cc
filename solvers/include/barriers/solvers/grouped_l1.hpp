// The grouped (mixed) l1 norm sum_g w_g ||v_g||_2 and the projection onto
// its dual ball, for WARPd's regulariser ||B x|| (e.g. isotropic total
// variation ||grad u||_{2,1}, groups of 2; TGV's ||E v||, groups of 4).
//
// Layout: the rows of B are split into consecutive blocks; a block with
// `groups` groups of `size` entries occupies size * groups rows, and group i
// of the block consists of its entries i, i + groups, ..., i + (size - 1)
// groups (so a block is `size` stacked component images, as Gradient2D
// returns them). Every group of a block has the weight `weight` > 0. An empty
// layout means the plain l1 norm: every entry its own group of weight 1.
//
// The dual of sum_g w_g ||v_g||_2 is the indicator of {||d_g||_2 <= w_g for
// every g}; projecting onto it is the dual prox in WARPd (for groups of one
// entry it is the componentwise clip). Its l2 radius is sqrt(sum_g w_g^2)
// (sqrt(q) for the plain l1 norm on q entries): WARPd balances its step
// sizes with it.
#pragma once

#include <vector>

#include "barriers/solvers/solver_types.hpp"

namespace barriers {

template <class Real>
struct GroupBlock {
  Eigen::Index groups = 0;  ///< number of groups (>= 1)
  int size = 1;             ///< entries per group (>= 1)
  Real weight = Real(1);    ///< weight of each group's l2 norm (finite, > 0)
};

template <class Real>
using GroupLayout = std::vector<GroupBlock<Real>>;

/// Throws std::invalid_argument (one sentence) unless every block is valid
/// and the blocks cover exactly `rows` entries (an empty layout always is).
template <class Real>
void check_group_layout(const GroupLayout<Real>& layout, Eigen::Index rows);

/// sum_g w_g ||v_g||_2 (the plain l1 norm for an empty layout).
template <class T>
real_of<T> grouped_l1_norm(const Vector<T>& v, const GroupLayout<real_of<T>>& layout);

/// Each group of v projected onto the l2 ball of radius w_g (for an empty
/// layout: each entry clipped to modulus 1, exactly clip_in_place(v, 1)).
/// No division happens unless a group's norm exceeds its radius.
template <class T>
void project_groups_in_place(Vector<T>& v, const GroupLayout<real_of<T>>& layout);

/// sqrt(sum_g w_g^2): the l2 radius of the dual set (sqrt(rows) for an empty
/// layout), rounded to nearest.
template <class Real>
Real group_dual_radius(const GroupLayout<Real>& layout, Eigen::Index rows);

#define BARRIERS_X(T)                                                                           \
  extern template real_of<T> grouped_l1_norm<T>(const Vector<T>&, const GroupLayout<real_of<T>>&); \
  extern template void project_groups_in_place<T>(Vector<T>&, const GroupLayout<real_of<T>>&);
BARRIERS_FOR_EACH_SCALAR(BARRIERS_X)
#undef BARRIERS_X
#define BARRIERS_X(R)                                                                  \
  extern template void check_group_layout<R>(const GroupLayout<R>&, Eigen::Index); \
  extern template R group_dual_radius<R>(const GroupLayout<R>&, Eigen::Index);
BARRIERS_FOR_EACH_REAL(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
