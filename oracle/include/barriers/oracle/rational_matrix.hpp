// An exact matrix of rationals, real or complex: the form of every oracle
// answer (whose entries are moreover dyadic) and of exact instance data.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "barriers/precision/types.hpp"

namespace barriers::oracle {

struct RationalMatrix {
  std::size_t rows = 0, cols = 0;
  std::vector<rational> re;  ///< row-major, rows * cols entries
  std::vector<rational> im;  ///< empty for real matrices, else rows * cols

  RationalMatrix() = default;
  RationalMatrix(std::size_t r, std::size_t c, bool complex = false)
      : rows(r), cols(c), re(r * c), im(complex ? r * c : 0) {}

  bool is_complex() const { return !im.empty(); }
  std::size_t size() const { return rows * cols; }
  const rational& real(std::size_t i, std::size_t j) const { return re[i * cols + j]; }
  rational imag(std::size_t i, std::size_t j) const {
    return is_complex() ? im[i * cols + j] : rational(0);
  }
  bool operator==(const RationalMatrix& o) const {
    // A real matrix equals a complex one whose imaginary parts are all zero.
    if (rows != o.rows || cols != o.cols || re != o.re) return false;
    for (std::size_t k = 0; k < size(); ++k)
      if ((is_complex() ? im[k] : rational(0)) != (o.is_complex() ? o.im[k] : rational(0)))
        return false;
    return true;
  }
};

/// An upper bound on ||M||_2 via the Frobenius norm, rounded up to a
/// 64-bit-significand dyadic: sqrt(sum |m_ij|^2) <= result, always.
rational frobenius_upper_bound(const RationalMatrix& m);

/// Exact entry-wise difference a - b (sizes must agree).
RationalMatrix difference(const RationalMatrix& a, const RationalMatrix& b);

}  // namespace barriers::oracle
