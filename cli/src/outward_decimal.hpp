// Decimal text for the ends of a certified interval, rounded outward, so
// that a CSV holds a valid (slightly wider) enclosure that a resumed run can
// read back exactly with oracle::parse_rational.
#pragma once

#include <mpfr.h>

#include <string>

#include "barriers/oracle/instance.hpp"
#include "barriers/precision/types.hpp"

namespace barriers::cli {

/// q with `digits` significant digits, rounded down (up = false) or up; q
/// itself when that many digits hold it exactly (so re-saving a resumed
/// value does not widen it).
inline std::string outward_decimal(const rational& q, bool up, int digits = 12) {
  mpfr_t t;
  mpfr_init2(t, 256);
  {
    char exact[96];
    mpfr_set_q(t, q.backend().data(), MPFR_RNDN);
    mpfr_snprintf(exact, sizeof exact, "%.*RNe", digits - 1, t);
    if (oracle::parse_rational(exact) == q) {
      mpfr_clear(t);
      return exact;
    }
  }
  mpfr_set_q(t, q.backend().data(), up ? MPFR_RNDU : MPFR_RNDD);  // same direction twice: still a bound
  char buf[96];
  mpfr_snprintf(buf, sizeof buf, up ? "%.*RUe" : "%.*RDe", digits - 1, t);
  mpfr_clear(t);
  return buf;
}

}  // namespace barriers::cli
