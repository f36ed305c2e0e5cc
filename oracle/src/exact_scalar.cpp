#include "barriers/oracle/exact_scalar.hpp"

#include <stdexcept>

#include "nodes.hpp"

namespace barriers::oracle {
namespace detail {
namespace {

struct RationalScalar final : ScalarNode {
  explicit RationalScalar(rational v) : q(std::move(v)) {}
  void enclose(acb_t out, slong prec) const override {
    Fmpq f(q);
    acb_zero(out);
    arb_set_fmpq(acb_realref(out), f.v, prec);
  }
  bool is_real() const override { return true; }
  std::optional<rational> exact_rational() const override { return q; }
  std::string formula() const override { return q.str(); }
  rational q;
};

struct TrigPiScalar final : ScalarNode {
  TrigPiScalar(rational v, bool cosine) : q(std::move(v)), cos(cosine) {}
  void enclose(acb_t out, slong prec) const override {
    Fmpq f(q);
    acb_zero(out);
    if (cos)
      arb_cos_pi_fmpq(acb_realref(out), f.v, prec);
    else
      arb_sin_pi_fmpq(acb_realref(out), f.v, prec);
  }
  bool is_real() const override { return true; }
  std::string formula() const override { return std::string(cos ? "cos" : "sin") + "(pi*" + q.str() + ")"; }
  rational q;
  bool cos;
};

struct SqrtScalar final : ScalarNode {
  explicit SqrtScalar(std::shared_ptr<const ScalarNode> a) : x(std::move(a)) {}
  void enclose(acb_t out, slong prec) const override {
    x->enclose(out, prec);
    acb_sqrt(out, out, prec);
  }
  bool is_real() const override {
    const auto q = x->exact_rational();
    // The square root of a real formula is real when it is known to be >= 0;
    // otherwise treat it as complex (acb_sqrt is the principal branch).
    return x->is_real() && (!q || *q >= 0);
  }
  std::string formula() const override { return "sqrt(" + x->formula() + ")"; }
  std::shared_ptr<const ScalarNode> x;
};

enum class Op { add, sub, mul, div };

struct BinaryScalar final : ScalarNode {
  BinaryScalar(Op o, std::shared_ptr<const ScalarNode> l, std::shared_ptr<const ScalarNode> r)
      : op(o), a(std::move(l)), b(std::move(r)) {}
  void enclose(acb_t out, slong prec) const override {
    Acb u, v;
    a->enclose(u.v, prec);
    b->enclose(v.v, prec);
    switch (op) {
      case Op::add: acb_add(out, u.v, v.v, prec); break;
      case Op::sub: acb_sub(out, u.v, v.v, prec); break;
      case Op::mul: acb_mul(out, u.v, v.v, prec); break;
      case Op::div: acb_div(out, u.v, v.v, prec); break;
    }
  }
  bool is_real() const override { return a->is_real() && b->is_real(); }
  std::string formula() const override {
    static const char* sym[] = {"+", "-", "*", "/"};
    return "(" + a->formula() + sym[int(op)] + b->formula() + ")";
  }
  Op op;
  std::shared_ptr<const ScalarNode> a, b;
};

struct ComplexScalar final : ScalarNode {
  ComplexScalar(std::shared_ptr<const ScalarNode> r, std::shared_ptr<const ScalarNode> i)
      : re(std::move(r)), im(std::move(i)) {}
  void enclose(acb_t out, slong prec) const override {
    Acb u, v;
    re->enclose(u.v, prec);
    im->enclose(v.v, prec);
    acb_mul_onei(v.v, v.v);
    acb_add(out, u.v, v.v, prec);
  }
  bool is_real() const override { return false; }
  std::string formula() const override { return "(" + re->formula() + "+i*" + im->formula() + ")"; }
  std::shared_ptr<const ScalarNode> re, im;
};

}  // namespace
}  // namespace detail

using detail::BinaryScalar;
using detail::Op;

ExactScalar::ExactScalar(const rational& q) : node_(std::make_shared<detail::RationalScalar>(q)) {}
ExactScalar::ExactScalar(long v) : ExactScalar(rational(v)) {}

ExactScalar ExactScalar::sqrt(const ExactScalar& x) {
  if (const auto q = x.exact_rational(); q && *q >= 0) {
    // Keep perfect squares of rationals exact: sqrt(4/9) = 2/3.
    const integer num = numerator(*q), den = denominator(*q);
    const integer rn = boost::multiprecision::sqrt(num), rd = boost::multiprecision::sqrt(den);
    if (rn * rn == num && rd * rd == den) return ExactScalar(rational(rn, rd));
  }
  return ExactScalar(std::make_shared<detail::SqrtScalar>(x.node_));
}
ExactScalar ExactScalar::cos_pi(const rational& q) {
  return ExactScalar(std::make_shared<detail::TrigPiScalar>(q, true));
}
ExactScalar ExactScalar::sin_pi(const rational& q) {
  return ExactScalar(std::make_shared<detail::TrigPiScalar>(q, false));
}
ExactScalar ExactScalar::complex(const ExactScalar& re, const ExactScalar& im) {
  if (const auto i = im.exact_rational(); i && *i == 0 && re.is_real()) return re;
  return ExactScalar(std::make_shared<detail::ComplexScalar>(re.node_, im.node_));
}

namespace {
// Folds rational operands exactly; anything else becomes a formula node.
ExactScalar combine(Op op, const ExactScalar& a, const ExactScalar& b) {
  const auto qa = a.exact_rational(), qb = b.exact_rational();
  if (qa && qb) {
    switch (op) {
      case Op::add: return ExactScalar(*qa + *qb);
      case Op::sub: return ExactScalar(*qa - *qb);
      case Op::mul: return ExactScalar(*qa * *qb);
      case Op::div: return ExactScalar(*qa / *qb);
    }
  }
  return ExactScalar(std::make_shared<BinaryScalar>(op, a.node(), b.node()));
}
}  // namespace

ExactScalar operator+(const ExactScalar& a, const ExactScalar& b) { return combine(Op::add, a, b); }
ExactScalar operator-(const ExactScalar& a, const ExactScalar& b) { return combine(Op::sub, a, b); }
ExactScalar operator*(const ExactScalar& a, const ExactScalar& b) { return combine(Op::mul, a, b); }
ExactScalar operator/(const ExactScalar& a, const ExactScalar& b) {
  if (const auto q = b.exact_rational(); q && *q == 0)
    throw std::domain_error("division by an exact zero in formula " + a.formula() + "/" + b.formula());
  return combine(Op::div, a, b);
}
ExactScalar ExactScalar::operator-() const { return ExactScalar(0L) - *this; }

bool ExactScalar::is_real() const { return node_->is_real(); }
std::optional<rational> ExactScalar::exact_rational() const { return node_->exact_rational(); }
std::string ExactScalar::formula() const { return node_->formula(); }

}  // namespace barriers::oracle
