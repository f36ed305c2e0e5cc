// Duality gaps for (P1)-(P3), instantiated for every scalar type.
#include "barriers/solvers/optimality.hpp"

#include <Eigen/Cholesky>
#include <stdexcept>
#include <vector>

namespace barriers {

namespace {

// Above this many multiply-adds (k^2 m) the Gram matrix A_S^* A_S is not
// formed: conjugate gradients on it with A's own apply cost O(m + N) memory
// and two applications per step (an image's support can hold thousands of
// coefficients: 256 x 256 Fourier formed m x m complex matrices, 8 GB).
constexpr double dense_support_work = 1e7;
// Conjugate-gradient steps at most. The result need not be the exact
// least-norm solution: dual_value_on_ray scales any u into the dual's
// feasible set, so the bound stays rigorous and only its tightness varies.
constexpr int support_cg_steps = 500;

// The least-norm u with (A^* u)_i = t_i on a set S: u = A_S v with
// (A_S^* A_S) v = t_S; empty when S is empty, larger than m (A_S^* A_S is
// then singular), or the solve fails. Exact (LDLT) while the Gram matrix is
// cheap, conjugate gradients beyond.
template <class T>
Vector<T> least_norm_dual(const LinearOperator<T>& A, const std::vector<Eigen::Index>& S, const Vector<T>& t) {
  using Real = real_of<T>;
  const Eigen::Index k = Eigen::Index(S.size()), m = A.rows();
  if (k == 0 || k > m) return {};
  Vector<T> rhs(k);
  for (Eigen::Index j = 0; j < k; ++j) rhs(j) = t(S[j]);
  if (double(k) * double(k) * double(m) <= dense_support_work) {
    Matrix<T> AS(m, k);
    Vector<T> e = Vector<T>::Zero(A.cols()), column;
    for (Eigen::Index j = 0; j < k; ++j) {
      e(S[j]) = T(1);
      A.apply(e, column);
      e(S[j]) = T(0);
      AS.col(j) = column;
    }
    const Eigen::LDLT<Matrix<T>> ldlt(Matrix<T>(AS.adjoint() * AS));
    if (ldlt.info() != Eigen::Success) return {};
    const Vector<T> v = ldlt.solve(rhs);
    if (!all_finite(v)) return {};
    return AS * v;
  }
  // CG on G v = t_S, G = E_S^* A^* A E_S (E_S puts v on S in an N-vector).
  Vector<T> full = Vector<T>::Zero(A.cols()), image, back;
  auto gram = [&](const Vector<T>& d, Vector<T>& out) {
    for (Eigen::Index j = 0; j < k; ++j) full(S[j]) = d(j);
    A.apply(full, image);
    A.apply_adjoint(image, back);
    out.resize(k);
    for (Eigen::Index j = 0; j < k; ++j) out(j) = back(S[j]);
  };
  Vector<T> v = Vector<T>::Zero(k), r = rhs, d = rhs, Gd;
  Real rr = r.squaredNorm();
  const Real stop = rr * number_traits<Real>::epsilon() * number_traits<Real>::epsilon() * 100;  // ||r|| <= 10 eps ||t_S||
  for (int step = 0; step < support_cg_steps && rr > stop; ++step) {
    gram(d, Gd);
    const Real dGd = real_inner(d, Gd);  // d^* G d, real: G is Hermitian
    if (!(dGd > 0)) break;
    const Real alpha = rr / dGd;
    v += T(alpha) * d;
    r -= T(alpha) * Gd;
    const Real next = r.squaredNorm();
    d = r + T(next / rr) * d;
    rr = next;
  }
  if (!all_finite(v)) return {};
  for (Eigen::Index j = 0; j < k; ++j) full(S[j]) = v(j);
  A.apply(full, image);
  return image;
}

// A dual direction from the optimality condition on the support of x,
// S = {i : |x_i| > cut}: (A^* u)_i = -c w_i sgn(x_i) there (stationarity of
// the Lagrangian in x). At an exact fit (P1 with eta = 0, P3 with A x = y)
// the residual gives no dual direction and this one does. The least-norm
// such u may break |(A^* u)_i| <= c w_i off S; each violated i is then
// added to S with its value clamped to the bound (same phase), a few rounds
// (an active-set step towards a certificate that meets every constraint).
template <class T>
Vector<T> support_dual_direction(const LinearOperator<T>& A, const Vector<T>& x, const real_of<T>& c,
                                 const Vector<real_of<T>>& w, const real_of<T>& cut) {
  using Real = real_of<T>;
  auto bound = [&](Eigen::Index i) { return c * (w.size() == 0 ? Real(1) : w(i)); };
  std::vector<Eigen::Index> S;
  std::vector<bool> in(std::size_t(x.size()), false);
  Vector<T> t = Vector<T>::Zero(x.size());
  for (Eigen::Index i = 0; i < x.size(); ++i)
    if (modulus(x(i)) > cut) {
      S.push_back(i);
      in[std::size_t(i)] = true;
      t(i) = -(x(i) / T(modulus(x(i)))) * T(bound(i));
    }
  Vector<T> u = least_norm_dual(A, S, t);
  for (int round = 0; round < 8 && u.size() != 0; ++round) {
    const Vector<T> v = A.adjoint(u);
    bool added = false;
    for (Eigen::Index i = 0; i < x.size(); ++i) {
      const Real vi = modulus(v(i));
      if (!in[std::size_t(i)] && vi > bound(i)) {
        S.push_back(i);
        in[std::size_t(i)] = true;
        t(i) = (v(i) / T(vi)) * T(bound(i));
        added = true;
      }
    }
    if (!added) break;
    Vector<T> next = least_norm_dual(A, S, t);
    if (next.size() == 0) break;  // S outgrew m: keep the last certificate
    u.swap(next);
  }
  return u;
}

}  // namespace

std::string to_string(DualSource source) {
  switch (source) {
    case DualSource::residual: return "residual";
    case DualSource::solver: return "solver";
    case DualSource::support: return "support";
  }
  return "unknown";
}

template <class T>
real_of<T> dual_value_on_ray(SparseProblem p, const LinearOperator<T>& A, const Vector<T>& y, const Vector<T>& u,
                             const real_of<T>& lambda, const real_of<T>& eta, const Vector<real_of<T>>& w) {
  using Real = real_of<T>;
  const Real zero(0);
  const Real u_norm = u.norm();
  if (!(u_norm > 0)) return zero;
  const Vector<T> v = A.adjoint(u);
  // theta_max: |theta (A^* u)_i| <= c w_i, c = lambda (P2, P3) or 1 (P1).
  const Real c = p == SparseProblem::p1_basis_pursuit ? Real(1) : lambda;
  bool bounded = false;
  Real theta_max = zero;
  for (Eigen::Index i = 0; i < v.size(); ++i) {
    const Real vi = modulus(v(i));
    if (!(vi > 0)) continue;
    const Real limit = c * (w.size() == 0 ? Real(1) : w(i)) / vi;
    if (!bounded || limit < theta_max) theta_max = limit;
    bounded = true;
  }
  if (p == SparseProblem::p3_sqrt_lasso) {
    const Real ball = 1 / u_norm;
    if (!bounded || ball < theta_max) theta_max = ball;
    bounded = true;
  }
  const Real uy = real_inner(u, y);
  switch (p) {
    case SparseProblem::p1_basis_pursuit: {
      const Real slope = -uy - eta * u_norm;  // D(theta u) = theta slope
      return bounded && slope > 0 ? Real(theta_max * slope) : zero;
    }
    case SparseProblem::p2_lasso: {
      // D(theta u) = -theta uy - theta^2 ||u||^2 / 4, maximal at -2 uy / ||u||^2.
      Real theta = -2 * uy / (u_norm * u_norm);
      if (theta < 0) theta = zero;
      if (bounded && theta > theta_max) theta = theta_max;
      return -theta * uy - theta * theta * u_norm * u_norm / 4;
    }
    case SparseProblem::p3_sqrt_lasso:
      return -uy > 0 ? Real(-theta_max * uy) : zero;
  }
  return zero;
}

template <class T>
OptimalityReport<real_of<T>> duality_gap(SparseProblem p, const LinearOperator<T>& A, const Vector<T>& y,
                                         const Vector<T>& x, const Vector<T>& dual_hint,
                                         const real_of<T>& lambda, const real_of<T>& eta,
                                         const Vector<real_of<T>>& w) {
  using Real = real_of<T>;
  using std::abs;
  if (x.size() != A.cols() || y.size() != A.rows())
    throw std::invalid_argument("the duality gap needs x of length " + std::to_string(A.cols()) + " and y of length " +
                                std::to_string(A.rows()) + ", got " + std::to_string(x.size()) + " and " +
                                std::to_string(y.size()) + ".");
  OptimalityReport<Real> report;
  report.primal = sparse_objective(p, A, y, x, lambda, w);
  report.infeasibility = feasibility_gap(p, A, y, x, eta);
  const Vector<T> residual = A.forward(x) - y;
  report.dual = dual_value_on_ray(p, A, y, residual, lambda, eta, w);
  report.dual_from = DualSource::residual;
  auto consider = [&](const Vector<T>& u, DualSource source) {
    if (u.size() != A.rows() || !all_finite(u)) return;
    const Real d = dual_value_on_ray(p, A, y, u, lambda, eta, w);
    if (d > report.dual) {
      report.dual = d;
      report.dual_from = source;
    }
  };
  consider(dual_hint, DualSource::solver);
  // Supports: the exact non-zeros, and the entries above sqrt(u) and u^(1/4)
  // of the largest (averaged iterates keep tiny non-zeros off the support).
  using std::sqrt;
  const Real c = p == SparseProblem::p1_basis_pursuit ? Real(1) : lambda;
  const Real x_max = x.size() ? Real(x.cwiseAbs().maxCoeff()) : Real(0);
  const Real root = sqrt(number_traits<Real>::epsilon());
  Eigen::Index last_size = -1;
  for (const Real& cut : {Real(0), Real(x_max * root), Real(x_max * sqrt(root))}) {
    Eigen::Index size = 0;
    for (Eigen::Index i = 0; i < x.size(); ++i) size += modulus(x(i)) > cut ? 1 : 0;
    if (size == last_size) continue;  // the same support as the previous cut
    last_size = size;
    consider(support_dual_direction(A, x, c, w, cut), DualSource::support);
  }
  report.gap = report.primal - report.dual;
  Real scale = abs(report.primal);
  if (abs(report.dual) > scale) scale = abs(report.dual);
  report.relative_gap = scale > 0 ? Real(report.gap / scale) : Real(0);
  return report;
}

#define BARRIERS_X(T)                                                                                             \
  template OptimalityReport<real_of<T>> duality_gap<T>(SparseProblem, const LinearOperator<T>&, const Vector<T>&, \
                                                       const Vector<T>&, const Vector<T>&, const real_of<T>&,     \
                                                       const real_of<T>&, const Vector<real_of<T>>&);             \
  template real_of<T> dual_value_on_ray<T>(SparseProblem, const LinearOperator<T>&, const Vector<T>&,            \
                                           const Vector<T>&, const real_of<T>&, const real_of<T>&,               \
                                           const Vector<real_of<T>>&);
BARRIERS_FOR_EACH_SCALAR(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
