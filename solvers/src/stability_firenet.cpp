// FirenetMap: FIRENET's forward pass with a tape, and its reverse mode.
#include "barriers/solvers/stability/firenet_gradient.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "barriers/solvers/prox.hpp"
#include "barriers/solvers/sparse_problem.hpp"
#include "in_place_ops.hpp"
#include "restart.hpp"

namespace barriers {

namespace {

// g <- J^* g for x = soft_t(v) (J symmetric). Real: g where |v| > t, else 0.
// Complex, |v| = r > t: x = (1 - t/r) v, J = (1 - t/r) I + (t/r^3) v v^T in
// R^2, so g <- (1 - t/r) g + (t/r^3) Re(conj(v) g) v.
template <class T>
void soft_threshold_backward(const Vector<T>& v, const Vector<real_of<T>>& t, Vector<T>& g) {
  using Real = real_of<T>;
  if constexpr (in_place_ops::in_place<T>) {  // kept numbers, the roundings of the generic path below
    thread_local Real m, proj;
    for (Eigen::Index i = 0; i < v.size(); ++i) {
      in_place_ops::modulus_into(m, v(i));
      if (!(m > t(i))) {
        Real* gi = in_place_ops::parts(g(i));
        for (int c = 0; c < in_place_ops::width<T>; ++c) gi[c] = 0;
      } else if constexpr (number_traits<T>::is_complex) {
        in_place_ops::soft_backward_complex(g(i), v(i), t(i), m, proj);
      }
    }
    return;
  }
  for (Eigen::Index i = 0; i < v.size(); ++i) {
    const Real m = modulus(v(i));
    if (!(m > t(i))) {
      g(i) = T(0);  // at or inside the kink: derivative 0
      continue;
    }
    if constexpr (number_traits<T>::is_complex) {
      const Real radial = (v(i).real() * g(i).real() + v(i).imag() * g(i).imag()) * t(i) / (m * m * m);
      g(i) = g(i) * Real(1 - t(i) / m) + v(i) * radial;
    }
  }
}

// g <- J^* g for z = proj_{||.||<=1}(u): when ||u|| > 1, z = u / ||u|| and
// J = (I - z z^T) / ||u|| (symmetric); otherwise J = I.
template <class T>
void projection_backward(const Vector<T>& u, const real_of<T>& u_norm, Vector<T>& g) {
  using Real = real_of<T>;
  if constexpr (in_place_ops::in_place<T>) {  // g = (g - u c) / ||u||, c = <u, g> / ||u||^2
    if (!(u_norm > 1)) return;
    thread_local Real c, q;
    in_place_ops::real_inner_into(c, u, g);
    q = u_norm;
    q *= u_norm;
    c /= q;
    Real* gr = in_place_ops::reals(g);
    const Real* ur = in_place_ops::reals(u);
    for (Eigen::Index k = 0; k < in_place_ops::width<T> * g.size(); ++k) {
      q = ur[k];
      q *= c;
      gr[k] -= q;
      gr[k] /= u_norm;
    }
    return;
  }
  if (!(u_norm > Real(1))) return;
  const Real c = real_inner(u, g) / (u_norm * u_norm);
  g = (g - u * c) / u_norm;
}

}  // namespace

template <class T>
FirenetMap<T>::FirenetMap(OperatorPtr<T> A, const FirenetSettings<T>& settings) : A_(std::move(A)) {
  if (!A_) throw std::invalid_argument("the FIRENET map got a null operator; it needs A.");
  plan_ = detail::make_firenet_plan(*A_, settings);
  const std::size_t n = std::size_t(plan_.restarts), steps = n * std::size_t(plan_.inner);
  psi_.assign(n + 1, Vector<T>::Zero(A_->cols()));
  v_.assign(steps, Vector<T>(A_->cols()));
  u_.assign(steps, Vector<T>(A_->rows()));
  u_norm_.assign(steps, Real(0));
  eps_.assign(n, Real(0));
  deps_.assign(n, Real(0));
  alphas_.assign(n, Real(0));
  dalpha_.assign(n, Real(0));
}

// eps0, the restart levels eps_r, their derivatives d eps_r / d eps0 and
// alpha_r = 2 L / (eps_r p) for MPFR on kept numbers, with the roundings of
// firenet_eps0, firenet_alphas and the generic block in forward(): eps_r =
// max(e^-1 (delta + eps_{r-1}), eps0 u); on the floor d eps_r scales by u
// (0 when eps0 u underflowed), else by e^-1.
template <class T>
void FirenetMap<T>::schedule_in_place() {
  if constexpr (in_place_ops::in_place<T>) {
    using std::exp;
    const int n = plan_.restarts;
    if (factor_ == 0 || factor_.precision() != mpfr_real::default_precision()) {  // made once per working precision
      for (Real* x : {&factor_, &unit_, &floor_, &level_, &unclamped_, &scalar_, &norm_y_, &sum_}) *x = Real();
      factor_ = Real(exp(Real(-1)));
      unit_ = number_traits<Real>::epsilon();
    }
    if (plan_.eps0) {
      eps0_ = *plan_.eps0;
    } else {
      in_place_ops::norm_into(eps0_, y_);
      if (!(eps0_ > 0)) eps0_ = 1;  // y = 0: any eps0 > 0 gives x = 0
    }
    floor_ = eps0_;  // RestartLevel: floor = eps0 u, or u when that is 0
    floor_ *= unit_;
    const bool floor_positive = floor_ > 0;
    if (!floor_positive) floor_ = unit_;
    level_ = eps0_;
    if (level_ < floor_) level_ = floor_;
    scalar_ = level_ == eps0_ ? 1 : 0;  // d eps / d eps0
    for (int r = 0; r < n; ++r) {
      unclamped_ = plan_.delta;  // e^-1 (delta + eps)
      unclamped_ += level_;
      unclamped_ *= factor_;
      level_ = unclamped_;
      if (level_ < floor_) level_ = floor_;
      if (unclamped_ < floor_) {
        if (floor_positive)
          scalar_ = unit_;
        else
          scalar_ = 0;
      } else {
        scalar_ *= factor_;
      }
      eps_[r] = level_;
      deps_[r] = scalar_;
      alphas_[r] = plan_.L;  // 2 L / (eps p)
      alphas_[r] *= 2;
      unclamped_ = level_;
      unclamped_ *= plan_.inner;
      alphas_[r] /= unclamped_;
    }
  }
}

template <class T>
void FirenetMap<T>::forward(const Vector<T>& y, Vector<T>& out) {
  using std::exp;
  detail::check_data(*A_, y);
  const int n = plan_.restarts, p = plan_.inner;
  y_ = y;
  if constexpr (in_place_ops::in_place<T>) {
    schedule_in_place();
  } else {
    eps0_ = detail::firenet_eps0(plan_, y);
    alphas_ = detail::firenet_alphas(plan_, eps0_);
    // eps_r and d eps_r / d eps0 along the same schedule firenet_alphas runs:
    // eps_r = e^-1 (delta + eps_{r-1}) scales with eps0 by e^-r; on the floor
    // eps0 u it scales by u (0 when eps0 u underflowed and the floor is u).
    {
      const Real factor = Real(exp(Real(-1)));
      detail::RestartLevel<Real> eps(eps0_, factor, plan_.delta);
      const Real u = number_traits<Real>::epsilon();
      Real d = eps.value() == eps0_ ? Real(1) : Real(0);
      for (int r = 0; r < n; ++r) {
        const Real unclamped = factor * (plan_.delta + eps.value());
        eps.shrink();
        d = unclamped < eps.floor() ? (eps0_ * u > 0 ? u : Real(0)) : Real(factor * d);
        eps_[r] = eps.value();
        deps_[r] = d;
      }
    }
  }
  const Eigen::Index m = A_->rows(), N = A_->cols();
  std::size_t k = 0;
  using namespace in_place_ops;
  for (int r = 0; r < n; ++r) {
    const Real& alpha = alphas_[r];
    x_ = psi_[r];
    scale(x_, alpha);
    set_zero(z_, m);
    set_zero(S_, N);
    say_ = y;
    scalar_ = plan_.sigma;
    scalar_ *= alpha;
    scale(say_, scalar_);
    for (int i = 0; i < p; ++i, ++k) {
      // FIRENET's own steps (the same code as firenet() and FirenetNetwork,
      // so the same bits), keeping v, u and ||u|| for the reverse mode.
      detail::firenet_primal_step(*A_, plan_, x_, z_, x_new_, v_[k]);
      detail::firenet_dual_ascent_into(*A_, plan_, x_, x_new_, say_, z_, dir_, work_m_, u_norm_[k]);
      u_[k] = z_;
      detail::firenet_dual_project(z_, u_norm_[k]);
      x_.swap(x_new_);
      add(S_, x_);
    }
    psi_[r + 1] = S_;
    scalar_ = alpha;
    scalar_ *= p;
    divide(psi_[r + 1], scalar_);
  }
  out = psi_[n];
  have_forward_ = true;
}

template <class T>
void FirenetMap<T>::backward(const Vector<T>& g, Vector<T>& g_y) {
  this->check_backward(have_forward_, g);
  const int n = plan_.restarts, p = plan_.inner;
  const Eigen::Index m = A_->rows();
  using namespace in_place_ops;
  gpsi_ = g;
  fresh_output(g_y, m);  // at the working precision, whatever g_y held before
  for (int r = n; r-- > 0;) {
    const Real& alpha = alphas_[r];
    Real& dalpha = dalpha_[r];
    // psi_r = S / (p alpha): d psi / d alpha = -psi_r / alpha
    real_inner_into(dalpha, gpsi_, psi_[r + 1]);
    dalpha /= alpha;
    dalpha *= -1;
    gS_ = gpsi_;
    scalar_ = alpha;  // p alpha
    scalar_ *= p;
    divide(gS_, scalar_);
    gx_ = gS_;  // d/dx_p: only through S
    set_zero(gz_, m);  // z_p is not used after the restart
    set_zero(gsay_, m);
    for (int i = p; i >= 1; --i) {
      const std::size_t k = std::size_t(r) * std::size_t(p) + std::size_t(i - 1);
      // dual step i: z_i = proj(u), u = z_{i-1} + sigma A (2 x_i - x_{i-1}) - say
      projection_backward<T>(u_[k], u_norm_[k], gz_);  // gz_ = d/du = d/dz_{i-1} (so far)
      subtract(gsay_, gz_);
      A_->apply_adjoint(gz_, gd_);
      scale(gd_, plan_.sigma);  // d/d(2 x_i - x_{i-1})
      add_scaled(gx_, gd_, two_);
      // primal step i: x_i = soft(v), v = x_{i-1} - tau A^* z_{i-1}
      soft_threshold_backward<T>(v_[k], plan_.thresholds, gx_);  // gx_ = d/dv
      A_->apply(gx_, gm_);
      subtract_scaled(gz_, gm_, plan_.tau);
      subtract(gx_, gd_);  // d/dx_{i-1}
      if (i > 1) add(gx_, gS_);
    }
    // x_0 = alpha psi_{r-1}; say = sigma alpha y
    real_inner_into(inner_a_, gx_, psi_[r]);
    real_inner_into(inner_b_, gsay_, y_);
    if constexpr (in_place<T>) {  // dalpha += inner_a + sigma inner_b
      scalar_ = plan_.sigma;
      scalar_ *= inner_b_;
      scalar_ += inner_a_;
      dalpha += scalar_;
    } else {  // as written (the compiler may fuse a multiply-add)
      dalpha += inner_a_ + plan_.sigma * inner_b_;
    }
    scalar_ = plan_.sigma;
    scalar_ *= alpha;
    add_scaled(g_y, gsay_, scalar_);
    gpsi_ = gx_;
    scale(gpsi_, alpha);
  }
  if (!plan_.eps0) {
    norm_into(norm_y_, y_);
    if (norm_y_ > 0) {
      // alpha_r = 2 L / (eps_r p): d alpha_r / d eps0 = -(alpha_r / eps_r) d eps_r / d eps0
      sum_ = 0;  // geps0 = -sum_r dalpha_r alpha_r / eps_r deps_r
      for (int r = 0; r < n; ++r) {
        if constexpr (in_place<T>) {
          scalar_ = dalpha_[r];
          scalar_ *= alphas_[r];
          scalar_ /= eps_[r];
          scalar_ *= deps_[r];
          sum_ -= scalar_;
        } else {  // as written (the compiler may fuse a multiply-add)
          sum_ -= dalpha_[r] * alphas_[r] / eps_[r] * deps_[r];
        }
      }
      sum_ /= norm_y_;
      add_scaled(g_y, y_, sum_);
    }
  }
}

#define BARRIERS_X(T) template class FirenetMap<T>;
BARRIERS_FOR_EACH_SCALAR(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
