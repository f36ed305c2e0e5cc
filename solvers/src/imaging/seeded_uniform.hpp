// Portable random numbers for the imaging helpers (sampling patterns,
// phantoms, noise). std::uniform_*_distribution and std::normal_distribution
// are implementation-defined; these use only the raw 64-bit outputs of
// std::mt19937_64 and exact arithmetic, so a seed gives the same numbers
// with every standard library.
#pragma once

#include <algorithm>
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

#include "barriers/precision/traits.hpp"

namespace barriers::imaging_detail {

/// Unbiased integer in [0, n), n >= 1 (rejects the short top range of 2^64).
inline std::uint64_t uniform_below(std::mt19937_64& rng, std::uint64_t n) {
  const std::uint64_t reject_below = (0 - n) % n;  // 2^64 mod n
  for (;;) {
    const std::uint64_t x = rng();
    if (x >= reject_below) return x % n;
  }
}

/// Uniform on [0, 1) with 53 random bits: exact in every supported type.
inline double uniform53(std::mt19937_64& rng) { return double(rng() >> 11) * 0x1p-53; }

/// Uniform on [0, 1) in R: the bits of max(4, ceil(p / 64)) successive raw
/// outputs (most significant first), truncated to R's precision p (at most
/// 2^20 bits). Every type up to 256 bits consumes the same four outputs, so
/// one seed gives the same uniforms in double, long double, float128 and
/// MPFR (<= 256 bits), each truncated to its precision. Exact: the kept bits
/// are summed by Horner's rule from the last 32-bit piece (each step adds an
/// integer below 2^32 and divides by a power of two).
/// The pieces uniform_full<R> sums for a precision of `bits` (value, width),
/// most significant first, into `pieces` (cleared first).
inline void uniform_pieces(std::mt19937_64& rng, int bits, std::vector<std::pair<std::uint32_t, int>>& pieces) {
  bits = std::min(bits, 1 << 20);
  const int words = std::max(4, (bits + 63) / 64);
  pieces.clear();
  int done = 0;
  for (int k = 0; k < words; ++k) {
    const std::uint64_t w = rng();
    for (const std::uint32_t half : {std::uint32_t(w >> 32), std::uint32_t(w & 0xffffffffu)}) {
      if (done >= bits) break;
      const int take = std::min(32, bits - done);
      pieces.emplace_back(half >> (32 - take), take);
      done += take;
    }
  }
}

template <class R>
R uniform_full(std::mt19937_64& rng) {
  std::vector<std::pair<std::uint32_t, int>> pieces;
  uniform_pieces(rng, int(std::min(number_traits<R>::precision_bits(), 1u << 20)), pieces);
  R u(0);
  for (auto it = pieces.rbegin(); it != pieces.rend(); ++it) u = (u + R(it->first)) / R(std::uint64_t(1) << it->second);
  return u;
}

}  // namespace barriers::imaging_detail
