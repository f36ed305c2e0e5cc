#include "barriers/impossibility/sweep.hpp"

#include <cmath>
#include <stdexcept>

#include "barriers/impossibility/distance.hpp"
#include "barriers/oracle/oracle.hpp"
#include "barriers/oracle/to_working.hpp"
#include "barriers/precision/convert.hpp"
#include "barriers/precision/precision_guard.hpp"
#include "barriers/solvers/dense_operator.hpp"
#include "barriers/solvers/firenet.hpp"
#include "barriers/solvers/primal_dual.hpp"

namespace barriers::impossibility {

using oracle::ExactMatrix;

void SweepSettings::validate() const {
  auto fail = [](const std::string& m) { throw std::invalid_argument(m); };
  if (instance != "gaussian" && instance != "family")
    fail("unknown instance '" + instance + "': allowed are gaussian, family");
  if (solver != "firenet" && solver != "pdhg") fail("unknown solver '" + solver + "': allowed are firenet, pdhg");
  if (instance == "family") {
    if (family.problem != Problem::p3) fail("the sweep solves the square-root LASSO: use --problem p3");
    family.validate();
  } else {
    if (rows < 1 || cols < 1 || rows > 2000 || cols > 2000)
      fail("gaussian size " + std::to_string(rows) + "x" + std::to_string(cols) + " is out of range: allowed 1..2000");
    if (sparsity < 1 || sparsity > cols)
      fail("sparsity " + std::to_string(sparsity) + " is out of range: allowed 1.." + std::to_string(cols));
    if (lambda <= 0) fail("lambda = " + lambda.str() + " must be positive");
  }
  if (inner < 1) fail("inner = " + std::to_string(inner) + " must be at least 1");
  if (ns.empty() || bits.empty() || iterations.empty()) fail("the n, bits and iteration lists must not be empty");
  for (long n : ns)
    if (n < 0 || n > 100000) fail("n = " + std::to_string(n) + " is out of range: allowed 0..100000");
  for (unsigned b : bits)
    if (b < 2 || b > 100000) fail("bits = " + std::to_string(b) + " is out of range: allowed 2..100000");
  for (long it : iterations)
    if (it < 1 || it > 100000000) fail("iterations = " + std::to_string(it) + " is out of range: allowed 1..1e8");
}

namespace {

// Portable seeded Gaussian sparse-recovery instance with exact data: the
// matrix entries and the non-zeros are doubles used as exact rationals.
struct Exact {
  oracle::Instance instance;
  ExactMatrix minimiser;
  rational lambda;
  std::string description;
};

Exact gaussian_instance(const SweepSettings& s) {
  std::uint64_t state = s.seed * 0x9e3779b97f4a7c15ULL + 12345;
  auto next = [&state]() {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  };
  auto uniform = [&next]() { return double(next() >> 11) * 0x1.0p-53; };
  auto normal = [&uniform]() {
    const double u = 1.0 - uniform(), v = uniform();
    return std::sqrt(-2.0 * std::log(u)) * std::cos(6.283185307179586 * v);
  };
  oracle::RationalMatrix A(s.rows, s.cols), x(s.cols, 1);
  const double scale = 1.0 / std::sqrt(double(s.rows));
  for (auto& v : A.re) v = to_rational(normal() * scale);
  std::vector<std::size_t> pos(s.cols);
  for (std::size_t i = 0; i < pos.size(); ++i) pos[i] = i;
  for (std::size_t i = 0; i < s.sparsity; ++i) {
    std::swap(pos[i], pos[i + next() % (pos.size() - i)]);
    x.re[pos[i]] = to_rational(normal());
  }
  const ExactMatrix Am = ExactMatrix::from_rational(A), xm = ExactMatrix::from_rational(x);
  return {{"gaussian", Am, Am * xm},
          xm,
          s.lambda,
          "seeded Gaussian " + std::to_string(s.rows) + "x" + std::to_string(s.cols) + ", " +
              std::to_string(s.sparsity) + "-sparse x, noiseless y = A x (seed " + std::to_string(s.seed) + ")"};
}

template <class T>
std::vector<rational> solve(const SweepSettings& s, const Exact& e, const oracle::InstanceAnswer& d, long iters) {
  const Matrix<T> A = oracle::to_working<T>(d.A.value).value;
  const Vector<T> y = oracle::to_working<T>(d.y.value).value.col(0);
  const DenseOperator<T> op(A);
  const T lambda = from_rational<T>(e.lambda).value;
  Vector<T> x;
  if (s.solver == "firenet") {
    FirenetSettings<T> st;
    st.lambda = lambda;
    st.inner = s.inner;
    st.restarts = int(std::max<long>(1, iters / s.inner));
    x = firenet(op, y, st).solution;
  } else {
    PdhgSettings<T> st;
    st.problem = SparseProblem::p3_sqrt_lasso;
    st.lambda = lambda;
    st.max_iterations = iters;
    x = primal_dual(op, y, st).solution;
  }
  std::vector<rational> out;
  for (Eigen::Index i = 0; i < x.size(); ++i) out.push_back(to_rational(x(i)));
  return out;
}

}  // namespace

SweepResult run_sweep(const SweepSettings& s) {
  s.validate();
  // The family's member depends on n (its members agree to 2^-n); the
  // Gaussian instance does not.
  auto instance_for = [&s](long n) -> Exact {
    if (s.instance == "gaussian") return gaussian_instance(s);
    FamilyParams p = s.family;
    p.n = std::max(1L, n);
    const FamilyMember m = family_member(p, 2);
    return {m.instance, m.minimiser, p.lambda,
            "Omega_K member j = 2 (" + to_string(p.problem) + ", K = " + std::to_string(p.K) + ", eps = 2^-(n+1))"};
  };
  SweepResult r{s, "", {}};
  for (long n : s.ns) {
    const Exact e = instance_for(n);
    r.instance_description = e.description;
    const oracle::Oracle o(e.instance, {oracle::AnswerPolicy::nearest, 0});
    const oracle::InstanceAnswer d = o.query(n);
    for (unsigned b : s.bits)
      for (long it : s.iterations) {
        if (s.progress)
          s.progress("n=" + std::to_string(n) + " bits=" + std::to_string(b) + " iterations=" + std::to_string(it));
        SweepPoint pt{n, b, it, {}, ""};
        std::vector<rational> out;
        if (b == 53) {
          out = solve<double>(s, e, d, it);
          pt.type = "double";
        } else if (b == 64) {
          out = solve<long double>(s, e, d, it);
          pt.type = "long-double";
        } else if (b == 113) {
          out = solve<float128>(s, e, d, it);
          pt.type = "float128";
        } else {
          PrecisionGuard g(b);
          out = solve<mpfr_real>(s, e, d, it);
          pt.type = describe_type<mpfr_real>();
        }
        pt.error = certified_distance(out, e.minimiser, long(b) + 4 * s.family.K + 128);
        r.points.push_back(pt);
      }
  }
  return r;
}

}  // namespace barriers::impossibility
