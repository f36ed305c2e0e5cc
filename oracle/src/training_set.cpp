#include "barriers/oracle/training_set.hpp"

#include <set>
#include <stdexcept>
#include <string>

namespace barriers::oracle {

TrainingSet::TrainingSet(TrainingData data, OracleSettings settings, std::optional<TrainingData> other)
    : matrix_(data.A, settings, other ? std::optional<ExactMatrix>(other->A) : std::nullopt, 0) {
  if (other && other->samples.size() != data.samples.size())
    throw std::invalid_argument("training set: the other set has " + std::to_string(other->samples.size()) +
                                " samples, this one " + std::to_string(data.samples.size()));
  samples_.reserve(data.samples.size());
  for (std::size_t k = 0; k < data.samples.size(); ++k) {
    const ExactMatrix& y = data.samples[k];
    if (y.cols() != 1 || y.rows() != data.A.rows())
      throw std::invalid_argument("training sample " + std::to_string(k) + " is " + std::to_string(y.rows()) + "x" +
                                  std::to_string(y.cols()) + ", expected a column of height " +
                                  std::to_string(data.A.rows()));
    samples_.emplace_back(y, settings, other ? std::optional<ExactMatrix>(other->samples[k]) : std::nullopt, k + 2);
  }
}

void TrainingSet::record(long sample, long n) {
  std::lock_guard<std::mutex> lock(mutex_);
  log_.push_back({sample, n});
}

Answer TrainingSet::matrix(long n) {
  Answer a = matrix_.query(n);  // validates n before anything is logged
  record(-1, n);
  return a;
}

Answer TrainingSet::sample(std::size_t k, long n) {
  if (k >= samples_.size())
    throw std::out_of_range("training sample index " + std::to_string(k) + " is out of range: the set has " +
                            std::to_string(samples_.size()) + " samples (0.." +
                            std::to_string(samples_.empty() ? 0 : samples_.size() - 1) + ")");
  Answer a = samples_[k].query(n);
  record(static_cast<long>(k), n);
  return a;
}

std::vector<QueryRecord> TrainingSet::log() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return log_;
}

QuerySummary TrainingSet::summary() const {
  std::lock_guard<std::mutex> lock(mutex_);
  QuerySummary s;
  std::set<long> distinct;
  for (const auto& r : log_) {
    ++s.queries;
    if (r.sample < 0) {
      ++s.matrix_queries;
    } else {
      ++s.sample_queries;
      distinct.insert(r.sample);
    }
    s.max_n = std::max(s.max_n, r.n);
  }
  s.distinct_samples = distinct.size();
  return s;
}

void TrainingSet::clear_log() {
  std::lock_guard<std::mutex> lock(mutex_);
  log_.clear();
}

}  // namespace barriers::oracle
