#include "barriers/impossibility/sweep.hpp"

#include <mpfr.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <stdexcept>

#include "barriers/impossibility/distance.hpp"
#include "barriers/impossibility/resources.hpp"
#include "barriers/impossibility/verify.hpp"
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
  for (long it : iterations) {
    if (it < 1 || it > 100000000) fail("iterations = " + std::to_string(it) + " is out of range: allowed 1..1e8");
    // FIRENET runs whole restarts, so a budget it cannot meet exactly would
    // be run as another one and mislabelled.
    if (solver == "firenet" && it > inner && it % inner != 0)
      fail("iterations = " + std::to_string(it) + " is not a multiple of inner = " + std::to_string(inner) +
           ": FIRENET runs whole restarts of inner steps (a budget below inner runs one shorter restart)");
  }
  check_resources("this sweep", memory_estimate(), time_estimate(), memory_limit_bytes);
}

namespace {
std::pair<double, double> problem_size(const SweepSettings& s) {
  if (s.instance == "family") return {double(s.family.N2 + 1), double(s.family.N1 + s.family.N2)};
  return {double(s.rows), double(s.cols)};
}
std::string type_for_bits(unsigned b) {
  return b == 53 ? "double" : b == 64 ? "long-double" : b == 113 ? "float128" : "mpfr";
}
}  // namespace

double SweepSettings::memory_estimate() const {
  const auto [m, N] = problem_size(*this);
  // The oracle's answer at the largest n (exact rationals, kept with the
  // exact instance), and the working copies of A (matrix, operator, and the
  // solver's vectors) at the largest working precision.
  double worst = 0;
  for (unsigned b : bits) worst = std::max(worst, bytes_per_number(type_for_bits(b), b));
  const long n = *std::max_element(ns.begin(), ns.end());
  return 2 * m * N * bytes_per_rational(n + 64) + 3 * m * N * worst + 20 * (m + N) * worst;
}

double SweepSettings::time_estimate() const {
  const auto [m, N] = problem_size(*this);
  double total_iterations = 0;
  for (long it : iterations) total_iterations += double(it);
  double seconds = 0;
  for (unsigned b : bits) seconds += total_iterations * 4 * m * N * seconds_per_operation(type_for_bits(b), b);
  return seconds * double(ns.size());
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

Exact gaussian_instance(const SweepSettings& s);

// Exact solution of the k x k system G w = r (G symmetric positive definite
// when A_S has full column rank); nothing when G is singular.
std::optional<std::vector<rational>> solve_exact(std::vector<std::vector<rational>> G, std::vector<rational> r) {
  const std::size_t k = r.size();
  for (std::size_t c = 0; c < k; ++c) {
    std::size_t piv = c;
    while (piv < k && G[piv][c] == 0) ++piv;
    if (piv == k) return std::nullopt;
    std::swap(G[piv], G[c]);
    std::swap(r[piv], r[c]);
    for (std::size_t i = c + 1; i < k; ++i) {
      if (G[i][c] == 0) continue;
      const rational f = G[i][c] / G[c][c];
      for (std::size_t j = c; j < k; ++j) G[i][j] -= f * G[c][j];
      r[i] -= f * r[c];
    }
  }
  std::vector<rational> w(k);
  for (std::size_t i = k; i-- > 0;) {
    rational acc = r[i];
    for (std::size_t j = i + 1; j < k; ++j) acc -= G[i][j] * w[j];
    w[i] = acc / G[i][i];
  }
  return w;
}

template <class T>
std::vector<rational> solve(const SweepSettings& s, const Exact& e, const oracle::InstanceAnswer& d, long iters,
                            bool& finite) {
  const Matrix<T> A = oracle::to_working<T>(d.A.value).value;
  const Vector<T> y = oracle::to_working<T>(d.y.value).value.col(0);
  const DenseOperator<T> op(A);
  const T lambda = from_rational<T>(e.lambda).value;
  Vector<T> x;
  if (s.solver == "firenet") {
    FirenetSettings<T> st;
    st.lambda = lambda;
    // Exactly `iters` steps: whole restarts, or one shorter restart when the
    // budget is below inner (validate() refuses the other remainders).
    st.inner = int(std::min<long>(s.inner, iters));
    st.restarts = int(iters / st.inner);
    x = firenet(op, y, st).solution;
  } else {
    PdhgSettings<T> st;
    st.problem = SparseProblem::p3_sqrt_lasso;
    st.lambda = lambda;
    st.max_iterations = iters;
    x = primal_dual(op, y, st).solution;
  }
  std::vector<rational> out;
  finite = all_finite(x);
  if (finite)
    for (Eigen::Index i = 0; i < x.size(); ++i) out.push_back(to_rational(x(i)));
  return out;
}

// q to 6 significant digits, any magnitude (a double would print inf).
std::string short_decimal(const rational& q) {
  mpfr_t t;
  mpfr_init2(t, 64);
  mpfr_set_q(t, q.backend().data(), MPFR_RNDN);
  char buf[64];
  mpfr_snprintf(buf, sizeof buf, "%.5Rg", t);
  mpfr_clear(t);
  return buf;
}

// The seeded Gaussian data, exact: A (rows x cols, row-major) and the planted x.
struct GaussianData {
  oracle::RationalMatrix A, x;
};

GaussianData gaussian_data(const SweepSettings& s) {
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
  GaussianData g{oracle::RationalMatrix(s.rows, s.cols), oracle::RationalMatrix(s.cols, 1)};
  const double scale = 1.0 / std::sqrt(double(s.rows));
  for (auto& v : g.A.re) v = to_rational(normal() * scale);
  std::vector<std::size_t> pos(s.cols);
  for (std::size_t i = 0; i < pos.size(); ++i) pos[i] = i;
  for (std::size_t i = 0; i < s.sparsity; ++i) {
    std::swap(pos[i], pos[i + next() % (pos.size() - i)]);
    g.x.re[pos[i]] = to_rational(normal());
  }
  return g;
}

}  // namespace

SweepReference certify_gaussian_reference(const SweepSettings& s) {
  // The exact certificate costs about rows * cols * k products of integers
  // of about 100 k bits: at 2000 x 2000, k = 32 takes tens of seconds.
  constexpr std::size_t max_support = 32;
  const GaussianData g = gaussian_data(s);
  std::vector<std::size_t> S;
  for (std::size_t i = 0; i < s.cols; ++i)
    if (g.x.re[i] != 0) S.push_back(i);
  const std::string planted = "the planted x";
  if (S.size() > max_support)
    return {false, planted + " is not certified to be the minimiser (" + std::to_string(S.size()) +
                       " non-zeros; the exact certificate is computed for at most " + std::to_string(max_support) + ")"};
  auto a = [&g, &s](std::size_t r, std::size_t c) -> const rational& { return g.A.re[r * s.cols + c]; };
  const std::size_t k = S.size();
  std::vector<std::vector<rational>> G(k, std::vector<rational>(k));
  std::vector<rational> rhs(k);
  for (std::size_t i = 0; i < k; ++i) {
    for (std::size_t j = 0; j <= i; ++j) {
      rational acc = 0;
      for (std::size_t r = 0; r < s.rows; ++r) acc += a(r, S[i]) * a(r, S[j]);
      G[i][j] = G[j][i] = acc;
    }
    rhs[i] = g.x.re[S[i]] > 0 ? s.lambda : rational(-s.lambda);
  }
  const auto w = solve_exact(G, rhs);
  if (!w)
    return {false, planted + " is not certified to be the minimiser (its support's columns are linearly dependent)"};
  // u = A_S w, with one common denominator so that A^T u is computed in integers.
  std::vector<rational> u(s.rows);
  for (std::size_t r = 0; r < s.rows; ++r)
    for (std::size_t i = 0; i < k; ++i) u[r] += a(r, S[i]) * (*w)[i];
  rational u2 = 0;
  for (const rational& v : u) u2 += v * v;
  if (u2 > 1)
    return {false, planted + " is NOT the minimiser: the least-norm dual certificate has ||u||_2^2 = " +
                       short_decimal(u2) + " > 1, so no certificate exists"};
  if (u2 == 1)
    return {false, planted + " is not certified to be the unique minimiser (||u||_2 = 1 exactly)"};
  integer den = 1;
  for (const rational& v : u) den = boost::multiprecision::lcm(den, denominator(v));
  for (const rational& v : g.A.re) den = boost::multiprecision::lcm(den, denominator(v));
  std::vector<integer> U(s.rows);
  for (std::size_t r = 0; r < s.rows; ++r) U[r] = numerator(u[r] * den);
  rational worst = 0;
  std::size_t next_support = 0;
  for (std::size_t c = 0; c < s.cols; ++c) {
    if (next_support < k && S[next_support] == c) {
      ++next_support;
      continue;
    }
    integer acc = 0;  // (A^T u)_c den^2
    for (std::size_t r = 0; r < s.rows; ++r) acc += numerator(a(r, c) * den) * U[r];
    const rational v = abs(rational(acc) / (rational(den) * rational(den)));
    if (v > worst) worst = v;
  }
  if (worst >= s.lambda)
    return {false, planted + " is not certified to be the minimiser (the least-norm dual certificate reaches " +
                       short_decimal(worst / s.lambda) + " lambda off the support)"};
  return {true, planted + " is the unique minimiser: exact dual certificate with ||u||_2^2 = " +
                    short_decimal(u2) + " < 1 and max off-support |A_i^T u| / lambda = " +
                    short_decimal(worst / s.lambda) + " < 1"};
}

namespace {

Exact gaussian_instance(const SweepSettings& s) {
  const GaussianData g = gaussian_data(s);
  const ExactMatrix Am = ExactMatrix::from_rational(g.A), xm = ExactMatrix::from_rational(g.x);
  return {{"gaussian", Am, Am * xm},
          xm,
          s.lambda,
          "seeded Gaussian " + std::to_string(s.rows) + "x" + std::to_string(s.cols) + ", " +
              std::to_string(s.sparsity) + "-sparse x, noiseless y = A x (seed " + std::to_string(s.seed) + ")"};
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
  auto reference_for = [&s](long n) -> SweepReference {
    if (s.instance == "gaussian") return certify_gaussian_reference(s);
    FamilyParams p = s.family;
    p.n = std::max(1L, n);
    // barriers verify's certified checks include "x^2 is the unique minimiser".
    if (verify_family(p).all_pass())
      return {true, "x^2 = e_2/a_2 is the unique minimiser (certified by the checks of barriers verify)"};
    return {false, "x^2 = e_2/a_2 is not certified to be the minimiser (barriers verify did not pass)"};
  };
  SweepResult r{s, "", {}, {}};
  // The description and reference reported are those of the last n in the
  // list, whichever cells were skipped (a resumed or merged run reports
  // what a serial one does); the reference is certified once per n used.
  std::optional<SweepReference> gaussian_reference;
  auto reference_of = [&](long n) {
    if (s.instance != "gaussian") return reference_for(n);
    if (!gaussian_reference) gaussian_reference = reference_for(n);
    return *gaussian_reference;
  };
  std::map<long, SweepReference> references;
  auto describe = [&](long n, const Exact& e) {
    auto it = references.find(n);
    if (it == references.end()) it = references.emplace(n, reference_of(n)).first;
    if (n == s.ns.back()) {
      r.instance_description = e.description;
      r.reference = it->second;
    }
    return it->second.certified_minimiser;
  };
  const std::size_t cells = s.ns.size() * s.bits.size() * s.iterations.size();
  std::size_t cell = 0;
  for (long n : s.ns) {
    std::optional<Exact> e;  // built only when a cell of this n is run
    std::optional<oracle::InstanceAnswer> d;
    for (unsigned b : s.bits)
      for (long it : s.iterations) {
        ++cell;
        if (s.skip && s.skip(n, b, it)) continue;
        if (s.progress)
          s.progress(double(cell - 1) / double(cells), "cell " + std::to_string(cell) + "/" + std::to_string(cells) +
                                                           ": n=" + std::to_string(n) + " bits=" + std::to_string(b) +
                                                           " iterations=" + std::to_string(it));
        if (!e) {
          e = instance_for(n);
          d = oracle::Oracle(e->instance, {oracle::AnswerPolicy::nearest, 0}).query(n);
        }
        SweepPoint pt;
        pt.n = n;
        pt.bits = b;
        pt.iterations = it;
        pt.certified_minimiser = describe(n, *e);
        std::vector<rational> out;
        if (b == 53) {
          out = solve<double>(s, *e, *d, it, pt.finite);
          pt.type = "double";
        } else if (b == 64) {
          out = solve<long double>(s, *e, *d, it, pt.finite);
          pt.type = "long-double";
        } else if (b == 113) {
          out = solve<float128>(s, *e, *d, it, pt.finite);
          pt.type = "float128";
        } else {
          PrecisionGuard g(b);
          out = solve<mpfr_real>(s, *e, *d, it, pt.finite);
          pt.type = describe_type<mpfr_real>();
        }
        // A NaN or infinite output has no distance: recorded, and the sweep goes on.
        if (pt.finite) pt.error = certified_distance(out, e->minimiser, long(b) + 4 * s.family.K + 128);
        if (s.on_point) s.on_point(pt);
        r.points.push_back(pt);
      }
  }
  if (r.instance_description.empty() && !s.ns.empty()) describe(s.ns.back(), instance_for(s.ns.back()));
  if (s.progress) s.progress(1.0, "done");
  return r;
}

}  // namespace barriers::impossibility
