// WARPd for images (TV, analysis l1, TGV) and its non-restarted baseline,
// for every scalar type.
#include "barriers/solvers/imaging/image_warpd.hpp"

#include <stdexcept>
#include <string>

#include "barriers/solvers/imaging/gradient_2d.hpp"
#include "barriers/solvers/imaging/sampled_transform.hpp"
#include "barriers/solvers/sparse_problem.hpp"

namespace barriers {

namespace {

// The identity on N entries: SampledTransform's "sparsifying transform" when
// the unknown is the image itself.
template <class T>
class Identity final : public LinearOperator<T> {
 public:
  explicit Identity(Eigen::Index n) : n_(n) {}
  Eigen::Index rows() const override { return n_; }
  Eigen::Index cols() const override { return n_; }
  void apply(const Vector<T>& x, Vector<T>& out) const override { out = x; }
  void apply_adjoint(const Vector<T>& y, Vector<T>& out) const override { out = y; }
  real_of<T> norm_bound() const override { return real_of<T>(1); }

 private:
  Eigen::Index n_;
};

// [A, 0]: A applied to the first A.cols() entries of z = (u, v).
template <class T>
class FirstBlock final : public LinearOperator<T> {
 public:
  FirstBlock(const LinearOperator<T>& A, Eigen::Index total_cols) : A_(A), cols_(total_cols) {}
  Eigen::Index rows() const override { return A_.rows(); }
  Eigen::Index cols() const override { return cols_; }
  void apply(const Vector<T>& z, Vector<T>& out) const override { A_.apply(z.head(A_.cols()), out); }
  void apply_adjoint(const Vector<T>& y, Vector<T>& out) const override {
    Vector<T> u;
    A_.apply_adjoint(y, u);
    out.setZero(cols_);
    out.head(A_.cols()) = u;
  }
  real_of<T> norm_bound() const override { return A_.norm_bound(); }

 private:
  const LinearOperator<T>& A_;
  Eigen::Index cols_;
};

// B (u, v) = [grad u - v; E v] (2N + 4N rows, 3N columns); the bound 27/8 is
// derived in image_warpd.hpp.
template <class T>
class TgvOperator final : public LinearOperator<T> {
 public:
  explicit TgvOperator(ImageShape shape) : grad_(shape), sym_(shape), n_(shape.size()) {}
  Eigen::Index rows() const override { return 6 * n_; }
  Eigen::Index cols() const override { return 3 * n_; }
  void apply(const Vector<T>& z, Vector<T>& out) const override {
    Vector<T> g, e;
    grad_.apply(z.head(n_), g);
    sym_.apply(z.tail(2 * n_), e);
    out.resize(6 * n_);
    out.head(2 * n_) = g - z.tail(2 * n_);
    out.tail(4 * n_) = e;
  }
  void apply_adjoint(const Vector<T>& p, Vector<T>& out) const override {
    Vector<T> u, v;
    grad_.apply_adjoint(p.head(2 * n_), u);
    sym_.apply_adjoint(p.tail(4 * n_), v);
    out.resize(3 * n_);
    out.head(n_) = u;
    out.tail(2 * n_) = v - p.head(2 * n_);
  }
  real_of<T> norm_bound() const override { return real_of<T>(27) / 8; }

 private:
  Gradient2D<T> grad_;
  SymmetrisedGradient2D<T> sym_;
  Eigen::Index n_;
};

// The WARPd problem for one image problem: the operators it needs (kept
// alive here) and the settings with B, groups and the image-sized vectors
// translated.
template <class T>
struct Setup {
  using Real = real_of<T>;
  std::unique_ptr<LinearOperator<T>> A_z;  // TGV only
  const LinearOperator<T>* A = nullptr;
  WarpdSettings<T> s;
  Eigen::Index n = 0;
};

template <class T>
void build(Setup<T>& out, const LinearOperator<T>& A_img, const Vector<T>& y, ImageShape shape,
           const ImageRegularisation<T>& reg, const WarpdSettings<T>& given) {
  using Real = real_of<T>;
  check_image_shape(shape, "the image");
  const Eigen::Index n = shape.size();
  if (A_img.cols() != n)
    throw std::invalid_argument("the image operator takes " + std::to_string(A_img.cols()) + " entries but the image has " +
                                std::to_string(n) + " pixels; they must match.");
  if (y.size() != A_img.rows())
    throw std::invalid_argument("y has " + std::to_string(y.size()) + " entries but the image operator has " +
                                std::to_string(A_img.rows()) + " rows; they must match.");
  if (given.B || !given.groups.empty() || given.weights.size() != 0)
    throw std::invalid_argument("settings.B, groups and weights are set by image_warpd from the regulariser; leave them empty.");
  for (const Vector<T>* v : {&given.x0, &given.reference})
    if (v->size() != 0 && v->size() != n)
      throw std::invalid_argument("x0 or the reference has " + std::to_string(v->size()) + " entries; it must be an image of " +
                                  std::to_string(n) + " pixels.");
  out.n = n;
  out.s = given;
  out.s.l1_on_x = false;
  out.A = &A_img;
  switch (reg.kind) {
    case ImageRegulariserKind::tv:
      out.s.B = std::make_shared<Gradient2D<T>>(shape);
      out.s.groups = {GroupBlock<Real>{n, 2, Real(1)}};
      break;
    case ImageRegulariserKind::analysis: {
      if (!reg.analysis || reg.analysis->cols() != n)
        throw std::invalid_argument("the analysis regulariser needs an operator W taking the " + std::to_string(n) +
                                    " pixels of the image.");
      out.s.B = reg.analysis;
      if (!reg.level_weights.empty()) {
        const auto& st = reg.level_starts;
        if (st.size() != reg.level_weights.size() + 1 || st.front() != 0 || st.back() != reg.analysis->rows())
          throw std::invalid_argument("the analysis level weights need one weight per level and level_starts from 0 to " +
                                      std::to_string(reg.analysis->rows()) + " (one more entry than weights).");
        for (std::size_t l = 0; l < reg.level_weights.size(); ++l) {
          if (!(st[l + 1] > st[l]))
            throw std::invalid_argument("the analysis level_starts must increase strictly.");
          out.s.groups.push_back(GroupBlock<Real>{st[l + 1] - st[l], 1, reg.level_weights[l]});
        }
      }
      break;
    }
    case ImageRegulariserKind::tgv: {
      detail::check_positive(reg.alpha0, "alpha0");
      detail::check_positive(reg.alpha1, "alpha1");
      out.A_z = std::make_unique<FirstBlock<T>>(A_img, 3 * n);
      out.A = out.A_z.get();
      out.s.B = std::make_shared<TgvOperator<T>>(shape);
      out.s.groups = {GroupBlock<Real>{n, 2, reg.alpha1}, GroupBlock<Real>{n, 4, reg.alpha0}};
      if (given.x0.size() != 0) {
        out.s.x0 = Vector<T>::Zero(3 * n);
        out.s.x0.head(n) = given.x0;
      }
      // The error is that of the image part u of z = (u, v).
      if (given.reference.size() != 0) {
        out.s.reference = Vector<T>();
        out.s.error_of = [ref = given.reference, n](const Vector<T>& z) { return Real((z.head(n) - ref).norm()); };
      } else if (given.error_of) {
        out.s.error_of = [user = given.error_of, n](const Vector<T>& z) { return user(z.head(n)); };
      }
      break;
    }
  }
}

template <class T>
SolverResult<T> image_part(SolverResult<T> r, Eigen::Index n) {
  if (r.solution.size() != n) r.solution = Vector<T>(r.solution.head(n));
  return r;
}

}  // namespace

template <class T>
OperatorPtr<T> sampled_image_operator(OperatorPtr<T> U, std::vector<Eigen::Index> omega, real_of<T> delta_U) {
  if (!U) throw std::invalid_argument("the measurement transform is null.");
  auto identity = std::make_shared<Identity<T>>(U->cols());
  return std::make_shared<SampledTransform<T>>(std::move(U), std::move(identity), std::move(omega), delta_U);
}

template <class T>
SolverResult<T> image_warpd(const LinearOperator<T>& A_img, const Vector<T>& y, ImageShape shape,
                            const ImageRegularisation<T>& reg, const WarpdSettings<T>& settings) {
  Setup<T> p;
  build(p, A_img, y, shape, reg, settings);
  return image_part(warpd(*p.A, y, p.s), p.n);
}

template <class T>
SolverResult<T> image_primal_dual_baseline(const LinearOperator<T>& A_img, const Vector<T>& y, ImageShape shape,
                                           const ImageRegularisation<T>& reg, const WarpdSettings<T>& settings) {
  Setup<T> p;
  build(p, A_img, y, shape, reg, settings);
  if (settings.restarts < 1)
    throw std::invalid_argument("the number of restarts is " + std::to_string(settings.restarts) + "; it must be >= 1.");
  const long inner = warpd_inner_count(*p.A, p.s);
  if (inner > (1L << 40) / settings.restarts)
    throw std::invalid_argument("restarts x inner exceeds 2^40 iterations; lower one of them.");
  p.s.inner = inner * settings.restarts;
  p.s.restarts = 1;
  return image_part(warpd(*p.A, y, p.s), p.n);
}

template <class T>
WarpdGridResult<T> image_warpd_grid_search(const LinearOperator<T>& A_img, const Vector<T>& y, ImageShape shape,
                                           const ImageRegularisation<T>& reg, const WarpdSettings<T>& settings,
                                           const WarpdGridSearch<T>& grid) {
  Setup<T> p;
  build(p, A_img, y, shape, reg, settings);
  WarpdGridResult<T> r = warpd_grid_search(*p.A, y, p.s, grid);
  r.best = image_part(std::move(r.best), p.n);
  return r;
}

#define BARRIERS_X(T)                                                                                      \
  template OperatorPtr<T> sampled_image_operator<T>(OperatorPtr<T>, std::vector<Eigen::Index>, real_of<T>); \
  template SolverResult<T> image_warpd<T>(const LinearOperator<T>&, const Vector<T>&, ImageShape,            \
                                          const ImageRegularisation<T>&, const WarpdSettings<T>&);           \
  template SolverResult<T> image_primal_dual_baseline<T>(const LinearOperator<T>&, const Vector<T>&,         \
                                                         ImageShape, const ImageRegularisation<T>&,          \
                                                         const WarpdSettings<T>&);                           \
  template WarpdGridResult<T> image_warpd_grid_search<T>(const LinearOperator<T>&, const Vector<T>&,         \
                                                         ImageShape, const ImageRegularisation<T>&,          \
                                                         const WarpdSettings<T>&, const WarpdGridSearch<T>&);
BARRIERS_FOR_EACH_SCALAR(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
