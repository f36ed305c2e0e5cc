// Table 1 of Colbrook, Antun & Hansen (PNAS 2022), computed honestly.
//
// For each (K, n): a LISTA network is trained on the training set of the
// j = 2 member read at precision n, and FIRENET is run; both are then given
// (A_n, y_n) by the oracle of the j = 1 member, which answers adversarially
// with the j = 2 member's bits (legitimate, since the members agree to
// 2^-(n+1/2)). Each output is scored by its certified distance to the j = 1
// minimiser. The theorem says no method can be within 10^-K of both
// members' minimisers: for every output the larger of its two distances
// (to x^1 and to x^2) exceeds 10^-K. The table shows the distance to x^1;
// the distance to x^2 is recorded beside it.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "barriers/impossibility/family.hpp"
#include "barriers/oracle/enclosure.hpp"

namespace barriers::impossibility {

/// How LISTA's Adam learning rate is chosen for accuracy level K.
enum class ListaRate {
  /// 2e-4 10^(-K/3): THEORY.md section 5, the published training.
  published,
  /// (2/15) / (10 ||A||_2), i.e. 2e-5 10^(3-K) on the family: equal to the
  /// published rate at K = 3. Adam moves each weight by about the learning
  /// rate whatever the gradient's scale, and every LISTA weight here scales
  /// like 1/||A||_2 ~ 10^-K; the published 10^(-K/3) lets the thresholds
  /// outgrow all pre-activations at K = 6 (docs/lista.md). With this rule the
  /// initial thresholds and Adam's guard are also taken relative to the
  /// targets' size (family_lista.hpp), so training does not depend on K's scale.
  scaled,
};

/// "published" or "scaled"; parse_lista_rate throws std::invalid_argument otherwise.
std::string to_string(ListaRate rate);
ListaRate parse_lista_rate(const std::string& name);

struct Table1Row;

struct Table1Settings {
  std::vector<long> Ks{1, 3, 6};
  std::vector<long> ns{10, 20, 30};
  FamilyParams family;  ///< P3 with the published delta, lambda, N1, N2; K and n set per cell

  // LISTA (published: 8000 samples, 100 validation, 4000 epochs, batch 1000, 10 layers)
  std::size_t train_samples = 1000;
  std::size_t validation_samples = 100;
  std::size_t sparsity = 5;
  int epochs = 200;
  int batch_size = 1000;
  int layers = 10;
  ListaRate lista_rate = ListaRate::scaled;  ///< --paper: published

  // FIRENET on the P3 problem with the family's lambda and unit weights
  // (the published script: 30 restarts x 50 inner steps, used by --paper)
  int firenet_restarts = 30;
  int firenet_inner = 20;

  std::string type = "double";  ///< double, long-double, float128 or mpfr
  unsigned bits = 256;          ///< working precision for mpfr
  std::uint64_t seed = 0;
  unsigned threads = 1;         ///< cells run in parallel; results do not depend on it

  /// Called with the fraction of the work done (cells, and epochs within a
  /// cell) and a one-line status; from any worker thread, one call at a time.
  std::function<void(double fraction_done, const std::string&)> progress;
  /// Cells to leave out (already computed by an earlier run: --resume).
  std::function<bool(long K, long n)> skip;
  /// Called with each row as soon as it is complete, one call at a time, so
  /// that a caller can save it before the next cell finishes.
  std::function<void(const Table1Row&)> on_row;
  /// Memory the run may use; 0: what the machine has available now.
  double memory_limit_bytes = 0;

  /// The published training settings.
  static Table1Settings paper();
  /// Throws std::invalid_argument naming the first bad value, or the memory
  /// or time estimate when the run is too large for the machine.
  void validate() const;
  /// Rough peak memory (bytes) and run time (seconds) of the whole run.
  double memory_estimate() const;
  double time_estimate() const;
};

struct Table1Row {
  long K = 0, n = 0;
  oracle::Interval lista_dist;     ///< certified distance to the j = 1 minimiser
  oracle::Interval firenet_dist;
  oracle::Interval lista_dist_j2;  ///< to the j = 2 minimiser (whose data both effectively see)
  oracle::Interval firenet_dist_j2;
  oracle::Interval separation;     ///< ||x^1 - x^2||_2
  rational ten_to_minus_K;
  bool identical_data = false;     ///< the adversary answered with j = 2's exact bits
  long data_max_n = 0;             ///< highest precision any method read
  std::size_t training_queries = 0;
  int lista_best_epoch = 0;
  double lista_best_validation = 0;
  bool lista_zero_output = false;    ///< LISTA's output on the test data is exactly 0
  bool lista_zero_gradient = false;  ///< its training gradient is exactly 0 (a dead network)
  bool lista_finite = true, firenet_finite = true;  ///< false: NaN/Inf output, no distances
  double lista_seconds = 0, firenet_seconds = 0;
  std::string working_type;        ///< e.g. "double" or "mpfr(257 bits)"
};

/// Empty when LISTA trained; otherwise why its column does not show a
/// trained network, e.g. "dead network (best epoch 0; zero output; zero
/// gradient)" (no commas: it is a CSV field).
std::string lista_flag(const Table1Row& row);

/// Both distances finite and certified above 10^-K.
bool both_above(const Table1Row& row);

struct Table1Result {
  Table1Settings settings;
  std::vector<Table1Row> rows;
};

/// Runs every (K, n) cell not skipped, in the order of Ks then ns.
Table1Result run_table1(const Table1Settings& settings);

/// The published values (PNAS Table 1) for (K, n), if that cell was published.
struct PublishedCell {
  double lista, firenet;
};
const PublishedCell* published_table1(long K, long n);

}  // namespace barriers::impossibility
