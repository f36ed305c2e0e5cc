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
  if (N2 < 1) fail("N2 = " + std::to_string(N2) + " is too small: allowed N2 >= 1");
  // verify multiplies (N2+1)-square DCTs in ball arithmetic: O(N^3) at hundreds of bits.
  if (N1 + N2 > 512) fail("N1 + N2 = " + std::to_string(N1 + N2) + " is too large: allowed at most 512");
}

FamilyMember family_member(const FamilyParams& p, std::size_t j) {
  p.validate();
  if (j < 1 || j > p.N1)
    throw std::invalid_argument("member j = " + std::to_string(j) + " is out of range: allowed 1.." +
                                std::to_string(p.N1));
  const rational ten_k(boost::multiprecision::pow(integer(10), static_cast<unsigned>(p.K)));
  const rational rho = 1 - p.delta;
  // THEORY.md: gamma = sqrt(2) (1 - delta) 10^K / (3 lambda), a_i = gamma lambda / rho.
  const ExactScalar gamma = ExactScalar::sqrt(2) * ExactScalar((1 - p.delta) * ten_k / (3 * p.lambda));
  const ExactScalar b = gamma * ExactScalar(p.lambda / rho);
  const ExactScalar a_j = b + ExactScalar(pow2(-p.n - 1));

  std::vector<ExactScalar> head;
  ExactScalar norm2 = 0;
  for (std::size_t i = 1; i <= p.N1; ++i) {
    const ExactScalar& a = i == j ? a_j : b;
    head.push_back(a);
    norm2 = norm2 + a * a;
  }
  const ExactScalar norm_a = ExactScalar::sqrt(norm2);
  const std::size_t m = 1 + p.N2, N = p.N1 + p.N2;
  ExactMatrix A = ExactMatrix::block_diag(ExactMatrix::from_entries(1, p.N1, head),
                                          norm_a * ExactMatrix::identity(p.N2));
  RationalMatrix e1(m, 1);
  e1.re[0] = 1;
  ExactMatrix y = ExactMatrix::from_rational(e1);
  if (p.dct_mixing) {
    const ExactMatrix D = ExactMatrix::dct2(m);
    A = D * A;
    y = D * y;
  }

  ExactScalar t = 0;
  switch (p.problem) {
    case Problem::p3: t = ExactScalar(1) / a_j; break;
    case Problem::p2: t = (ExactScalar(1) - ExactScalar(p.lambda) / (ExactScalar(2) * a_j)) / a_j; break;
    case Problem::p1: t = ExactScalar(1 - p.eta) / a_j; break;
  }
  std::vector<ExactScalar> x(N, ExactScalar(0));
  x[j - 1] = t;

  const std::string name = to_string(p.problem) + " family K=" + std::to_string(p.K) + " n=" + std::to_string(p.n) +
                           " j=" + std::to_string(j);
  return {oracle::Instance{name, A, y}, ExactMatrix::column(std::move(x)), a_j, b, t, norm_a, j};
}

}  // namespace barriers::impossibility
