// Uses each installed library once: certifies an Omega_K family (oracle and
// impossibility), then runs FIRENET in double and MPFR (solvers, precision).
#include <cstdio>

#include "barriers/impossibility/verify.hpp"
#include "barriers/precision/precision_guard.hpp"
#include "barriers/solvers/dense_operator.hpp"
#include "barriers/solvers/firenet.hpp"

using namespace barriers;

template <class T>
double firenet_residual() {
  Matrix<T> A(2, 3);
  A << T(1), T(0), T(1) / T(2), T(0), T(1), T(1) / T(4);
  Vector<T> y(2);
  y << T(1), T(0);
  FirenetSettings<T> s;
  s.lambda = T(1) / T(10);
  s.restarts = 20;
  s.inner = 20;
  const SolverResult<T> r = firenet(DenseOperator<T>(A), y, s);
  return static_cast<double>((A * r.solution - y).norm());
}

int main() {
  impossibility::FamilyParams params;
  params.K = 1;
  const bool certified = impossibility::verify_family(params).all_pass();
  const double r_double = firenet_residual<double>();
  PrecisionGuard guard(128);
  const double r_mpfr = firenet_residual<mpfr_real>();
  std::printf("family certified: %s\nFIRENET residual: double %.3g, MPFR 128 bits %.3g\n", certified ? "yes" : "no",
              r_double, r_mpfr);
  // FIRENET's floor after 20 restarts is about e^-20 ||y|| = 2e-9.
  return certified && r_double < 1e-6 && r_mpfr < 1e-6 ? 0 : 1;
}
