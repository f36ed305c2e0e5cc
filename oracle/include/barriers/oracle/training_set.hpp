// A training set iota_{A,S}: one matrix A and R samples y_k, each answered
// lazily at any precision n, with a log of every query.
//
// The log is what lets an experiment report how much data, at what
// precision, an algorithm consumed.
#pragma once

#include <cstddef>
#include <mutex>
#include <optional>
#include <vector>

#include "barriers/oracle/matrix_oracle.hpp"

namespace barriers::oracle {

struct TrainingData {
  ExactMatrix A;
  std::vector<ExactMatrix> samples;  ///< columns of A's height
};

struct QueryRecord {
  long sample;  ///< index k of y_k, or -1 for the matrix A
  long n;
};

struct QuerySummary {
  std::size_t queries = 0;
  std::size_t matrix_queries = 0;
  std::size_t sample_queries = 0;
  std::size_t distinct_samples = 0;
  long max_n = -1;  ///< -1 when nothing was queried
};

class TrainingSet {
 public:
  /// `other` (same shape) is used by the adversarial policy.
  TrainingSet(TrainingData data, OracleSettings settings, std::optional<TrainingData> other = std::nullopt);

  std::size_t size() const { return samples_.size(); }
  /// A_n; logged as sample -1.
  Answer matrix(long n);
  /// y_{k,n}; throws std::out_of_range naming k and the sample count.
  Answer sample(std::size_t k, long n);

  std::vector<QueryRecord> log() const;
  QuerySummary summary() const;
  void clear_log();

 private:
  void record(long sample, long n);
  MatrixOracle matrix_;
  std::vector<MatrixOracle> samples_;
  mutable std::mutex mutex_;
  std::vector<QueryRecord> log_;
};

}  // namespace barriers::oracle
