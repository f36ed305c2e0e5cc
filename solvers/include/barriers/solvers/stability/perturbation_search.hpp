// Worst-case perturbation search (THEORY.md section 6, issue 10): for each
// budget b, projected gradient ascent on
//     J(r) = ||Phi(y + B r) - Phi(y)||^2 - mu ||r||^2   over ||r|| <= b,
// from seeded random starts (restarts), with momentum (0.9, as published)
// or Adam. Every point evaluated is a witness: its ratio
// ||Phi(y + B r) - Phi(y)|| / ||B r|| is an empirical lower bound on the
// Lipschitz constant of Phi on the ball of radius ||B r|| around y; the
// largest one found is reported with its r.
//
// Step: the gradient is divided by its norm before it enters the momentum
// (or Adam) update and the step is learning_rate * b, so the step length is
// set by the budget and not by the scale of Phi (the published code uses a
// fixed learning rate on an unnormalised gradient; a map whose gradient is
// 10^6 times larger needs no other settings here).
#pragma once

#include <cstdint>
#include <vector>

#include "barriers/solvers/stability/perturbation_loss.hpp"

namespace barriers {

enum class AscentMethod { momentum, adam };

template <class T>
struct PerturbationSearchSettings {
  using Real = real_of<T>;
  std::vector<Real> budgets;       ///< ||r|| <= b for each b > 0 (at least one)
  Real mu = Real(0);               ///< penalty mu >= 0 on ||r||^2
  AscentMethod method = AscentMethod::momentum;
  Real learning_rate = Real(1) / Real(10);  ///< step = learning_rate * budget (> 0)
  Real momentum = Real(9) / Real(10);        ///< momentum, or Adam's beta1, in [0, 1)
  Real beta2 = Real(999) / Real(1000);       ///< Adam only, in [0, 1)
  int iterations = 100;            ///< ascent steps per start (>= 1)
  int restarts = 3;                ///< random starts per budget (>= 1)
  std::uint64_t seed = 1;
  Real start_fraction = Real(1) / Real(2);   ///< starts have ||r|| = start_fraction * b, in (0, 1]
};

template <class T>
struct PerturbationPoint {
  using Real = real_of<T>;
  Real budget{}, r_norm{}, e_norm{}, change_norm{}, objective{};
  int restart = 0;  ///< which start found it
};

template <class T>
struct PerturbationSearchResult {
  using Real = real_of<T>;
  /// Per budget, the point with the largest objective J over all starts.
  std::vector<PerturbationPoint<T>> curve;
  std::vector<Vector<T>> curve_r;  ///< its r, per budget
  /// Largest ||Phi(y + B r) - Phi(y)|| / ||B r|| over every evaluated r with B r != 0,
  /// with its point and r; and the largest ||...|| / ||r||.
  Real max_ratio_e{}, max_ratio_r{};
  PerturbationPoint<T> worst;
  Vector<T> worst_r;
  long evaluations = 0;
};

/// Runs the search. Deterministic for a given seed (same settings, same
/// type, same machine). Throws std::invalid_argument for bad settings.
template <class T>
PerturbationSearchResult<T> perturbation_search(PerturbationLoss<T>& loss, const PerturbationSearchSettings<T>& s);

#define BARRIERS_X(T)                                                                        \
  extern template PerturbationSearchResult<T> perturbation_search<T>(PerturbationLoss<T>&, \
                                                                     const PerturbationSearchSettings<T>&);
BARRIERS_FOR_EACH_SCALAR(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
