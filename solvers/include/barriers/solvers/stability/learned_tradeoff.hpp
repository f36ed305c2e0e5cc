// The stability-accuracy trade-off (THEORY.md section 6, issue 10) for a
// detail h: if a map Phi recovers both x and x + h from exact measurements,
//     ||Phi(A x + A h) - Phi(A x)|| = ||h||  with input change ||A h||,
// so its Lipschitz constant is at least ||h|| / ||A h||; recovering each to
// within eps still forces at least (||h|| - 2 eps) / ||A h||. A detail that
// is nearly in the null space of A (||A h|| << ||h||) can therefore only be
// learned at the price of instability.
//
// Here h is an image (pixels); in coefficients it is W h, with ||W h|| =
// ||h|| (W orthogonal, up to rounding).
#pragma once

#include "barriers/solvers/imaging/imaging_problem.hpp"
#include "barriers/solvers/stability/learned_ista.hpp"

namespace barriers {

/// The word of text_detail (phantom.hpp) on its own: text_detail(shape)
/// minus its two Gaussian bumps, i.e. 0.2 on the font pixels and 0
/// elsewhere. The bumps are recomputed here with the formula of phantom.cpp
/// (the test checks that the difference is 0 or 0.2 up to rounding), and each
/// pixel is then set to exactly 0.2 or 0 by comparing the difference with 0.1.
template <class R>
Matrix<R> text_detail_ink(ImageShape shape);

template <class R>
struct DetailBound {
  R detail_norm;    ///< ||h||
  R measured_norm;  ///< ||A W h||
  R ratio;          ///< ||h|| / ||A W h||: the lower bound on the Lipschitz constant (infinite if A W h = 0)
};

/// Throws std::invalid_argument for a detail of another shape or a zero detail.
template <class T>
DetailBound<real_of<T>> detail_lipschitz_bound(const ImagingProblem<T>& problem, const Matrix<real_of<T>>& detail);

/// How much of h the map puts back: the mean over the ys of
/// Re<Phi(y + A W h) - Phi(y), W h> / ||h||^2 (1: h recovered along its own
/// direction, 0: ignored). Throws std::invalid_argument for an empty list or
/// a detail of another shape.
template <class T>
real_of<T> detail_recovered(ReconstructionMap<T>& map, const ImagingProblem<T>& problem,
                            const Matrix<real_of<T>>& detail, const std::vector<Vector<T>>& ys);

#define BARRIERS_X(T)                                                                                           \
  extern template DetailBound<real_of<T>> detail_lipschitz_bound<T>(const ImagingProblem<T>&,                   \
                                                                     const Matrix<real_of<T>>&);                 \
  extern template real_of<T> detail_recovered<T>(ReconstructionMap<T>&, const ImagingProblem<T>&,              \
                                                 const Matrix<real_of<T>>&, const std::vector<Vector<T>>&);
BARRIERS_FOR_EACH_SCALAR(BARRIERS_X)
#undef BARRIERS_X
#define BARRIERS_X(R) extern template Matrix<R> text_detail_ink<R>(ImageShape);
BARRIERS_FOR_EACH_REAL(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
