// Three-valued comparisons of certified intervals, and Ziv's strategy of
// raising the working precision until a comparison is decided.
//
// An interval [lo, hi] known to contain a quantity x decides "x < c" only
// when hi < c (yes) or lo >= c (no); otherwise the answer is `undecided`,
// and an undecided comparison must never be reported as PASS or FAIL.
// Typical use, deciding ||phi - x|| > 10^-K from enclosures of x:
//
//   oracle::Interval d;
//   const Decided r = decide_with_retry(
//       [&](long bits) {
//         d = certified_distance(phi, x, bits);
//         return greater(d, ten_to_minus(K));
//       },
//       {distance_precision(K), 8 * distance_precision(K)});
//   // r.decision is yes / no, or undecided at r.precision_bits (== the cap);
//   // d holds the interval of the last attempt, the one that decided.
#pragma once

#include <functional>
#include <stdexcept>
#include <string>

#include "barriers/oracle/enclosure.hpp"

namespace barriers::impossibility {

enum class Decision { no, yes, undecided };

inline std::string to_string(Decision d) {
  return d == Decision::yes ? "yes" : d == Decision::no ? "no" : "undecided";
}
inline Decision decision_of(bool b) { return b ? Decision::yes : Decision::no; }

/// x < c for every x in i (yes), for none (no), or unknown.
inline Decision less(const oracle::Interval& i, const rational& c) {
  return i.hi < c ? Decision::yes : i.lo >= c ? Decision::no : Decision::undecided;
}
/// x <= c for every x in i (yes), for none (no), or unknown.
inline Decision less_equal(const oracle::Interval& i, const rational& c) {
  return i.hi <= c ? Decision::yes : i.lo > c ? Decision::no : Decision::undecided;
}
/// x > c for every x in i (yes), for none (no), or unknown.
inline Decision greater(const oracle::Interval& i, const rational& c) {
  return i.lo > c ? Decision::yes : i.hi <= c ? Decision::no : Decision::undecided;
}
/// x >= c for every x in i (yes), for none (no), or unknown.
inline Decision greater_equal(const oracle::Interval& i, const rational& c) {
  return i.lo >= c ? Decision::yes : i.hi < c ? Decision::no : Decision::undecided;
}

/// Conjunction: no if either is no, yes if both are yes, else undecided.
inline Decision both(Decision a, Decision b) {
  if (a == Decision::no || b == Decision::no) return Decision::no;
  return a == Decision::yes && b == Decision::yes ? Decision::yes : Decision::undecided;
}

/// Working precisions start, 2 start, 4 start, ..., the last one clipped to
/// cap (start >= 1, cap >= start).
struct PrecisionSchedule {
  long start_bits;
  long cap_bits;
  /// The precision after `bits`, or 0 when bits has reached the cap.
  long next(long bits) const { return bits >= cap_bits ? 0 : (bits > cap_bits / 2 ? cap_bits : 2 * bits); }
};

struct Decided {
  Decision decision = Decision::undecided;
  long precision_bits = 0;  ///< the precision that decided, or the cap when undecided
};

/// Calls attempt(bits) along the schedule until it returns a decision;
/// returns that decision and its precision, or `undecided` at the cap.
/// Throws std::invalid_argument unless 1 <= start_bits <= cap_bits.
inline Decided decide_with_retry(const std::function<Decision(long bits)>& attempt, PrecisionSchedule s) {
  if (s.start_bits < 1 || s.cap_bits < s.start_bits)
    throw std::invalid_argument("precision schedule " + std::to_string(s.start_bits) + ".." +
                                std::to_string(s.cap_bits) + " bits is empty");
  for (long bits = s.start_bits;; bits = s.next(bits)) {
    const Decision d = attempt(bits);
    if (d != Decision::undecided || bits >= s.cap_bits) return {d, bits};
  }
}

}  // namespace barriers::impossibility
