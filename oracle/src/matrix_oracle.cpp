#include "barriers/oracle/matrix_oracle.hpp"

#include <functional>
#include <utility>
#include <vector>
#include <stdexcept>

#include "barriers/oracle/enclosure.hpp"
#include "barriers/precision/convert.hpp"
#include "barriers/precision/dyadic.hpp"
#include "sqrt_upper.hpp"

namespace barriers::oracle {
namespace {

using Rounder = std::function<rational(const rational&)>;

// Random answers: an entry is the exact value rounded to a grid 2^-(f+4),
// moved by k grid steps with k uniform in [-16, 16]; so it is within
// 2^-f + 2^-(f+5) of the exact value.
constexpr long random_grid_extra = 4;
constexpr long random_steps = 16;

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Least f such that rounding `count` real scalars to a 2^-f grid moves the
// Frobenius norm by at most `budget`: sqrt(count) 2^-(f+1) <= budget.
long grid_bits_for(std::size_t count, const rational& budget, long f_min) {
  long f = f_min;
  while (rational(count) * pow2(-2 * (f + 1)) > budget * budget) ++f;
  return f;
}

// Bits of the integer part of the largest entry: precision must exceed the
// grid's fraction bits by at least this much for balls to resolve the grid.
long magnitude_bits(const ExactMatrix& m) {
  // The least b >= 0 with 2^b > a is the bit length of floor(a), read off
  // directly (a search over powers of two is quadratic in the size of a).
  const rational a = enclose(m, 64).max_abs();
  integer whole;
  mpz_fdiv_q(whole.backend().data(), mpq_numref(a.backend().data()), mpq_denref(a.backend().data()));
  return whole == 0 ? 0 : long(mpz_sizeinbase(whole.backend().data(), 2));
}

struct Rounded {
  RationalMatrix value;
  Enclosure enclosure;  // of the matrix that was rounded
  bool decided = true;
};

// Encloses `source` at increasing precision until `round` gives the same
// result at both ends of every interval (so the rounding is that of the
// exact value), then rounds the midpoints.
Rounded round_certified(const ExactMatrix& source, const Rounder& round, long f) {
  long p = f + magnitude_bits(source) + 64;
  const long cap = 8 * p + 1024;
  Rounded r;
  for (;;) {
    r.enclosure = enclose(source, p);
    if (r.enclosure.exact) break;
    r.decided = true;
    for (const auto* part : {&r.enclosure.re, &r.enclosure.im})
      for (const auto& iv : *part)
        if (r.decided && round(iv.lo) != round(iv.hi)) r.decided = false;
    if (r.decided || p >= cap) break;
    p *= 2;
  }
  const Enclosure& e = r.enclosure;
  r.value = RationalMatrix(e.rows, e.cols, e.is_complex());
  for (std::size_t k = 0; k < e.re.size(); ++k) r.value.re[k] = round(e.re[k].mid());
  for (std::size_t k = 0; k < e.im.size(); ++k) r.value.im[k] = round(e.im[k].mid());
  return r;
}

// Certified sqrt(sum max_{x in interval} |v - x|^2) >= ||v - exact||_F.
rational certified_error(const RationalMatrix& v, const Enclosure& truth) {
  rational s = 0;
  auto add = [&s](const rational& x, const Interval& iv) {
    const rational a = abs(x - iv.lo), b = abs(iv.hi - x);
    const rational& m = a > b ? a : b;
    s += m * m;
  };
  for (std::size_t k = 0; k < truth.re.size(); ++k) add(v.re[k], truth.re[k]);
  for (std::size_t k = 0; k < truth.im.size(); ++k) add(v.is_complex() ? v.im[k] : rational(0), truth.im[k]);
  // A complex answer to a real matrix: its imaginary parts are errors too.
  if (truth.im.empty())
    for (const auto& x : v.im) s += x * x;
  return sqrt_upper(s);
}

// Upper bound on ||A - B||_F from enclosures of both.
rational certified_distance(const Enclosure& a, const Enclosure& b) {
  rational s = 0;
  auto add = [&s](const Interval& x, const Interval& y) {
    const rational u = abs(x.hi - y.lo), w = abs(y.hi - x.lo);
    const rational& m = u > w ? u : w;
    s += m * m;
  };
  for (std::size_t k = 0; k < a.re.size(); ++k) add(a.re[k], b.re[k]);
  const Interval zero{0, 0};
  const std::size_t ni = std::max(a.im.size(), b.im.size());
  for (std::size_t k = 0; k < ni; ++k) add(a.im.empty() ? zero : a.im[k], b.im.empty() ? zero : b.im[k]);
  return sqrt_upper(s);
}

long max_fraction_bits(const RationalMatrix& m) {
  long f = 0;
  for (const auto* part : {&m.re, &m.im})
    for (const auto& v : *part) f = std::max(f, dyadic_fraction_bits(v));
  return f;
}

bool all_dyadic(const RationalMatrix& m) {
  for (const auto* part : {&m.re, &m.im})
    for (const auto& v : *part)
      if (!is_dyadic(v)) return false;
  return true;
}

void finish(Answer& a, const Enclosure& truth) {
  a.bound_met = a.bound <= pow2(-a.n);
  a.exact = a.bound == 0 && truth.exact;
  a.fraction_bits = max_fraction_bits(a.value);
  a.working_bits = truth.exact ? 0 : truth.precision_bits;
}

}  // namespace

MatrixOracle::MatrixOracle(ExactMatrix exact, OracleSettings settings, std::optional<ExactMatrix> other,
                           std::uint64_t stream)
    : exact_(std::move(exact)), settings_(settings), other_(std::move(other)), stream_(stream) {
  if (settings_.policy == AnswerPolicy::adversarial) {
    if (!other_)
      throw std::invalid_argument("the adversarial policy needs a second instance to answer with");
    if (other_->rows() != exact_.rows() || other_->cols() != exact_.cols())
      throw std::invalid_argument("adversarial policy: the second instance has size " + std::to_string(other_->rows()) +
                                  "x" + std::to_string(other_->cols()) + ", the instance " +
                                  std::to_string(exact_.rows()) + "x" + std::to_string(exact_.cols()));
  }
}

Answer MatrixOracle::query(long n) const {
  check_query_bits(n);
  // Answers hold about (n + 64) bits per real scalar, several copies at once;
  // refuse what would not fit in memory instead of failing half-way.
  const double scalars = double(exact_.rows()) * double(exact_.cols()) * (exact_.is_real() ? 1 : 2);
  if (scalars * double(n + 64) > max_answer_bits)
    throw std::invalid_argument("query too large: " + std::to_string(long(scalars)) + " entries at n = " +
                                std::to_string(n) + " bits would need about " +
                                std::to_string(long(scalars * double(n + 64) / 8e6) * 8) +
                                " MB; reduce the size or n (at most about 2^32 bits per answer)");
  Answer a;
  a.n = n;
  a.policy = settings_.policy;
  const std::size_t count = exact_.rows() * exact_.cols() * (exact_.is_real() ? 1 : 2);
  const rational target = pow2(-n);
  // Nearest-grid rounding uses at most a quarter of the budget.
  const long f = grid_bits_for(count, target / 4, n + 1);
  auto nearest = [](long bits) -> Rounder {
    return [bits](const rational& q) { return round_to_dyadic(q, bits); };
  };

  // Fills `a` from a certified rounding of the exact data (bound against them).
  auto from_rounding = [&a](Rounded r, long grid) {
    a.value = std::move(r.value);
    a.grid_bits = grid;
    a.correctly_rounded = r.decided;
    a.bound = certified_error(a.value, r.enclosure);
    finish(a, r.enclosure);
    return a;
  };

  switch (settings_.policy) {
    case AnswerPolicy::nearest:
      return from_rounding(round_certified(exact_, nearest(f), f), f);
    case AnswerPolicy::random: {
      const long g = f + random_grid_extra;
      Rounded r = round_certified(exact_, nearest(g), g);
      std::uint64_t state = settings_.seed ^ (0x6a09e667f3bcc909ULL * (stream_ + 1)) ^
                            (0xbb67ae8584caa73bULL * static_cast<std::uint64_t>(n + 1));
      const rational step = pow2(-g);
      for (auto* part : {&r.value.re, &r.value.im})
        for (auto& v : *part) {
          const long k = static_cast<long>(splitmix64(state) % (2 * random_steps + 1)) - random_steps;
          v += k * step;
        }
      return from_rounding(std::move(r), g);
    }
    case AnswerPolicy::ieee: {
      Rounder to_double = [](const rational& q) { return to_rational(from_rational<double>(q).value); };
      return from_rounding(round_certified(exact_, to_double, std::max(f, 60L)), 0);
    }
    case AnswerPolicy::adversarial: {
      const ExactMatrix& other = *other_;
      long p = f + std::max(magnitude_bits(exact_), magnitude_bits(other)) + 64;
      const long cap = 8 * p + 1024;
      Enclosure ea, eb;
      rational d;
      for (;;) {
        ea = enclose(exact_, p);
        eb = enclose(other, p);
        d = certified_distance(ea, eb);
        // Stop once the balls are too thin to matter or the data are exact.
        const bool resolved = (ea.exact && eb.exact) || (ea.max_width() + eb.max_width()) * pow2(n + 8) < 1;
        if (d < target || resolved || p >= cap) break;
        p *= 2;
      }
      if (d < target) {
        // Candidates, most faithful to the other instance first: its exact
        // data when dyadic; what its own nearest oracle answers (so both
        // instances' oracles give identical bits); its rounding on a grid
        // fine enough for the certificate.
        std::vector<std::pair<RationalMatrix, long>> candidates;
        if (const auto q = other.exact_rational(); q && all_dyadic(*q)) candidates.emplace_back(*q, max_fraction_bits(*q));
        Rounded same = round_certified(other, nearest(f), f);
        const long fb = grid_bits_for(count, (target - d) / 2, f);
        Rounded fine = round_certified(other, nearest(fb), fb);
        const bool decided = same.decided && fine.decided;
        candidates.emplace_back(std::move(same.value), f);
        candidates.emplace_back(std::move(fine.value), fb);
        const Enclosure truth = enclose(exact_, std::max(p, fine.enclosure.precision_bits));
        for (auto& [value, grid] : candidates) {
          const rational bound = certified_error(value, truth);
          if (bound > target) continue;
          a.value = std::move(value);
          a.grid_bits = grid;
          a.from_other = true;
          a.correctly_rounded = decided;
          a.bound = bound;
          finish(a, truth);
          return a;
        }
        a.note = "the other instance's rounded data could not be certified within 2^-n; answered nearest";
      } else {
        a.note = "the other instance is up to " + std::to_string(d.convert_to<double>()) +
                 " away in Frobenius norm, not certified within 2^-" + std::to_string(n) + "; answered nearest";
      }
      return from_rounding(round_certified(exact_, nearest(f), f), f);
    }
  }
  throw std::logic_error("unhandled answer policy");
}

}  // namespace barriers::oracle
