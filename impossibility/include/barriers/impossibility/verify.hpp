// Certified checks of every property the impossibility theorem relies on,
// for members j = 1 and j = 2 of an Omega_K family (`barriers verify`).
//
// Each check states a claim and the certified interval (or exact value) that
// decides it; nothing here runs a solver. Intervals come from Arb at a
// working precision raised until every decision is certain.
#pragma once

#include <string>
#include <vector>

#include "barriers/impossibility/family.hpp"

namespace barriers::impossibility {

struct Check {
  std::string name;   ///< short identifier, e.g. "separation"
  std::string claim;  ///< what is claimed, in words and symbols
  std::string value;  ///< the certified value(s) that decide it
  bool pass = false;
};

struct VerifyReport {
  FamilyParams params;
  std::vector<Check> checks;
  long precision_bits = 0;  ///< Arb precision that decided every check
  bool all_pass() const;
};

VerifyReport verify_family(const FamilyParams& params);

}  // namespace barriers::impossibility
