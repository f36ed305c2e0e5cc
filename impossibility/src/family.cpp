#include "barriers/impossibility/family.hpp"

#include <stdexcept>
#include <string>

#include "barriers/oracle/answer_policy.hpp"
#include "barriers/precision/dyadic.hpp"

namespace barriers::impossibility {

using oracle::ExactMatrix;
using oracle::ExactScalar;
using oracle::RationalMatrix;

void FamilyParams::validate() const {
  auto fail = [](const std::string& what) { throw std::invalid_argument(what); };
  if (K < 1 || K > max_K) fail("K = " + std::to_string(K) + " is out of range: allowed 1.." + std::to_string(max_K));
  if (n < 1 || n > oracle::max_query_bits)
    fail("n = " + std::to_string(n) + " is out of range: allowed 1.." + std::to_string(oracle::max_query_bits));
  if (delta <= 0 || delta >= rational(1, 4)) fail("delta = " + delta.str() + " is out of range: allowed (0, 1/4)");
  if (lambda <= 0 || lambda > 1) fail("lambda = " + lambda.str() + " is out of range: allowed (0, 1]");
  if (eta < 0 || eta > rational(1, 4)) fail("eta = " + eta.str() + " is out of range: allowed [0, 1/4]");
  if (N1 < 2) fail("N1 = " + std::to_string(N1) + " is too small: allowed N1 >= 2");
  // c >= 1 keeps the separation 3 (c - eta) 10^-K above 2 10^-K (eta <= 1/4), c <= 2 keeps it
  // below 10^-(K-1) with room for the class's centroids (t sqrt(1 - 1/N1) <= 2.2 c 10^-K).
  if (y_scale < 1 || y_scale > 2) fail("y scale c = " + y_scale.str() + " is out of range: allowed [1, 2]");
  // verify multiplies (N2+1)-square DCTs in ball arithmetic: O(N^3) at hundreds of bits.
  if (N1 + N2 > 512) fail("N1 + N2 = " + std::to_string(N1 + N2) + " is too large: allowed at most 512");
}

namespace {

struct Built {
  oracle::Instance instance;
  ExactScalar b, a_j, norm_a;
};

// The family's head entries b (and b + eps at position j, unless j == 0:
// the limit eps = 0), mixed by the DCT when asked.
Built build(const FamilyParams& p, std::size_t j, const rational& eps, const std::string& name) {
  const rational ten_k(boost::multiprecision::pow(integer(10), static_cast<unsigned>(p.K)));
  const rational rho = 1 - p.delta;
  // THEORY.md: gamma = sqrt(2) (1 - delta) 10^K / (3 lambda), a_i = gamma lambda / rho.
  const ExactScalar gamma = ExactScalar::sqrt(2) * ExactScalar((1 - p.delta) * ten_k / (3 * p.lambda));
  const ExactScalar b = gamma * ExactScalar(p.lambda / rho);
  const ExactScalar a_j = j == 0 ? b : b + ExactScalar(eps);

  std::vector<ExactScalar> head;
  ExactScalar norm2 = 0;
  for (std::size_t i = 1; i <= p.N1; ++i) {
    const ExactScalar& a = i == j ? a_j : b;
    head.push_back(a);
    norm2 = norm2 + a * a;
  }
  const ExactScalar norm_a = ExactScalar::sqrt(norm2);
  const std::size_t m = 1 + p.N2;
  const ExactMatrix row = ExactMatrix::from_entries(1, p.N1, head);
  ExactMatrix A = p.N2 == 0 ? row : ExactMatrix::block_diag(row, norm_a * ExactMatrix::identity(p.N2));
  RationalMatrix e1(m, 1);
  e1.re[0] = p.y_scale;
  ExactMatrix y = ExactMatrix::from_rational(e1);
  if (p.dct_mixing) {
    const ExactMatrix D = ExactMatrix::dct2(m);
    A = D * A;
    y = D * y;
  }
  return {oracle::Instance{name, A, y}, b, a_j, norm_a};
}

// The minimiser's non-zero entry when the largest head entry is a and y = c D e_1:
// on the head, (P3) lambda|u|_1 + |a.u - c| is minimised by u = (c/a) e_j, (P2)
// lambda|u|_1 + (a.u - c)^2 by ((c - lambda/(2a))/a) e_j, (P1) |u|_1 s.t. |a.u - c| <= eta by
// ((c - eta)/a) e_j.
ExactScalar minimiser_entry(const FamilyParams& p, const ExactScalar& a) {
  const ExactScalar c(p.y_scale);
  switch (p.problem) {
    case Problem::p3: return c / a;
    case Problem::p2: return (c - ExactScalar(p.lambda) / (ExactScalar(2) * a)) / a;
    case Problem::p1: return ExactScalar(p.y_scale - p.eta) / a;
  }
  throw std::logic_error("unknown problem");
}

std::string family_name(const FamilyParams& p) {
  return to_string(p.problem) + " family K=" + std::to_string(p.K);
}

}  // namespace

rational ten_to_minus(long k) {
  return rational(1) / rational(boost::multiprecision::pow(integer(10), static_cast<unsigned>(k)));
}

FamilyMember family_member(const FamilyParams& p, std::size_t j) {
  p.validate();
  if (j < 1 || j > p.N1)
    throw std::invalid_argument("member j = " + std::to_string(j) + " is out of range: allowed 1.." +
                                std::to_string(p.N1));
  Built built = build(p, j, pow2(-p.n - 1),
                      family_name(p) + " n=" + std::to_string(p.n) + " j=" + std::to_string(j));
  const ExactScalar t = minimiser_entry(p, built.a_j);
  std::vector<ExactScalar> x(p.N1 + p.N2, ExactScalar(0));
  x[j - 1] = t;
  return {std::move(built.instance), ExactMatrix::column(std::move(x)), built.a_j, built.b, t, p.y_scale,
          built.norm_a, j};
}

FamilyLimit family_limit(const FamilyParams& p) {
  p.validate();
  Built built = build(p, 0, 0, family_name(p) + " limit");
  const ExactScalar t = minimiser_entry(p, built.b);
  std::vector<ExactScalar> centre(p.N1 + p.N2, ExactScalar(0));
  for (std::size_t i = 0; i < p.N1; ++i) centre[i] = t / ExactScalar(long(p.N1));
  return {std::move(built.instance), ExactMatrix::column(std::move(centre)), built.b, t, built.norm_a};
}

}  // namespace barriers::impossibility
