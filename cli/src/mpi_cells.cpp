#include "mpi_cells.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

#include "usage_error.hpp"

#ifdef BARRIERS_HAVE_MPI
#include <mpi.h>
#endif

namespace barriers::cli {

bool mpi_supported() {
#ifdef BARRIERS_HAVE_MPI
  return true;
#else
  return false;
#endif
}

#ifdef BARRIERS_HAVE_MPI
namespace {

enum Tag : int { tag_start = 1, tag_claim, tag_grant, tag_cell, tag_done };

// Started by an MPI launcher? (Open MPI's mpirun, PMI/PMIx as used by srun
// and MPICH.) A plain run must not initialise MPI: a singleton init may try
// to start daemons, and is pointless.
bool launched_by_mpi() {
  for (const char* var : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"})
    if (std::getenv(var)) return true;
  return false;
}

std::mutex& mpi_mutex() {  // claims come from table1's worker threads
  static std::mutex m;
  return m;
}

void send_text(const std::string& text, int tag) {
  MPI_Send(text.data(), int(text.size()), MPI_CHAR, 0, tag, MPI_COMM_WORLD);
}

std::string receive_text(const MPI_Status& probe) {
  int count = 0;
  MPI_Get_count(&probe, MPI_CHAR, &count);
  std::string text(std::size_t(count), '\0');
  MPI_Recv(text.data(), count, MPI_CHAR, probe.MPI_SOURCE, probe.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  return text;
}

}  // namespace

MpiCells::MpiCells() {
  if (!launched_by_mpi()) return;
  int provided = 0;
  MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided);
  if (provided < MPI_THREAD_SERIALIZED) {
    MPI_Finalize();
    throw std::runtime_error("the MPI library does not support MPI_THREAD_SERIALIZED");
  }
  initialised_ = true;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &ranks_);
  // Every rank parses and validates the same options; only rank 0 reports.
  // A worker's failures reach rank 0 as messages (done()).
  if (ranks_ > 1 && rank_ != 0 && !std::freopen("/dev/null", "w", stderr)) std::fclose(stderr);
}

MpiCells::~MpiCells() {
  if (initialised_) MPI_Finalize();
}

bool MpiCells::start(bool coordinator_ready) {
  int ready = coordinator_ready ? 1 : 0;
  MPI_Bcast(&ready, 1, MPI_INT, 0, MPI_COMM_WORLD);
  return ready == 1;
}

bool MpiCells::claim(std::size_t cell) {
  std::int64_t request = std::int64_t(cell);
  int granted = 0;
  {
    std::lock_guard<std::mutex> lock(mpi_mutex());
    MPI_Send(&request, 1, MPI_INT64_T, 0, tag_claim, MPI_COMM_WORLD);
    MPI_Recv(&granted, 1, MPI_INT, 0, tag_grant, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  }
  if (!granted) return false;
  claimed_ = long(cell);
  // Fault injection for the tests of a failing rank (docs/scaling.md).
  if (const char* fail = std::getenv("BARRIERS_MPI_FAIL_CELL"); fail && std::atol(fail) == long(cell) + 1)
    throw std::runtime_error("failure injected by BARRIERS_MPI_FAIL_CELL");
  return true;
}

void MpiCells::finished(const std::string& cell_line) {
  std::lock_guard<std::mutex> lock(mpi_mutex());
  send_text(cell_line, tag_cell);
}

void MpiCells::done(const std::string& error) {
  std::lock_guard<std::mutex> lock(mpi_mutex());
  send_text(error.empty() ? std::string() : "cell " + std::to_string(claimed_ + 1) + ": " + error, tag_done);
}

void MpiCells::broadcast(std::string& text) {
  std::uint64_t size = text.size();
  MPI_Bcast(&size, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
  text.resize(std::size_t(size));
  // In pieces below INT_MAX, the largest count one call takes.
  constexpr std::size_t piece = std::size_t(1) << 30;
  for (std::size_t at = 0; at < text.size(); at += piece)
    MPI_Bcast(text.data() + at, int(std::min(piece, text.size() - at)), MPI_CHAR, 0, MPI_COMM_WORLD);
}

std::vector<std::string> MpiCells::serve(const std::function<bool(std::size_t)>& saved,
                                         const std::function<void(const std::string&)>& on_cell) {
  try {
    return serve_cells(saved, on_cell);
  } catch (const std::exception& e) {
    // The workers wait for answers: end the whole job rather than hang it.
    std::fprintf(stderr, "barriers: error: %s (MPI job aborted; the finished cells are saved)\n", e.what());
    MPI_Abort(MPI_COMM_WORLD, 1);
    throw;
  }
}

std::vector<std::string> MpiCells::serve_cells(const std::function<bool(std::size_t)>& saved,
                                               const std::function<void(const std::string&)>& on_cell) {
  std::vector<std::string> failures;
  std::set<std::size_t> granted;
  for (int working = ranks_ - 1; working > 0;) {
    int flag = 0;
    MPI_Status probe;
    MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &probe);
    if (!flag) {
      // Poll gently: the coordinator shares the machine with the workers.
      std::this_thread::sleep_for(std::chrono::microseconds(200));
      continue;
    }
    if (probe.MPI_TAG == tag_claim) {
      std::int64_t cell = 0;
      MPI_Recv(&cell, 1, MPI_INT64_T, probe.MPI_SOURCE, tag_claim, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      int grant = !saved(std::size_t(cell)) && granted.insert(std::size_t(cell)).second ? 1 : 0;
      MPI_Send(&grant, 1, MPI_INT, probe.MPI_SOURCE, tag_grant, MPI_COMM_WORLD);
    } else if (probe.MPI_TAG == tag_cell) {
      on_cell(receive_text(probe));
    } else if (probe.MPI_TAG == tag_done) {
      const std::string error = receive_text(probe);
      if (!error.empty()) failures.push_back("rank " + std::to_string(probe.MPI_SOURCE) + ", " + error);
      --working;
    } else {
      throw std::logic_error("unexpected MPI message tag " + std::to_string(probe.MPI_TAG));
    }
  }
  return failures;
}

#else  // no MPI in this build: every run is a plain one

// Several copies of a build without MPI started by mpirun would each run the
// whole experiment into the same directory: refuse instead.
MpiCells::MpiCells() {
  for (const char* var : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"})
    if (const char* size = std::getenv(var); size && std::atol(size) > 1)
      throw UsageError("this barriers was built without MPI, but was started as one of " + std::string(size) +
                       " MPI ranks: install libopenmpi-dev and rebuild, or run it without mpirun");
}
MpiCells::~MpiCells() = default;
bool MpiCells::start(bool coordinator_ready) { return coordinator_ready; }
bool MpiCells::claim(std::size_t) { return true; }
void MpiCells::finished(const std::string&) {}
void MpiCells::done(const std::string&) {}
void MpiCells::broadcast(std::string&) {}
std::vector<std::string> MpiCells::serve(const std::function<bool(std::size_t)>&,
                                         const std::function<void(const std::string&)>&) {
  return {};
}

#endif

MpiCells& MpiCells::get() {
  static MpiCells instance;
  return instance;
}

}  // namespace barriers::cli
