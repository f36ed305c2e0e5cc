// Precision sweeps: the accuracy an algorithm reaches as a function of the
// oracle precision n (bits of data), the working precision (bits of
// arithmetic) and the number of iterations.
//
// Each run reads (A_n, y_n) from the oracle (nearest answers), converts them
// to the working type (53 bits: double, 64: long double, 113: float128,
// anything else: MPFR at that precision), runs the solver, and scores the
// output by its certified distance to the exact minimiser.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "barriers/impossibility/family.hpp"
#include "barriers/oracle/enclosure.hpp"

namespace barriers::impossibility {

struct SweepSettings {
  std::string instance = "gaussian";  ///< "gaussian" (seeded sparse recovery) or "family" (Omega_K member j = 2)
  FamilyParams family;                ///< for "family": problem p3, K, delta, ... (n is swept)
  std::size_t rows = 40, cols = 100, sparsity = 5;  ///< for "gaussian"
  std::uint64_t seed = 0;
  std::string solver = "firenet";     ///< firenet (p3) or pdhg (p3)
  rational lambda{1, 20};             ///< for "gaussian"; "family" uses family.lambda
  int inner = 100;                    ///< firenet steps per restart
  std::vector<long> ns{10, 20, 40, 80, 160};
  std::vector<unsigned> bits{53, 113, 256};
  std::vector<long> iterations{500, 2000, 8000};  ///< total inner iterations
  std::function<void(const std::string&)> progress;
  void validate() const;
};

struct SweepPoint {
  long n = 0;
  unsigned bits = 0;
  long iterations = 0;
  oracle::Interval error;  ///< certified distance to the exact minimiser
  std::string type;        ///< e.g. "double", "mpfr(257 bits)"
};

struct SweepResult {
  SweepSettings settings;
  std::string instance_description;
  std::vector<SweepPoint> points;
};

SweepResult run_sweep(const SweepSettings& settings);

}  // namespace barriers::impossibility
