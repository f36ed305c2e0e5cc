#include "barriers/oracle/exact_matrix.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "nodes.hpp"

namespace barriers::oracle {
namespace detail {

void MatrixNode::enclose(acb_mat_t out, slong prec) const {
  constexpr std::size_t cache_slots = 3;
  // Cache only what is cheap to keep (<= 2^27 mantissa bits, ~16 MB a slot).
  const bool cacheable = double(rows) * double(cols) * double(prec) <= double(1L << 27);
  std::lock_guard<std::mutex> lock(cache_mutex_);
  for (std::size_t k = 0; k < cache_.size(); ++k)
    if (cache_[k].first == prec) {
      acb_mat_set(out, cache_[k].second->m);
      std::rotate(cache_.begin(), cache_.begin() + long(k), cache_.begin() + long(k) + 1);  // most recent first
      return;
    }
  compute(out, prec);
  if (cacheable) {
    auto slot = std::make_unique<AcbMat>(slong(rows), slong(cols));
    acb_mat_set(slot->m, out);
    cache_.insert(cache_.begin(), {prec, std::move(slot)});
    if (cache_.size() > cache_slots) cache_.pop_back();
  }
}

namespace {

std::string size_text(std::size_t r, std::size_t c) { return std::to_string(r) + "x" + std::to_string(c); }

void set_rational(acb_t out, const rational& re, const rational* im, slong prec) {
  Fmpq a(re);
  arb_set_fmpq(acb_realref(out), a.v, prec);
  if (im) {
    Fmpq b(*im);
    arb_set_fmpq(acb_imagref(out), b.v, prec);
  } else {
    arb_zero(acb_imagref(out));
  }
}

struct RationalNode final : MatrixNode {
  explicit RationalNode(RationalMatrix m) : MatrixNode(m.rows, m.cols), data(std::move(m)) {}
  void compute(acb_mat_t out, slong prec) const override {
    for (std::size_t i = 0; i < rows; ++i)
      for (std::size_t j = 0; j < cols; ++j) {
        const std::size_t k = i * cols + j;
        set_rational(acb_mat_entry(out, i, j), data.re[k], data.is_complex() ? &data.im[k] : nullptr, prec);
      }
  }
  bool is_real() const override {
    for (const auto& v : data.im)
      if (v != 0) return false;
    return true;
  }
  std::optional<RationalMatrix> exact_rational() const override { return data; }
  std::string describe() const override { return "rational(" + size_text(rows, cols) + ")"; }
  RationalMatrix data;
};

struct EntriesNode final : MatrixNode {
  EntriesNode(std::size_t r, std::size_t c, std::vector<ExactScalar> e) : MatrixNode(r, c), entries(std::move(e)) {}
  void compute(acb_mat_t out, slong prec) const override {
    for (std::size_t i = 0; i < rows; ++i)
      for (std::size_t j = 0; j < cols; ++j) entries[i * cols + j].node()->enclose(acb_mat_entry(out, i, j), prec);
  }
  bool is_real() const override {
    for (const auto& e : entries)
      if (!e.is_real()) return false;
    return true;
  }
  std::optional<RationalMatrix> exact_rational() const override {
    RationalMatrix m(rows, cols);
    for (std::size_t k = 0; k < entries.size(); ++k) {
      const auto q = entries[k].exact_rational();
      if (!q) return std::nullopt;
      m.re[k] = *q;
    }
    return m;
  }
  std::string describe() const override { return "formulas(" + size_text(rows, cols) + ")"; }
  std::vector<ExactScalar> entries;
};

struct DctNode final : MatrixNode {
  explicit DctNode(std::size_t n) : MatrixNode(n, n) {}
  void compute(acb_mat_t out, slong prec) const override {
    const slong n = slong(rows);
    arb_t c0, ck;
    arb_init(c0);
    arb_init(ck);
    arb_rsqrt_ui(c0, ulong(n), prec);  // 1/sqrt(n)
    arb_sqrt_ui(ck, 2, prec);
    arb_mul(ck, ck, c0, prec);         // sqrt(2/n)
    Fmpq angle;
    for (slong k = 0; k < n; ++k)
      for (slong j = 0; j < n; ++j) {
        // cos(pi (2j+1) k / (2n)); reduce the angle mod 2 to keep it small.
        fmpq_set_si(angle.v, ((2 * j + 1) * k) % (4 * n), ulong(2 * n));
        acb_ptr e = acb_mat_entry(out, k, j);
        arb_cos_pi_fmpq(acb_realref(e), angle.v, prec);
        arb_mul(acb_realref(e), acb_realref(e), k == 0 ? c0 : ck, prec);
        arb_zero(acb_imagref(e));
      }
    arb_clear(c0);
    arb_clear(ck);
  }
  bool is_real() const override { return true; }
  std::optional<RationalMatrix> exact_rational() const override {
    if (rows == 1) {  // the 1x1 DCT is [1]
      RationalMatrix m(1, 1);
      m.re[0] = 1;
      return m;
    }
    return std::nullopt;
  }
  std::string describe() const override { return "dct2(" + std::to_string(rows) + ")"; }
};

struct DftNode final : MatrixNode {
  explicit DftNode(std::size_t n) : MatrixNode(n, n) {}
  void compute(acb_mat_t out, slong prec) const override {
    const slong n = slong(rows);
    arb_t s;
    arb_init(s);
    arb_rsqrt_ui(s, ulong(n), prec);
    Fmpq angle;
    for (slong k = 0; k < n; ++k)
      for (slong j = 0; j < n; ++j) {
        // exp(-2 pi i jk/n) = cos(pi t) - i sin(pi t), t = 2 (jk mod n) / n.
        fmpq_set_si(angle.v, 2 * ((j * k) % n), ulong(n));
        acb_ptr e = acb_mat_entry(out, k, j);
        arb_sin_cos_pi_fmpq(acb_imagref(e), acb_realref(e), angle.v, prec);
        arb_neg(acb_imagref(e), acb_imagref(e));
        acb_mul_arb(e, e, s, prec);
      }
    arb_clear(s);
  }
  bool is_real() const override { return rows <= 2; }
  std::optional<RationalMatrix> exact_rational() const override {
    if (rows == 1) {
      RationalMatrix m(1, 1);
      m.re[0] = 1;
      return m;
    }
    return std::nullopt;
  }
  std::string describe() const override { return "dft(" + std::to_string(rows) + ")"; }
};

using Ptr = std::shared_ptr<const MatrixNode>;

// Exact arithmetic on rational matrices (both parts), for exact_rational().
RationalMatrix exact_product(const RationalMatrix& a, const RationalMatrix& b) {
  const bool cx = a.is_complex() || b.is_complex();
  RationalMatrix c(a.rows, b.cols, cx);
  for (std::size_t i = 0; i < a.rows; ++i)
    for (std::size_t j = 0; j < b.cols; ++j) {
      rational re = 0, im = 0;
      for (std::size_t k = 0; k < a.cols; ++k) {
        const rational &ar = a.real(i, k), &br = b.real(k, j);
        if (!cx) {
          re += ar * br;
          continue;
        }
        const rational ai = a.imag(i, k), bi = b.imag(k, j);
        re += ar * br - ai * bi;
        im += ar * bi + ai * br;
      }
      c.re[i * c.cols + j] = re;
      if (cx) c.im[i * c.cols + j] = im;
    }
  return c;
}

// Nodes with two operands: enclose both (or take both exactly) and combine.
struct BinaryNode : MatrixNode {
  BinaryNode(std::size_t r, std::size_t c, Ptr x, Ptr y) : MatrixNode(r, c), a(std::move(x)), b(std::move(y)) {}
  void compute(acb_mat_t out, slong prec) const final {
    AcbMat x{slong(a->rows), slong(a->cols)}, y{slong(b->rows), slong(b->cols)};
    a->enclose(x.m, prec);
    b->enclose(y.m, prec);
    combine(out, x.m, y.m, prec);
  }
  bool is_real() const final { return a->is_real() && b->is_real(); }
  std::optional<RationalMatrix> exact_rational() const final {
    const auto x = a->exact_rational();
    if (!x) return std::nullopt;
    const auto y = b->exact_rational();
    if (!y) return std::nullopt;
    return combine_exact(*x, *y);
  }
  virtual void combine(acb_mat_t out, const acb_mat_t x, const acb_mat_t y, slong prec) const = 0;
  virtual RationalMatrix combine_exact(const RationalMatrix& x, const RationalMatrix& y) const = 0;
  Ptr a, b;
};

struct ProductNode final : BinaryNode {
  ProductNode(const Ptr& l, const Ptr& r) : BinaryNode(l->rows, r->cols, l, r) {}
  void combine(acb_mat_t out, const acb_mat_t x, const acb_mat_t y, slong prec) const override {
    acb_mat_mul(out, x, y, prec);
  }
  RationalMatrix combine_exact(const RationalMatrix& x, const RationalMatrix& y) const override {
    return exact_product(x, y);
  }
  std::string describe() const override { return a->describe() + " * " + b->describe(); }
};

struct SumNode final : BinaryNode {
  SumNode(const Ptr& l, const Ptr& r, bool minus) : BinaryNode(l->rows, l->cols, l, r), sub(minus) {}
  void combine(acb_mat_t out, const acb_mat_t x, const acb_mat_t y, slong prec) const override {
    if (sub)
      acb_mat_sub(out, x, y, prec);
    else
      acb_mat_add(out, x, y, prec);
  }
  RationalMatrix combine_exact(const RationalMatrix& x, const RationalMatrix& y) const override {
    const bool cx = x.is_complex() || y.is_complex();
    RationalMatrix c(rows, cols, cx);
    for (std::size_t k = 0; k < c.size(); ++k) {
      c.re[k] = sub ? x.re[k] - y.re[k] : x.re[k] + y.re[k];
      if (cx) {
        const rational xi = x.is_complex() ? x.im[k] : rational(0);
        const rational yi = y.is_complex() ? y.im[k] : rational(0);
        c.im[k] = sub ? xi - yi : xi + yi;
      }
    }
    return c;
  }
  std::string describe() const override { return "(" + a->describe() + (sub ? " - " : " + ") + b->describe() + ")"; }
  bool sub;
};

struct ScaleNode final : MatrixNode {
  ScaleNode(ExactScalar s, Ptr m) : MatrixNode(m->rows, m->cols), scale(std::move(s)), a(std::move(m)) {}
  void compute(acb_mat_t out, slong prec) const override {
    Acb s;
    scale.node()->enclose(s.v, prec);
    a->enclose(out, prec);
    acb_mat_scalar_mul_acb(out, out, s.v, prec);
  }
  bool is_real() const override { return scale.is_real() && a->is_real(); }
  std::optional<RationalMatrix> exact_rational() const override {
    const auto s = scale.exact_rational();
    if (!s) return std::nullopt;
    auto m = a->exact_rational();
    if (!m) return std::nullopt;
    for (auto& v : m->re) v *= *s;
    for (auto& v : m->im) v *= *s;
    return m;
  }
  std::string describe() const override { return scale.formula() + " * " + a->describe(); }
  ExactScalar scale;
  Ptr a;
};

// Places a at (0, 0) and b at (row_off, col_off) of a rows x cols zero matrix.
struct PlaceNode final : BinaryNode {
  PlaceNode(std::size_t r, std::size_t c, Ptr x, Ptr y, std::size_t ro, std::size_t co, std::string kind)
      : BinaryNode(r, c, std::move(x), std::move(y)), row_off(ro), col_off(co), name(std::move(kind)) {}
  void combine(acb_mat_t out, const acb_mat_t x, const acb_mat_t y, slong) const override {
    acb_mat_zero(out);
    for (std::size_t i = 0; i < a->rows; ++i)
      for (std::size_t j = 0; j < a->cols; ++j) acb_set(acb_mat_entry(out, i, j), acb_mat_entry(x, i, j));
    for (std::size_t i = 0; i < b->rows; ++i)
      for (std::size_t j = 0; j < b->cols; ++j)
        acb_set(acb_mat_entry(out, i + row_off, j + col_off), acb_mat_entry(y, i, j));
  }
  RationalMatrix combine_exact(const RationalMatrix& x, const RationalMatrix& y) const override {
    const bool cx = x.is_complex() || y.is_complex();
    RationalMatrix m(rows, cols, cx);
    auto put = [&](const RationalMatrix& s, std::size_t ro, std::size_t co) {
      for (std::size_t i = 0; i < s.rows; ++i)
        for (std::size_t j = 0; j < s.cols; ++j) {
          m.re[(i + ro) * cols + j + co] = s.real(i, j);
          if (cx) m.im[(i + ro) * cols + j + co] = s.imag(i, j);
        }
    };
    put(x, 0, 0);
    put(y, row_off, col_off);
    return m;
  }
  std::string describe() const override { return name + "(" + a->describe() + ", " + b->describe() + ")"; }
  std::size_t row_off, col_off;
  std::string name;
};

struct TransposeNode final : MatrixNode {
  TransposeNode(Ptr m, bool conj) : MatrixNode(m->cols, m->rows), a(std::move(m)), conjugate(conj) {}
  void compute(acb_mat_t out, slong prec) const override {
    AcbMat x(slong(a->rows), slong(a->cols));
    a->enclose(x.m, prec);
    if (conjugate)
      acb_mat_conjugate_transpose(out, x.m);
    else
      acb_mat_transpose(out, x.m);
  }
  bool is_real() const override { return a->is_real(); }
  std::optional<RationalMatrix> exact_rational() const override {
    const auto x = a->exact_rational();
    if (!x) return std::nullopt;
    RationalMatrix m(rows, cols, x->is_complex());
    for (std::size_t i = 0; i < rows; ++i)
      for (std::size_t j = 0; j < cols; ++j) {
        m.re[i * cols + j] = x->real(j, i);
        if (x->is_complex()) m.im[i * cols + j] = conjugate ? -x->imag(j, i) : x->imag(j, i);
      }
    return m;
  }
  std::string describe() const override { return a->describe() + (conjugate ? "^*" : "^T"); }
  Ptr a;
  bool conjugate;
};

void require_nonempty(std::size_t r, std::size_t c, const char* what) {
  if (r == 0 || c == 0)
    throw std::invalid_argument(std::string(what) + ": size " + size_text(r, c) + " is empty; sizes must be at least 1");
}

}  // namespace
}  // namespace detail

using namespace detail;

ExactMatrix ExactMatrix::from_rational(RationalMatrix m) {
  require_nonempty(m.rows, m.cols, "rational matrix");
  if (m.re.size() != m.rows * m.cols || (m.is_complex() && m.im.size() != m.re.size()))
    throw std::invalid_argument("rational matrix: " + std::to_string(m.re.size()) + " entries given for size " +
                                size_text(m.rows, m.cols));
  return ExactMatrix(std::make_shared<RationalNode>(std::move(m)));
}

ExactMatrix ExactMatrix::from_entries(std::size_t rows, std::size_t cols, std::vector<ExactScalar> entries) {
  require_nonempty(rows, cols, "formula matrix");
  if (entries.size() != rows * cols)
    throw std::invalid_argument("formula matrix: " + std::to_string(entries.size()) + " entries given for size " +
                                size_text(rows, cols));
  return ExactMatrix(std::make_shared<EntriesNode>(rows, cols, std::move(entries)));
}

ExactMatrix ExactMatrix::column(std::vector<ExactScalar> entries) {
  const std::size_t n = entries.size();
  return from_entries(n, 1, std::move(entries));
}

ExactMatrix ExactMatrix::identity(std::size_t n) {
  RationalMatrix m(n, n);
  for (std::size_t i = 0; i < n; ++i) m.re[i * n + i] = 1;
  return from_rational(std::move(m));
}

ExactMatrix ExactMatrix::zeros(std::size_t rows, std::size_t cols) { return from_rational(RationalMatrix(rows, cols)); }

ExactMatrix ExactMatrix::dct2(std::size_t n) {
  require_nonempty(n, n, "dct2");
  return ExactMatrix(std::make_shared<DctNode>(n));
}

ExactMatrix ExactMatrix::dft(std::size_t n) {
  require_nonempty(n, n, "dft");
  return ExactMatrix(std::make_shared<DftNode>(n));
}

ExactMatrix ExactMatrix::block_diag(const ExactMatrix& a, const ExactMatrix& b) {
  return ExactMatrix(std::make_shared<PlaceNode>(a.rows() + b.rows(), a.cols() + b.cols(), a.node_, b.node_, a.rows(),
                                                 a.cols(), "blockdiag"));
}

ExactMatrix ExactMatrix::hstack(const ExactMatrix& a, const ExactMatrix& b) {
  if (a.rows() != b.rows())
    throw std::invalid_argument("hstack: heights differ (" + size_text(a.rows(), a.cols()) + " and " +
                                size_text(b.rows(), b.cols()) + ")");
  return ExactMatrix(
      std::make_shared<PlaceNode>(a.rows(), a.cols() + b.cols(), a.node_, b.node_, 0, a.cols(), "hstack"));
}

ExactMatrix ExactMatrix::vstack(const ExactMatrix& a, const ExactMatrix& b) {
  if (a.cols() != b.cols())
    throw std::invalid_argument("vstack: widths differ (" + size_text(a.rows(), a.cols()) + " and " +
                                size_text(b.rows(), b.cols()) + ")");
  return ExactMatrix(
      std::make_shared<PlaceNode>(a.rows() + b.rows(), a.cols(), a.node_, b.node_, a.rows(), 0, "vstack"));
}

ExactMatrix operator*(const ExactMatrix& a, const ExactMatrix& b) {
  if (a.cols() != b.rows())
    throw std::invalid_argument("matrix product: sizes " + size_text(a.rows(), a.cols()) + " and " +
                                size_text(b.rows(), b.cols()) + " do not match");
  return ExactMatrix(std::make_shared<ProductNode>(a.node_, b.node_));
}

namespace {
ExactMatrix sum(const ExactMatrix& a, const ExactMatrix& b, bool minus) {
  if (a.rows() != b.rows() || a.cols() != b.cols())
    throw std::invalid_argument(std::string("matrix ") + (minus ? "difference" : "sum") + ": sizes " +
                                size_text(a.rows(), a.cols()) + " and " + size_text(b.rows(), b.cols()) + " differ");
  return ExactMatrix(std::make_shared<SumNode>(a.node(), b.node(), minus));
}
}  // namespace

ExactMatrix operator+(const ExactMatrix& a, const ExactMatrix& b) { return sum(a, b, false); }
ExactMatrix operator-(const ExactMatrix& a, const ExactMatrix& b) { return sum(a, b, true); }
ExactMatrix operator*(const ExactScalar& s, const ExactMatrix& a) {
  return ExactMatrix(std::make_shared<ScaleNode>(s, a.node_));
}
ExactMatrix ExactMatrix::adjoint() const { return ExactMatrix(std::make_shared<TransposeNode>(node_, true)); }
ExactMatrix ExactMatrix::transpose() const { return ExactMatrix(std::make_shared<TransposeNode>(node_, false)); }

std::size_t ExactMatrix::rows() const { return node_->rows; }
std::size_t ExactMatrix::cols() const { return node_->cols; }
bool ExactMatrix::is_real() const { return node_->is_real(); }
std::optional<RationalMatrix> ExactMatrix::exact_rational() const { return node_->exact_rational(); }
std::string ExactMatrix::describe() const { return node_->describe(); }

}  // namespace barriers::oracle
