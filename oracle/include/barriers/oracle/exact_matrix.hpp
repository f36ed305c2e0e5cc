// Exact matrices (and vectors, as one-column matrices) given structurally.
//
// An ExactMatrix is an expression: rational data, formula entries, the
// orthonormal DCT-II and unitary DFT of any size, identities, and products,
// sums, scalings, block-diagonal and stacked combinations of these. It can be
// enclosed entry-wise in certified balls at any precision (enclosure.hpp),
// which is what the oracle rounds from, and it knows when it is exactly
// rational. Handles are cheap to copy; the data are shared and immutable.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "barriers/oracle/exact_scalar.hpp"
#include "barriers/oracle/rational_matrix.hpp"

namespace barriers::oracle {

namespace detail {
struct MatrixNode;
}

class ExactMatrix {
 public:
  /// Rational data (real, or complex when m.im is non-empty).
  static ExactMatrix from_rational(RationalMatrix m);
  /// Entries given as formulas, row-major.
  static ExactMatrix from_entries(std::size_t rows, std::size_t cols, std::vector<ExactScalar> entries);
  /// A column vector of formulas.
  static ExactMatrix column(std::vector<ExactScalar> entries);
  static ExactMatrix identity(std::size_t n);
  static ExactMatrix zeros(std::size_t rows, std::size_t cols);
  /// Orthonormal DCT-II: D_kj = c_k cos(pi (2j+1) k / (2n)), c_0 = 1/sqrt(n), c_k = sqrt(2/n).
  static ExactMatrix dct2(std::size_t n);
  /// Unitary DFT: F_kj = exp(-2 pi i j k / n) / sqrt(n).
  static ExactMatrix dft(std::size_t n);
  static ExactMatrix block_diag(const ExactMatrix& a, const ExactMatrix& b);
  static ExactMatrix hstack(const ExactMatrix& a, const ExactMatrix& b);
  static ExactMatrix vstack(const ExactMatrix& a, const ExactMatrix& b);

  /// Size mismatches throw std::invalid_argument naming both sizes.
  friend ExactMatrix operator*(const ExactMatrix& a, const ExactMatrix& b);
  friend ExactMatrix operator+(const ExactMatrix& a, const ExactMatrix& b);
  friend ExactMatrix operator-(const ExactMatrix& a, const ExactMatrix& b);
  friend ExactMatrix operator*(const ExactScalar& s, const ExactMatrix& a);
  ExactMatrix adjoint() const;    ///< conjugate transpose
  ExactMatrix transpose() const;

  std::size_t rows() const;
  std::size_t cols() const;
  bool is_real() const;
  /// The exact entries when every entry is rational.
  std::optional<RationalMatrix> exact_rational() const;
  /// A short description of the expression, e.g. "dct2(21) * blockdiag(...)".
  std::string describe() const;

  /// Internal: wraps an expression node.
  explicit ExactMatrix(std::shared_ptr<const detail::MatrixNode> n) : node_(std::move(n)) {}
  const std::shared_ptr<const detail::MatrixNode>& node() const { return node_; }

 private:
  std::shared_ptr<const detail::MatrixNode> node_;
};

}  // namespace barriers::oracle
