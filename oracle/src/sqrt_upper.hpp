// sqrt(s) rounded up to a 64-bit-significand dyadic (private helper).
#pragma once

#include "barriers/precision/types.hpp"

namespace barriers::oracle {
rational sqrt_upper(const rational& s);
}
