// The Python module `barriers` (pybind11, docs/python.md): here the oracle,
// the Omega_K families and their verification; the solvers, Table 1 and
// sweeps, and the data files are bound in the other files (bindings.hpp).
// Exact values cross as fractions.Fraction, so nothing is rounded on the way.
#include <pybind11/stl.h>

#include <optional>
#include <string>

#include "barriers/impossibility/family.hpp"
#include "barriers/impossibility/verify.hpp"
#include "barriers/oracle/oracle.hpp"
#include "barriers/oracle/rational_matrix.hpp"
#include "barriers/precision/convert.hpp"
#include "bindings.hpp"

using namespace barriers;
using namespace barriers::python;

namespace {

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
    } catch (const outside_type_range& e) {  // data too large for the working type
      PyErr_SetString(PyExc_ValueError, e.what());
    }
  });

  py::class_<oracle::Answer>(m, "Answer", "An oracle answer: exact dyadic data within a certified bound")
      .def_property_readonly("fractions", [](const oracle::Answer& a) { return fractions(a.value); },
                             "the entries as fractions.Fraction (rows of a list)")
      .def_property_readonly("array", [](const oracle::Answer& a) { return nearest_doubles(a.value); },
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
      [](const std::string& problem, long K, long n, const std::optional<std::string>& delta, const std::string& lam,
         const std::string& eta, std::size_t N1, std::size_t N2, bool dct) {
        // As `barriers verify --delta`: delta cancels, so accepting it would suggest a check depends on it.
        if (delta)
          throw py::value_error("delta does not apply to verify: delta cancels in the Omega_K construction "
                                "(b = sqrt(2) 10^K / 3 for every delta), so no check depends on it");
        impossibility::VerifyReport r;
        {
          const impossibility::FamilyParams p = family_params(problem, K, n, "1/6", lam, eta, N1, N2, dct);
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
      py::arg("problem") = "p3", py::arg("K") = 1, py::arg("n") = 10, py::arg("delta") = py::none(),
      py::arg("lam") = "1", py::arg("eta") = "1/10", py::arg("N1") = 2, py::arg("N2") = 20, py::arg("dct") = true,
      "Certify the family's claims in Arb ball arithmetic (the checks of `barriers verify`), as records");

  bind_solvers(m);
  bind_experiments(m);
  bind_data_files(m);
}
