// Independent cells of an experiment spread over MPI ranks:
//   mpirun -np P barriers sweep|table1|theorem ... --out DIR
// Rank 0 coordinates: it hands out cells on request (first come, first
// served, in the order a serial run visits them: dynamic load balancing for
// cells whose costs differ by orders of magnitude), receives each finished
// cell as the text line the experiment saves, and writes the output files
// exactly as a serial run does. Ranks 1..P-1 compute. Without MPI support in
// the build, or when the process was not started by an MPI launcher with
// more than one rank, the experiment runs as usual.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace barriers::cli {

class MpiCells {
 public:
  /// The process-wide instance; joins MPI on first use when an MPI launcher
  /// started this process (mpirun, srun) with more than one rank.
  static MpiCells& get();

  bool active() const { return ranks_ > 1; }
  int rank() const { return rank_; }
  int ranks() const { return ranks_; }
  bool coordinator() const { return rank_ == 0; }

  /// Called by every rank once its options are validated. Rank 0 says whether
  /// its own set-up (output directory, saved cells) succeeded; the workers
  /// learn it here and get false when they must stop without computing.
  bool start(bool coordinator_ready);

  // ---- workers ----
  /// Whether this rank computes `cell` (asks rank 0; thread-safe).
  bool claim(std::size_t cell);
  /// Sends a finished cell as the line the experiment saves for it.
  void finished(const std::string& cell_line);
  /// Reports the end of this rank's work: "" when it succeeded, else why not.
  void done(const std::string& error);

  // ---- every rank ----
  /// Rank 0's `text` replaces every other rank's (collective). Experiments
  /// whose later cells depend on earlier ones (theorem) run in rounds: each
  /// round is served as above, and its results reach the workers this way.
  void broadcast(std::string& text);

  // ---- rank 0 ----
  /// Serves claims (never granting a cell for which `saved` is true, nor one
  /// already granted) and passes every finished cell line to `on_cell`, until
  /// every worker is done. Returns the workers' failures ("rank r, cell c:
  /// why"), empty when all succeeded.
  std::vector<std::string> serve(const std::function<bool(std::size_t)>& saved,
                                 const std::function<void(const std::string&)>& on_cell);

  MpiCells(const MpiCells&) = delete;
  MpiCells& operator=(const MpiCells&) = delete;
  ~MpiCells();

 private:
  MpiCells();
  std::vector<std::string> serve_cells(const std::function<bool(std::size_t)>& saved,
                                       const std::function<void(const std::string&)>& on_cell);
  int rank_ = 0, ranks_ = 1;
  bool initialised_ = false;
  long claimed_ = -1;  // the cell this worker computes now (for failure reports)
};

/// Whether the build has MPI support (BARRIERS_MPI found an MPI library).
bool mpi_supported();

}  // namespace barriers::cli
