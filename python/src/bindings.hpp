// Shared by the source files of the Python module `barriers`: each binds
// one part of the library (module.cpp: oracle, families, verify; solvers.cpp;
// experiments.cpp: Table 1 and sweeps; data_files.cpp: .npy/.mat/CSV) and the
// conversions between Python values and exact rationals live here.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <string>

#include "barriers/oracle/rational_matrix.hpp"
#include "barriers/precision/types.hpp"

namespace barriers::python {

namespace py = pybind11;

void bind_solvers(py::module_& m);
void bind_experiments(py::module_& m);
void bind_data_files(py::module_& m);

/// q as a fractions.Fraction.
py::object fraction(const rational& q);

/// The exact value of a Python number: int, float (its binary value),
/// fractions.Fraction, mpmath.mpf, anything with as_integer_ratio(), or a string read
/// as an exact rational ("0.1" is 1/10, "1/3", "1e-5"). Throws
/// std::invalid_argument naming `what` otherwise (NaN and Inf included).
rational exact_value(py::handle value, const std::string& what);

/// A 1-D or 2-D array-like (numpy array of numbers, or nested lists of
/// anything exact_value reads) as an exact matrix; 1-D is a column.
/// Complex numpy arrays give complex matrices. With `two_d`, a 1-D value is
/// refused (an operator A given as a flat array is a mistake, not a column).
oracle::RationalMatrix exact_matrix(py::handle value, const std::string& what, bool two_d = false);

/// The nearest double of each entry, as a numpy array (complex when m is).
py::array nearest_doubles(const oracle::RationalMatrix& m);

/// The largest double <= q and the smallest double >= q: bounds of an
/// interval stay valid when shown as floats.
double double_below(const rational& q);
double double_above(const rational& q);

}  // namespace barriers::python
