// The generic FFT (radix-2 and mixed radix) and correctly rounded unit roots.
#include "barriers/solvers/imaging/generic_fft.hpp"

#include <stdexcept>
#include <string>
#include <type_traits>

#include "barriers/precision/convert.hpp"
#include "../in_place_ops.hpp"

namespace barriers {

namespace {
std::vector<Eigen::Index> prime_factors(Eigen::Index n) {
  std::vector<Eigen::Index> f;
  for (Eigen::Index m = n, p = 2; m > 1;) {
    if (p * p > m) p = m;  // what is left is prime
    if (m % p == 0) {
      f.push_back(p);
      m /= p;
    } else {
      ++p;
    }
  }
  return f;
}
}  // namespace

namespace {
// The exact value of an MPFR number as a rational (mantissa times 2^e).
rational exact_rational(mpfr_srcptr x) {
  mpz_t m;
  mpq_t q;
  mpz_init(m);
  mpq_init(q);
  const mpfr_exp_t e = mpfr_get_z_2exp(m, x);
  mpq_set_z(q, m);
  if (e >= 0)
    mpq_mul_2exp(q, q, static_cast<mp_bitcnt_t>(e));
  else
    mpq_div_2exp(q, q, static_cast<mp_bitcnt_t>(-e));
  const rational out(q);
  mpq_clear(q);
  mpz_clear(m);
  return out;
}
}  // namespace

template <class R>
std::vector<std::complex<R>> unit_roots(Eigen::Index n) {
  if (n < 1) throw std::invalid_argument("unit roots need n >= 1, not " + std::to_string(n) + ".");
  std::vector<rational> re(static_cast<std::size_t>(n)), im(static_cast<std::size_t>(n));
  // Raw MPFR at an explicit precision, 32 bits wider than R (the rounding
  // below is then the only error that matters); unlike a PrecisionGuard this
  // leaves the process-wide default precision alone, so other threads'
  // MPFR work is unaffected.
  const mpfr_prec_t prec = mpfr_prec_t(number_traits<R>::precision_bits()) + 32;
  mpfr_t two_pi, angle, c, s;
  mpfr_inits2(prec, two_pi, angle, c, s, static_cast<mpfr_ptr>(nullptr));
  mpfr_const_pi(two_pi, MPFR_RNDN);
  mpfr_mul_2ui(two_pi, two_pi, 1, MPFR_RNDN);
  for (Eigen::Index k = 0; k < n; ++k) {
    mpfr_mul_si(angle, two_pi, long(k), MPFR_RNDN);
    mpfr_div_si(angle, angle, long(n), MPFR_RNDN);
    mpfr_sin_cos(s, c, angle, MPFR_RNDN);
    mpfr_neg(s, s, MPFR_RNDN);
    re[k] = exact_rational(c);
    im[k] = exact_rational(s);
  }
  mpfr_clears(two_pi, angle, c, s, static_cast<mpfr_ptr>(nullptr));
  std::vector<std::complex<R>> out(static_cast<std::size_t>(n));
  for (Eigen::Index k = 0; k < n; ++k)
    out[k] = std::complex<R>(from_rational<R>(re[k]).value, from_rational<R>(im[k]).value);
  return out;
}

template <class T>
GenericFft<T>::GenericFft(Eigen::Index n) : n_(n) {
  if (n < 1) throw std::invalid_argument("the FFT length is " + std::to_string(n) + "; it must be at least 1.");
  factors_ = prime_factors(n);
  forward_ = unit_roots<Real>(n);
  backward_.resize(forward_.size());
  for (std::size_t k = 0; k < forward_.size(); ++k) backward_[k] = std::conj(forward_[k]);
  if ((n & (n - 1)) == 0) {
    bit_reverse_.resize(static_cast<std::size_t>(n));
    int bits = 0;
    while ((Eigen::Index(1) << bits) < n) ++bits;
    for (Eigen::Index k = 0; k < n; ++k) {
      Eigen::Index r = 0;
      for (int b = 0; b < bits; ++b) r |= ((k >> b) & 1) << (bits - 1 - b);
      bit_reverse_[k] = r;
    }
  }
  error_bound_ = error_bound_for(n);
}

template <class T>
real_of<T> GenericFft<T>::error_bound_for(Eigen::Index n) {
  // The bound of the header comment; the factor 2.02 instead of 2 covers
  // the few roundings made in evaluating it.
  using std::sqrt;
  const Real u = number_traits<Real>::epsilon() / 2;
  auto gamma = [&](Eigen::Index k) { return Real(k) * u / (1 - Real(k) * u); };
  const Real mu = Real(1.5) * u;
  const Real alpha = mu + Real(1.4143) * gamma(2) * (1 + mu);
  Real S(0);
  for (Eigen::Index p : prime_factors(n)) {
    const Real beta = 2 * alpha + alpha * alpha + Real(1.4143) * gamma(p - 1) * (1 + alpha) * (1 + alpha);
    S += sqrt(Real(p)) * beta;
  }
  if (!(S <= 1))
    throw std::domain_error("the FFT of length " + std::to_string(n) + " is too long for " +
                            std::to_string(number_traits<Real>::precision_bits()) +
                            "-bit arithmetic to bound its rounding; raise the working precision.");
  return Real(2.02) * S;
}

namespace {
// The radix-2 butterflies for complex MPFR without temporaries: each
// std::complex<mpfr_real> is used as its two parts (stored as R[2]), the
// twiddle product t = w b as t_re = fms(w_re, b_re, w_im b_im), t_im =
// fma(w_re, b_im, w_im b_re) (error <= 2u (|w_re b_re| + |w_im b_im|) per
// part, within the gamma_2 of the complex product in the analysis).
void butterflies_mpfr(std::complex<mpfr_real>* a, Eigen::Index n, const std::vector<std::complex<mpfr_real>>& w) {
  static_assert(sizeof(std::complex<mpfr_real>) == 2 * sizeof(mpfr_real), "complex MPFR is not two reals");
  auto part = [](const std::complex<mpfr_real>& z, int i) {
    return const_cast<mpfr_real*>(reinterpret_cast<const mpfr_real*>(&z))[i].backend().data();
  };
  thread_local mpfr_real tr, ti;  // kept, at the working precision (made again when it changes)
  if (tr.precision() != mpfr_real::default_precision()) {
    tr = mpfr_real();
    ti = mpfr_real();
  }
  mpfr_ptr r = tr.backend().data(), s = ti.backend().data();
  for (Eigen::Index len = 2; len <= n; len <<= 1) {
    const Eigen::Index half = len / 2, step = n / len;
    for (Eigen::Index i = 0; i < n; i += len)
      for (Eigen::Index j = 0; j < half; ++j) {
        const std::complex<mpfr_real>& wj = w[j * step];
        mpfr_ptr ar = part(a[i + j], 0), ai = part(a[i + j], 1);
        mpfr_ptr br = part(a[i + j + half], 0), bi = part(a[i + j + half], 1);
        mpfr_mul(r, part(wj, 1), bi, MPFR_RNDN);
        mpfr_fms(r, part(wj, 0), br, r, MPFR_RNDN);
        mpfr_mul(s, part(wj, 1), br, MPFR_RNDN);
        mpfr_fma(s, part(wj, 0), bi, s, MPFR_RNDN);
        mpfr_sub(br, ar, r, MPFR_RNDN);
        mpfr_sub(bi, ai, s, MPFR_RNDN);
        mpfr_add(ar, ar, r, MPFR_RNDN);
        mpfr_add(ai, ai, s, MPFR_RNDN);
      }
  }
}
}  // namespace

template <class T>
void GenericFft<T>::radix2(T* a, const std::vector<T>& w) const {
  if constexpr (std::is_same_v<T, std::complex<mpfr_real>>) {
    // std::swap would copy (std::complex has no move); MPFR swaps pointers
    for (Eigen::Index k = 0; k < n_; ++k)
      if (bit_reverse_[k] > k)
        for (int c = 0; c < 2; ++c)
          mpfr_swap(in_place_ops::parts(a[k])[c].backend().data(),
                    in_place_ops::parts(a[bit_reverse_[k]])[c].backend().data());
    butterflies_mpfr(a, n_, w);
    return;
  }
  for (Eigen::Index k = 0; k < n_; ++k)
    if (bit_reverse_[k] > k) std::swap(a[k], a[bit_reverse_[k]]);
  for (Eigen::Index len = 2; len <= n_; len <<= 1) {
    const Eigen::Index half = len / 2, step = n_ / len;
    for (Eigen::Index i = 0; i < n_; i += len)
      for (Eigen::Index j = 0; j < half; ++j) {
        const T t = w[j * step] * a[i + j + half];
        a[i + j + half] = a[i + j] - t;
        a[i + j] += t;
      }
  }
}

// out[0..n) = DFT of in[0], in[stride], ..., in[(n-1) stride], using the
// factors from index f on; w is the table for the full length n_.
template <class T>
void GenericFft<T>::mixed(const T* in, Eigen::Index stride, T* out, Eigen::Index n, std::size_t f,
                          const std::vector<T>& w, std::vector<T>& tmp) const {
  if (n == 1) {
    out[0] = in[0];
    return;
  }
  const Eigen::Index p = factors_[f], m = n / p;
  for (Eigen::Index r = 0; r < p; ++r) mixed(in + r * stride, stride * p, out + r * m, m, f + 1, w, tmp);
  const Eigen::Index step = n_ / n, pstep = n_ / p;
  if constexpr (in_place_ops::in_place<T>) {  // the same roundings on kept numbers
    using in_place_ops::parts;
    thread_local T t;
    for (Eigen::Index k = 0; k < m; ++k) {
      tmp[0] = out[k];
      for (Eigen::Index r = 1; r < p; ++r) in_place_ops::product_into(tmp[r], w[r * k * step], out[r * m + k]);
      for (Eigen::Index q = 0; q < p; ++q) {
        T& acc = out[k + q * m];
        acc = tmp[0];
        for (Eigen::Index r = 1; r < p; ++r) {
          if (p == 2 && q == 1) {  // tmp0 - tmp1, as the generic path
            for (int c = 0; c < 2; ++c) parts(acc)[c] -= parts(tmp[1])[c];
            continue;
          }
          if (p == 2) {  // tmp0 + tmp1
            for (int c = 0; c < 2; ++c) parts(acc)[c] += parts(tmp[1])[c];
            continue;
          }
          in_place_ops::product_into(t, w[((r * q) % p) * pstep], tmp[r]);
          for (int c = 0; c < 2; ++c) parts(acc)[c] += parts(t)[c];
        }
      }
    }
    return;
  }
  for (Eigen::Index k = 0; k < m; ++k) {
    tmp[0] = out[k];
    for (Eigen::Index r = 1; r < p; ++r) tmp[r] = w[r * k * step] * out[r * m + k];  // r k < n
    if (p == 2) {
      out[k] = tmp[0] + tmp[1];
      out[k + m] = tmp[0] - tmp[1];
      continue;
    }
    for (Eigen::Index q = 0; q < p; ++q) {
      T acc = tmp[0];
      for (Eigen::Index r = 1; r < p; ++r) acc += w[((r * q) % p) * pstep] * tmp[r];
      out[k + q * m] = acc;
    }
  }
}

template <class T>
void GenericFft<T>::transform(T* data, bool inverse) const {
  const std::vector<T>& w = inverse ? backward_ : forward_;
  if (!bit_reverse_.empty()) {
    radix2(data, w);
    return;
  }
  // Per-thread copies of the input and the p twiddled terms, kept between
  // calls (for MPFR, made again when the working precision has changed).
  thread_local std::vector<T> in, tmp;
  if (in_place_ops::stale(in) || in_place_ops::stale(tmp)) {
    in.clear();
    tmp.clear();
  }
  if (in.size() < static_cast<std::size_t>(n_)) in.resize(static_cast<std::size_t>(n_));  // never shrunk: no numbers remade
  std::copy(data, data + n_, in.begin());
  if (tmp.size() < static_cast<std::size_t>(factors_.back())) tmp.resize(static_cast<std::size_t>(factors_.back()));
  mixed(in.data(), 1, data, n_, 0, w, tmp);
}

#define BARRIERS_X(T) template class GenericFft<T>;
BARRIERS_FOR_EACH_COMPLEX(BARRIERS_X)
#undef BARRIERS_X
#define BARRIERS_X(R) template std::vector<std::complex<R>> unit_roots<R>(Eigen::Index);
BARRIERS_FOR_EACH_REAL(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
