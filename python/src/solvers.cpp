// The solvers on Python data (docs/python.md): FIRENET, WARPd, WARPdSR,
// FISTA, ISTA and PDHG. Each runs in double (complex double for complex
// arrays) or, given `bits`, in MPFR at that precision with the data read
// exactly and rounded once to it, the solution returned as decimal strings.
#include <pybind11/stl.h>

#include <complex>
#include <optional>
#include <string>
#include <vector>

#include "barriers/oracle/to_working.hpp"
#include "barriers/precision/convert.hpp"
#include "barriers/precision/precision_guard.hpp"
#include "barriers/precision/traits.hpp"
#include "barriers/solvers/dense_operator.hpp"
#include "barriers/solvers/firenet.hpp"
#include "barriers/solvers/fista.hpp"
#include "barriers/solvers/primal_dual.hpp"
#include "barriers/solvers/warpd.hpp"
#include "bindings.hpp"

namespace barriers::python {
namespace {

template <class T>
struct Tag {
  using type = T;
};

// A setting's value in the working real type: a Python number or an exact
// string, rounded once (for double a float is taken as it is).
template <class R>
R real_arg(py::handle value, const std::string& name) {
  if constexpr (std::is_same_v<R, double>) {
    if (py::isinstance<py::float_>(value)) return value.cast<double>();
  }
  return from_rational<R>(exact_value(value, name)).value;
}

template <class R>
Vector<R> weights_arg(py::handle value) {
  if (value.is_none()) return {};
  const oracle::RationalMatrix w = exact_matrix(value, "weights");
  if (w.cols != 1 || w.is_complex()) throw std::invalid_argument("weights must be a 1-D list of positive numbers");
  Vector<R> out(Eigen::Index(w.rows));
  for (std::size_t i = 0; i < w.rows; ++i) out(Eigen::Index(i)) = from_rational<R>(w.re[i]).value;
  return out;
}

template <class T>
Vector<T> column(const oracle::RationalMatrix& m, const std::string& what) {
  if (m.cols != 1)
    throw std::invalid_argument(what + " must be a vector (1-D), got a " + std::to_string(m.rows) + "x" +
                                std::to_string(m.cols) + " matrix");
  return oracle::to_working<T>(m).value.col(0);
}

// What every solver binding shares: the reference for errors and the
// iteration history (every `history_every`-th iteration; 0: none).
template <class T>
struct Extras {
  using R = real_of<T>;
  Vector<T> reference;
  long every = 0;
  std::vector<IterationInfo<R>> history;

  template <class S>
  void attach(S& s) {
    s.reference = reference;
    if (every > 0) {
      s.observe_every = every;
      s.observer = [this](const IterationInfo<R>& info) {
        history.push_back(info);
        return true;
      };
    }
  }
};

// Numbers of the result: floats in double, decimal strings (every digit
// the precision carries) in MPFR.
template <class R>
py::object number(const R& v) {
  if constexpr (std::is_same_v<R, double>) return py::float_(v);
  else return py::str(v.str(0, std::ios_base::scientific));
}

template <class T>
py::object vector_out(const Vector<T>& x) {
  if constexpr (std::is_same_v<T, mpfr_real>) {
    py::list out;
    for (Eigen::Index i = 0; i < x.size(); ++i) out.append(number(x(i)));
    return out;
  } else {
    py::array_t<T> a(x.size());
    auto v = a.template mutable_unchecked<1>();
    for (Eigen::Index i = 0; i < x.size(); ++i) v(i) = x(i);
    return a;
  }
}

template <class T>
py::dict result_dict(const SolverResult<T>& r, const Extras<T>& extras) {
  py::dict d;
  d["x"] = vector_out(r.solution);
  d["iterations"] = r.iterations;
  d["objective"] = number(r.objective);
  d["feasibility_gap"] = number(r.feasibility_gap);
  d["reason"] = to_string(r.reason);
  d["dual"] = vector_out(r.dual);
  d["type"] = describe_type<T>();
  if (extras.every > 0) {
    py::list history;
    for (const auto& h : extras.history) {
      py::dict row;
      row["iteration"] = h.iteration;
      row["restart"] = h.restart;
      row["objective"] = number(h.objective);
      row["error"] = h.error ? number(*h.error) : py::none();
      row["feasibility_gap"] = h.feasibility_gap ? number(*h.feasibility_gap) : py::none();
      row["seconds"] = h.elapsed_seconds;
      history.append(row);
    }
    d["history"] = history;
  }
  return d;
}

// Reads the data in T, lets `make` build the solver call (settings are
// converted while the GIL is held) and runs it without the GIL.
template <class T, class Make>
py::dict run_typed(const oracle::RationalMatrix& A, const oracle::RationalMatrix& y, py::handle reference,
                   long every, Make& make) {
  Extras<T> extras;
  extras.every = every;
  Matrix<T> Am = oracle::to_working<T>(A).value;
  const Vector<T> yv = column<T>(y, "y");
  if (!reference.is_none()) extras.reference = column<T>(exact_matrix(reference, "reference"), "reference");
  auto call = make(Tag<T>{}, extras);
  SolverResult<T> r;
  {
    py::gil_scoped_release release;  // the solve is pure C++
    const DenseOperator<T> op(std::move(Am));
    r = call(op, yv);
  }
  return result_dict(r, extras);
}

template <class Make>
py::dict solve(py::handle A, py::handle y, std::optional<long> bits, py::handle reference, long history_every,
               Make make) {
  if (history_every < 0)
    throw std::invalid_argument("history_every must be >= 0 (0: no history), got " + std::to_string(history_every));
  const oracle::RationalMatrix Am = exact_matrix(A, "A", true), ym = exact_matrix(y, "y");
  if (bits) {
    if (*bits < 2 || *bits > long(max_precision_bits))
      throw std::invalid_argument("bits must be in 2.." + std::to_string(max_precision_bits) + ", got " +
                                  std::to_string(*bits));
    if (Am.is_complex() || ym.is_complex())
      throw std::invalid_argument("complex data are solved in complex double only (leave bits unset)");
    const PrecisionGuard guard{unsigned(*bits)};
    py::dict d = run_typed<mpfr_real>(Am, ym, reference, history_every, make);
    d["bits"] = *bits;
    d["working_bits"] = mpfr_working_bits();
    return d;
  }
  if (Am.is_complex() || ym.is_complex())
    return run_typed<std::complex<double>>(Am, ym, reference, history_every, make);
  return run_typed<double>(Am, ym, reference, history_every, make);
}

template <class R>
std::optional<R> optional_real(py::handle v, const char* name) {
  if (v.is_none()) return std::nullopt;
  return real_arg<R>(v, name);
}

constexpr const char* common_doc =
    "\n\nA, y: numpy arrays (complex arrays: complex double) or lists of numbers/decimal strings. bits: run in "
    "MPFR at that precision (data and settings read exactly, rounded once; numbers in the result are decimal "
    "strings). reference: report errors against it in the history. history_every: record every k-th "
    "iteration in result['history'] (0: none). Returns {'x', 'iterations', 'objective', 'feasibility_gap', "
    "'reason', 'dual', 'type'[, 'history', 'bits', 'working_bits']}.";

std::string doc(const char* what) { return std::string(what) + common_doc; }

}  // namespace

void bind_solvers(py::module_& m) {
  auto firenet_binding = [](py::object A, py::object y, py::object lam, int restarts, int inner, py::object delta,
                            py::object weights, py::object eps0, py::object tau, py::object sigma,
                            py::object norm_bound, std::optional<long> bits, py::object reference, long history_every) {
    return solve(A, y, bits, reference, history_every, [&](auto tag, auto& extras) {
      using T = typename decltype(tag)::type;
      using R = real_of<T>;
      FirenetSettings<T> s;
      s.lambda = real_arg<R>(lam, "lam");
      s.restarts = restarts;
      s.inner = inner;
      s.delta = real_arg<R>(delta, "delta");
      s.weights = weights_arg<R>(weights);
      s.eps0 = optional_real<R>(eps0, "eps0");
      s.tau = real_arg<R>(tau, "tau");
      s.sigma = real_arg<R>(sigma, "sigma");
      s.norm_bound = real_arg<R>(norm_bound, "norm_bound");
      extras.attach(s);
      return [s](const LinearOperator<T>& op, const Vector<T>& b) { return firenet(op, b, s); };
    });
  };
  const char* firenet_doc =
      "FIRENET for the square-root LASSO  min lam ||x||_{1,w} + ||A x - y||_2: restarts x inner primal-dual "
      "steps; delta the noise level of the restart schedule; tau, sigma, norm_bound 0: automatic.";
  auto firenet_args = [&](auto&&... extra) {
    m.def(extra..., firenet_binding, py::arg("A"), py::arg("y"), py::arg("lam") = 1.0, py::arg("restarts") = 10,
          py::arg("inner") = 5, py::arg("delta") = 0.0, py::arg("weights") = py::none(), py::arg("eps0") = py::none(),
          py::arg("tau") = 0.0, py::arg("sigma") = 0.0, py::arg("norm_bound") = 0.0, py::arg("bits") = py::none(),
          py::arg("reference") = py::none(), py::arg("history_every") = 0, doc(firenet_doc).c_str());
  };
  firenet_args("firenet");
  firenet_args("firenet_complex");  // the same function: complex arrays select complex double
  m.def(
      "firenet_mpfr",
      [firenet_binding](py::object A, py::object y, long bits, py::object lam, int restarts, int inner) {
        return firenet_binding(A, y, lam, restarts, inner, py::float_(0.0), py::none(), py::none(), py::float_(0.0),
                               py::float_(0.0), py::float_(0.0), bits, py::none(), 0);
      },
      py::arg("A"), py::arg("y"), py::arg("bits"), py::arg("lam") = "1", py::arg("restarts") = 10,
      py::arg("inner") = 5, "firenet(A, y, bits=bits, ...): FIRENET in MPFR, results as decimal strings");

  m.def(
      "warpd",
      [](py::object A, py::object y, py::object eps, py::object C1, py::object C2, int restarts, long inner,
         py::object delta, py::object nu, py::object weights, bool l1_on_x, bool ergodic, bool warm_dual,
         py::object x0, py::object L_A, std::optional<long> bits, py::object reference, long history_every) {
        return solve(A, y, bits, reference, history_every, [&](auto tag, auto& extras) {
          using T = typename decltype(tag)::type;
          using R = real_of<T>;
          WarpdSettings<T> s;
          s.eps = real_arg<R>(eps, "eps");
          s.C1 = real_arg<R>(C1, "C1");
          s.C2 = real_arg<R>(C2, "C2");
          s.restarts = restarts;
          s.inner = inner;
          s.delta = real_arg<R>(delta, "delta");
          s.nu = optional_real<R>(nu, "nu");
          s.weights = weights_arg<R>(weights);
          s.l1_on_x = l1_on_x;
          s.ergodic = ergodic;
          s.warm_dual = warm_dual;
          if (!x0.is_none()) s.x0 = column<T>(exact_matrix(x0, "x0"), "x0");
          s.L_A = real_arg<R>(L_A, "L_A");
          extras.attach(s);
          return [s](const LinearOperator<T>& op, const Vector<T>& b) { return warpd(op, b, s); };
        });
      },
      py::arg("A"), py::arg("y"), py::arg("eps") = 0.0, py::arg("C1") = 1.0, py::arg("C2") = 1.0,
      py::arg("restarts") = 10, py::arg("inner") = 0, py::arg("delta") = 0.0, py::arg("nu") = py::none(),
      py::arg("weights") = py::none(), py::arg("l1_on_x") = true, py::arg("ergodic") = true,
      py::arg("warm_dual") = true, py::arg("x0") = py::none(), py::arg("L_A") = 0.0, py::arg("bits") = py::none(),
      py::arg("reference") = py::none(), py::arg("history_every") = 0,
      doc("WARPd for  min ||x||_{1,w}  s.t. ||A x - y||_2 <= eps  (P1): restarted primal-dual with sharpness "
          "constants C1, C2; inner 0: ceil(2 C1 C2 ||A|| / nu); nu None: 1/e.")
          .c_str());

  m.def(
      "warpd_sr",
      [](py::object A, py::object y, py::object lam, py::object C1, int restarts, long inner, py::object delta,
         py::object nu, py::object weights, bool ergodic, bool warm_dual, py::object x0, py::object L_A,
         std::optional<long> bits, py::object reference, long history_every) {
        return solve(A, y, bits, reference, history_every, [&](auto tag, auto& extras) {
          using T = typename decltype(tag)::type;
          using R = real_of<T>;
          WarpdSrSettings<T> s;
          s.lambda = real_arg<R>(lam, "lam");
          s.C1 = real_arg<R>(C1, "C1");
          s.restarts = restarts;
          s.inner = inner;
          s.delta = real_arg<R>(delta, "delta");
          s.nu = optional_real<R>(nu, "nu");
          s.weights = weights_arg<R>(weights);
          s.ergodic = ergodic;
          s.warm_dual = warm_dual;
          if (!x0.is_none()) s.x0 = column<T>(exact_matrix(x0, "x0"), "x0");
          s.L_A = real_arg<R>(L_A, "L_A");
          extras.attach(s);
          return [s](const LinearOperator<T>& op, const Vector<T>& b) { return warpd_sr(op, b, s); };
        });
      },
      py::arg("A"), py::arg("y"), py::arg("lam") = 1.0, py::arg("C1") = 1.0, py::arg("restarts") = 10,
      py::arg("inner") = 0, py::arg("delta") = 0.0, py::arg("nu") = py::none(), py::arg("weights") = py::none(),
      py::arg("ergodic") = true, py::arg("warm_dual") = true, py::arg("x0") = py::none(), py::arg("L_A") = 0.0,
      py::arg("bits") = py::none(), py::arg("reference") = py::none(), py::arg("history_every") = 0,
      doc("WARPdSR for the square-root LASSO  min lam ||x||_{1,w} + ||A x - y||_2  (P3), noise-blind.").c_str());

  auto fista_binding = [](bool accelerated) {
    return [accelerated](py::object A, py::object y, py::object lam, long max_iterations, py::object tolerance,
                         py::object weights, py::object norm_bound, std::optional<long> bits, py::object reference,
                         long history_every) {
      return solve(A, y, bits, reference, history_every, [&](auto tag, auto& extras) {
        using T = typename decltype(tag)::type;
        using R = real_of<T>;
        FistaSettings<T> s;
        s.lambda = real_arg<R>(lam, "lam");
        s.max_iterations = max_iterations;
        s.tolerance = real_arg<R>(tolerance, "tolerance");
        s.weights = weights_arg<R>(weights);
        s.norm_bound = real_arg<R>(norm_bound, "norm_bound");
        extras.attach(s);
        return [s, accelerated](const LinearOperator<T>& op, const Vector<T>& b) {
          return accelerated ? fista(op, b, s) : ista(op, b, s);
        };
      });
    };
  };
  for (const bool accelerated : {true, false})
    m.def(accelerated ? "fista" : "ista", fista_binding(accelerated), py::arg("A"), py::arg("y"),
          py::arg("lam") = 1.0, py::arg("max_iterations") = 1000, py::arg("tolerance") = 0.0,
          py::arg("weights") = py::none(), py::arg("norm_bound") = 0.0, py::arg("bits") = py::none(),
          py::arg("reference") = py::none(), py::arg("history_every") = 0,
          doc(accelerated ? "FISTA (accelerated proximal gradient) for the LASSO  min lam ||x||_{1,w} + ||A x - y||_2^2 "
                            "(P2); tolerance 0: run max_iterations."
                          : "ISTA (proximal gradient) for the LASSO (P2); the settings of fista.")
              .c_str());

  m.def(
      "pdhg",
      [](py::object A, py::object y, const std::string& problem, py::object lam, py::object eta, long max_iterations,
         py::object tolerance, bool ergodic, py::object tau, py::object sigma, py::object weights,
         py::object norm_bound, std::optional<long> bits, py::object reference, long history_every) {
        SparseProblem p;
        if (problem == "p1") p = SparseProblem::p1_basis_pursuit;
        else if (problem == "p2") p = SparseProblem::p2_lasso;
        else if (problem == "p3") p = SparseProblem::p3_sqrt_lasso;
        else throw std::invalid_argument("problem must be p1, p2 or p3, got '" + problem + "'");
        return solve(A, y, bits, reference, history_every, [&](auto tag, auto& extras) {
          using T = typename decltype(tag)::type;
          using R = real_of<T>;
          PdhgSettings<T> s;
          s.problem = p;
          s.lambda = real_arg<R>(lam, "lam");
          s.eta = real_arg<R>(eta, "eta");
          s.max_iterations = max_iterations;
          s.tolerance = real_arg<R>(tolerance, "tolerance");
          s.ergodic = ergodic;
          s.tau = real_arg<R>(tau, "tau");
          s.sigma = real_arg<R>(sigma, "sigma");
          s.weights = weights_arg<R>(weights);
          s.norm_bound = real_arg<R>(norm_bound, "norm_bound");
          extras.attach(s);
          return [s](const LinearOperator<T>& op, const Vector<T>& b) { return primal_dual(op, b, s); };
        });
      },
      py::arg("A"), py::arg("y"), py::arg("problem") = "p3", py::arg("lam") = 1.0, py::arg("eta") = 0.0,
      py::arg("max_iterations") = 1000, py::arg("tolerance") = 0.0, py::arg("ergodic") = true, py::arg("tau") = 0.0,
      py::arg("sigma") = 0.0, py::arg("weights") = py::none(), py::arg("norm_bound") = 0.0,
      py::arg("bits") = py::none(), py::arg("reference") = py::none(), py::arg("history_every") = 0,
      doc("Chambolle-Pock primal-dual (PDHG) for problem p1 (min ||x||_{1,w} s.t. ||A x - y|| <= eta), p2 "
          "(LASSO) or p3 (square-root LASSO), with ergodic averaging; tau, sigma, norm_bound 0: automatic.")
          .c_str());
}

}  // namespace barriers::python
