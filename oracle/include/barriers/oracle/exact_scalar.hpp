// Exact real or complex numbers given as formulas.
//
// Instance data may be irrational (DCT entries, sqrt(2) in the Omega_K
// families), so an instance stores each number as a formula that can be
// enclosed in a certified ball at any precision. Formulas whose value is
// rational are recognised and kept exact.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "barriers/precision/types.hpp"

namespace barriers::oracle {

namespace detail {
struct ScalarNode;
}

class ExactScalar {
 public:
  ExactScalar(const rational& q);  // NOLINT: implicit on purpose
  ExactScalar(long v);             // NOLINT
  ExactScalar(int v) : ExactScalar(long(v)) {}  // NOLINT

  static ExactScalar sqrt(const ExactScalar& x);  ///< principal square root
  static ExactScalar cos_pi(const rational& q);   ///< cos(pi q)
  static ExactScalar sin_pi(const rational& q);   ///< sin(pi q)
  static ExactScalar complex(const ExactScalar& re, const ExactScalar& im);

  friend ExactScalar operator+(const ExactScalar& a, const ExactScalar& b);
  friend ExactScalar operator-(const ExactScalar& a, const ExactScalar& b);
  friend ExactScalar operator*(const ExactScalar& a, const ExactScalar& b);
  /// Throws std::domain_error when b is exactly zero.
  friend ExactScalar operator/(const ExactScalar& a, const ExactScalar& b);
  ExactScalar operator-() const;

  bool is_real() const;
  /// The value when it is known to be rational (and real).
  std::optional<rational> exact_rational() const;
  /// The formula, e.g. "sqrt(2)*1000/3".
  std::string formula() const;

  /// Internal: wraps an expression node.
  explicit ExactScalar(std::shared_ptr<const detail::ScalarNode> n) : node_(std::move(n)) {}
  const std::shared_ptr<const detail::ScalarNode>& node() const { return node_; }

 private:
  std::shared_ptr<const detail::ScalarNode> node_;
};

}  // namespace barriers::oracle
