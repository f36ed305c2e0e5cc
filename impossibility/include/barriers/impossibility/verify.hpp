// Certified checks of every property the impossibility theorem relies on,
// for members j = 1 and j = 2 of an Omega_K family (`barriers verify`), and
// of single members (for experiments that play other members of a family).
//
// Each check states a claim and the certified intervals that decide it;
// nothing here runs a solver. Intervals come from Arb. Every comparison is
// three-valued (certified_compare.hpp): a check that an attempt leaves
// undecided is recomputed at twice the precision, up to a cap, and a check
// still undecided at the cap is reported as undecided, never as PASS or FAIL.
//
// Identities that hold exactly by algebra (A A^* = ||a||^2 I, g_j = -lambda,
// a zero residual, D D^T = I) cannot be proved by intervals; they are shown
// to hold within identity_tolerance(), which lies at least 2^63 below the
// smallest quantity any check compares (the off-support margin eps / a_j).
#pragma once

#include <string>
#include <vector>

#include "barriers/impossibility/certified_compare.hpp"
#include "barriers/impossibility/family.hpp"

namespace barriers::impossibility {

/// One certified number a check rests on: value.lo <= quantity <= value.hi.
struct CertifiedValue {
  std::string name;  ///< e.g. "||A^1 - A^2||_F^2 4^n"
  oracle::Interval value;
};

struct Check {
  std::string name;   ///< short identifier, e.g. "separation"
  std::string claim;  ///< what is claimed, in words and symbols
  std::string value;  ///< the certified values that decide it, as text
  std::vector<CertifiedValue> values;
  Decision decision = Decision::undecided;
  long precision_bits = 0;  ///< Arb precision of the attempt that decided it (the cap if undecided)
  bool pass() const { return decision == Decision::yes; }
};

struct VerifyReport {
  FamilyParams params;
  std::vector<Check> checks;
  PrecisionSchedule schedule{1, 1};  ///< the precisions allowed
  long precision_bits = 0;           ///< the highest precision tried
  rational tolerance;                ///< identity_tolerance(params)
  bool all_pass() const;             ///< every check decided and true
  bool all_decided() const;
};

/// 2^-(n + 4K + 64): the margin eps/a_j > 2^-(n+1) 10^-K > 2^-(n + 1 + 3.33 K),
/// and every other compared quantity is larger.
rational identity_tolerance(const FamilyParams& params);
/// The log2 of 1/identity_tolerance(params).
long identity_tolerance_bits(const FamilyParams& params);

/// Starting precision that covers the worst cancellation (P2's residual
/// lambda/(2 a_j) against entries of size 10^K, summed over N1 + N2 terms,
/// resolved to the tolerance), and a cap of 8 times that.
PrecisionSchedule verify_precision(const FamilyParams& params);

/// Estimated peak memory of one attempt at `bits`: the (N2 + 1) x (N1 + N2)
/// ball matrices and their rational enclosures, about
/// 3.5 (N2 + 1)(N1 + N2)(bits + 500) bytes (measured within 20%).
double verify_memory_bytes(const FamilyParams& params, long bits);

/// The functions below refuse (std::invalid_argument, with the figures) a
/// starting precision whose attempt would not fit in the available memory,
/// and lower the cap to the largest precision that fits.
///
/// Every check for members j = 1, 2: conditioning (each), agreement of A and
/// y, separation, optimality (each), K digits impossible, K-1 attainable,
/// and DCT orthogonal (with mixing). Validates the parameters.
VerifyReport verify_family(const FamilyParams& params);
VerifyReport verify_family(const FamilyParams& params, PrecisionSchedule schedule);

/// Checks of member j (1 <= j <= N1) alone: "conditioning (j=..)" and
/// "optimality (j=..)" (its stated minimiser is the unique one).
VerifyReport verify_member(const FamilyParams& params, std::size_t j);
/// The same checks for a member as given (e.g. one an experiment built or
/// altered): member.instance.A, .y, .minimiser, .a_j, .t and .j are used.
VerifyReport verify_member(const FamilyParams& params, const FamilyMember& member);

/// Conditioning of the limit eps = 0 (its minimisers form a simplex, so
/// there is no uniqueness to check): "conditioning (limit)".
VerifyReport verify_limit(const FamilyParams& params);

/// q rounded to `digits` significant decimal digits, down or up (a certified
/// bound), e.g. "3.000000001e-50".
std::string decimal_bound(const rational& q, bool up, int digits = 10);

}  // namespace barriers::impossibility
