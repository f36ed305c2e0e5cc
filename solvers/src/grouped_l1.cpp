// The grouped l1 norm and its dual projection, for every scalar type.
#include "barriers/solvers/grouped_l1.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "barriers/solvers/prox.hpp"
#include "barriers/solvers/sparse_problem.hpp"

namespace barriers {

namespace {

// |z|^2 without the square root of a complex modulus.
template <class T>
real_of<T> abs2(const T& z) {
  if constexpr (number_traits<T>::is_complex)
    return z.real() * z.real() + z.imag() * z.imag();
  else
    return z * z;
}

}  // namespace

template <class Real>
void check_group_layout(const GroupLayout<Real>& layout, Eigen::Index rows) {
  if (layout.empty()) return;
  Eigen::Index total = 0;
  for (std::size_t b = 0; b < layout.size(); ++b) {
    const GroupBlock<Real>& g = layout[b];
    if (g.groups < 1 || g.size < 1 || !is_finite_scalar(g.weight) || !(g.weight > 0))
      throw std::invalid_argument("group block " + std::to_string(b) + " has " + std::to_string(g.groups) +
                                  " groups of " + std::to_string(g.size) + " entries and weight " +
                                  detail::show(g.weight) +
                                  "; it needs >= 1 groups of >= 1 entries and a finite weight > 0.");
    total += g.groups * g.size;
  }
  if (total != rows)
    throw std::invalid_argument("the group blocks cover " + std::to_string(total) + " entries but B has " +
                                std::to_string(rows) + " rows; they must match.");
}

template <class T>
real_of<T> grouped_l1_norm(const Vector<T>& v, const GroupLayout<real_of<T>>& layout) {
  using Real = real_of<T>;
  using std::sqrt;
  if (layout.empty()) return weighted_l1_norm(v, Vector<Real>());
  Real total(0), sq;
  Eigen::Index offset = 0;
  for (const GroupBlock<Real>& g : layout) {
    for (Eigen::Index i = 0; i < g.groups; ++i) {
      sq = Real(0);
      for (int c = 0; c < g.size; ++c) sq += abs2(v(offset + i + c * g.groups));
      total += g.weight * sqrt(sq);
    }
    offset += g.groups * g.size;
  }
  return total;
}

template <class T>
void project_groups_in_place(Vector<T>& v, const GroupLayout<real_of<T>>& layout) {
  using Real = real_of<T>;
  using std::sqrt;
  if (layout.empty()) {
    clip_in_place<T>(v, Real(1));
    return;
  }
  Real sq, norm, scale;
  Eigen::Index offset = 0;
  for (const GroupBlock<Real>& g : layout) {
    const Real w2 = g.weight * g.weight;
    for (Eigen::Index i = 0; i < g.groups; ++i) {
      sq = Real(0);
      for (int c = 0; c < g.size; ++c) sq += abs2(v(offset + i + c * g.groups));
      if (!(sq > w2)) continue;  // inside the ball (also decides v_g = 0 without a division)
      norm = sqrt(sq);
      if (!(norm > g.weight)) continue;
      scale = g.weight / norm;
      for (int c = 0; c < g.size; ++c) v(offset + i + c * g.groups) *= scale;
    }
    offset += g.groups * g.size;
  }
}

template <class Real>
Real group_dual_radius(const GroupLayout<Real>& layout, Eigen::Index rows) {
  using std::sqrt;
  if (layout.empty()) return sqrt(Real(rows));
  Real sum(0);
  for (const GroupBlock<Real>& g : layout) sum += Real(g.groups) * g.weight * g.weight;
  return sqrt(sum);
}

#define BARRIERS_X(T)                                                                    \
  template real_of<T> grouped_l1_norm<T>(const Vector<T>&, const GroupLayout<real_of<T>>&); \
  template void project_groups_in_place<T>(Vector<T>&, const GroupLayout<real_of<T>>&);
BARRIERS_FOR_EACH_SCALAR(BARRIERS_X)
#undef BARRIERS_X
#define BARRIERS_X(R)                                                           \
  template void check_group_layout<R>(const GroupLayout<R>&, Eigen::Index); \
  template R group_dual_radius<R>(const GroupLayout<R>&, Eigen::Index);
BARRIERS_FOR_EACH_REAL(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
