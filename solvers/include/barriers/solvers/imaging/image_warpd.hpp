// WARPd for images: total variation, analysis l1 and second-order TGV
// regularisers on the image itself, and the same problems solved by the
// non-restarted primal-dual baseline.
//
// The unknown is the image u (N pixels, stored as in image_shape.hpp), the
// data y = A_img u + e with A_img acting on images (e.g. P_Omega F: see
// sampled_image_operator), and the problem
//     min R(u)  s.t.  ||A_img u - y||_2 <= eps
// with R one of
//   tv        ||grad u||_{2,1} = sum_pixels |grad u|_2      (isotropic TV)
//   analysis  sum_levels w_l ||(W u)_level||_1              (W e.g. a wavelet analysis)
//   tgv       min_v alpha1 ||grad u - v||_{2,1} + alpha0 ||E v||_{2,1}
// (gradient_2d.hpp: Neumann forward differences; E the symmetrised
// gradient, Frobenius norm per pixel). Each is WARPd (warpd.hpp) with J = 0
// and a grouped l1 norm on B u: B = grad (groups of 2), B = W (one weight
// per level), and for TGV the unknown z = (u, v) (3N entries) with
// A_z = [A_img, 0] and B z = [grad u - v; E v] (groups of 2 with weight
// alpha1, groups of 4 with weight alpha0), so WARPd's restart scheme applies
// unchanged. ||B_tgv|| <= sqrt((17 + sqrt 33) / 2) = 3.3723 (from
// ||grad|| <= sqrt 8, ||E|| <= sqrt 8 and ||v|| <= ||v||), so 27/8 = 3.375
// is an exact bound with room for the rounding (a few u).
//
// The baseline is the same primal-dual iteration without restarts: one run
// of restarts x inner steps with the step sizes of WARPd's first restart
// (what WARPd does when the restarts are switched off), so the two can be
// drawn on one plot against the same iteration count.
#pragma once

#include <memory>
#include <vector>

#include "barriers/solvers/imaging/image_shape.hpp"
#include "barriers/solvers/warpd.hpp"

namespace barriers {

enum class ImageRegulariserKind { tv, analysis, tgv };

template <class T>
struct ImageRegularisation {
  using Real = real_of<T>;
  ImageRegulariserKind kind = ImageRegulariserKind::tv;
  OperatorPtr<T> analysis;                 ///< analysis: W (N columns), e.g. a WaveletTransform<T>
  std::vector<Eigen::Index> level_starts;  ///< analysis: boundaries of W's levels (first 0, last W.rows())
  std::vector<Real> level_weights;         ///< analysis: one weight > 0 per level; empty = plain l1
  Real alpha1 = Real(1);                   ///< tgv: weight of ||grad u - v||_{2,1} (> 0)
  Real alpha0 = Real(2);                   ///< tgv: weight of ||E v||_{2,1} (> 0)
};

/// P_Omega U acting on images: the rows `omega` of the unitary transform U
/// (FourierTransform or WalshHadamard), a SampledTransform with the identity
/// as its sparsifying transform. delta_U as for SampledTransform.
template <class T>
OperatorPtr<T> sampled_image_operator(OperatorPtr<T> U, std::vector<Eigen::Index> omega,
                                      real_of<T> delta_U = real_of<T>(0));

/// WARPd on the image problem. `settings` as for warpd() except: B, groups,
/// weights and l1_on_x are set here (B and groups must be left empty);
/// x0 and reference, when given, are images (N entries); L_B = 0 takes the
/// regulariser's bound. Result::solution is the image u (for TGV the u part
/// of z), objective = R(u) (TGV: the objective at (u, v)), feasibility_gap =
/// (||A_img u - y|| - eps)_+. Throws std::invalid_argument for sizes or
/// settings that do not fit.
template <class T>
SolverResult<T> image_warpd(const LinearOperator<T>& A_img, const Vector<T>& y, ImageShape shape,
                            const ImageRegularisation<T>& regularisation, const WarpdSettings<T>& settings);

/// The non-restarted baseline: the same problem, one run of restarts x inner
/// steps (inner: settings.inner, or WARPd's automatic count), ergodic or
/// last iterate as settings.ergodic says.
template <class T>
SolverResult<T> image_primal_dual_baseline(const LinearOperator<T>& A_img, const Vector<T>& y, ImageShape shape,
                                           const ImageRegularisation<T>& regularisation,
                                           const WarpdSettings<T>& settings);

/// warpd_grid_search on the image problem (runs' solutions are images).
template <class T>
WarpdGridResult<T> image_warpd_grid_search(const LinearOperator<T>& A_img, const Vector<T>& y, ImageShape shape,
                                           const ImageRegularisation<T>& regularisation,
                                           const WarpdSettings<T>& settings, const WarpdGridSearch<T>& grid);

#define BARRIERS_X(T)                                                                                           \
  extern template OperatorPtr<T> sampled_image_operator<T>(OperatorPtr<T>, std::vector<Eigen::Index>, real_of<T>); \
  extern template SolverResult<T> image_warpd<T>(const LinearOperator<T>&, const Vector<T>&, ImageShape,            \
                                                 const ImageRegularisation<T>&, const WarpdSettings<T>&);           \
  extern template SolverResult<T> image_primal_dual_baseline<T>(const LinearOperator<T>&, const Vector<T>&,         \
                                                                ImageShape, const ImageRegularisation<T>&,          \
                                                                const WarpdSettings<T>&);                           \
  extern template WarpdGridResult<T> image_warpd_grid_search<T>(const LinearOperator<T>&, const Vector<T>&,         \
                                                                ImageShape, const ImageRegularisation<T>&,          \
                                                                const WarpdSettings<T>&, const WarpdGridSearch<T>&);
BARRIERS_FOR_EACH_SCALAR(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
