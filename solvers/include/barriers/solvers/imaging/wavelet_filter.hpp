// Daubechies orthonormal wavelet filters computed at the working precision.
//
// daubechies_filter<R>(N) is the minimum-phase low-pass filter h_0..h_{2N-1}
// with N vanishing moments (N = 1 is Haar), normalised to sum h = sqrt2 and
// sum h_k h_{k+2m} = delta_m, ordered as Daubechies tabulates it (db2: h_0 =
// (1 + sqrt3) / (4 sqrt2), ...). It is obtained by spectral factorisation,
// not from double constants: the Daubechies polynomial
//   P(y) = sum_{k<N} binom(N-1+k, k) y^k,  y = sin^2(w/2) = (2 - z - 1/z)/4,
// has N-1 simple roots y_j, found by the Durand-Kerner iteration in complex
// MPFR at 64 bits more than R carries; each gives the pair zeta, 1/zeta with
// zeta + 1/zeta = 2 - 4 y_j, and keeping the root with |zeta| > 1 gives the
// minimum-phase factor. Then h(z) = c (1 + z)^N prod_j (z - zeta_j), c fixing
// sum h = sqrt2, is expanded at that precision and each coefficient rounded
// once to R (correctly, through an exact rational). So each h_k is within
// about one ulp of the true filter in every type, MPFR included.
// The wider computation runs under a PrecisionGuard, which changes the
// process-wide MPFR default precision while it lasts (milliseconds): build
// filters and WaveletTransforms before other threads start MPFR work.
#pragma once

#include <string>

#include "barriers/solvers/solver_types.hpp"

namespace barriers {

/// Largest number of vanishing moments offered (db1 .. db20).
inline constexpr int max_daubechies_moments = 20;

/// The filter above; throws std::invalid_argument unless 1 <= moments <= 20.
template <class R>
Vector<R> daubechies_filter(int moments);

/// "haar" -> 1, "db1" .. "db20" -> 1 .. 20; std::invalid_argument otherwise
/// (the message lists what is allowed).
int wavelet_moments(const std::string& name);

#define BARRIERS_X(R) extern template Vector<R> daubechies_filter<R>(int);
BARRIERS_FOR_EACH_REAL(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
