// The Omega_K families behind the impossibility theorem (THEORY.md section 4).
//
// For problem (Pj), accuracy parameter K and precision n, member j of the
// family has
//   a_i = b (i != j),  a_j = b + eps,  b = sqrt(2) (1 - delta) 10^K / (3 rho),
//   rho = 1 - delta,   eps = 2^-(n+1),
//   A = D [a^T 0; 0 ||a|| I_N2]  (D the orthonormal DCT-II, optional),
//   y = c D e_1  (c = y_scale, 1 unless a class plays several samples),
// and the unique minimiser x = t e_j, with t = c/a_j (P3),
// (c - lambda/(2 a_j))/a_j (P2), (c - eta)/a_j (P1). Members j = 1 and 2
// agree within 2^-(n+1/2) but their minimisers are about 3 c 10^-K apart.
// N2 = 0 (one measurement row, A = a^T) keeps every property: the head
// block alone carries the construction.
#pragma once

#include <cstddef>

#include "barriers/impossibility/problem.hpp"
#include "barriers/oracle/instance.hpp"

namespace barriers::impossibility {

struct FamilyParams {
  Problem problem = Problem::p3;
  long K = 1;                   ///< digits that cannot be computed (>= 1)
  long n = 10;                  ///< the members agree to 2^-n
  rational delta{1, 6};         ///< in (0, 1/4)
  rational lambda{1};           ///< in (0, 1]
  rational eta{1, 10};          ///< (P1) noise level, in [0, 1/4]
  std::size_t N1 = 2;           ///< head length (>= 2)
  std::size_t N2 = 20;          ///< tail length (>= 0; A has 1 + N2 rows)
  rational y_scale{1};          ///< c in y = c D e_1, in [1, 2]
  bool dct_mixing = true;       ///< multiply A and y by the orthonormal DCT-II

  /// Throws std::invalid_argument naming the first bad value and what is allowed.
  void validate() const;
};

struct FamilyMember {
  oracle::Instance instance;      ///< exact (A, y)
  oracle::ExactMatrix minimiser;  ///< the unique minimiser, a column of N1 + N2 formulas
  oracle::ExactScalar a_j;        ///< the largest head entry b + eps
  oracle::ExactScalar b;          ///< the other head entries
  oracle::ExactScalar t;          ///< the minimiser's one non-zero entry
  rational c;                     ///< y = c D e_1
  oracle::ExactScalar norm_a;     ///< ||a||_2
  std::size_t j;                  ///< 1-based index of the enlarged entry
};

/// Member j (1 <= j <= N1) of the family; validates the parameters.
FamilyMember family_member(const FamilyParams& params, std::size_t j);

/// The limit of the family as n -> infinity: every head entry equals b
/// (eps = 0). Its minimiser set is no longer a point but the simplex
/// conv{t e_1, ..., t e_N1} (t the minimiser entry for a_j = b): on it the
/// head objective is constant. Every member at precision n is within
/// 2^-(n+1) of it, so an adversary may answer any member with the limit's data
/// up to about that precision.
struct FamilyLimit {
  oracle::Instance instance;   ///< exact (A, y) with eps = 0
  oracle::ExactMatrix centre;  ///< the simplex's centroid (t/N1) (e_1 + ... + e_N1), a minimiser
  oracle::ExactScalar b;       ///< every head entry
  oracle::ExactScalar t;       ///< the simplex's vertex entry
  oracle::ExactScalar norm_a;  ///< ||a||_2 = b sqrt(N1)
};

/// The limit eps = 0 of the family (params.n is ignored but validated).
FamilyLimit family_limit(const FamilyParams& params);

/// 10^-k exactly (k >= 0).
rational ten_to_minus(long k);

/// Largest K accepted (10^K must stay far inside every type's range).
inline constexpr long max_K = 100;

}  // namespace barriers::impossibility
