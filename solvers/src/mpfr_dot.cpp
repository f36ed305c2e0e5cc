// The fixed-point MPFR dot product (see mpfr_dot.hpp for what it guarantees).
//
// Units: the accumulator is an A-limb two's-complement integer S whose unit
// is 2^W0, W0 = top + H - 64 A, where 2^top bounds every |a_k b_k| and
// H = bitlen(n) + 1 bits of headroom keep sum |a_k b_k| / 2^W0 + n below
// 2^(64A-1) (so neither S nor S +- n overflows). A is chosen so the window
// holds p + H + 32 + bitlen(n) bits: when the sum does not cancel much,
// dropped bits are about 2^-32 of an ulp of the result.
//
// Each product is formed exactly (P limbs), shifted right to the unit and
// truncated toward zero in magnitude, then added with its sign; a product
// wholly below the unit is skipped. Either way a term enters S with an error
// of less than one unit, so the exact sum s lies in the open interval
// (S - n, S + n) units. Rounding to nearest is monotone, so if S - n and
// S + n round to the same p-bit number, s rounds to it too: that number is
// the correctly rounded s. Otherwise the dot product is redone exactly.
// (Counting only the terms that really lost bits would certify a few more
// sums directly, but checking for lost bits cost 15-30 % of the time.)
#include "barriers/solvers/mpfr_dot.hpp"

// GCC's vectoriser packs the limb arithmetic below into SSE registers and
// reads the halves back through memory (store-forwarding stalls that cost
// about half the time at 128 bits); the scalar code is faster.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-tree-vectorize")
#define BARRIERS_UNROLL _Pragma("GCC unroll 16")
#else
#define BARRIERS_UNROLL
#endif

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string>
#include <utility>

#include <gmp.h>
#if defined(__x86_64__)
#include <x86intrin.h>
#endif

namespace barriers {

static_assert(GMP_NUMB_BITS == 64 && sizeof(mp_limb_t) == sizeof(std::uint64_t),
              "mpfr_dot assumes 64-bit GMP limbs without nails");

namespace {
using u64 = std::uint64_t;
using u128 = unsigned __int128;
using i64 = std::int64_t;

// Exponents beyond this are refused at packing, so exponent sums and the
// window arithmetic stay far inside int64 (MPFR's default range is 2^30).
constexpr i64 max_exponent = i64(1) << 40;
// A product exponent below this has a zero factor.
constexpr i64 zero_threshold = -(i64(1) << 59);

// a + b + carry; carry becomes the carry out. The intrinsic keeps GCC from
// spilling 128-bit temporaries in the accumulation loops.
inline u64 add_carry(u64 a, u64 b, unsigned char& carry) {
#if defined(__x86_64__)
  unsigned long long sum;
  carry = _addcarry_u64(carry, a, b, &sum);
  return sum;
#else
  const u128 t = u128(a) + b + carry;
  carry = (unsigned char)(t >> 64);
  return u64(t);
#endif
}

int bit_length(std::size_t n) { return n == 0 ? 0 : 64 - __builtin_clzll(n); }

thread_local MpfrDotCounters counters;

// v[0..A) = floor(x y / 2^r) for L-limb x, y and P - A <= r / 64 < P (P =
// 2L; the shifted product then fits in A limbs). Everything is indexed by
// constants and selected by masks, so it stays in registers without
// data-dependent branches.
template <int L, int A>
void shifted_product(const u64* x, const u64* y, i64 r, u64* v) {
  constexpr int P = 2 * L;
  u64 prod[P] = {};
  BARRIERS_UNROLL
  for (int i = 0; i < L; ++i) {
    u64 carry = 0;
    BARRIERS_UNROLL
    for (int j = 0; j < L; ++j) {
      const u128 t = u128(x[i]) * y[j] + prod[i + j] + carry;
      prod[i + j] = u64(t);
      carry = u64(t >> 64);
    }
    prod[i + L] = carry;
  }
  const u64 q = u64(r >> 6);
  const int b = int(r & 63);
  u64 shifted[P];
  BARRIERS_UNROLL
  for (int i = 0; i < P; ++i) {
    const u64 next = i + 1 < P ? prod[i + 1] : 0;
    shifted[i] = (prod[i] >> b) | ((next << 1) << (63 - b));  // (next << 1) << (63 - b): 0 for b = 0
  }
  BARRIERS_UNROLL
  for (int j = 0; j < A; ++j) v[j] = 0;
  BARRIERS_UNROLL
  for (int qq = P - A; qq < P; ++qq) {
    const u64 take = u64(0) - u64(q == u64(qq));
    BARRIERS_UNROLL
    for (int j = 0; j < A; ++j)
      if (qq + j < P) v[j] |= shifted[qq + j] & take;
  }
}

// One limb: the product is one 128-bit number, 0 < r < 128.
template <>
void shifted_product<1, 1>(const u64* x, const u64* y, i64 r, u64* v) {
  v[0] = u64((u128(x[0]) * y[0]) >> r);
}
template <>
void shifted_product<1, 2>(const u64* x, const u64* y, i64 r, u64* v) {
  const u128 s = (u128(x[0]) * y[0]) >> r;
  v[0] = u64(s);
  v[1] = u64(s >> 64);
}

// Two limbs: the product as two 128-bit halves, 0 < r < 256.
template <int A>
void shifted_product_2(const u64* x, const u64* y, i64 r, u64* v) {
  const u128 p00 = u128(x[0]) * y[0], p01 = u128(x[0]) * y[1], p10 = u128(x[1]) * y[0], p11 = u128(x[1]) * y[1];
  const u128 mid = (p00 >> 64) + u64(p01) + u64(p10);  // < 3 * 2^64
  const u128 lo = (mid << 64) | u64(p00);
  const u128 hi = p11 + (p01 >> 64) + (p10 >> 64) + (mid >> 64);
  u128 vlo, vhi;
  if (r < 128) {
    vlo = (lo >> r) | ((hi << 1) << (127 - r));  // (hi << 1) << (127 - r): hi << (128 - r), 0 for r = 0
    vhi = hi >> r;
  } else {
    vlo = hi >> (r - 128);
    vhi = 0;
  }
  const u64 limbs[4] = {u64(vlo), u64(vlo >> 64), u64(vhi), u64(vhi >> 64)};
  BARRIERS_UNROLL
  for (int j = 0; j < A; ++j) v[j] = limbs[j];
}
template <>
void shifted_product<2, 1>(const u64* x, const u64* y, i64 r, u64* v) { shifted_product_2<1>(x, y, r, v); }
template <>
void shifted_product<2, 2>(const u64* x, const u64* y, i64 r, u64* v) { shifted_product_2<2>(x, y, r, v); }
template <>
void shifted_product<2, 3>(const u64* x, const u64* y, i64 r, u64* v) { shifted_product_2<3>(x, y, r, v); }
template <>
void shifted_product<2, 4>(const u64* x, const u64* y, i64 r, u64* v) { shifted_product_2<4>(x, y, r, v); }

// Adds the products of one run into acc for equal limb counts L <= 4 and
// A <= 2L (so every shift is a right shift of at least H bits). Negative
// terms are added as (~v + 1), two's complement, without a branch.
template <int L, int A>
void accumulate_fixed(const MpfrDotRun& run, i64 unit, u64* acc_io) {
  constexpr int P = 2 * L;
  const i64* ea = run.a->exponents() + run.a_first;
  const i64* eb = run.b->exponents() + run.b_first;
  const unsigned char* sa = run.a->negative() + run.a_first;
  const unsigned char* sb = run.b->negative() + run.b_first;
  const u64* ma = run.a->limb_data() + run.a_first * L;
  const u64* mb = run.b->limb_data() + run.b_first * L;
  const unsigned flip = run.negate ? 1u : 0u;
  const i64 base = unit + 64 * P;  // right shift of a product of exponent e: base - e
  u64 acc[A];
  std::copy(acc_io, acc_io + A, acc);
  for (std::size_t k = 0; k < run.count; ++k) {
    const i64 r = base - (ea[k] + eb[k]);
    if (r >= 64 * P) continue;  // below the window entirely (or a zero factor)
    u64 v[A];
    shifted_product<L, A>(ma + k * L, mb + k * L, r, v);
    const unsigned char negative = sa[k] ^ sb[k] ^ flip;
    const u64 mask = u64(0) - u64(negative);
    unsigned char carry = negative;
    BARRIERS_UNROLL
    for (int j = 0; j < A; ++j) acc[j] = add_carry(acc[j], v[j] ^ mask, carry);
  }
  std::copy(acc, acc + A, acc_io);
}

using FixedFn = void (*)(const MpfrDotRun&, i64, u64*);

template <int L, int... As>
constexpr std::array<FixedFn, sizeof...(As)> fixed_table(std::integer_sequence<int, As...>) {
  return {&accumulate_fixed<L, As + 1>...};
}
template <int L>
constexpr std::array<FixedFn, 8> fixed_row() {
  std::array<FixedFn, 8> row{};
  const auto kernels = fixed_table<L>(std::make_integer_sequence<int, 2 * L>{});
  for (std::size_t i = 0; i < kernels.size(); ++i) row[i] = kernels[i];
  return row;
}
// fixed_kernels[L - 1][A - 1] for L = 1..4, A = 1..2L.
constexpr std::array<FixedFn, 8> fixed_kernels[4] = {fixed_row<1>(), fixed_row<2>(), fixed_row<3>(), fixed_row<4>()};

// Any limb counts and window: products by mpn_mul, shifts by mpn_rshift.
// When the window is wider than a product (A > la + lb, tiny precisions with
// huge n), the product is placed `pad` limbs up so the shift stays a right
// shift.
void accumulate_generic(const MpfrDotRun& run, i64 A, i64 unit, u64* acc, MpfrDotScratch& s) {
  const int la = run.a->limbs(), lb = run.b->limbs();
  const i64 P = la + lb, pad = std::max<i64>(0, A - P), Pp = P + pad;
  s.product.assign(std::size_t(Pp + 1), 0);
  s.shifted.resize(std::size_t(Pp));
  u64* prod = s.product.data();
  const i64* ea = run.a->exponents() + run.a_first;
  const i64* eb = run.b->exponents() + run.b_first;
  const unsigned char* sa = run.a->negative() + run.a_first;
  const unsigned char* sb = run.b->negative() + run.b_first;
  const u64* ma = run.a->limb_data() + run.a_first * la;
  const u64* mb = run.b->limb_data() + run.b_first * lb;
  for (std::size_t k = 0; k < run.count; ++k) {
    const i64 r = unit + 64 * P - (ea[k] + eb[k]) + 64 * pad;
    if (r >= 64 * Pp) continue;  // below the window entirely (or a zero factor)
    const u64* x = ma + k * la;
    const u64* y = mb + k * lb;
    if (la >= lb)
      mpn_mul(prod + pad, x, la, y, lb);
    else
      mpn_mul(prod + pad, y, lb, x, la);
    const i64 q = r >> 6;
    const int b = int(r & 63);
    // r >= H + 64 (Pp - A), so the shifted product has at most A limbs.
    const i64 len = Pp - q;
    if (b != 0)
      mpn_rshift(s.shifted.data(), prod + q, len, unsigned(b));
    else
      std::copy(prod + q, prod + q + len, s.shifted.data());
    if (sa[k] ^ sb[k] ^ (run.negate ? 1 : 0))
      mpn_sub(acc, acc, A, s.shifted.data(), len);
    else
      mpn_add(acc, acc, A, s.shifted.data(), len);
  }
}

// dst = (S + delta) 2^unit rounded to nearest at dst's precision; S is the
// A-limb two's-complement accumulator and |S + delta| < 2^(64A - 1).
void round_fixed(mpfr_ptr dst, const u64* S, i64 A, i64 delta, i64 unit, std::vector<u64>& buf) {
  buf.assign(S, S + A);
  u64* v = buf.data();
  if (delta > 0) mpn_add_1(v, v, A, u64(delta));
  if (delta < 0) mpn_sub_1(v, v, A, u64(-delta));
  const bool negative = v[A - 1] >> 63;
  if (negative) mpn_neg(v, v, A);
  mp_size_t size = A;
  while (size > 0 && v[size - 1] == 0) --size;
  if (size == 0) {
    mpfr_set_zero(dst, 1);
    return;
  }
  mpz_t z;
  mpz_roinit_n(z, v, negative ? -size : size);
  mpfr_set_z_2exp(dst, z, mpfr_exp_t(unit), MPFR_RNDN);
}

// The slow, exact way: every nonzero product exactly (la + lb limbs hold it),
// then MPFR's correctly rounded sum. The exponent range is widened meanwhile
// so no exact product overflows where the sum would not.
void exact_dot(mpfr_ptr out, std::span<const MpfrDotRun> runs) {
  const int la = runs[0].a->limbs(), lb = runs[0].b->limbs();
  const mpfr_exp_t emin = mpfr_get_emin(), emax = mpfr_get_emax();
  mpfr_set_emin(mpfr_get_emin_min());
  mpfr_set_emax(mpfr_get_emax_max());
  std::vector<__mpfr_struct> terms;
  std::vector<u64> prod(std::size_t(la + lb));
  for (const MpfrDotRun& run : runs)
    for (std::size_t k = 0; k < run.count; ++k) {
      const i64 e = run.a->exponents()[run.a_first + k] + run.b->exponents()[run.b_first + k];
      if (e < zero_threshold) continue;
      const u64* x = run.a->limb_data() + (run.a_first + k) * la;
      const u64* y = run.b->limb_data() + (run.b_first + k) * lb;
      if (la >= lb)
        mpn_mul(prod.data(), x, la, y, lb);
      else
        mpn_mul(prod.data(), y, lb, x, la);
      const bool negative = run.a->negative()[run.a_first + k] ^ run.b->negative()[run.b_first + k] ^ run.negate;
      mp_size_t size = la + lb;
      while (prod[std::size_t(size - 1)] == 0) --size;  // the top limbs of x and y are nonzero
      mpz_t z;
      mpz_roinit_n(z, prod.data(), negative ? -size : size);
      terms.emplace_back();
      mpfr_init2(&terms.back(), 64 * (la + lb));
      mpfr_set_z_2exp(&terms.back(), z, mpfr_exp_t(e - 64 * (la + lb)), MPFR_RNDN);  // exact
    }
  std::vector<mpfr_ptr> ptrs;
  for (auto& t : terms) ptrs.push_back(&t);
  const int inexact = mpfr_sum(out, ptrs.data(), ptrs.size(), MPFR_RNDN);
  if (mpfr_zero_p(out)) mpfr_set_zero(out, 1);
  for (auto& t : terms) mpfr_clear(&t);
  mpfr_set_emin(emin);
  mpfr_set_emax(emax);
  mpfr_check_range(out, inexact, MPFR_RNDN);
}
}  // namespace

void MpfrPack::reset(std::size_t count, mpfr_prec_t max_prec) {
  limbs_ = int((max_prec + 63) / 64);
  exps_.assign(count, zero_exponent);
  neg_.assign(count, 0);
  limbs_data_.assign(count * std::size_t(limbs_), 0);
  usable_ = true;
}

void MpfrPack::set(std::size_t k, mpfr_srcptr x) {
  if (!mpfr_number_p(x)) {
    usable_ = false;
    return;
  }
  u64* dst = limbs_data_.data() + k * std::size_t(limbs_);
  std::fill(dst, dst + limbs_, 0);
  neg_[k] = mpfr_signbit(x) ? 1 : 0;
  if (mpfr_zero_p(x)) {
    exps_[k] = zero_exponent;
    return;
  }
  const mpfr_exp_t e = mpfr_get_exp(x);
  if (e > max_exponent || e < -max_exponent) {
    usable_ = false;
    return;
  }
  const int n = int((mpfr_get_prec(x) + 63) / 64);
  if (n > limbs_)
    throw std::invalid_argument("MpfrPack: a " + std::to_string(mpfr_get_prec(x)) +
                                "-bit number does not fit the pack's " + std::to_string(limbs_) + " limbs.");
  const auto* src = static_cast<const u64*>(mpfr_custom_get_significand(x));
  std::copy(src, src + n, dst + (limbs_ - n));
  exps_[k] = e;
}

MpfrDotScratch::MpfrDotScratch() { mpfr_init2(other, MPFR_PREC_MIN); }
MpfrDotScratch::~MpfrDotScratch() { mpfr_clear(other); }

MpfrDotCounters& mpfr_dot_counters() { return counters; }

void mpfr_dot(mpfr_ptr out, std::span<const MpfrDotRun> runs, MpfrDotScratch& s) {
  if (runs.empty()) {
    mpfr_set_zero(out, 1);
    return;
  }
  const int la = runs[0].a->limbs(), lb = runs[0].b->limbs();
  std::size_t n = 0;
  i64 top = MpfrPack::zero_exponent * 2;
  for (const MpfrDotRun& run : runs) {
    if (!run.a->usable() || !run.b->usable())
      throw std::invalid_argument("mpfr_dot: a pack holds a NaN, an infinity or an exponent beyond 2^40.");
    if (run.a->limbs() != la || run.b->limbs() != lb)
      throw std::invalid_argument("mpfr_dot: the runs' packs differ in limb count.");
    if (run.a_first + run.count > run.a->size() || run.b_first + run.count > run.b->size())
      throw std::invalid_argument("mpfr_dot: a run reaches past the end of its pack.");
    n += run.count;
    const i64* ea = run.a->exponents() + run.a_first;
    const i64* eb = run.b->exponents() + run.b_first;
    for (std::size_t k = 0; k < run.count; ++k) top = std::max(top, ea[k] + eb[k]);
  }
  if (top < zero_threshold) {  // every product has a zero factor
    mpfr_set_zero(out, 1);
    ++counters.zero;
    return;
  }
  const i64 H = bit_length(n) + 1;
  const i64 A = (i64(mpfr_get_prec(out)) + H + 32 + bit_length(n) + 63) / 64;
  const i64 unit = top + H - 64 * A;
  s.acc.assign(std::size_t(A), 0);
  const bool fixed = la == lb && la <= 4 && A <= 2 * la;
  for (const MpfrDotRun& run : runs) {
    if (fixed)
      fixed_kernels[la - 1][std::size_t(A - 1)](run, unit, s.acc.data());
    else
      accumulate_generic(run, A, unit, s.acc.data(), s);
  }
  // n < 2^(H-1): S +- n stays in range (see the units comment).
  round_fixed(out, s.acc.data(), A, -i64(n), unit, s.bound);
  if (mpfr_get_prec(s.other) != mpfr_get_prec(out)) mpfr_set_prec(s.other, mpfr_get_prec(out));
  round_fixed(s.other, s.acc.data(), A, i64(n), unit, s.bound);
  if (mpfr_equal_p(out, s.other)) {
    ++counters.certified;
    return;
  }
  exact_dot(out, runs);
  ++counters.redone;
}

}  // namespace barriers
