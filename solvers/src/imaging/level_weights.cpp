// Local sparsities and weights for sparsity in levels; see level_weights.hpp.
#include "barriers/solvers/imaging/level_weights.hpp"

#include <algorithm>
#include <numeric>
#include <stdexcept>
#include <string>

#include "barriers/solvers/firenet.hpp"

namespace barriers {
namespace {

void check_starts(const std::vector<Eigen::Index>& starts, Eigen::Index size) {
  if (starts.size() < 2 || starts.front() != 0 || starts.back() != size)
    throw std::invalid_argument("level boundaries must run from 0 to the vector length " + std::to_string(size) +
                                " with at least one level");
  for (std::size_t k = 1; k < starts.size(); ++k)
    if (starts[k] <= starts[k - 1])
      throw std::invalid_argument("level boundary " + std::to_string(starts[k]) +
                                  " does not exceed the previous one; levels must be non-empty and in order");
}

// |x|^2 from the parts (no square root).
template <class T>
real_of<T> squared_modulus(const T& x) {
  if constexpr (number_traits<T>::is_complex) {
    return x.real() * x.real() + x.imag() * x.imag();
  } else {
    return x * x;
  }
}

// Indices of [begin, end) by decreasing modulus (compared squared), ties by increasing index.
template <class T>
std::vector<Eigen::Index> by_decreasing_modulus(const Vector<T>& x, Eigen::Index begin, Eigen::Index end) {
  std::vector<real_of<T>> m(static_cast<std::size_t>(end - begin));
  for (Eigen::Index i = begin; i < end; ++i) m[std::size_t(i - begin)] = squared_modulus(x(i));
  std::vector<Eigen::Index> order(static_cast<std::size_t>(end - begin));
  std::iota(order.begin(), order.end(), begin);
  std::stable_sort(order.begin(), order.end(),
                   [&](Eigen::Index a, Eigen::Index b) { return m[std::size_t(a - begin)] > m[std::size_t(b - begin)]; });
  return order;
}

}  // namespace

template <class T>
std::vector<long> local_sparsities_energy(const Vector<T>& x, const std::vector<Eigen::Index>& starts,
                                          const real_of<T>& fraction) {
  using R = real_of<T>;
  check_starts(starts, x.size());
  if (!(fraction > 0 && fraction <= 1))
    throw std::invalid_argument("energy fraction must be in (0, 1]");
  std::vector<long> s;
  for (std::size_t k = 0; k + 1 < starts.size(); ++k) {
    const std::vector<Eigen::Index> order = by_decreasing_modulus(x, starts[k], starts[k + 1]);
    R total(0);
    for (Eigen::Index i : order) total += squared_modulus(x(i));
    const R target = fraction * total;
    long count = 0;
    R kept(0);
    if (total > 0) {
      // Summing in the same order as `total`, the last partial sum equals it,
      // so fraction = 1 stops at the last nonzero coefficient at the latest.
      for (Eigen::Index i : order) {
        if (kept >= target) break;
        kept += squared_modulus(x(i));
        ++count;
      }
    }
    s.push_back(std::max(count, 1L));
  }
  return s;
}

template <class T>
std::vector<long> local_sparsities_largest(const Vector<T>& x, const std::vector<Eigen::Index>& starts, long s) {
  check_starts(starts, x.size());
  if (s < 1 || s > x.size())
    throw std::invalid_argument("sparsity " + std::to_string(s) + " must be between 1 and the vector length " +
                                std::to_string(x.size()));
  const std::vector<Eigen::Index> order = by_decreasing_modulus(x, 0, x.size());
  std::vector<long> counts(starts.size() - 1, 0);
  for (long r = 0; r < s; ++r) {
    const auto level = std::upper_bound(starts.begin(), starts.end(), order[std::size_t(r)]) - starts.begin() - 1;
    ++counts[std::size_t(level)];
  }
  for (long& c : counts) c = std::max(c, 1L);
  return counts;
}

template <class R>
Vector<R> level_weights(const std::vector<Eigen::Index>& starts, const std::vector<long>& sparsities) {
  check_starts(starts, starts.empty() ? 0 : starts.back());
  if (sparsities.size() + 1 != starts.size())
    throw std::invalid_argument("there are " + std::to_string(starts.size() - 1) + " levels but " +
                                std::to_string(sparsities.size()) + " sparsities; give one per level");
  return sparsity_in_levels_weights<R>(std::vector<Eigen::Index>(starts.begin() + 1, starts.end()), sparsities);
}

#define BARRIERS_X(T)                                                                                     \
  template std::vector<long> local_sparsities_energy<T>(const Vector<T>&, const std::vector<Eigen::Index>&, \
                                                        const real_of<T>&);                             \
  template std::vector<long> local_sparsities_largest<T>(const Vector<T>&, const std::vector<Eigen::Index>&, long);
BARRIERS_FOR_EACH_SCALAR(BARRIERS_X)
#undef BARRIERS_X
#define BARRIERS_X(R) template Vector<R> level_weights<R>(const std::vector<Eigen::Index>&, const std::vector<long>&);
BARRIERS_FOR_EACH_REAL(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
