// Seeded Gaussian noise at a given relative level.
//
// gaussian_vector(n, seed) has independent standard normal entries (real T)
// or entries g + i h with g, h independent N(0, 1/2) (complex T, so E|z|^2 =
// 1), by the Box-Muller transform in the working type from uniforms that
// carry the type's full precision (src/imaging/seeded_uniform.hpp: the raw
// outputs of std::mt19937_64, no implementation-defined distribution). The
// same seed gives the same vector on every run. In every type up to 256 bits
// the uniforms are the same 256 random bits truncated to the type, so the
// normals agree across types to about the coarser type's precision (less
// where a uniform is tiny: Box-Muller amplifies its truncation).
//
// relative_noise(y, level, seed) is e = level ||y|| g / ||g|| for g =
// gaussian_vector(y.size(), seed): ||e|| = level ||y|| up to the rounding of
// the working type (two norms and three products: relative error about
// (size + 8) u at worst, far less in practice).
#pragma once

#include <cstdint>

#include "barriers/solvers/solver_types.hpp"

namespace barriers {

template <class T>
Vector<T> gaussian_vector(Eigen::Index n, std::uint64_t seed);

/// Throws std::invalid_argument for a negative or non-finite level or an
/// empty y. A zero y gives a zero e.
template <class T>
Vector<T> relative_noise(const Vector<T>& y, const real_of<T>& level, std::uint64_t seed);

/// out = y + relative_noise(y, level, seed), bit for bit; for MPFR (real or
/// complex) on kept per-thread numbers, so that once warm it creates none
/// (the learned training's noise augmentation, redrawn every epoch).
template <class T>
void add_relative_noise_into(const Vector<T>& y, const real_of<T>& level, std::uint64_t seed, Vector<T>& out);

#define BARRIERS_X(T)                                                 \
  extern template Vector<T> gaussian_vector<T>(Eigen::Index, std::uint64_t); \
  extern template Vector<T> relative_noise<T>(const Vector<T>&, const real_of<T>&, std::uint64_t); \
  extern template void add_relative_noise_into<T>(const Vector<T>&, const real_of<T>&, std::uint64_t, Vector<T>&);
BARRIERS_FOR_EACH_SCALAR(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
