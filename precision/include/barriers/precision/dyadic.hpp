// Dyadic rationals: numbers m / 2^k with m, k integers.
//
// The oracle's answers are dyadic, so they convert exactly to any binary
// floating-point type with enough precision. These helpers round a rational
// to a grid of 2^-frac_bits and inspect dyadic numbers.
#pragma once

#include "barriers/precision/types.hpp"

namespace barriers {

enum class Rounding { nearest_even, down, up, toward_zero };

/// 2^e exactly (e may be negative).
rational pow2(long e);

/// True when the denominator of q (in lowest terms) is a power of two.
bool is_dyadic(const rational& q);

/// For dyadic q: the least k >= 0 with q * 2^k an integer.
/// Throws std::domain_error for a non-dyadic q.
long dyadic_fraction_bits(const rational& q);

/// q rounded to a multiple of 2^-frac_bits (frac_bits may be negative).
rational round_to_dyadic(const rational& q, long frac_bits,
                         Rounding mode = Rounding::nearest_even);

/// Number of bits of |m| when q = m / 2^k in lowest terms (0 for q = 0):
/// the significand length a binary type needs to hold q exactly.
long dyadic_significand_bits(const rational& q);

}  // namespace barriers
