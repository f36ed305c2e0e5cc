// A reconstruction map Phi: y (m measurements) -> x (N unknowns) that can be
// differentiated exactly by reverse mode, the interface the stability
// experiments (THEORY.md section 6, issue 10) attack.
//
// forward(y, out) evaluates Phi(y) and keeps what the backward pass needs;
// backward(g, g_y) then returns, at that last y, the gradient of the real
// function y -> Re<g, Phi(y)>, i.e. J^* g. Gradient convention for complex
// T (the one LISTA's training uses): for a complex variable v the gradient
// is dF/dRe(v) + i dF/dIm(v), so dF = Re<g_v, dv> and v += s g_v is steepest
// ascent. For F = ||Phi(y) - c||^2 the output gradient is g = 2 (Phi(y) - c).
// Both calls reuse buffers sized at the first call: no vector is allocated
// after it.
#pragma once

#include <stdexcept>
#include <string>

#include "barriers/solvers/solver_types.hpp"

namespace barriers {

template <class T>
class ReconstructionMap {
 public:
  virtual ~ReconstructionMap() = default;
  virtual Eigen::Index input_size() const = 0;   ///< m
  virtual Eigen::Index output_size() const = 0;  ///< N
  /// out = Phi(y). Throws std::invalid_argument for a wrong size or a
  /// non-finite entry.
  virtual void forward(const Vector<T>& y, Vector<T>& out) = 0;
  /// g_y = J^* g at the y of the last forward() (throws std::logic_error if
  /// there was none, std::invalid_argument for a wrong size).
  virtual void backward(const Vector<T>& g, Vector<T>& g_y) = 0;

 protected:
  /// The preconditions of backward(), shared by every map: a forward pass
  /// has been taped, and g has output_size() entries.
  void check_backward(bool have_forward, const Vector<T>& g) const {
    if (!have_forward) throw std::logic_error("backward() needs a forward() first");
    if (g.size() != output_size())
      throw std::invalid_argument("the output gradient has " + std::to_string(g.size()) + " entries; it needs N = " +
                                  std::to_string(output_size()));
  }
};

}  // namespace barriers
