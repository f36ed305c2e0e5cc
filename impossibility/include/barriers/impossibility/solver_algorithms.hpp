// The built-in solvers as algorithms for the adversary game.
//
// Each reads (A_n, y_n) once, at the family's precision n, through the
// game's DataAccess, converts the data to the working type and runs the
// solver on the family's problem. "lista" is a network trained (as in
// Table 1) on the j = 2 member's training set at precision n; the trained
// network is then the algorithm.
#pragma once

#include <string>
#include <vector>

#include "barriers/impossibility/adversary_game.hpp"

namespace barriers::impossibility {

struct SolverAlgorithmSettings {
  std::string solver = "pdhg";  ///< pdhg, fista, firenet, warpd-sr, lista
  std::string type = "double";  ///< double, long-double, float128, mpfr (at the precision in force)
  long iterations = 2000;       ///< pdhg, fista: iterations
  int restarts = 30;            ///< firenet, warpd-sr
  int inner = 20;               ///< firenet, warpd-sr: steps per restart
  std::size_t lista_samples = 300;
  int lista_epochs = 60;
  std::uint64_t seed = 0;
};

/// Names accepted for `solver`.
std::vector<std::string> solver_algorithm_names();

/// Throws std::invalid_argument for an unknown solver or type, or a solver
/// that does not solve the family's problem (fista: p2; firenet, warpd-sr,
/// lista: p3). Cheap: callers check every solver before any training.
void check_solver_algorithm(const FamilyParams& params, const SolverAlgorithmSettings& settings);

/// Checks as above, then builds the algorithm (lista: trains the network).
Algorithm make_solver_algorithm(const FamilyParams& params, const SolverAlgorithmSettings& settings);

}  // namespace barriers::impossibility
