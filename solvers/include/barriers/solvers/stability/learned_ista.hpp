// A learned unrolled network for images (issue 10): K layers of ISTA over
// an operator A (e.g. A = P_Omega U W^* of imaging_problem.hpp, acting on
// wavelet coefficients), with a learned step per layer, a learned threshold
// per layer and level, and an optional learned rank-r linear term:
//     x_0 = 0,
//     g_k = A^* (y - A x_{k-1}),  v_k = x_{k-1} + s_k g_k,
//     x_k = soft_{t_{k,l(i)}}(v_k)_i            (l(i): level of entry i),
//     Phi(y) = x_K + U (V^* y)                 (U: N x r, V: m x r).
// Few parameters (K (1 + levels) + r (N + m)), so it trains in seconds.
// The low-rank term is what lets the network learn a detail h with ||A h||
// small (the stability-accuracy trade-off, THEORY.md section 6): U = h,
// V = A h / ||A h||^2 recovers h from A h with gain ||h|| / ||A h||; r = 0
// gives plain learned ISTA, whose Lipschitz constant is at most
// prod_k ||I - s_k A^* A|| (soft thresholding is 1-Lipschitz).
//
// Reverse mode (exact; complex T in the convention of reconstruction_map.hpp,
// dF/dRe + i dF/dIm). For F = Re<G, Phi(y)>:
//   grad U = G c^*, c = V^* y;  grad V = y (U^* G)^*;  g_y = V U^* G + ...
//   per layer, from k = K down, with g the gradient at x_k:
//     g_v = soft'(v_k)^T g  (real: g on |v| > t, 0 elsewhere; complex: the
//           symmetric 2x2 Jacobian (1 - t/|v|) I + t/|v|^3 v v^T),
//     grad t_{k,l} = -sum_{i in l, |v_i| > t} Re(conj(g_i) v_i / |v_i|),
//     grad s_k = Re<g_v, g_k>,  g_y += s_k A g_v,
//     g <- g_v - s_k A^* A g_v.
// Kinks: at |v_i| = t the threshold's derivative is 0 (LISTA's convention).
// Buffers are sized at the first call; no vector is allocated after it.
#pragma once

#include <cstdint>
#include <vector>

#include "barriers/solvers/linear_operator.hpp"
#include "barriers/solvers/stability/reconstruction_map.hpp"

namespace barriers {

template <class T>
struct LearnedIstaParams {
  using Real = real_of<T>;
  std::vector<Real> steps;               ///< s_k, one per layer
  std::vector<Vector<Real>> thresholds;  ///< t_k: one entry per level, >= 0
  Matrix<T> U;                           ///< N x r (r = 0: no linear term)
  Matrix<T> V;                           ///< m x r
};

/// Starting parameters: K layers, steps 1 / L^2 (L = A.norm_bound(), the
/// ISTA step), every threshold `threshold`, and for rank r > 0 U and V with
/// seeded Gaussian entries (gaussian_vector) scaled to `scale` / sqrt(N) and
/// `scale` / sqrt(m). Throws std::invalid_argument for K < 1, r < 0, fewer
/// than 1 level, a negative or non-finite threshold or scale.
template <class T>
LearnedIstaParams<T> initial_learned_ista_params(const LinearOperator<T>& A, int layers, int levels,
                                                 const real_of<T>& threshold, int rank,
                                                 const real_of<T>& scale, std::uint64_t seed);

template <class T>
class LearnedIstaMap final : public ReconstructionMap<T> {
 public:
  using Real = real_of<T>;

  /// level_starts: level boundaries [0, ..., N] (as WaveletTransform::
  /// level_starts()), increasing; the parameters must have one threshold
  /// per level. Throws std::invalid_argument for inconsistent sizes,
  /// non-finite parameters or a negative threshold.
  LearnedIstaMap(OperatorPtr<T> A, std::vector<Eigen::Index> level_starts, LearnedIstaParams<T> params);

  Eigen::Index input_size() const override { return A_->rows(); }
  Eigen::Index output_size() const override { return A_->cols(); }
  const LearnedIstaParams<T>& params() const { return p_; }
  /// Replaces the parameters (validated as in the constructor), assigning
  /// into the map's own (no MPFR number is created when the shapes agree);
  /// the tape is discarded.
  void set_params(const LearnedIstaParams<T>& params);
  const LinearOperator<T>& op() const { return *A_; }
  const std::vector<Eigen::Index>& level_starts() const { return starts_; }

  void forward(const Vector<T>& y, Vector<T>& out) override;
  void backward(const Vector<T>& g, Vector<T>& g_y) override;
  /// Reverse mode into both the parameter gradient (grad is overwritten,
  /// shaped like params()) and the input gradient g_y.
  void backward_all(const Vector<T>& g, LearnedIstaParams<T>& grad, Vector<T>& g_y);

 private:
  void check(const LearnedIstaParams<T>& p) const;
  void reverse(const Vector<T>& g, LearnedIstaParams<T>* grad, Vector<T>& g_y);

  OperatorPtr<T> A_;
  std::vector<Eigen::Index> starts_;
  LearnedIstaParams<T> p_;
  bool have_forward_ = false;
  // Tape: y, v_k and g_k per layer.
  Vector<T> y_;
  std::vector<Vector<T>> v_, gk_;
  // Work space.
  Vector<T> x_, r_, c_, gx_, gv_, gc_, am_, an_;
};

/// An upper bound on the network's Lipschitz constant in y (2-norms), in
/// exact arithmetic: soft thresholding is 1-Lipschitz and, with L =
/// A.norm_bound(), ||I - s A^* A|| <= a(s) = max(1, |1 - s L^2|) for s >= 0
/// (1 + |s| L^2 for s < 0), so layer k's constant obeys Lip_k <= a(s_k)
/// Lip_{k-1} + |s_k| L (Lip_0 = 0), and the linear term adds at most
/// ||U||_F ||V||_F (equal to ||U V^*|| for rank 1). Rounding of the forward
/// pass is not included.
template <class T>
real_of<T> learned_lipschitz_bound(const LearnedIstaMap<T>& map);

#define BARRIERS_X(T)                                                                                    \
  extern template real_of<T> learned_lipschitz_bound<T>(const LearnedIstaMap<T>&);                        \
  extern template struct LearnedIstaParams<T>;                                                           \
  extern template LearnedIstaParams<T> initial_learned_ista_params<T>(                                   \
      const LinearOperator<T>&, int, int, const real_of<T>&, int, const real_of<T>&, std::uint64_t);      \
  extern template class LearnedIstaMap<T>;
BARRIERS_FOR_EACH_SCALAR(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
