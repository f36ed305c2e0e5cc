// The oracle for a problem instance: query(n) answers (A_n, y_n).
//
// This is the only way algorithms see problem data. A and y are answered by
// independent MatrixOracles sharing one policy and seed (separate random
// streams), so ||A_n - A||_2 <= 2^-n and ||y_n - y||_2 <= 2^-n are each
// certified in the answer.
#pragma once

#include <optional>

#include "barriers/oracle/instance.hpp"
#include "barriers/oracle/matrix_oracle.hpp"

namespace barriers::oracle {

struct InstanceAnswer {
  Answer A;
  Answer y;
};

class Oracle {
 public:
  /// `other` is required by the adversarial policy (same sizes).
  Oracle(const Instance& instance, OracleSettings settings,
         std::optional<Instance> other = std::nullopt);
  InstanceAnswer query(long n) const;
  const Instance& instance() const { return instance_; }

 private:
  Instance instance_;
  MatrixOracle a_, y_;
};

}  // namespace barriers::oracle
