// Expression nodes behind ExactScalar and ExactMatrix (private).
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "arb_handles.hpp"
#include "barriers/oracle/exact_matrix.hpp"

namespace barriers::oracle::detail {

struct ScalarNode {
  virtual ~ScalarNode() = default;
  /// Certified ball containing the value, at `prec` bits.
  virtual void enclose(acb_t out, slong prec) const = 0;
  virtual bool is_real() const = 0;
  virtual std::optional<rational> exact_rational() const { return std::nullopt; }
  virtual std::string formula() const = 0;
};

struct MatrixNode {
  MatrixNode(std::size_t r, std::size_t c) : rows(r), cols(c) {}
  virtual ~MatrixNode() = default;
  /// Fills `out` (rows x cols, already initialised) with certified balls,
  /// reusing the last enclosure when asked again at the same precision:
  /// training sets enclose the same A for every sample.
  void enclose(acb_mat_t out, slong prec) const;
  virtual bool is_real() const = 0;
  virtual std::optional<RationalMatrix> exact_rational() const { return std::nullopt; }
  virtual std::string describe() const = 0;
  const std::size_t rows, cols;

 protected:
  virtual void compute(acb_mat_t out, slong prec) const = 0;

 private:
  mutable std::mutex cache_mutex_;
  // A few recent precisions: the oracle encloses at a low precision to size
  // entries and then at the working one, for every training sample.
  mutable std::vector<std::pair<slong, std::unique_ptr<AcbMat>>> cache_;
};

}  // namespace barriers::oracle::detail
