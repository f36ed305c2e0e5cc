// Precision sweeps: the accuracy an algorithm reaches as a function of the
// oracle precision n (bits of data), the working precision (bits of
// arithmetic) and the number of iterations.
//
// Each run reads (A_n, y_n) from the oracle (nearest answers), converts them
// to the working type (53 bits: double, 64: long double, 113: float128,
// anything else: MPFR at that precision), runs the solver on the square-root
// LASSO, and scores the output by its certified distance to a reference x:
// the planted x of the Gaussian instance, the minimiser x^2 of the family
// member. The reference is called the exact minimiser only when that is
// certified (SweepReference); otherwise it is only the planted x.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "barriers/impossibility/family.hpp"
#include "barriers/oracle/enclosure.hpp"

namespace barriers::impossibility {

struct SweepPoint;

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
  /// Total inner iterations; for firenet each is below inner or a multiple of it.
  std::vector<long> iterations{500, 2000, 8000};
  /// Called before each cell with the fraction of cells done and a status.
  std::function<void(double fraction_done, const std::string&)> progress;
  /// Cells to leave out (already computed by an earlier run: --resume).
  std::function<bool(long n, unsigned bits, long iterations)> skip;
  /// Called with each point as soon as it is computed, before the next cell starts.
  std::function<void(const SweepPoint&)> on_point;
  /// Memory the run may use; 0: what the machine has available now.
  double memory_limit_bytes = 0;

  /// Throws std::invalid_argument naming the first bad value, or the memory
  /// or time estimate when the run is too large for the machine.
  void validate() const;
  /// Rough peak memory (bytes) and run time (seconds).
  double memory_estimate() const;
  double time_estimate() const;
};

/// What the distance of a sweep is measured to.
struct SweepReference {
  /// True: the reference is proved to be the unique minimiser (a dual
  /// certificate checked in exact arithmetic for "gaussian"; barriers verify's
  /// certified checks for "family"). False: it is only the planted x.
  bool certified_minimiser = false;
  std::string explanation;  ///< one line: how it was certified, or why not
};

/// For the Gaussian instance: is the planted x the unique minimiser of
/// lambda ||x||_1 + ||Ax - y||_2 with y = A x exactly? Decided by the
/// least-norm dual certificate u = A_S (A_S^T A_S)^-1 lambda sign(x_S),
/// checked in exact rational arithmetic: unique minimiser when ||u||_2 < 1
/// and |A_i^T u| < lambda off the support; not a minimiser when ||u||_2 > 1
/// (every certificate is at least as long as the least-norm one); otherwise,
/// or for more than 32 non-zeros, not certified.
SweepReference certify_gaussian_reference(const SweepSettings& settings);

struct SweepPoint {
  long n = 0;
  unsigned bits = 0;
  long iterations = 0;
  bool finite = true;      ///< false: the solver returned NaN or Inf (error is then unset)
  oracle::Interval error;  ///< certified distance to the reference x
  bool certified_minimiser = false;  ///< the reference x is the certified unique minimiser
  std::string type;        ///< e.g. "double", "mpfr(257 bits)"
};

struct SweepResult {
  SweepSettings settings;
  std::string instance_description;
  SweepReference reference;  ///< for "family": of the last n (each point records its own)
  std::vector<SweepPoint> points;
};

/// Runs every (n, bits, iterations) cell not skipped, in the order of the lists.
SweepResult run_sweep(const SweepSettings& settings);

}  // namespace barriers::impossibility
