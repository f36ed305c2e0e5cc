// Python values <-> exact rationals (bindings.hpp).
#include <cmath>
#include <complex>
#include <stdexcept>

#include "barriers/oracle/instance.hpp"
#include "barriers/precision/convert.hpp"
#include "bindings.hpp"

namespace barriers::python {

py::object fraction(const rational& q) {
  static py::object Fraction = py::module_::import("fractions").attr("Fraction");
  return Fraction(q.str());
}

rational exact_value(py::handle value, const std::string& what) {
  if (py::isinstance<py::str>(value)) {
    try {
      return oracle::parse_rational(value.cast<std::string>());
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(what + ": " + e.what());
    }
  }
  if (py::isinstance<py::bool_>(value))
    throw std::invalid_argument(what + " must be a number, got a bool");
  if (py::isinstance<py::int_>(value)) return oracle::parse_rational(py::str(value).cast<std::string>());
  if (py::hasattr(value, "man_exp")) {  // mpmath.mpf: exactly man * 2^exp
    if (!py::module_::import("mpmath").attr("isfinite")(value).cast<bool>())
      throw std::invalid_argument(what + " is not finite: NaN and Inf are not allowed");
    const py::tuple me = value.attr("man_exp");
    const py::int_ man = me[0], exp = me[1], one(1);
    const bool up = exp.cast<long long>() >= 0;
    const py::object num = up ? man.attr("__lshift__")(exp) : py::object(man);
    const py::object den = up ? py::object(one) : one.attr("__lshift__")(exp.attr("__neg__")());
    return oracle::parse_rational(py::str(num).cast<std::string>() + "/" + py::str(den).cast<std::string>());
  }
  if (py::isinstance<py::float_>(value) || py::hasattr(value, "as_integer_ratio")) {
    if (py::isinstance<py::float_>(value) && !std::isfinite(value.cast<double>()))
      throw std::invalid_argument(what + " is not finite: NaN and Inf are not allowed");
    py::tuple ratio;
    try {
      ratio = value.attr("as_integer_ratio")();
    } catch (const py::error_already_set&) {
      throw std::invalid_argument(what + " is not finite or not a number");
    }
    return oracle::parse_rational(py::str(ratio[0]).cast<std::string>() + "/" + py::str(ratio[1]).cast<std::string>());
  }
  throw std::invalid_argument(what + " must be a number (int, float, Fraction or a decimal string), got " +
                              py::str(py::type::of(value).attr("__name__")).cast<std::string>());
}

oracle::RationalMatrix exact_matrix(py::handle value, const std::string& what, bool two_d) {
  auto refuse_1d = [&](std::size_t entries) {
    throw std::invalid_argument(what + " must be a 2-D array (rows x columns), got a 1-D array of " +
                                std::to_string(entries) + " entries");
  };
  // numpy arrays of numbers: every double is a dyadic rational, read exactly.
  if (py::isinstance<py::array>(value)) {
    const auto a = py::reinterpret_borrow<py::array>(value);
    const char kind = a.dtype().kind();
    if (kind == 'b' || kind == 'i' || kind == 'u' || kind == 'f' || kind == 'c') {
      if (two_d && a.ndim() == 1) refuse_1d(a.shape(0));
      if (a.ndim() != 1 && a.ndim() != 2)
        throw std::invalid_argument(what + (two_d ? " must be a 2-D array (rows x columns), got " :
                                                    " must be a 1-D or 2-D array, got ") +
                                    std::to_string(a.ndim()) + "-D");
      const bool complex = kind == 'c';
      const std::size_t rows = a.shape(0), cols = a.ndim() == 2 ? a.shape(1) : 1;
      if (rows == 0 || cols == 0) throw std::invalid_argument(what + " is empty");
      oracle::RationalMatrix m(rows, cols, complex);
      using C = std::complex<double>;
      const auto c = py::array_t<C, py::array::c_style | py::array::forcecast>::ensure(a);
      const C* p = c.data();
      for (std::size_t k = 0; k < rows * cols; ++k) {
        if (!std::isfinite(p[k].real()) || !std::isfinite(p[k].imag()))
          throw std::invalid_argument(what + " has a NaN or infinite entry; all entries must be finite");
        m.re[k] = rational(p[k].real());
        if (complex) m.im[k] = rational(p[k].imag());
      }
      return m;
    }
  }
  if (!py::isinstance<py::sequence>(value) || py::isinstance<py::str>(value))
    throw std::invalid_argument(what + " must be a numpy array or a list (of rows)");
  const auto seq = py::reinterpret_borrow<py::sequence>(value);
  if (seq.size() == 0) throw std::invalid_argument(what + " is empty");
  const bool nested = py::isinstance<py::sequence>(seq[0]) && !py::isinstance<py::str>(seq[0]);
  if (two_d && !nested) refuse_1d(seq.size());
  const std::size_t rows = seq.size(), cols = nested ? py::len(seq[0]) : 1;
  if (cols == 0) throw std::invalid_argument(what + " has an empty row");
  oracle::RationalMatrix m(rows, cols);
  for (std::size_t i = 0; i < rows; ++i) {
    const std::string at = what + "[" + std::to_string(i) + "]";
    if (!nested) {
      m.re[i] = exact_value(seq[i], at);
      continue;
    }
    if (!py::isinstance<py::sequence>(seq[i]) || py::isinstance<py::str>(seq[i]) || py::len(seq[i]) != cols)
      throw std::invalid_argument(at + " is not a row of " + std::to_string(cols) + " entries like row 0");
    const auto row = py::reinterpret_borrow<py::sequence>(seq[i]);
    for (std::size_t j = 0; j < cols; ++j) m.re[i * cols + j] = exact_value(row[j], at + "[" + std::to_string(j) + "]");
  }
  return m;
}

// The nearest double of each entry (ties to even: from_rational is
// correctly rounded).
py::array nearest_doubles(const oracle::RationalMatrix& m) {
  auto nearest = [](const rational& q) { return from_rational<double>(q).value; };
  if (m.is_complex()) {
    py::array_t<std::complex<double>> a({m.rows, m.cols});
    auto v = a.mutable_unchecked<2>();
    for (std::size_t i = 0; i < m.rows; ++i)
      for (std::size_t j = 0; j < m.cols; ++j) v(i, j) = {nearest(m.real(i, j)), nearest(m.imag(i, j))};
    return a;
  }
  py::array_t<double> a({m.rows, m.cols});
  auto v = a.mutable_unchecked<2>();
  for (std::size_t i = 0; i < m.rows; ++i)
    for (std::size_t j = 0; j < m.cols; ++j) v(i, j) = nearest(m.real(i, j));
  return a;
}

double double_below(const rational& q) {
  const double d = from_rational<double>(q).value;
  return rational(d) > q ? std::nextafter(d, -HUGE_VAL) : d;
}

double double_above(const rational& q) {
  const double d = from_rational<double>(q).value;
  return rational(d) < q ? std::nextafter(d, HUGE_VAL) : d;
}

}  // namespace barriers::python
