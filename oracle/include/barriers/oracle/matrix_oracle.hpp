// The core query: one exact matrix (or vector) answered at precision n.
//
// query(n) returns dyadic data within a certified 2^-n of the exact data in
// the spectral norm (for vectors: the Euclidean norm), choosing the answer by
// the policy. The working precision is raised until every rounding decision
// and the bound are certified (a Ziv loop).
#pragma once

#include <cstdint>
#include <optional>

#include "barriers/oracle/answer.hpp"
#include "barriers/oracle/exact_matrix.hpp"

namespace barriers::oracle {

struct OracleSettings {
  AnswerPolicy policy = AnswerPolicy::nearest;
  std::uint64_t seed = 0;  ///< random policy: same seed, same answers
};

class MatrixOracle {
 public:
  /// `other` is required by the adversarial policy (same size as `exact`)
  /// and ignored otherwise; `stream` separates the random answers of
  /// different objects sharing one seed.
  MatrixOracle(ExactMatrix exact, OracleSettings settings,
               std::optional<ExactMatrix> other = std::nullopt, std::uint64_t stream = 0);

  /// Throws std::invalid_argument for n outside [0, max_query_bits].
  Answer query(long n) const;

  const ExactMatrix& exact() const { return exact_; }
  const OracleSettings& settings() const { return settings_; }

 private:
  ExactMatrix exact_;
  OracleSettings settings_;
  std::optional<ExactMatrix> other_;
  std::uint64_t stream_;
};

}  // namespace barriers::oracle
