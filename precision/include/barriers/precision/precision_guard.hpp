// A scoped working precision, in bits, for the run-time-precision types.
//
// Boost 1.74 keeps one process-wide default precision per backend, counted
// in decimal digits, and every new mpfr_real / mpfi_interval (including
// Eigen's temporaries) takes that default. The guard sets it for both MPFR
// and MPFI and restores the previous value on exit, so everything computed
// inside the scope is computed at the scope's precision.
//
// Boost can only express precisions of the form bits(d) for a whole number
// of decimal digits d, so the guard rounds the request *up* to the nearest
// such precision and reports the precision actually in force. Why it cannot
// set 256 bits exactly: Boost 1.74 keeps the default only as decimal digits
// d and every mpfr/mpfi constructor allocates digits10_2_2(d) =
// floor(1000 d / 301) + (2, or 1 when 301 divides 1000 d) bits, which skips
// about 7 of every 10 bit counts: 64, 256, 512 and 1024 among them (65,
// 257, 513 and 1025 are set instead; 128 is exact). There is no bit-precision
// hook for default-constructed numbers (Eigen's temporaries are made that
// way), so the only fix is a newer Boost or another number type. The cost is
// real where the round-up crosses a 64-bit limb (257 bits take 5 limbs, 256
// take 4: 18-26% per dense multiply-add, docs/performance.md); a request of
// 254 bits (achievable, 4 limbs) avoids it. Rounding down instead would break
// the promise that the working precision is at least the request.
#pragma once

namespace barriers {

/// Smallest precision in bits >= `bits` that Boost's digit-based API can set.
unsigned achievable_precision_bits(unsigned bits);

/// The precision in bits that a new mpfr_real gets right now.
unsigned mpfr_working_bits();

/// The precision in bits that a new mpfi_interval gets right now.
unsigned mpfi_working_bits();

/// Largest precision the guard accepts (a sanity bound that keeps a typo such
/// as 10^9 bits from exhausting memory).
inline constexpr unsigned max_precision_bits = 1u << 24;

class PrecisionGuard {
 public:
  /// Sets the working precision to at least `bits` (2 <= bits <= max).
  /// Throws std::invalid_argument, naming the value, otherwise.
  explicit PrecisionGuard(unsigned bits);
  ~PrecisionGuard();
  PrecisionGuard(const PrecisionGuard&) = delete;
  PrecisionGuard& operator=(const PrecisionGuard&) = delete;

  /// The precision actually in force (>= the request).
  unsigned bits() const { return bits_; }

 private:
  unsigned saved_mpfr_digits10_;
  unsigned saved_mpfi_digits10_;
  unsigned bits_;
};

}  // namespace barriers
