#include "barriers/impossibility/randomised_algorithms.hpp"

#include <cmath>
#include <random>
#include <stdexcept>

#include "barriers/precision/convert.hpp"

namespace barriers::impossibility {

namespace {

// Uniform in 1..n from the generator (n is tiny; the modulo bias is below 2^-50).
std::size_t uniform_index(std::mt19937_64& g, std::size_t n) { return std::size_t(g() % n) + 1; }

}  // namespace

Algorithm random_vertex(const FamilyParams& base) {
  validate_theorem_class(base);
  return [base](DataAccess& data, std::uint64_t seed) {
    std::mt19937_64 g(seed);
    const CoarseView view = coarse_view(base, data);
    return class_vertex(view.params, uniform_index(g, view.params.N1), view.t);
  };
}

Algorithm random_depth_guesser(const FamilyParams& base, double mean_extra_bits) {
  validate_theorem_class(base);
  if (!(mean_extra_bits > 0 && mean_extra_bits <= 1000))
    throw std::invalid_argument("mean extra bits must be in (0, 1000]");
  return [base, mean_extra_bits](DataAccess& data, std::uint64_t seed) {
    std::mt19937_64 g(seed);
    std::geometric_distribution<long> extra(1 / (1 + mean_extra_bits));  // mean (1 - q) / q = mean_extra_bits
    const long budget = std::min(coarse_bits + extra(g), oracle::max_query_bits);
    const CoarseView view = coarse_view(base, data);
    const FamilyParams& p = view.params;
    for (long m = coarse_bits; m <= budget; ++m) {
      const Data d = m == coarse_bits ? view.data : data.query(m);
      if (const std::size_t j = certified_largest_column(d.A, p.N1, m)) return class_vertex(p, j, view.t);
    }
    return class_vertex(p, uniform_index(g, p.N1), view.t);
  };
}

Algorithm random_precision_argmax(const FamilyParams& base, long spread) {
  validate_theorem_class(base);
  if (spread < 0 || coarse_bits + spread > oracle::max_query_bits)
    throw std::invalid_argument("precision spread out of range");
  return [base, spread](DataAccess& data, std::uint64_t seed) {
    std::mt19937_64 g(seed);
    const long m = coarse_bits + long(g() % std::uint64_t(spread + 1));
    const CoarseView view = coarse_view(base, data);
    const FamilyParams& p = view.params;
    const Data d = m == coarse_bits ? view.data : data.query(m);
    std::vector<std::size_t> best;
    rational top = -1;
    for (std::size_t i = 0; i < p.N1; ++i) {
      const rational s = column_norm2(d.A, i);
      if (s > top) best.clear(), top = s;
      if (s == top) best.push_back(i + 1);
    }
    return class_vertex(p, best[uniform_index(g, best.size()) - 1], view.t);
  };
}

Algorithm random_segment(const FamilyParams& base) {
  validate_theorem_class(base);
  return [base](DataAccess& data, std::uint64_t seed) {
    std::mt19937_64 g(seed);
    const CoarseView view = coarse_view(base, data);
    const FamilyParams& p = view.params;
    const std::size_t i = uniform_index(g, p.N1);
    std::size_t k = uniform_index(g, p.N1 - 1);
    if (k >= i) ++k;  // distinct from i
    const double s = double(g() >> 11) * 0x1.0p-53;  // uniform in [0, 1)
    std::vector<rational> x(p.N1 + p.N2, rational(0));
    x[i - 1] = to_rational((1 - s) * view.t);
    x[k - 1] = to_rational(s * view.t);
    return x;
  };
}

std::vector<NamedAlgorithm> randomised_algorithms(const FamilyParams& base) {
  return {{"random-vertex", random_vertex(base)},
          {"random-depth-guesser", random_depth_guesser(base)},
          {"random-precision-argmax", random_precision_argmax(base)},
          {"random-segment", random_segment(base)}};
}

}  // namespace barriers::impossibility
