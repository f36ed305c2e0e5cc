// Converts oracle answers to a working number type T for an algorithm.
//
// Every entry is rounded once, to nearest, at T's precision in force; the
// result says whether any entry changed (an answer with 60 fraction bits is
// exact in mpfr at 200 bits, rounded in double).
#pragma once

#include "barriers/oracle/rational_matrix.hpp"
#include "barriers/precision/eigen_support.hpp"

namespace barriers::oracle {

template <class T>
struct WorkingMatrix {
  Matrix<T> value;
  bool exact;  ///< no entry was rounded
};

/// Real T: throws std::invalid_argument if m is complex with a non-zero
/// imaginary part. Complex T = std::complex<R>: both parts converted.
template <class T>
WorkingMatrix<T> to_working(const RationalMatrix& m);

#define BARRIERS_TO_WORKING_EXTERN(T) \
  extern template WorkingMatrix<T> to_working<T>(const RationalMatrix&);
BARRIERS_TO_WORKING_EXTERN(double)
BARRIERS_TO_WORKING_EXTERN(long double)
BARRIERS_TO_WORKING_EXTERN(float128)
BARRIERS_TO_WORKING_EXTERN(mpfr_real)
BARRIERS_TO_WORKING_EXTERN(rational)
BARRIERS_TO_WORKING_EXTERN(std::complex<double>)
BARRIERS_TO_WORKING_EXTERN(std::complex<long double>)
BARRIERS_TO_WORKING_EXTERN(std::complex<float128>)
BARRIERS_TO_WORKING_EXTERN(std::complex<mpfr_real>)
#undef BARRIERS_TO_WORKING_EXTERN

}  // namespace barriers::oracle
