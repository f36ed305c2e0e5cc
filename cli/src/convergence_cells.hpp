// The saved form of a finished `barriers convergence` cell: one line of
// convergence_cells.csv, which a run writes as each cell finishes, --resume
// reads back, MPI ranks send to rank 0 and `barriers merge` combines. It
// holds what the solver run measured, doubles printed with 17 significant
// digits (they read back to the same double), so that the tables, plots and
// report made from saved cells are byte-identical to those of a run that
// computed them; everything else (the summary, the bound) is recomputed.
#pragma once

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "barriers/solvers/imaging/convergence_experiment.hpp"
#include "barriers/solvers/solver_result.hpp"
#include "convergence_reach.hpp"
#include "output_files.hpp"
#include "parse_number.hpp"
#include "usage_error.hpp"

namespace barriers::cli {

/// What one cell's solver run measured.
struct CellResults {
  long samples = 0, sparsity = 0, restarts = 0;
  double lambda = 0, eta = 0;
  ConvergenceRun run;
  StuckAt stuck;  ///< where the output provably could no longer reach x (convergence_reach.hpp)
};

/// The header of convergence_cells.csv; the first five fields name the cell.
inline const char* const cell_record_header =
    "sampling,type,bits,size,noise,samples,sparsity,lambda,restarts,eta,x_norm,eps0,final_duality_gap,termination,"
    "stuck_from,stuck_distance,stuck_reach,steps,history";
inline constexpr std::size_t cell_key_fields = 5;

inline std::string exact_double(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

/// The fields after the key, comma-separated; the history lists every step
/// as "iteration restart error objective gap", steps separated by ';'.
inline std::string cell_record_fields(const CellResults& r) {
  std::string t = std::to_string(r.samples) + "," + std::to_string(r.sparsity) + "," + exact_double(r.lambda) + "," +
                  std::to_string(r.restarts) + "," + exact_double(r.eta) + "," + exact_double(r.run.x_norm) + "," +
                  exact_double(r.run.eps0) + "," + exact_double(r.run.final_duality_gap) + "," +
                  to_string(r.run.reason) + "," + std::to_string(r.stuck.restart) + "," +
                  exact_double(r.stuck.distance) + "," + exact_double(r.stuck.reach) + "," +
                  std::to_string(r.run.history.size()) + ",";
  for (std::size_t k = 0; k < r.run.history.size(); ++k) {
    const ConvergencePoint& p = r.run.history[k];
    t += (k ? ";" : "") + std::to_string(p.iteration) + " " + std::to_string(p.restart) + " " +
         exact_double(p.relative_error) + " " + exact_double(p.objective) + " " + exact_double(p.objective_gap);
  }
  return t;
}

namespace detail {

inline std::vector<std::string> split_on(const std::string& text, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t at; (at = text.find(sep, start)) != std::string::npos; start = at + 1)
    out.push_back(text.substr(start, at - start));
  out.push_back(text.substr(start));
  return out;
}

// A double as exact_double writes it (also nan, inf); `what` names it in errors.
inline double parse_double(const std::string& text, const std::string& what) {
  if (text.empty() || text.size() > 32 || std::isspace(static_cast<unsigned char>(text.front()))) throw UsageError(what + " is not a number: " + quote_for_message(text));
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size()) throw UsageError(what + " is not a number: " + quote_for_message(text));
  return v;
}

}  // namespace detail

/// Reads the fields after the key (split at commas: exactly 14) back,
/// checking them against the run (its restarts and inner steps for this
/// cell), so that a damaged or hostile file is refused with a UsageError
/// starting with `where` rather than drawn.
inline CellResults parse_cell_record(const std::vector<std::string>& f, long restarts, long inner,
                                     const std::string& where) {
  if (f.size() != 14) throw UsageError(where + " has " + std::to_string(f.size() + cell_key_fields) + " fields, expected 19");
  CellResults r;
  auto integer = [&](std::size_t i, const char* name, long long lo, long long hi) {
    return long(parse_integer(where + ": " + name, f[i], lo, hi));
  };
  auto number = [&](std::size_t i, const char* name) { return detail::parse_double(f[i], where + ": " + name); };
  r.samples = integer(0, "samples", 1, 1L << 40);
  r.sparsity = integer(1, "sparsity", 1, 1L << 40);
  r.lambda = number(2, "lambda");
  r.restarts = integer(3, "restarts", restarts, restarts);
  r.eta = number(4, "eta");
  r.run.x_norm = number(5, "x_norm");
  r.run.eps0 = number(6, "eps0");
  r.run.final_duality_gap = number(7, "final_duality_gap");
  if (!(r.lambda > 0) || !(r.eta >= 0) || !(r.run.x_norm > 0) || !(r.run.eps0 >= 0))
    throw UsageError(where + ": lambda and x_norm must be > 0, eta and eps0 >= 0");
  bool known = false;
  for (TerminationReason t : {TerminationReason::max_iterations, TerminationReason::tolerance_reached,
                              TerminationReason::observer_stopped, TerminationReason::non_finite})
    if (f[8] == to_string(t)) r.run.reason = t, known = true;
  if (!known) throw UsageError(where + ": unknown termination " + quote_for_message(f[8]));
  r.stuck.restart = integer(9, "stuck_from", 0, restarts);
  r.stuck.distance = number(10, "stuck_distance");
  r.stuck.reach = number(11, "stuck_reach");
  const long steps = integer(12, "steps", 1, restarts * inner);
  const std::vector<std::string> points = detail::split_on(f[13], ';');
  if (long(points.size()) != steps)
    throw UsageError(where + " lists " + std::to_string(points.size()) + " steps, not " + f[12]);
  // Steps in order, restarts numbered from 0 without gaps: the summary and
  // the bound are indexed by restart.
  for (std::size_t k = 0; k < points.size(); ++k) {
    const std::vector<std::string> v = detail::split_on(points[k], ' ');
    const std::string step = where + ": step " + std::to_string(k + 1);
    if (v.size() != 5) throw UsageError(step + " does not hold 5 numbers: " + quote_for_message(points[k]));
    ConvergencePoint p;
    const ConvergencePoint* last = k ? &r.run.history.back() : nullptr;
    p.iteration = long(parse_integer(step + "'s iteration", v[0], last ? last->iteration + 1 : 1, restarts * inner));
    p.restart = long(parse_integer(step + "'s restart", v[1], last ? last->restart : 0,
                                   std::min(last ? last->restart + 1 : 0, restarts - 1)));
    p.relative_error = detail::parse_double(v[2], step + "'s error");
    p.objective = detail::parse_double(v[3], step + "'s objective");
    p.objective_gap = detail::parse_double(v[4], step + "'s gap");
    r.run.history.push_back(p);
  }
  return r;
}

}  // namespace barriers::cli
