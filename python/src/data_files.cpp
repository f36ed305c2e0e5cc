// The command line's data-file readers and writers from Python: CSV,
// Matrix Market, NumPy .npy and MATLAB .mat (cli/src/matrix_file.hpp,
// npy.hpp, matfile.hpp), the same code `barriers solve` reads its data with.
#include <pybind11/stl.h>

#include <cctype>
#include <cerrno>
#include <cmath>
#include <complex>
#include <fstream>
#include <string>
#include <vector>

#include "barriers/oracle/text_input.hpp"
#include "bindings.hpp"
#include "matfile.hpp"
#include "matrix_file.hpp"
#include "npy.hpp"

namespace barriers::python {
namespace {

// What MATLAB accepts as a variable name (namelengthmax is 63).
bool valid_matlab_name(const std::string& name) {
  if (name.empty() || name.size() > 63 || !std::isalpha(static_cast<unsigned char>(name[0]))) return false;
  for (const char ch : name)
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '_') return false;
  return true;
}

}  // namespace

void bind_data_files(py::module_& m) {
  m.def(
      "read_matrix",
      [](const std::string& path, bool exact) -> py::object {
        oracle::RationalMatrix a;
        {
          py::gil_scoped_release release;
          a = cli::read_matrix_file(path);
        }
        if (!exact) return nearest_doubles(a);
        py::list rows;
        for (std::size_t i = 0; i < a.rows; ++i) {
          py::list row;
          for (std::size_t j = 0; j < a.cols; ++j) {
            if (a.is_complex()) row.append(py::make_tuple(fraction(a.real(i, j)), fraction(a.imag(i, j))));
            else row.append(fraction(a.real(i, j)));
          }
          rows.append(row);
        }
        return rows;
      },
      py::arg("path"), py::arg("exact") = false,
      "Reads a matrix file as `barriers solve` does (.npy, .mat or FILE.mat:NAME by extension, else Matrix "
      "Market or CSV); vectors are n x 1. exact=False: the nearest doubles as a numpy array; exact=True: rows of "
      "fractions.Fraction ((re, im) pairs when complex). Bad files raise ValueError with the reader's message.");

  m.def(
      "write_matrix",
      [](const std::string& path, py::array values, const std::string& name) {
        const char kind = values.dtype().kind();
        if (kind != 'b' && kind != 'i' && kind != 'u' && kind != 'f' && kind != 'c')
          throw std::invalid_argument("values must be a numeric array, got dtype '" +
                                      py::str(values.dtype()).cast<std::string>() + "'");
        if (values.ndim() != 1 && values.ndim() != 2)
          throw std::invalid_argument("values must be a 1-D or 2-D array, got " + std::to_string(values.ndim()) + "-D");
        const std::size_t rows = values.shape(0), cols = values.ndim() == 2 ? values.shape(1) : 1;
        if (rows * cols == 0)
          throw std::invalid_argument("values is empty (" + std::to_string(rows) + "x" + std::to_string(cols) +
                                      "); a matrix file holds at least one entry");
        if (!valid_matlab_name(name))
          throw std::invalid_argument("name " + oracle::quote_input(name) +
                                      " is not a MATLAB variable name (a letter, then letters, digits or _; at "
                                      "most 63 characters)");
        const auto c = py::array_t<std::complex<double>, py::array::c_style | py::array::forcecast>::ensure(values);
        std::vector<double> re(rows * cols), im(kind == 'c' ? rows * cols : 0);
        for (std::size_t k = 0; k < rows * cols; ++k) {
          // The readers refuse NaN and Inf, so a file holding one could not be read back.
          if (!std::isfinite(c.data()[k].real()) || !std::isfinite(c.data()[k].imag()))
            throw std::invalid_argument("values has a NaN or infinite entry at [" + std::to_string(k / cols) + ", " +
                                        std::to_string(k % cols) + "]; all entries must be finite");
          re[k] = c.data()[k].real();
          if (!im.empty()) im[k] = c.data()[k].imag();
        }
        const auto ends = [&](const char* e) { return path.size() >= 4 && path.compare(path.size() - 4, 4, e) == 0; };
        std::string bytes;
        if (ends(".npy")) bytes = cli::npy_bytes(rows, cols, re, im);
        else if (ends(".mat")) bytes = cli::mat_bytes(name, rows, cols, re, im);
        else throw std::invalid_argument("write_matrix writes .npy and .mat files, not '" + path + "'");
        errno = 0;
        std::ofstream out(path, std::ios::binary);
        out.write(bytes.data(), std::streamsize(bytes.size()));
        out.close();
        if (!out) {  // OSError naming the file and the system's reason, as open() would raise
          PyErr_SetFromErrnoWithFilename(PyExc_OSError, path.c_str());
          throw py::error_already_set();
        }
      },
      py::arg("path"), py::arg("values"), py::arg("name") = "A",
      "Writes a 1-D or 2-D array of doubles (complex: complex128) as .npy (version 1.0, C order) or as a level 5 "
      ".mat file (uncompressed, variable `name`), by the extension of path; a 1-D array is a column.");
}

}  // namespace barriers::python
