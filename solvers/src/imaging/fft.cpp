// The unitary 1-D/2-D Fourier transform: FFTW for the IEEE types, GenericFft
// for the rest.
#include "barriers/solvers/imaging/fft.hpp"

#include <fftw3.h>

#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <utility>

#include "../in_place_ops.hpp"

namespace barriers {

namespace detail {

namespace {
// FFTW's planner is not thread-safe; executing a finished plan on new
// arrays is. One lock for all three libraries.
std::mutex& fftw_planner_mutex() {
  static std::mutex m;
  return m;
}

template <class R>
struct fftw_api;
#define BARRIERS_FFTW_API(R, X)                                                                          \
  template <>                                                                                          \
  struct fftw_api<R> {                                                                                 \
    using plan = X##_plan;                                                                             \
    using cplx = X##_complex;                                                                          \
    static void* alloc(std::size_t n) { return X##_malloc(n * sizeof(cplx)); }                          \
    static void release(void* p) { X##_free(p); }                                                      \
    static plan make(int n0, int n1, void* in, void* out, int sign) {                                  \
      return X##_plan_dft_2d(n0, n1, static_cast<cplx*>(in), static_cast<cplx*>(out), sign,            \
                             FFTW_ESTIMATE | FFTW_UNALIGNED);                                           \
    }                                                                                                  \
    static void execute(plan p, const void* in, void* out) {                                           \
      X##_execute_dft(p, static_cast<cplx*>(const_cast<void*>(in)), static_cast<cplx*>(out));          \
    }                                                                                                  \
  };
BARRIERS_FFTW_API(double, fftw)
BARRIERS_FFTW_API(long double, fftwl)
BARRIERS_FFTW_API(float128, fftwq)
#undef BARRIERS_FFTW_API

template <class T>
constexpr bool has_fftw = false;
template <>
constexpr bool has_fftw<std::complex<double>> = true;
template <>
constexpr bool has_fftw<std::complex<long double>> = true;
template <>
constexpr bool has_fftw<std::complex<float128>> = true;
}  // namespace

template <class T>
class FftwPlans {
  using api = fftw_api<real_of<T>>;
  // FFTW reads and writes arrays of two reals; std::complex<R> (and Boost's
  // float128, a wrapper of one __float128) has exactly that layout.
  static_assert(sizeof(T) == sizeof(typename api::cplx), "complex layout differs from FFTW's");

 public:
  // Column-major rows x cols is FFTW's row-major cols x rows.
  explicit FftwPlans(ImageShape s) {
    const std::size_t n = static_cast<std::size_t>(s.size());
    void* in = api::alloc(n);
    void* out = api::alloc(n);
    if (!in || !out) {
      api::release(in);
      api::release(out);
      throw std::bad_alloc();
    }
    forward_ = api::make(int(s.cols), int(s.rows), in, out, FFTW_FORWARD);
    backward_ = api::make(int(s.cols), int(s.rows), in, out, FFTW_BACKWARD);
    api::release(in);
    api::release(out);
    if (!forward_ || !backward_) throw std::runtime_error("FFTW could not plan a transform of this shape.");
  }
  FftwPlans(const FftwPlans&) = delete;
  FftwPlans& operator=(const FftwPlans&) = delete;

  /// Unnormalised; out-of-place (in != out), input preserved (FFTW's
  /// default for complex out-of-place transforms).
  void execute(const T* in, T* out, bool inverse) const { api::execute(inverse ? backward_ : forward_, in, out); }

  /// The shared plans for shape s, made on first use. They live until the
  /// process exits (the cache is never destroyed, so no plan is destroyed
  /// while another thread plans).
  static std::shared_ptr<const FftwPlans> get(ImageShape s) {
    using Cache = std::map<std::pair<Eigen::Index, Eigen::Index>, std::shared_ptr<const FftwPlans>>;
    static Cache* cache = new Cache;
    std::lock_guard<std::mutex> lock(fftw_planner_mutex());
    auto& slot = (*cache)[{s.rows, s.cols}];
    if (!slot) slot = std::make_shared<const FftwPlans>(s);
    return slot;
  }

 private:
  typename api::plan forward_ = nullptr, backward_ = nullptr;
};

}  // namespace detail

template <class T>
FourierTransform<T>::FourierTransform(ImageShape shape, FftBackend backend) : shape_(shape) {
  check_image_shape(shape, "the Fourier transform's image");
  const Real u = number_traits<Real>::epsilon() / 2;
  Real e_rows, e_cols;
  if constexpr (detail::has_fftw<T>) {
    if (backend == FftBackend::automatic) {
      fftw_ = detail::FftwPlans<T>::get(shape);
      uses_fftw_ = true;
      e_rows = 4 * GenericFft<T>::error_bound_for(shape.rows);
      e_cols = 4 * GenericFft<T>::error_bound_for(shape.cols);
    }
  }
  if (!uses_fftw_) {
    along_rows_ = std::make_unique<GenericFft<T>>(shape.rows);
    along_cols_ = std::make_unique<GenericFft<T>>(shape.cols);
    e_rows = along_rows_->relative_error_bound();
    e_cols = along_cols_->relative_error_bound();
  }
  using std::sqrt;
  scale_ = 1 / sqrt(Real(shape.size()));
  bound_ = (1 + e_rows) * (1 + e_cols) * (1 + 4 * u) * (1 + 4 * u);
}

template <class T>
FourierTransform<T>::~FourierTransform() = default;

template <class T>
void FourierTransform<T>::transform(const Vector<T>& x, Vector<T>& out, bool inverse) const {
  const Eigen::Index n = shape_.size();
  if (x.size() != n)
    throw std::invalid_argument("the Fourier transform's input has length " + std::to_string(x.size()) +
                                " but the image has " + std::to_string(n) + " pixels.");
  if (x.data() == out.data()) {  // out-of-place below: work on a copy
    const Vector<T> copy = x;
    transform(copy, out, inverse);
    return;
  }
  out.resize(n);
  if constexpr (detail::has_fftw<T>) {
    if (uses_fftw_) fftw_->execute(x.data(), out.data(), inverse);
  }
  if (!uses_fftw_) {
    out = x;
    const Eigen::Index R = shape_.rows, C = shape_.cols;
    for (Eigen::Index j = 0; j < C; ++j) along_rows_->transform(out.data() + j * R, inverse);
    if (C > 1) {
      thread_local std::vector<T> line;  // kept between calls (no MPFR numbers made per call)
      if (in_place_ops::stale(line)) line.clear();
      line.resize(static_cast<std::size_t>(C));
      for (Eigen::Index i = 0; i < R; ++i) {
        for (Eigen::Index j = 0; j < C; ++j) line[j] = out(i + j * R);
        along_cols_->transform(line.data(), inverse);
        for (Eigen::Index j = 0; j < C; ++j) out(i + j * R) = line[j];
      }
    }
  }
  for (Eigen::Index k = 0; k < n; ++k) out(k) *= scale_;
}

template <class T>
void FourierTransform<T>::apply(const Vector<T>& x, Vector<T>& out) const {
  transform(x, out, false);
}

template <class T>
void FourierTransform<T>::apply_adjoint(const Vector<T>& y, Vector<T>& out) const {
  transform(y, out, true);  // unitary: F^* = F^-1, the transform with sign +1
}

#define BARRIERS_X(T) template class FourierTransform<T>;
BARRIERS_FOR_EACH_COMPLEX(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
