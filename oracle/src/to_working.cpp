#include "barriers/oracle/to_working.hpp"

#include <stdexcept>
#include <string>

#include "barriers/precision/convert.hpp"

namespace barriers::oracle {
namespace {
template <class T>
struct is_complex : std::false_type {};
template <class R>
struct is_complex<std::complex<R>> : std::true_type {};

// "row 3, column 2" (1-based, as a user counts lines and fields in a file).
std::string position(std::size_t i, std::size_t j) {
  return "row " + std::to_string(i + 1) + ", column " + std::to_string(j + 1);
}
}  // namespace

template <class T>
WorkingMatrix<T> to_working(const RationalMatrix& m) {
  WorkingMatrix<T> out{Matrix<T>(Eigen::Index(m.rows), Eigen::Index(m.cols)), true};
  for (std::size_t i = 0; i < m.rows; ++i)
    for (std::size_t j = 0; j < m.cols; ++j) try {
      if constexpr (is_complex<T>::value) {
        using R = typename T::value_type;
        const auto z = from_rational<R>(m.real(i, j), m.imag(i, j));
        out.value(Eigen::Index(i), Eigen::Index(j)) = z.value;
        out.exact = out.exact && z.exact;
      } else {
        if (m.imag(i, j) != 0)
          throw std::invalid_argument("complex data (the entry at " + position(i, j) +
                                      " has a non-zero imaginary part) cannot be converted to a real type");
        const auto x = from_rational<T>(m.real(i, j));
        out.value(Eigen::Index(i), Eigen::Index(j)) = x.value;
        out.exact = out.exact && x.exact;
      }
    } catch (const outside_type_range& e) {
      throw outside_type_range("the entry at " + position(i, j) + ": " + e.what());
    }
  return out;
}

template WorkingMatrix<double> to_working<double>(const RationalMatrix&);
template WorkingMatrix<long double> to_working<long double>(const RationalMatrix&);
template WorkingMatrix<float128> to_working<float128>(const RationalMatrix&);
template WorkingMatrix<mpfr_real> to_working<mpfr_real>(const RationalMatrix&);
template WorkingMatrix<rational> to_working<rational>(const RationalMatrix&);
template WorkingMatrix<std::complex<double>> to_working<std::complex<double>>(const RationalMatrix&);
template WorkingMatrix<std::complex<long double>> to_working<std::complex<long double>>(const RationalMatrix&);
template WorkingMatrix<std::complex<float128>> to_working<std::complex<float128>>(const RationalMatrix&);
template WorkingMatrix<std::complex<mpfr_real>> to_working<std::complex<mpfr_real>>(const RationalMatrix&);

}  // namespace barriers::oracle
