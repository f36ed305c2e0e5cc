// `barriers solve`: run one solver on matrix and vector files, in any
// working precision, and write the solution, its history and a plot.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include "barriers/oracle/instance.hpp"
#include "barriers/oracle/to_working.hpp"
#include "barriers/precision/convert.hpp"
#include "barriers/precision/precision_guard.hpp"
#include "barriers/solvers/dense_operator.hpp"
#include "barriers/solvers/firenet.hpp"
#include "barriers/solvers/fista.hpp"
#include "barriers/solvers/optimality.hpp"
#include "barriers/solvers/primal_dual.hpp"
#include "barriers/solvers/warpd.hpp"
#include "commands.hpp"
#include "matrix_file.hpp"
#include "memory_estimate.hpp"
#include "non_empty.hpp"
#include "output_files.hpp"
#include "parse_number.hpp"

namespace barriers::cli {
namespace {

struct SolveOptions {
  std::string A, y, reference, out;
  std::string problem = "p3", solver = "pdhg";
  std::string lambda = "1", eta = "0", C1 = "1", C2 = "1", delta = "0";
  std::string iters = "1000", restarts = "10", inner = "0";
  std::string type = "double", bits = "256", warm_dual = "yes", history_every = "0";
  std::string threads = "0";
  bool last_iterate = false;
  std::set<std::string> given;  ///< options the user set explicitly
};

// Every option value, parsed and range-checked before any file is read.
struct ParsedOptions {
  rational lambda, eta, C1, C2, delta;
  long iters = 0, inner = 0, history_every = 0;
  int restarts = 0;
  unsigned bits = 0;
  unsigned threads = 1;
  bool warm_dual = true;
};

struct HistoryRow {
  long iteration;
  double objective;
  std::optional<double> error;
  std::optional<double> feasibility_gap;  ///< P1 only
};

// A run whose relative duality gap exceeds this ends with a warning: fewer
// than six digits of the optimal value are confirmed (the threshold is the
// same in every type, so a run is judged by the problem, not the arithmetic).
constexpr double far_from_optimal = 1e-6;

// The automatic --history-every never records more often than this (see parse_options).
constexpr long min_history_every = 20;

rational exact_option(const std::string& option, const std::string& value) {
  try {
    return oracle::parse_rational(value);
  } catch (const std::invalid_argument& e) {
    throw UsageError(option + ": " + e.what());
  }
}

rational positive_option(const std::string& option, const std::string& value, bool allow_zero) {
  const rational q = exact_option(option, value);
  if (q < 0 || (!allow_zero && q == 0))
    throw UsageError(option + " " + quote_for_message(value) + " must be " + (allow_zero ? ">= 0" : "> 0"));
  return q;
}

// Which solvers and problems each option applies to; an option set for a
// run it does not affect is an error, not silently ignored.
void check_applicable(const SolveOptions& o) {
  const std::string& s = o.solver;
  const bool restarted = s == "firenet" || s == "warpd" || s == "warpd-sr";
  const std::map<std::string, std::pair<bool, std::string>> rules = {
      {"--lambda", {o.problem != "p1", "p1 (basis pursuit) has no l1 weight; its data term is set by --eta"}},
      {"--eta", {o.problem == "p1", o.problem + " has no constraint level; --eta is for p1"}},
      {"--C1", {s == "warpd" || s == "warpd-sr", "only warpd and warpd-sr use sharpness constants"}},
      {"--C2", {s == "warpd", "only warpd uses C2 (warpd-sr fixes C2 = 1)"}},
      {"--iters", {s == "pdhg" || s == "fista", "restarted solvers take --restarts and --inner"}},
      {"--restarts", {restarted, "only firenet, warpd and warpd-sr restart; use --iters"}},
      {"--inner", {restarted, "only firenet, warpd and warpd-sr restart; use --iters"}},
      {"--delta", {restarted, "only the restart schedules of firenet, warpd and warpd-sr use delta"}},
      {"--warm-dual", {s == "warpd" || s == "warpd-sr", "only warpd and warpd-sr can carry the dual over"}},
      {"--last-iterate", {s == "pdhg" || s == "warpd" || s == "warpd-sr", s + " has no ergodic average to replace"}},
      {"--bits", {o.type == "mpfr", "the precision of --type " + o.type + " is fixed; --bits is for --type mpfr"}},
  };
  for (const auto& [option, rule] : rules)
    if (o.given.count(option) && !rule.first)
      throw UsageError(option + " does not apply to solver '" + s + "' on " + o.problem + ": " + rule.second);
}

ParsedOptions parse_options(const SolveOptions& o) {
  if (o.problem != "p1" && o.problem != "p2" && o.problem != "p3")
    throw UsageError("unknown problem " + quote_for_message(o.problem) + ": allowed are p1, p2, p3");
  const std::set<std::string> solvers = {"pdhg", "fista", "firenet", "warpd", "warpd-sr"};
  if (!solvers.count(o.solver))
    throw UsageError("unknown solver " + quote_for_message(o.solver) +
                     ": allowed are pdhg, fista, firenet, warpd, warpd-sr");
  const std::set<std::string> types = {"double", "long-double", "float128", "mpfr"};
  if (!types.count(o.type))
    throw UsageError("unknown type " + quote_for_message(o.type) + ": allowed are double, long-double, float128, mpfr");
  const char* needs = o.solver == "fista" ? "p2" : o.solver == "warpd" ? "p1"
                      : o.solver == "firenet" || o.solver == "warpd-sr" ? "p3" : nullptr;
  if (needs && o.problem != needs)
    throw UsageError("solver '" + o.solver + "' solves " + needs + ": use --problem " + needs);
  check_applicable(o);
  ParsedOptions p;
  p.lambda = positive_option("--lambda", o.lambda, false);
  p.eta = positive_option("--eta", o.eta, true);
  p.C1 = positive_option("--C1", o.C1, false);
  p.C2 = positive_option("--C2", o.C2, false);
  p.delta = positive_option("--delta", o.delta, true);
  p.iters = long(parse_integer("--iters", o.iters, 1, 100000000));
  p.restarts = int(parse_integer("--restarts", o.restarts, 1, 1000000));
  p.inner = long(parse_integer("--inner", o.inner, 0, 100000000));
  p.bits = unsigned(parse_integer("--bits", o.bits, 2, 1 << 20));
  p.history_every = long(parse_integer("--history-every", o.history_every, 0, 100000000));
  // 0: every core. Dense products split their output in fixed blocks, so the
  // result does not depend on the count (dense_operator.hpp).
  p.threads = unsigned(parse_integer("--threads", o.threads, 0, 64));
  if (p.threads == 0) p.threads = std::clamp(std::thread::hardware_concurrency(), 1u, 64u);
  if (p.history_every == 0) {
    // Automatic: every min_history_every-th step (a recorded row recomputes
    // the objective with one product, about half an iteration: every 20th
    // step keeps that under 3 %), and about 10000 rows at most. The
    // automatic inner count of warpd/warpd-sr is not known here: its runs
    // record every 20th step.
    long total = 1;
    if (o.solver == "pdhg" || o.solver == "fista")
      total = p.iters;
    else if (o.solver == "firenet")
      total = long(p.restarts) * (p.inner > 0 ? p.inner : 100);
    else if (p.inner > 0)
      total = long(p.restarts) * p.inner;
    p.history_every = std::max(min_history_every, (total + 9999) / 10000);
  }
  if (o.warm_dual != "yes" && o.warm_dual != "no")
    throw UsageError("--warm-dual " + quote_for_message(o.warm_dual) + ": allowed are yes, no");
  p.warm_dual = o.warm_dual == "yes";
  return p;
}

// An option value in the working type; a value outside its range is an
// input error naming the option (exit 2), as is a non-zero value that
// rounds to 0 (it would turn a positive parameter into an invalid one).
template <class R>
R working_option(const std::string& option, const std::string& text, const rational& q) {
  R value;
  try {
    value = from_rational<R>(q).value;
  } catch (const std::overflow_error&) {
    throw UsageError(option + " " + quote_for_message(text) + " is outside the range of the working type " +
                     number_traits<R>::name());
  }
  if (q != 0 && value == 0)
    throw UsageError(option + " " + quote_for_message(text) + " rounds to 0 in the working type " +
                     number_traits<R>::name());
  return value;
}

// Refuses a run whose working copies cannot fit: the matrix twice (the
// converted data and the operator's copy) and a few dozen vectors.
template <class T>
void check_memory(long m, long N, unsigned bits) {
  const double need = (2.0 * double(m) * double(N) + 40.0 * double(m + N)) * bytes_per_scalar<T>(bits);
  check_memory_fits(need, "a " + std::to_string(m) + "x" + std::to_string(N) + " problem in " + describe_type<T>(), "",
                    "use fewer --bits or a smaller problem");
}

// A column vector from an n x 1 or 1 x n file.
oracle::RationalMatrix as_column(oracle::RationalMatrix m, const std::string& what) {
  if (m.cols == 1) return m;
  if (m.rows == 1) {
    std::swap(m.rows, m.cols);
    return m;
  }
  throw UsageError(what + " must be a vector (one row or one column), got " + std::to_string(m.rows) + "x" +
                   std::to_string(m.cols));
}

template <class T>
std::string full_text(const T& v) {
  if constexpr (number_traits<T>::is_complex) {
    return full_text(v.real()) + "," + full_text(v.imag());  // complex: two CSV columns
  } else if constexpr (std::is_same_v<T, mpfr_real>) {
    const int digits = int(std::ceil(number_traits<T>::precision_bits() * 0.30103)) + 2;
    return v.str(digits, std::ios_base::scientific);
  } else {
    std::ostringstream s;
    s.precision(std::numeric_limits<T>::max_digits10);
    s << std::scientific << v;
    return s.str();
  }
}

// Convergence plot on a log axis: only positive values can be drawn, so each
// series is drawn where it is positive and left out when it never is.
// Unconstrained problems: objective - final dual bound (an upper bound on the
// objective's distance to the optimal value). P1: that bound holds only for
// feasible iterates; an infeasible one (the common case for PDHG and WARPd,
// which approach the constraint from outside) can have an objective below
// the optimum, so its |objective - final dual bound| and its constraint
// violation are drawn as two separate series. Plus the error against the
// reference when one is given.
bool write_plot(const OutputDir& out, const std::string& title, const std::vector<HistoryRow>& history,
                double dual, bool p1, bool with_error) {
  auto any = [&history](auto&& positive) { return std::any_of(history.begin(), history.end(), positive); };
  const bool feasible_gap = any([&](const HistoryRow& h) {
    return h.objective - dual > 0 && !(h.feasibility_gap && *h.feasibility_gap > 0);
  });
  const bool infeasible = p1 && any([](const HistoryRow& h) { return h.feasibility_gap && *h.feasibility_gap > 0; });
  const bool infeasible_gap =
      infeasible && any([&](const HistoryRow& h) { return *h.feasibility_gap > 0 && h.objective != dual; });
  const bool error = with_error && any([](const HistoryRow& h) { return h.error && *h.error > 0; });
  std::vector<std::string> series;
  const std::string data = "'history.csv' every ::1 using 1:";
  if (feasible_gap)
    series.push_back(data + "((valid(5) && $5 > 0) ? 1/0 : ($4 > 0 ? $4 : 1/0)) with lines lw 2 title " +
                     gnuplot_string(p1 ? "objective - final dual bound, feasible iterates (>= objective - optimum)"
                                       : "objective - final dual bound (>= objective - optimum)"));
  if (infeasible_gap)
    series.push_back(data + "(($5 > 0 && $4 != 0) ? abs($4) : 1/0) with lines lw 2 title " +
                     gnuplot_string("|objective - final dual bound|, infeasible iterates"));
  if (infeasible)
    series.push_back(data + "($5 > 0 ? $5 : 1/0) with lines lw 2 dt 2 title " +
                     gnuplot_string("constraint violation ||A x_k - y|| - eta"));
  if (error) series.push_back(data + "($3 > 0 ? $3 : 1/0) with lines lw 2 title '||x_k - x_{ref}||_2'");
  std::ostringstream gp;
  gp << "set terminal pngcairo size 800,600\nset output 'convergence.png'\n"
     << "set title " << gnuplot_string(title + ": convergence") << "\n"
     << "set logscale y\nset format y '10^{%L}'\nset grid\nset xlabel 'iteration'\nset key top right\n"
     << "set datafile separator ','\n";
  if (series.empty()) {
    // Nothing positive to draw (e.g. every recorded iterate at the final dual bound exactly).
    gp << "set yrange [1e-20:1]\nset label 1 'no positive gap, violation or error to draw' at graph 0.5, 0.5 center\n"
       << "plot 1/0 notitle\n";
  } else {
    gp << "plot ";
    for (std::size_t i = 0; i < series.size(); ++i) gp << (i ? ", \\\n  " : "") << series[i];
    gp << "\n";
  }
  return out.plot("convergence.gp", gp.str(), "convergence.png");
}

template <class T>
int solve_typed(const SolveOptions& o, const ParsedOptions& p, const oracle::RationalMatrix& Ar,
                const oracle::RationalMatrix& yr, const std::optional<oracle::RationalMatrix>& refr,
                const std::optional<OutputDir>& out) {
  using Real = real_of<T>;
  check_memory<T>(long(Ar.rows), long(Ar.cols), p.bits);
  const Real lambda = working_option<Real>("--lambda", o.lambda, p.lambda);
  const Real eta = working_option<Real>("--eta", o.eta, p.eta);
  const Real C1 = working_option<Real>("--C1", o.C1, p.C1);
  const Real C2 = working_option<Real>("--C2", o.C2, p.C2);
  const Real delta = working_option<Real>("--delta", o.delta, p.delta);
  // A value outside the working type's range is an input error naming the file.
  auto convert = [&](const oracle::RationalMatrix& m, const std::string& option, const std::string& file) {
    try {
      return oracle::to_working<T>(m);
    } catch (const std::overflow_error& e) {
      throw UsageError(option + " " + quote_for_message(file) + ": " + e.what());
    } catch (const std::out_of_range& e) {
      throw UsageError(option + " " + quote_for_message(file) + ": " + e.what());
    }
  };
  const auto A = convert(Ar, "--A", o.A), y = convert(yr, "--y", o.y);
  if (y.value.rows() != A.value.rows())
    throw UsageError("y has length " + std::to_string(y.value.rows()) + " but A has " +
                     std::to_string(A.value.rows()) + " rows");
  Vector<T> reference;
  if (refr) {
    reference = convert(*refr, "--reference", o.reference).value.col(0);
    if (reference.size() != A.value.cols())
      throw UsageError("the reference has length " + std::to_string(reference.size()) + " but A has " +
                       std::to_string(A.value.cols()) + " columns");
  }
  const long iters = p.iters, inner = p.inner;
  const int restarts = p.restarts;

  std::vector<HistoryRow> history;
  Observer<Real> observe = [&history](const IterationInfo<Real>& info) {
    auto as_double = [](const std::optional<Real>& v) {
      return v ? std::optional<double>(double(*v)) : std::nullopt;
    };
    history.push_back({info.iteration, double(info.objective), as_double(info.error), as_double(info.feasibility_gap)});
    return true;
  };
  const DenseOperator<T> op(A.value.template cast<T>());
  const Vector<T> b = y.value.col(0);
  SolverResult<T> r;
  const std::string& s = o.solver;
  // Every solver reports to the same observer and error reference.
  auto attach = [&](auto& settings) {
    settings.reference = reference;
    settings.observer = observe;
    settings.observe_every = p.history_every;
  };
  const SparseProblem problem = o.problem == "p1"   ? SparseProblem::p1_basis_pursuit
                                : o.problem == "p2" ? SparseProblem::p2_lasso
                                                    : SparseProblem::p3_sqrt_lasso;
  if (s == "pdhg") {
    PdhgSettings<T> st;
    st.problem = problem;
    st.lambda = lambda;
    st.eta = eta;
    st.max_iterations = iters;
    st.ergodic = !o.last_iterate;
    attach(st);
    r = primal_dual(op, b, st);
  } else if (s == "fista") {
    FistaSettings<T> st;
    st.lambda = lambda;
    st.max_iterations = iters;
    attach(st);
    r = fista(op, b, st);
  } else if (s == "firenet") {
    FirenetSettings<T> st;
    st.lambda = lambda;
    st.delta = delta;
    st.restarts = restarts;
    st.inner = inner > 0 ? int(inner) : 100;
    attach(st);
    r = firenet(op, b, st);
  } else if (s == "warpd") {
    WarpdSettings<T> st;
    st.eps = eta;
    st.C1 = C1;
    st.C2 = C2;
    st.delta = delta;
    st.restarts = restarts;
    st.inner = inner;
    st.ergodic = !o.last_iterate;
    st.warm_dual = p.warm_dual;
    attach(st);
    r = warpd(op, b, st);
  } else {  // warpd-sr (parse_options admits no other name)
    WarpdSrSettings<T> st;
    st.lambda = lambda;
    st.C1 = C1;
    st.delta = delta;
    st.restarts = restarts;
    st.inner = inner;
    st.ergodic = !o.last_iterate;
    st.warm_dual = p.warm_dual;
    attach(st);
    r = warpd_sr(op, b, st);
  }
  const bool finite = r.reason != TerminationReason::non_finite;
  const OptimalityReport<Real> opt = duality_gap(problem, op, b, r.solution, r.dual, lambda, eta, Vector<Real>());

  std::printf("%s on %s (%ldx%ld), type %s%s\n", s.c_str(), o.problem.c_str(), long(A.value.rows()),
              long(A.value.cols()), describe_type<T>().c_str(),
              A.exact && y.exact ? "" : " (data rounded to the working type)");
  std::printf("  iterations %ld, stopped: %s\n", r.iterations, to_string(r.reason).c_str());
  std::printf("  objective %.10e, feasibility gap %.3e\n", double(r.objective), double(r.feasibility_gap));
  std::printf("  duality gap %.3e (relative %.3e; dual bound %.10e from %s)\n", double(opt.gap),
              double(opt.relative_gap), double(opt.dual),
              opt.dual_from == DualSource::solver    ? "the solver's dual iterate"
              : opt.dual_from == DualSource::support ? "the support of x"
                                                     : "the residual");
  std::optional<Real> err;
  if (refr) {
    err = Real((r.solution - reference).norm());
    std::printf("  ||x - reference||_2 = %.6e\n", double(*err));
  }
  // A gap below -1e-6 is no rounding effect: the output is infeasible (P1)
  // and its objective lies below the optimal value; not optimal either.
  using std::abs;
  const bool far = finite && !(abs(opt.relative_gap) <= Real(far_from_optimal));
  if (far && opt.relative_gap > 0)
    std::fprintf(stderr,
                 "barriers: warning: optimality not confirmed: relative duality gap %.3g > %g; the run may "
                 "have ended far from optimal, or the dual point found is weak (see docs/solve.md)\n",
                 double(opt.relative_gap), far_from_optimal);
  else if (far)
    std::fprintf(stderr,
                 "barriers: warning: not optimal: the objective lies below the dual bound by a relative %.3g > %g, "
                 "so the output is infeasible and its objective is not the optimal value (see docs/solve.md)\n",
                 double(-opt.relative_gap), far_from_optimal);
  // WARPd's restart schedule assumes C1 (and C2) bound the sharpness of the
  // problem; with constants too small it stalls short of the optimum, and
  // more restarts do not help (docs/solve.md has a measured example).
  if (far && (s == "warpd" || s == "warpd-sr"))
    std::fprintf(stderr,
                 "barriers: warning: %s sets its step sizes from --C1%s; when they are below the problem's sharpness "
                 "constant%s the run can stall short of the optimum, and more restarts do not help: try a larger "
                 "--C1%s\n",
                 s.c_str(), s == "warpd" ? " and --C2" : "", s == "warpd" ? "s" : "", s == "warpd" ? " and --C2" : "");
  if (finite && problem == SparseProblem::p1_basis_pursuit &&
      !(r.feasibility_gap <= Real(far_from_optimal) * (Real(b.norm()) + eta)))
    std::fprintf(stderr, "barriers: warning: the output violates the constraint: ||A x - y|| - eta = %.3g\n",
                 double(r.feasibility_gap));
  if (out) {
    std::ostringstream sol, hist, sum;
    for (Eigen::Index i = 0; i < r.solution.size(); ++i) sol << full_text(r.solution(i)) << "\n";
    // gap_bound = objective - (the final dual bound): an upper bound on the
    // objective's distance to the optimal value at each recorded iterate
    // (for P1 only where that iterate is feasible).
    hist << "iteration,objective,error,gap_bound,feasibility_gap\n";
    const double dual = double(opt.dual);
    for (const auto& h : history) {
      char buf[128];
      std::snprintf(buf, sizeof buf, "%ld,%.17g,", h.iteration, h.objective);
      hist << buf;
      if (h.error) {
        std::snprintf(buf, sizeof buf, "%.17g", *h.error);
        hist << buf;
      }
      std::snprintf(buf, sizeof buf, ",%.17g,", h.objective - dual);
      hist << buf;
      if (h.feasibility_gap) {
        std::snprintf(buf, sizeof buf, "%.17g", *h.feasibility_gap);
        hist << buf;
      }
      hist << "\n";
    }
    sum << "key,value\n"
        << "solver," << s << "\nproblem," << o.problem << "\ntype," << describe_type<T>() << "\n"
        << "iterations," << r.iterations << "\nstopped," << to_string(r.reason) << "\n"
        << "solution," << (finite ? "final output" : "last finite iterate (the run became non-finite)") << "\n"
        << "objective," << full_text(r.objective) << "\nfeasibility_gap," << full_text(r.feasibility_gap) << "\n"
        << "dual_bound," << full_text(opt.dual) << "\nduality_gap," << full_text(opt.gap) << "\n"
        << "relative_duality_gap," << full_text(opt.relative_gap) << "\n"
        << "dual_from," << to_string(opt.dual_from) << "\n";
    if (err) sum << "error," << full_text(*err) << "\n";
    out->write("solution.csv", sol.str());
    out->write("history.csv", hist.str());
    out->write("summary.csv", sum.str());
    const bool plotted = write_plot(*out, s + " on " + o.problem, history, dual,
                                    problem == SparseProblem::p1_basis_pursuit, refr.has_value());
    if (finite) out->finish();  // a non-finite run keeps the INCOMPLETE marker
    std::cerr << "wrote " << o.out << "/solution.csv, history.csv, summary.csv, "
              << (plotted ? "convergence.png" : "convergence.gp") << "\n";
  }
  if (!finite) {
    std::fprintf(stderr,
                 "barriers: error: the iteration became non-finite (overflow) after %ld iterations; the "
                 "reported solution is the last finite iterate%s\n",
                 r.iterations, out ? " (labelled so in summary.csv)" : "");
    return exit_failure;
  }
  return 0;
}

int run_solve(const SolveOptions& o) {
  const ParsedOptions p = parse_options(o);
  std::optional<OutputDir> out;
  if (!o.out.empty())
    out.emplace(o.out,
                std::vector<std::string>{"solution.csv", "history.csv", "summary.csv", "convergence.gp",
                                         "convergence.png"},
                "barriers solve");
  set_dense_operator_threads(p.threads);
  const oracle::RationalMatrix A = read_matrix_file(o.A);
  const oracle::RationalMatrix y = as_column(read_matrix_file(o.y), "y (" + o.y + ")");
  std::optional<oracle::RationalMatrix> ref;
  if (!o.reference.empty()) ref = as_column(read_matrix_file(o.reference), "the reference (" + o.reference + ")");
  // Complex data (Matrix Market complex files) run in std::complex of the type.
  const bool cx = A.is_complex() || y.is_complex() || (ref && ref->is_complex());
  auto run = [&](auto real_tag) {
    using R = decltype(real_tag);
    return cx ? solve_typed<std::complex<R>>(o, p, A, y, ref, out) : solve_typed<R>(o, p, A, y, ref, out);
  };
  if (o.type == "double") return run(double{});
  if (o.type == "long-double") return run((long double){});
  if (o.type == "float128") return run(float128{});
  PrecisionGuard g(p.bits);  // mpfr (parse_options admits no other type)
  return run(mpfr_real{});
}

}  // namespace

Command add_solve_command(CLI::App& app) {
  auto o = std::make_shared<SolveOptions>();
  CLI::App* sub = app.add_subcommand(
      "solve", "Solve (P1) basis pursuit, (P2) LASSO or (P3) square-root LASSO for data in CSV or Matrix Market "
               "files (complex Matrix Market data run in complex arithmetic), in any working precision.");
  sub->add_option("--A", o->A, "Matrix file (CSV rows, or Matrix Market array)")->type_name("FILE")->required();
  sub->add_option("--y", o->y, "Data vector file")->type_name("FILE")->required();
  sub->add_option("--problem", o->problem, "p1, p2 or p3")->type_name("NAME")->capture_default_str();
  sub->add_option("--solver", o->solver, "pdhg (p1-p3), fista (p2), firenet (p3), warpd (p1), warpd-sr (p3)")
      ->type_name("NAME")
      ->capture_default_str();
  sub->add_option("--lambda", o->lambda, "l1 weight for p2/p3 (> 0, exact rational or decimal)")
      ->type_name("Q")
      ->capture_default_str();
  sub->add_option("--eta", o->eta, "Noise level for p1 (>= 0)")->type_name("Q")->capture_default_str();
  sub->add_option("--delta", o->delta, "firenet, warpd, warpd-sr: noise/model floor of the restart schedule (>= 0)")
      ->type_name("Q")
      ->capture_default_str();
  sub->add_option("--warm-dual", o->warm_dual,
                  "warpd, warpd-sr: carry the dual variable into each restart (yes, as published) or restart it at 0")
      ->type_name("yes|no")
      ->capture_default_str();
  sub->add_option("--history-every", o->history_every,
                  "Record the objective (and error) every K-th iteration (0: about 10000 rows at most)")
      ->type_name("K")
      ->capture_default_str();
  sub->add_option("--C1", o->C1, "warpd, warpd-sr: sharpness constant C1")->type_name("Q")->capture_default_str();
  sub->add_option("--C2", o->C2, "warpd: sharpness constant C2")->type_name("Q")->capture_default_str();
  sub->add_option("--iters", o->iters, "pdhg, fista: iterations")->type_name("N")->capture_default_str();
  sub->add_option("--restarts", o->restarts, "firenet, warpd, warpd-sr: restarts")->type_name("R")->capture_default_str();
  sub->add_option("--inner", o->inner, "Inner steps per restart (0: firenet 100, warpd and warpd-sr from C1, C2)")
      ->type_name("P")
      ->capture_default_str();
  sub->add_option("--threads", o->threads,
                  "Threads for the dense products of one large solve (0: every core; 1..64); the result "
                  "does not depend on it")
      ->type_name("N")
      ->capture_default_str();
  sub->add_flag("--last-iterate", o->last_iterate, "Output the last iterate instead of the ergodic average");
  sub->add_option("--type", o->type, "double, long-double, float128 or mpfr")->type_name("NAME")->capture_default_str();
  sub->add_option("--bits", o->bits, "Working precision for --type mpfr")->type_name("BITS")->capture_default_str();
  sub->add_option("--reference", o->reference, "Known solution: report and plot the error against it")
      ->type_name("FILE")->check(non_empty());
  sub->add_option("--out", o->out, "Write solution.csv, history.csv, summary.csv and convergence.png into DIR")
      ->check(non_empty())->type_name("DIR");
  return {sub, [o, sub] {
            for (const CLI::Option* opt : sub->get_options())
              if (opt->count() > 0) o->given.insert(opt->get_name());
            return run_solve(*o);
          }};
}

}  // namespace barriers::cli
