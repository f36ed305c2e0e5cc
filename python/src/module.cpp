// The Python module `barriers` (pybind11): the oracle, the Omega_K families
// and their verification, and the solvers on numpy arrays (docs/python.md).
// Exact values cross as fractions.Fraction, so nothing is rounded on the way.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <complex>
#include <string>
#include <vector>

#include "barriers/impossibility/family.hpp"
#include "barriers/impossibility/verify.hpp"
#include "barriers/oracle/oracle.hpp"
#include "barriers/oracle/rational_matrix.hpp"
#include "barriers/precision/precision_guard.hpp"
#include "barriers/solvers/dense_operator.hpp"
#include "barriers/solvers/firenet.hpp"
#include "barriers/solvers/fista.hpp"
#include "barriers/solvers/primal_dual.hpp"

namespace py = pybind11;
using namespace barriers;

namespace {

py::object fraction(const rational& q) {
  static py::object Fraction = py::module_::import("fractions").attr("Fraction");
  return Fraction(q.str());
}

// A RationalMatrix as a list of rows of Fractions (complex entries as
// (re, im) pairs of Fractions).
py::list fractions(const oracle::RationalMatrix& m) {
  py::list rows;
  for (std::size_t i = 0; i < m.rows; ++i) {
    py::list row;
    for (std::size_t j = 0; j < m.cols; ++j) {
      if (m.is_complex()) row.append(py::make_tuple(fraction(m.real(i, j)), fraction(m.imag(i, j))));
      else row.append(fraction(m.real(i, j)));
    }
    rows.append(row);
  }
  return rows;
}

// The nearest double of each entry (ties to even: boost's conversion of a
// rational is correctly rounded), as a numpy array.
py::array numpy(const oracle::RationalMatrix& m) {
  if (m.is_complex()) {
    py::array_t<std::complex<double>> a({m.rows, m.cols});
    auto v = a.mutable_unchecked<2>();
    for (std::size_t i = 0; i < m.rows; ++i)
      for (std::size_t j = 0; j < m.cols; ++j)
        v(i, j) = {m.real(i, j).convert_to<double>(), m.imag(i, j).convert_to<double>()};
    return a;
  }
  py::array_t<double> a({m.rows, m.cols});
  auto v = a.mutable_unchecked<2>();
  for (std::size_t i = 0; i < m.rows; ++i)
    for (std::size_t j = 0; j < m.cols; ++j) v(i, j) = m.real(i, j).convert_to<double>();
  return a;
}

impossibility::FamilyParams family_params(const std::string& problem, long K, long n, const std::string& delta,
                                          const std::string& lambda, const std::string& eta, std::size_t N1,
                                          std::size_t N2, bool dct) {
  impossibility::FamilyParams p;
  p.problem = impossibility::parse_problem(problem);
  p.K = K;
  p.n = n;
  p.delta = oracle::parse_rational(delta);
  p.lambda = oracle::parse_rational(lambda);
  p.eta = oracle::parse_rational(eta);
  p.N1 = N1;
  p.N2 = N2;
  p.dct_mixing = dct;
  p.validate();
  return p;
}

template <class T>
Matrix<T> to_matrix(const py::array_t<T, py::array::c_style | py::array::forcecast>& a, const char* what) {
  if (a.ndim() != 2) throw py::value_error(std::string(what) + " must be a 2-D array, got " + std::to_string(a.ndim()) + "-D");
  Matrix<T> m(a.shape(0), a.shape(1));
  auto v = a.template unchecked<2>();
  for (py::ssize_t i = 0; i < a.shape(0); ++i)
    for (py::ssize_t j = 0; j < a.shape(1); ++j) m(i, j) = v(i, j);
  return m;
}

template <class T>
Vector<T> to_vector(const py::array_t<T, py::array::c_style | py::array::forcecast>& a, const char* what) {
  if (a.ndim() != 1) throw py::value_error(std::string(what) + " must be a 1-D array, got " + std::to_string(a.ndim()) + "-D");
  Vector<T> x(a.shape(0));
  auto v = a.template unchecked<1>();
  for (py::ssize_t i = 0; i < a.shape(0); ++i) x(i) = v(i);
  return x;
}

template <class T>
py::array_t<T> to_numpy(const Vector<T>& x) {
  py::array_t<T> a(x.size());
  auto v = a.template mutable_unchecked<1>();
  for (Eigen::Index i = 0; i < x.size(); ++i) v(i) = x(i);
  return a;
}

template <class T>
py::dict result_dict(const SolverResult<T>& r) {
  py::dict d;
  d["x"] = to_numpy(r.solution);
  d["iterations"] = r.iterations;
  d["objective"] = double(r.objective);
  d["feasibility_gap"] = double(r.feasibility_gap);
  return d;
}

// FIRENET (square-root LASSO, P3) in T on numpy data.
template <class T>
py::dict firenet_typed(const py::array_t<T, py::array::c_style | py::array::forcecast>& A,
                       const py::array_t<T, py::array::c_style | py::array::forcecast>& y, double lam, int restarts,
                       int inner, double delta, std::optional<std::vector<double>> weights) {
  const Matrix<T> Am = to_matrix<T>(A, "A");
  const Vector<T> yv = to_vector<T>(y, "y");
  if (yv.size() != Am.rows())
    throw py::value_error("y has " + std::to_string(yv.size()) + " entries, A has " + std::to_string(Am.rows()) +
                          " rows");
  FirenetSettings<T> s;
  s.lambda = lam;
  s.restarts = restarts;
  s.inner = inner;
  s.delta = delta;
  if (weights) {
    s.weights.resize(Eigen::Index(weights->size()));
    for (std::size_t i = 0; i < weights->size(); ++i) s.weights(Eigen::Index(i)) = (*weights)[i];
  }
  SolverResult<T> r;
  {
    py::gil_scoped_release release;  // the solve is pure C++
    r = firenet(DenseOperator<T>(Am), yv, s);
  }
  return result_dict(r);
}

// FIRENET in MPFR at `bits`: data as decimal strings (exact decimals are
// rounded once to the working precision), the solution as decimal strings
// with every digit the precision carries.
py::dict firenet_mpfr(const std::vector<std::vector<std::string>>& A, const std::vector<std::string>& y, unsigned bits,
                      const std::string& lam, int restarts, int inner) {
  if (bits < 2 || bits > (1u << 20)) throw py::value_error("bits must be in 2..1048576, got " + std::to_string(bits));
  PrecisionGuard guard(bits);
  const std::size_t m = A.size(), N = m ? A[0].size() : 0;
  if (m == 0 || N == 0) throw py::value_error("A must be a non-empty list of rows");
  if (y.size() != m) throw py::value_error("y has " + std::to_string(y.size()) + " entries, A has " + std::to_string(m) + " rows");
  Matrix<mpfr_real> Am(static_cast<Eigen::Index>(m), static_cast<Eigen::Index>(N));
  for (std::size_t i = 0; i < m; ++i) {
    if (A[i].size() != N) throw py::value_error("row " + std::to_string(i) + " of A has " + std::to_string(A[i].size()) + " entries, row 0 has " + std::to_string(N));
    for (std::size_t j = 0; j < N; ++j) Am(Eigen::Index(i), Eigen::Index(j)) = mpfr_real(A[i][j]);
  }
  Vector<mpfr_real> yv(static_cast<Eigen::Index>(m));
  for (std::size_t i = 0; i < m; ++i) yv(Eigen::Index(i)) = mpfr_real(y[i]);
  FirenetSettings<mpfr_real> s;
  s.lambda = mpfr_real(lam);
  s.restarts = restarts;
  s.inner = inner;
  const SolverResult<mpfr_real> r = firenet(DenseOperator<mpfr_real>(Am), yv, s);
  std::vector<std::string> x;
  for (Eigen::Index i = 0; i < r.solution.size(); ++i)
    x.push_back(r.solution(i).str(0, std::ios_base::scientific));
  py::dict d;
  d["x"] = x;
  d["iterations"] = r.iterations;
  d["objective"] = r.objective.str(0, std::ios_base::scientific);
  d["bits"] = bits;
  return d;
}

}  // namespace

PYBIND11_MODULE(barriers, m) {
  m.doc() = "barriers: exact and certified experiments on the limits of computing solutions of sparse "
            "regularisation problems (Colbrook, Antun & Hansen, PNAS 2022).";

  // Errors raised by the library reach Python as ValueError (bad input) or
  // RuntimeError, with the library's one-line message.
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const std::invalid_argument& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    } catch (const std::out_of_range& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    }
  });

  py::class_<oracle::Answer>(m, "Answer", "An oracle answer: exact dyadic data within a certified bound")
      .def_property_readonly("fractions", [](const oracle::Answer& a) { return fractions(a.value); },
                             "the entries as fractions.Fraction (rows of a list)")
      .def_property_readonly("array", [](const oracle::Answer& a) { return numpy(a.value); },
                             "the entries rounded to the nearest double (numpy)")
      .def_property_readonly("bound", [](const oracle::Answer& a) { return fraction(a.bound); },
                             "certified bound on ||value - exact||_2 (Fraction)")
      .def_readonly("n", &oracle::Answer::n)
      .def_readonly("exact", &oracle::Answer::exact)
      .def_readonly("bound_met", &oracle::Answer::bound_met)
      .def_property_readonly("policy", [](const oracle::Answer& a) { return oracle::to_string(a.policy); });

  py::class_<impossibility::FamilyMember>(m, "FamilyMember", "Member j of an Omega_K family (exact data)")
      .def("query",
           [](const impossibility::FamilyMember& f, long n, const std::string& policy, std::uint64_t seed) {
             if (n < 0 || n > 100000) throw py::value_error("n must be in 0..100000, got " + std::to_string(n));
             const oracle::InstanceAnswer a =
                 oracle::Oracle(f.instance, {oracle::parse_answer_policy(policy), seed}).query(n);
             return py::make_tuple(a.A, a.y);
           },
           py::arg("n"), py::arg("policy") = "nearest", py::arg("seed") = 0,
           "The oracle's answer (A_n, y_n) at precision n: two Answers within 2^-n of the exact data")
      .def_property_readonly("rows", [](const impossibility::FamilyMember& f) { return f.instance.A.rows(); })
      .def_property_readonly("cols", [](const impossibility::FamilyMember& f) { return f.instance.A.cols(); });

  m.def(
      "family_member",
      [](std::size_t j, const std::string& problem, long K, long n, const std::string& delta, const std::string& lam,
         const std::string& eta, std::size_t N1, std::size_t N2, bool dct) {
        if (j != 1 && j != 2) throw py::value_error("j must be 1 or 2, got " + std::to_string(j));
        return impossibility::family_member(family_params(problem, K, n, delta, lam, eta, N1, N2, dct), j);
      },
      py::arg("j"), py::arg("problem") = "p3", py::arg("K") = 1, py::arg("n") = 10, py::arg("delta") = "1/6",
      py::arg("lam") = "1", py::arg("eta") = "1/10", py::arg("N1") = 2, py::arg("N2") = 20, py::arg("dct") = true,
      "Member j (1 or 2) of the Omega_K family of the theorem (docs/impossibility.md); rationals as strings");

  m.def(
      "verify",
      [](const std::string& problem, long K, long n, const std::string& delta, const std::string& lam,
         const std::string& eta, std::size_t N1, std::size_t N2, bool dct) {
        impossibility::VerifyReport r;
        {
          const impossibility::FamilyParams p = family_params(problem, K, n, delta, lam, eta, N1, N2, dct);
          py::gil_scoped_release release;
          r = impossibility::verify_family(p);
        }
        py::list checks;
        for (const impossibility::Check& c : r.checks) {
          py::dict d;
          d["name"] = c.name;
          d["claim"] = c.claim;
          d["value"] = c.value;
          d["decision"] = impossibility::to_string(c.decision);
          d["precision_bits"] = c.precision_bits;
          checks.append(d);
        }
        py::dict out;
        out["all_pass"] = r.all_pass();
        out["checks"] = checks;
        return out;
      },
      py::arg("problem") = "p3", py::arg("K") = 1, py::arg("n") = 10, py::arg("delta") = "1/6", py::arg("lam") = "1",
      py::arg("eta") = "1/10", py::arg("N1") = 2, py::arg("N2") = 20, py::arg("dct") = true,
      "Certify the family's claims in Arb ball arithmetic (the checks of `barriers verify`), as records");

  m.def("firenet", &firenet_typed<double>, py::arg("A"), py::arg("y"), py::arg("lam") = 1.0,
        py::arg("restarts") = 10, py::arg("inner") = 5, py::arg("delta") = 0.0, py::arg("weights") = py::none(),
        "FIRENET for the square-root LASSO  min lam ||x||_{1,w} + ||A x - y||  in double");
  m.def("firenet_complex", &firenet_typed<std::complex<double>>, py::arg("A"), py::arg("y"), py::arg("lam") = 1.0,
        py::arg("restarts") = 10, py::arg("inner") = 5, py::arg("delta") = 0.0, py::arg("weights") = py::none(),
        "FIRENET in complex double");
  m.def("firenet_mpfr", &firenet_mpfr, py::arg("A"), py::arg("y"), py::arg("bits"), py::arg("lam") = "1",
        py::arg("restarts") = 10, py::arg("inner") = 5,
        "FIRENET in MPFR at `bits`: A (rows of decimal strings) and y (decimal strings) in, solution as decimal "
        "strings out");
}
