// Correctly rounded MPFR dot products from pre-packed limbs.
//
// A loop of mpfr_fma rounds once per multiply-add and pays MPFR's general
// entry checks every time. mpfr_dot instead forms every product exactly from
// the limbs, adds it into a two's-complement fixed-point accumulator whose
// window is a little wider than the output precision (bits below the window
// are dropped, less than one unit of the window per term), and rounds once at
// the end. When the dropped bits cannot change that rounding (the usual case),
// the result is final; otherwise the dot product is redone exactly (mpfr_sum
// of exact products).
//
// Guarantee: the result is the exact sum of +-a_k b_k (of the numbers as
// stored) rounded once to nearest, ties to even, at the output's precision
// p; so |result - sum| <= 2^-p |sum|. An exact zero sum gives +0, as an
// mpfr_fma loop started from +0 does.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include <mpfr.h>

namespace barriers {

/// Finite MPFR numbers as sign, exponent and a fixed number of limbs each
/// (the significand's limbs, most significant first-aligned, low limbs 0):
/// the form mpfr_dot reads without touching MPFR. Pack a matrix once, a
/// vector once per product.
class MpfrPack {
 public:
  MpfrPack() = default;

  /// Packs entry(0), ..., entry(count - 1) (each an mpfr_srcptr).
  template <class Entry>
  MpfrPack(std::size_t count, Entry entry) {
    mpfr_prec_t prec = MPFR_PREC_MIN;
    for (std::size_t k = 0; k < count; ++k) prec = std::max(prec, mpfr_get_prec(entry(k)));
    reset(count, prec);
    for (std::size_t k = 0; k < count; ++k) set(k, entry(k));
  }

  /// Room for `count` numbers of at most `max_prec` bits, all zero.
  void reset(std::size_t count, mpfr_prec_t max_prec);
  /// Stores x (its precision must be at most reset's max_prec). A NaN, an
  /// infinity or an exponent beyond +-2^40 marks the pack unusable.
  void set(std::size_t k, mpfr_srcptr x);

  /// False if some entry was NaN, infinite or of astronomical exponent;
  /// mpfr_dot refuses such packs (callers fall back to MPFR's own loop).
  bool usable() const { return usable_; }
  std::size_t size() const { return exps_.size(); }
  int limbs() const { return limbs_; }

  /// Exponent e of entry k (value = 0.m * 2^e, m the limbs), or
  /// zero_exponent for a zero.
  const std::int64_t* exponents() const { return exps_.data(); }
  const unsigned char* negative() const { return neg_.data(); }
  const std::uint64_t* limb_data() const { return limbs_data_.data(); }

  /// Far below any real exponent sum: a product with a zero factor has an
  /// exponent sum below -2^59, every other one is within +-2^41, and the
  /// sum of two zeros' (-2^61) still leaves room for shift arithmetic.
  static constexpr std::int64_t zero_exponent = -(std::int64_t(1) << 60);

 private:
  std::vector<std::int64_t> exps_;
  std::vector<unsigned char> neg_;
  std::vector<std::uint64_t> limbs_data_;
  int limbs_ = 1;
  bool usable_ = true;
};

/// `count` consecutive products a[a_first + k] * b[b_first + k], negated
/// when `negate` (how a complex product's real part takes -Im a Im b).
struct MpfrDotRun {
  const MpfrPack* a;
  std::size_t a_first;
  const MpfrPack* b;
  std::size_t b_first;
  std::size_t count;
  bool negate = false;
};

/// Buffers mpfr_dot reuses between calls (one per thread).
class MpfrDotScratch {
 public:
  MpfrDotScratch();
  ~MpfrDotScratch();
  MpfrDotScratch(const MpfrDotScratch&) = delete;
  MpfrDotScratch& operator=(const MpfrDotScratch&) = delete;

  std::vector<std::uint64_t> acc, product, shifted, bound;
  mpfr_t other;  ///< the second rounding of the ambiguity check
};

/// out = the sum over all runs of +-a_k b_k, correctly rounded to nearest at
/// out's precision. All runs must share the limb count of their a packs and
/// of their b packs. Throws std::invalid_argument for an unusable pack or
/// mismatched limb counts.
void mpfr_dot(mpfr_ptr out, std::span<const MpfrDotRun> runs, MpfrDotScratch& scratch);

/// Which path the last mpfr_dot calls took (for tests and benchmarks).
struct MpfrDotCounters {
  std::uint64_t zero = 0;       ///< every product had a zero factor
  std::uint64_t certified = 0;  ///< dropped bits could not change the rounding
  std::uint64_t redone = 0;     ///< redone exactly with mpfr_sum
};
/// Counters of the calling thread.
MpfrDotCounters& mpfr_dot_counters();

}  // namespace barriers
