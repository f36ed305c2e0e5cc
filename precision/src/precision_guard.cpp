#include "barriers/precision/precision_guard.hpp"

#include <stdexcept>
#include <string>

#include <boost/multiprecision/detail/digits.hpp>

#include "barriers/precision/types.hpp"

namespace barriers {
namespace {

// Boost's own digits10 -> bits map, used by every mpfr/mpfi constructor.
unsigned bits_of_digits10(unsigned d10) {
  return static_cast<unsigned>(mp::detail::digits10_2_2(d10));
}

unsigned digits10_for_bits(unsigned bits) {
  unsigned d = 1;
  while (bits_of_digits10(d) < bits) ++d;
  return d;
}

}  // namespace

unsigned achievable_precision_bits(unsigned bits) {
  return bits_of_digits10(digits10_for_bits(bits));
}

unsigned mpfr_working_bits() { return bits_of_digits10(mpfr_real::default_precision()); }
unsigned mpfi_working_bits() { return bits_of_digits10(mpfi_interval::default_precision()); }

PrecisionGuard::PrecisionGuard(unsigned bits)
    : saved_mpfr_digits10_(mpfr_real::default_precision()),
      saved_mpfi_digits10_(mpfi_interval::default_precision()) {
  if (bits < 2 || bits > max_precision_bits)
    throw std::invalid_argument("working precision " + std::to_string(bits) +
                                " bits is out of range: allowed 2.." +
                                std::to_string(max_precision_bits) + " bits");
  const unsigned d10 = digits10_for_bits(bits);
  mpfr_real::default_precision(d10);
  mpfi_interval::default_precision(d10);
  bits_ = bits_of_digits10(d10);
}

PrecisionGuard::~PrecisionGuard() {
  mpfr_real::default_precision(saved_mpfr_digits10_);
  mpfi_interval::default_precision(saved_mpfi_digits10_);
}

}  // namespace barriers
