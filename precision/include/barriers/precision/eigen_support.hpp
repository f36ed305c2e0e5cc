// Eigen support for every supported number type.
//
// Include this, not <Eigen/Core> directly, wherever Eigen matrices hold
// barriers number types: Boost's eigen.hpp supplies NumTraits for the
// multiprecision types (and their std::complex counterparts work through
// Eigen's generic complex support).
//
// Known traps (Boost 1.74 + Eigen 3.4): stableNorm()/blueNorm() do not
// compile for Boost types; NumTraits<T>::lowest() is wrong for them; assign
// complex entries with std::complex<R>(re, im), not a brace list.
#pragma once

#include "barriers/precision/types.hpp"

#include <boost/multiprecision/eigen.hpp>
#include <Eigen/Core>

namespace barriers {

template <class T>
using Matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;
template <class T>
using Vector = Eigen::Matrix<T, Eigen::Dynamic, 1>;

}  // namespace barriers
