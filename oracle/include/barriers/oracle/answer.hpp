// One oracle answer: exact dyadic data with a certified error bound.
#pragma once

#include <string>

#include "barriers/oracle/answer_policy.hpp"
#include "barriers/oracle/rational_matrix.hpp"

namespace barriers::oracle {

struct Answer {
  RationalMatrix value;      ///< exact dyadic rationals
  long n = 0;                ///< requested: ||value - exact||_2 <= 2^-n
  /// Certified upper bound on ||value - exact||_2 (via the Frobenius norm,
  /// rounded up to a 64-bit dyadic); 0 exactly when the answer is exact.
  rational bound;
  bool bound_met = false;    ///< bound <= 2^-n; false only for the ieee policy
  bool exact = false;        ///< value equals the exact data
  bool correctly_rounded = true;  ///< every rounding decision was certified
  AnswerPolicy policy = AnswerPolicy::nearest;
  bool from_other = false;   ///< adversarial: value approximates the other instance
  long grid_bits = 0;        ///< the policy rounded to multiples of 2^-grid_bits (ieee: 0, no fixed grid)
  long fraction_bits = 0;    ///< least k with every entry a multiple of 2^-k
  long working_bits = 0;     ///< Arb precision that certified the answer (0: exact data)
  std::string note;          ///< why the adversary could not answer, if it could not
};

}  // namespace barriers::oracle
