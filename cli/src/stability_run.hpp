// `barriers stability` (stability_command.cpp): the parsed options and the
// run in one scalar type. The run is compiled in one file per real type
// (stability_run_<type>.cpp, real and complex) to keep each translation unit
// small; stability_run_impl.hpp holds its definition.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "barriers/precision/types.hpp"
#include "barriers/solvers/imaging/image_io.hpp"
#include "barriers/solvers/imaging/imaging_problem.hpp"
#include "barriers/solvers/stability/perturbation_search.hpp"

namespace barriers::cli {

struct StabilityOptions {
  std::string method = "firenet,lista";
  bool signal = false, complex = false, quiet = false;
  std::string image, size = "32", sampling = "fourier", rate = "0.5", wavelet = "haar", noise = "0";
  std::string rows = "60", cols = "100", sparsity = "5";
  std::string lambda, delta, firenet_restarts, firenet_inner;
  std::string lista_layers = "5", train_samples = "200", epochs = "100", lista_lr = "1e-3";
  std::string learned_layers = "10", learned_rank = "1", learned_samples = "32", learned_epochs = "200",
              learned_lr = "0.005", train_noise = "1", detail_gain = "10",
              detail_ink = "1";
  std::string experiment = "perturbation";
  bool full = false;
  std::string gain = "1000";
  std::string search = "momentum", restarts = "2", iterations = "40", step = "0.1", mu = "0", epsilon;
  std::string type = "double", bits = "128", seed = "1", out;
  std::set<std::string> given;  ///< options the user set explicitly
};

struct Parsed {
  std::vector<std::string> methods;
  bool image = false;
  ImagingSpec spec;
  ImageShape shape{0, 0};
  std::optional<GreyPixels> file;
  long rows = 0, cols = 0, sparsity = 0;
  std::optional<double> lambda, delta;
  int fn_restarts = 0, fn_inner = 0;
  int lista_layers = 0;
  long train_samples = 0, epochs = 0;
  double lista_lr = 0, gain = 0, step = 0, mu = 0;
  int learned_layers = 0, learned_rank = 0, learned_samples = 0, learned_epochs = 0;
  double learned_lr = 0, train_noise = 0, detail_gain = 0, detail_ink = 0;
  bool tradeoff = false;  ///< --experiment tradeoff
  AscentMethod search = AscentMethod::momentum;
  int restarts = 0, iterations = 0;
  std::vector<double> epsilon;  ///< absolute budgets; empty = default_relative_budgets * ||x||
  std::uint64_t seed = 1;
  unsigned bits = 0;
};

/// Phantom names accepted by --image (anything else is a file).
inline const std::vector<std::string> stability_phantoms = {"shepp-logan", "ellipses", "text-detail"};

/// A lower bound on the smallest singular value of the stored matrix from
/// which `real_embedding` was rounded to double (for complex A the real
/// 2m x 2N embedding [Re -Im; Im Re], which has the same singular values),
/// or empty with the reason in `note`.
std::optional<double> smallest_singular_value_lower_bound(const Matrix<double>& real_embedding, std::string& note);

/// Runs the experiment in T and writes everything; returns the exit code.
template <class T>
int stability_typed(const StabilityOptions& o, const Parsed& p);

#define BARRIERS_X(T) extern template int stability_typed<T>(const StabilityOptions&, const Parsed&);
BARRIERS_FOR_EACH_SCALAR(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers::cli
