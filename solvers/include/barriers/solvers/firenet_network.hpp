// FIRENET written out as an explicit unrolled neural network.
//
// The point of THEORY.md's stability discussion is that FIRENET *is* a
// network: n restarts of p primal-dual steps become n (2p + 2) layers whose
// weights are fixed by A, lambda, w, tau, sigma and the restart schedule,
// with no training. This class builds that layer list (so its depth and
// widths can be reported and inspected) and evaluates it. Each layer is an
// affine map of the state followed by a fixed non-linearity:
//   scale   (restart r)  x = alpha_r psi, z = 0, S = 0          (linear)
//   primal  (step i)     x' = soft_{tau lambda w}(x - tau A^* z)
//   dual    (step i)     z = proj_{||.||<=1}(z + sigma A(2x' - x) - sigma alpha_r y)
//   average (restart r)  psi = S / (p alpha_r)                  (linear)
// where S accumulates x' (a linear skip connection) and y is passed along.
// The layers apply the very same step functions as firenet(), in the same
// order, so the output equals firenet()'s to the last bit in the same type.
#pragma once

#include <string>
#include <vector>

#include "barriers/solvers/firenet.hpp"

namespace barriers {

struct NetworkLayer {
  enum class Kind { scale, primal, dual, average };
  Kind kind;
  int restart;              ///< which restart (from 0) the layer belongs to
  Eigen::Index width;       ///< real channels of the iterate state (x, z): (N + m), doubled for complex
  Eigen::Index skip_width;  ///< real channels carried by skip connections (S and y)
};

/// "scale", "primal", "dual", "average".
std::string to_string(NetworkLayer::Kind kind);

template <class T>
class FirenetNetwork {
 public:
  using Real = real_of<T>;

  /// Builds the network; validates like firenet() (the observer and
  /// reference in settings are ignored). If settings.eps0 is empty, the
  /// scale layers take eps0 = ||y|| from the input, as firenet() does.
  FirenetNetwork(OperatorPtr<T> A, const FirenetSettings<T>& settings);

  /// Evaluates the network on y (throws std::invalid_argument on a size
  /// mismatch or a non-finite entry).
  Vector<T> operator()(const Vector<T>& y) const;

  const std::vector<NetworkLayer>& layers() const { return layers_; }
  std::size_t num_layers() const { return layers_.size(); }
  Eigen::Index max_width() const;
  Eigen::Index input_width() const;   ///< real channels of y
  Eigen::Index output_width() const;  ///< real channels of x

 private:
  OperatorPtr<T> A_;
  detail::FirenetPlan<T> plan_;
  std::vector<NetworkLayer> layers_;
};

#define BARRIERS_X(T) extern template class FirenetNetwork<T>;
BARRIERS_FOR_EACH_SCALAR(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
