#include "barriers/impossibility/training_data.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "barriers/precision/convert.hpp"

namespace barriers::impossibility {

using oracle::ExactMatrix;
using oracle::ExactScalar;

namespace {

// A small portable generator: the same seed gives the same samples with any
// compiler and standard library (std::normal_distribution does not).
struct Rng {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  double uniform() { return double(next() >> 11) * 0x1.0p-53; }  // [0, 1)
  double normal() {                                                // Box-Muller
    const double u = 1.0 - uniform(), v = uniform();
    return std::sqrt(-2.0 * std::log(u)) * std::cos(6.283185307179586 * v);
  }
  std::size_t below(std::size_t n) { return std::size_t(next() % n); }
};

}  // namespace

TrainingSamples make_training_samples(const FamilyParams& params, std::size_t j, std::size_t count,
                                      std::uint64_t seed, std::size_t sparsity) {
  const FamilyMember member = family_member(params, j);
  if (sparsity > params.N2)
    throw std::invalid_argument("sparsity " + std::to_string(sparsity) + " exceeds the tail length N2 = " +
                                std::to_string(params.N2));
  if (count < 1) throw std::invalid_argument("training set size must be at least 1");
  Rng rng{seed};
  TrainingSamples out{{member.instance.A, {}}, {}};
  out.data.samples.reserve(count);
  out.x.reserve(count);
  const ExactScalar inv_norm = ExactScalar(1) / member.norm_a;
  const std::size_t N = params.N1 + params.N2;
  for (std::size_t k = 0; k < count; ++k) {
    std::vector<ExactScalar> x(N, ExactScalar(0));
    x[j - 1] = member.t;
    // `sparsity` distinct tail positions: partial Fisher-Yates shuffle.
    std::vector<std::size_t> pos(params.N2);
    for (std::size_t i = 0; i < pos.size(); ++i) pos[i] = i;
    for (std::size_t i = 0; i < sparsity; ++i) {
      std::swap(pos[i], pos[i + rng.below(pos.size() - i)]);
      x[params.N1 + pos[i]] = ExactScalar(to_rational(rng.normal())) * inv_norm;
    }
    const ExactMatrix xk = ExactMatrix::column(std::move(x));
    out.data.samples.push_back(member.instance.A * xk);
    out.x.push_back(xk);
  }
  return out;
}

}  // namespace barriers::impossibility
