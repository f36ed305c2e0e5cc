// `barriers solve`: run one solver on matrix and vector files, in any
// working precision, and write the solution, its history and a plot.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>

#include "barriers/oracle/instance.hpp"
#include "barriers/oracle/to_working.hpp"
#include "barriers/precision/convert.hpp"
#include "barriers/precision/precision_guard.hpp"
#include "barriers/solvers/dense_operator.hpp"
#include "barriers/solvers/firenet.hpp"
#include "barriers/solvers/fista.hpp"
#include "barriers/solvers/primal_dual.hpp"
#include "barriers/solvers/warpd.hpp"
#include "commands.hpp"
#include "matrix_file.hpp"
#include "output_files.hpp"
#include "parse_number.hpp"

namespace barriers::cli {
namespace {

struct SolveOptions {
  std::string A, y, reference, out;
  std::string problem = "p3", solver = "pdhg";
  std::string lambda = "1", eta = "0", C1 = "1", C2 = "1";
  std::string iters = "1000", restarts = "10", inner = "0";
  std::string type = "double", bits = "256";
  bool last_iterate = false;
};

struct HistoryRow {
  long iteration;
  double objective;
  std::optional<double> error;
};

rational exact_option(const std::string& option, const std::string& value) {
  try {
    return oracle::parse_rational(value);
  } catch (const std::invalid_argument& e) {
    throw UsageError(option + ": " + e.what());
  }
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

void write_plot(const OutputDir& out, bool with_error) {
  std::ostringstream gp;
  gp << "set terminal pngcairo size 800,600\nset output 'convergence.png'\n"
     << "set logscale y\nset format y '10^{%L}'\nset grid\nset xlabel 'iteration'\n"
     << "set datafile separator ','\n";
  if (with_error)
    gp << "set ylabel '||x_k - x_{ref}||_2'\nplot 'history.csv' every ::1 using 1:3 with lines lw 2 "
          "title 'error against the reference'\n";
  else
    gp << "set ylabel 'objective'\nplot 'history.csv' every ::1 using 1:2 with lines lw 2 title 'objective'\n";
  out.plot("convergence.gp", gp.str(), "convergence.png");
}

template <class T>
int solve_typed(const SolveOptions& o, const oracle::RationalMatrix& Ar, const oracle::RationalMatrix& yr,
                const std::optional<oracle::RationalMatrix>& refr, const std::optional<OutputDir>& out) {
  using Real = real_of<T>;
  const auto A = oracle::to_working<T>(Ar), y = oracle::to_working<T>(yr);
  if (y.value.rows() != A.value.rows())
    throw UsageError("y has length " + std::to_string(y.value.rows()) + " but A has " +
                     std::to_string(A.value.rows()) + " rows");
  Vector<T> reference;
  if (refr) {
    reference = oracle::to_working<T>(*refr).value.col(0);
    if (reference.size() != A.value.cols())
      throw UsageError("the reference has length " + std::to_string(reference.size()) + " but A has " +
                       std::to_string(A.value.cols()) + " columns");
  }
  const Real lambda = from_rational<Real>(exact_option("--lambda", o.lambda)).value;
  const Real eta = from_rational<Real>(exact_option("--eta", o.eta)).value;
  const long iters = long(parse_integer("--iters", o.iters, 1, 100000000));
  const int restarts = int(parse_integer("--restarts", o.restarts, 1, 1000000));
  const long inner = long(parse_integer("--inner", o.inner, 0, 100000000));

  std::vector<HistoryRow> history;
  Observer<Real> observe = [&history](const IterationInfo<Real>& info) {
    history.push_back({info.iteration, double(info.objective),
                       info.error ? std::optional<double>(double(*info.error)) : std::nullopt});
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
  };
  auto need = [&o, &s](const char* problem) {
    if (o.problem != problem)
      throw UsageError("solver '" + s + "' solves " + problem + ": use --problem " + problem);
  };
  if (s == "pdhg") {
    PdhgSettings<T> st;
    st.problem = o.problem == "p1" ? SparseProblem::p1_basis_pursuit
                 : o.problem == "p2" ? SparseProblem::p2_lasso
                                     : SparseProblem::p3_sqrt_lasso;
    st.lambda = lambda;
    st.eta = eta;
    st.max_iterations = iters;
    st.ergodic = !o.last_iterate;
    attach(st);
    r = primal_dual(op, b, st);
  } else if (s == "fista") {
    need("p2");
    FistaSettings<T> st;
    st.lambda = lambda;
    st.max_iterations = iters;
    attach(st);
    r = fista(op, b, st);
  } else if (s == "firenet") {
    need("p3");
    FirenetSettings<T> st;
    st.lambda = lambda;
    st.restarts = restarts;
    st.inner = inner > 0 ? int(inner) : 100;
    attach(st);
    r = firenet(op, b, st);
  } else if (s == "warpd") {
    need("p1");
    WarpdSettings<T> st;
    st.eps = eta;
    st.C1 = from_rational<Real>(exact_option("--C1", o.C1)).value;
    st.C2 = from_rational<Real>(exact_option("--C2", o.C2)).value;
    st.restarts = restarts;
    st.inner = inner;
    st.ergodic = !o.last_iterate;
    attach(st);
    r = warpd(op, b, st);
  } else if (s == "warpd-sr") {
    need("p3");
    WarpdSrSettings<T> st;
    st.lambda = lambda;
    st.C1 = from_rational<Real>(exact_option("--C1", o.C1)).value;
    st.restarts = restarts;
    st.inner = inner;
    st.ergodic = !o.last_iterate;
    attach(st);
    r = warpd_sr(op, b, st);
  } else {
    throw UsageError("unknown solver '" + s + "': allowed are pdhg, fista, firenet, warpd, warpd-sr");
  }

  std::printf("%s on %s (%ldx%ld), type %s%s\n", s.c_str(), o.problem.c_str(), long(A.value.rows()),
              long(A.value.cols()), describe_type<T>().c_str(),
              A.exact && y.exact ? "" : " (data rounded to the working type)");
  std::printf("  iterations %ld, stopped: %s\n", r.iterations, to_string(r.reason).c_str());
  std::printf("  objective %.10e, feasibility gap %.3e\n", double(r.objective), double(r.feasibility_gap));
  if (refr) {
    const Real err = Real((r.solution - reference).norm());
    std::printf("  ||x - reference||_2 = %.6e\n", double(err));
  }
  if (out) {
    std::ostringstream sol, hist;
    for (Eigen::Index i = 0; i < r.solution.size(); ++i) sol << full_text(r.solution(i)) << "\n";
    hist << "iteration,objective,error\n";
    for (const auto& h : history) {
      char buf[128];
      std::snprintf(buf, sizeof buf, "%ld,%.17g,", h.iteration, h.objective);
      hist << buf;
      if (h.error) {
        std::snprintf(buf, sizeof buf, "%.17g", *h.error);
        hist << buf;
      }
      hist << "\n";
    }
    out->write("solution.csv", sol.str());
    out->write("history.csv", hist.str());
    write_plot(*out, refr.has_value());
    out->finish();
    std::cerr << "wrote " << o.out << "/solution.csv, history.csv, convergence.png\n";
  }
  return 0;
}

int run_solve(const SolveOptions& o) {
  if (o.problem != "p1" && o.problem != "p2" && o.problem != "p3")
    throw UsageError("unknown problem '" + o.problem + "': allowed are p1, p2, p3");
  const oracle::RationalMatrix A = read_matrix_file(o.A);
  const oracle::RationalMatrix y = as_column(read_matrix_file(o.y), "y (" + o.y + ")");
  std::optional<oracle::RationalMatrix> ref;
  if (!o.reference.empty()) ref = as_column(read_matrix_file(o.reference), "the reference (" + o.reference + ")");
  std::optional<OutputDir> out;
  if (!o.out.empty())
    out.emplace(o.out,
                std::vector<std::string>{"solution.csv", "history.csv", "convergence.gp", "convergence.png"},
                "barriers solve");
  // Complex data (Matrix Market complex files) run in std::complex of the type.
  const bool cx = A.is_complex() || y.is_complex() || (ref && ref->is_complex());
  auto run = [&](auto real_tag) {
    using R = decltype(real_tag);
    return cx ? solve_typed<std::complex<R>>(o, A, y, ref, out) : solve_typed<R>(o, A, y, ref, out);
  };
  if (o.type == "double") return run(double{});
  if (o.type == "long-double") return run((long double){});
  if (o.type == "float128") return run(float128{});
  if (o.type == "mpfr") {
    PrecisionGuard g(unsigned(parse_integer("--bits", o.bits, 2, 1 << 20)));
    return run(mpfr_real{});
  }
  throw UsageError("unknown type '" + o.type + "': allowed are double, long-double, float128, mpfr");
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
  sub->add_option("--C1", o->C1, "warpd, warpd-sr: sharpness constant C1")->type_name("Q")->capture_default_str();
  sub->add_option("--C2", o->C2, "warpd: sharpness constant C2")->type_name("Q")->capture_default_str();
  sub->add_option("--iters", o->iters, "pdhg, fista: iterations")->type_name("N")->capture_default_str();
  sub->add_option("--restarts", o->restarts, "firenet, warpd, warpd-sr: restarts")->type_name("R")->capture_default_str();
  sub->add_option("--inner", o->inner, "Inner steps per restart (0: firenet 100, warpd and warpd-sr from C1, C2)")
      ->type_name("P")
      ->capture_default_str();
  sub->add_flag("--last-iterate", o->last_iterate, "Output the last iterate instead of the ergodic average");
  sub->add_option("--type", o->type, "double, long-double, float128 or mpfr")->type_name("NAME")->capture_default_str();
  sub->add_option("--bits", o->bits, "Working precision for --type mpfr")->type_name("BITS")->capture_default_str();
  sub->add_option("--reference", o->reference, "Known solution: report and plot the error against it")
      ->type_name("FILE");
  sub->add_option("--out", o->out, "Write solution.csv, history.csv and convergence.png into DIR")->type_name("DIR");
  return {sub, [o] { return run_solve(*o); }};
}

}  // namespace barriers::cli
