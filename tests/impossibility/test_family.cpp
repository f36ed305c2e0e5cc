#include <doctest/doctest.h>

#include <random>

#include "barriers/impossibility/family.hpp"
#include "barriers/impossibility/training_data.hpp"
#include "barriers/oracle/enclosure.hpp"
#include "barriers/oracle/to_working.hpp"
#include "barriers/precision/convert.hpp"
#include "barriers/precision/dyadic.hpp"
#include "barriers/precision/precision_guard.hpp"

using namespace barriers;
using namespace barriers::impossibility;
using oracle::ExactMatrix;

namespace {

// The data of an exact matrix in mpfr_real, from a 400-bit enclosure
// (midpoints are within 2^-390 of the truth: far below anything compared).
Matrix<mpfr_real> data(const ExactMatrix& m) {
  const oracle::Enclosure e = oracle::enclose(m, 400);
  oracle::RationalMatrix mid(e.rows, e.cols);
  for (std::size_t k = 0; k < mid.size(); ++k) mid.re[k] = e.re[k].mid();
  return oracle::to_working<mpfr_real>(mid).value;
}

mpfr_real objective(Problem p, const FamilyParams& fp, const Matrix<mpfr_real>& A, const Matrix<mpfr_real>& y,
                    const Matrix<mpfr_real>& x) {
  const mpfr_real lambda = from_rational<mpfr_real>(fp.lambda).value;
  mpfr_real l1 = 0;
  for (Eigen::Index i = 0; i < x.rows(); ++i) l1 += abs(x(i, 0));
  const mpfr_real r2 = (A * x - y).squaredNorm();
  if (p == Problem::p3) return lambda * l1 + sqrt(r2);
  if (p == Problem::p2) return lambda * l1 + r2;
  return l1;  // p1: the constraint is checked separately
}

}  // namespace

TEST_CASE("the stated minimiser beats random nearby points (independent of the verifier's certificate)") {
  PrecisionGuard g(256);
  std::mt19937_64 rng(2024);
  std::uniform_real_distribution<double> u(-1, 1);
  // Also one measurement row (N2 = 0: A = a^T, m = 1) and a scaled sample y = 2 D e_1.
  struct Shape {
    std::size_t N2;
    rational c;
  };
  for (Problem p : {Problem::p1, Problem::p2, Problem::p3})
    for (long K : {1L, 3L})
      for (const Shape& shape : {Shape{6, 1}, Shape{0, 1}, Shape{6, 2}}) {
      FamilyParams fp;
      fp.problem = p;
      fp.K = K;
      fp.n = 12;
      fp.N2 = shape.N2;
      fp.y_scale = shape.c;
      CAPTURE(shape.N2);
      const FamilyMember m = family_member(fp, 2);
      const auto A = data(m.instance.A), y = data(m.instance.y), x = data(m.minimiser);
      const mpfr_real best = objective(p, fp, A, y, x);
      const mpfr_real eta = from_rational<mpfr_real>(fp.eta).value;
      int compared = 0;
      for (int trial = 0; trial < 200; ++trial) {
        Matrix<mpfr_real> h(x.rows(), 1);
        for (Eigen::Index i = 0; i < h.rows(); ++i) h(i, 0) = mpfr_real(u(rng)) * mpfr_real(1e-3) / mpfr_real(double(K * K));
        const Matrix<mpfr_real> z = x + h;
        if (p == Problem::p1 && (A * z - y).norm() > eta) continue;  // infeasible: not a competitor
        ++compared;
        CAPTURE(to_string(p));
        CAPTURE(K);
        CHECK(objective(p, fp, A, y, z) > best);
      }
      CHECK(compared > 0);
    }
}

TEST_CASE("the two members differ only in the enlarged head entry") {
  FamilyParams fp;
  fp.dct_mixing = false;
  fp.n = 5;
  const FamilyMember a = family_member(fp, 1), b = family_member(fp, 2);
  const oracle::Enclosure d = oracle::enclose(a.instance.A - b.instance.A, 200);
  const rational eps = pow2(-6);
  for (std::size_t k = 0; k < d.re.size(); ++k) {
    const rational expect = k == 0 ? eps : k == 1 ? -eps : rational(0);
    CHECK(d.re[k].lo <= expect);
    CHECK(expect <= d.re[k].hi);
  }
  CHECK(a.instance.A.rows() == 21);
  CHECK(a.instance.A.cols() == 22);
}

TEST_CASE("one measurement row: N2 = 0 gives A = a^T (1 x N1) with the minimiser t e_j") {
  // It used to be refused ("N2 = 0 is too small"); the construction needs only the head row.
  FamilyParams fp;
  fp.N2 = 0;
  fp.n = 7;
  for (bool dct : {true, false}) {
    fp.dct_mixing = dct;
    const FamilyMember m = family_member(fp, 2);
    CHECK(m.instance.A.rows() == 1);
    CHECK(m.instance.A.cols() == 2);
    CHECK(m.instance.y.rows() == 1);
    const oracle::Enclosure A = oracle::enclose(m.instance.A, 200);
    const oracle::Interval a_j = oracle::enclose(m.a_j, 200), b = oracle::enclose(m.b, 200);
    CHECK(A.re[0].lo <= b.hi);
    CHECK(A.re[0].hi >= b.lo);
    CHECK(A.re[1].lo <= a_j.hi);
    CHECK(A.re[1].hi >= a_j.lo);
  }
}

TEST_CASE("bad family parameters are rejected with a message naming them") {
  auto bad = [](auto change, const char* text) {
    FamilyParams p;
    change(p);
    CHECK_THROWS_WITH_AS(p.validate(), doctest::Contains(text), std::invalid_argument);
  };
  bad([](FamilyParams& p) { p.K = 0; }, "K = 0");
  bad([](FamilyParams& p) { p.n = 0; }, "n = 0");
  bad([](FamilyParams& p) { p.delta = rational(1, 4); }, "delta = 1/4");
  bad([](FamilyParams& p) { p.delta = 0; }, "delta = 0");
  bad([](FamilyParams& p) { p.lambda = 0; }, "lambda = 0");
  bad([](FamilyParams& p) { p.lambda = rational(-1, 2); }, "lambda = -1/2");
  bad([](FamilyParams& p) { p.N1 = 1; }, "N1 = 1");
  bad([](FamilyParams& p) { p.y_scale = rational(1, 2); }, "y scale c = 1/2");
  bad([](FamilyParams& p) { p.y_scale = 3; }, "y scale c = 3");
  bad([](FamilyParams& p) { p.N2 = 511; }, "N1 + N2 = 513");
  bad([](FamilyParams& p) { p.eta = rational(1, 2); }, "eta = 1/2");
  CHECK_THROWS_WITH_AS(family_member(FamilyParams{}, 3), doctest::Contains("j = 3"), std::invalid_argument);
}

TEST_CASE("training samples: fixed head, s-sparse random tail, reproducible per seed") {
  FamilyParams fp;
  fp.n = 10;
  const TrainingSamples a = make_training_samples(fp, 2, 12, 77), b = make_training_samples(fp, 2, 12, 77),
                        c = make_training_samples(fp, 2, 12, 78);
  REQUIRE(a.x.size() == 12);
  REQUIRE(a.data.samples.size() == 12);
  const FamilyMember m = family_member(fp, 2);
  const oracle::Interval t = oracle::enclose(m.t, 200);
  bool differs = false;
  for (std::size_t k = 0; k < 12; ++k) {
    const oracle::Enclosure ea = oracle::enclose(a.x[k], 200), eb = oracle::enclose(b.x[k], 200),
                            ec = oracle::enclose(c.x[k], 200);
    CHECK(ea.re[0].lo == 0);
    CHECK(ea.re[1].lo == t.lo);  // head t e_2
    int nonzero = 0;
    for (std::size_t i = 2; i < ea.re.size(); ++i) {
      nonzero += ea.re[i].lo != 0 || ea.re[i].hi != 0;
      CHECK(ea.re[i].lo == eb.re[i].lo);
      differs = differs || ea.re[i].lo != ec.re[i].lo;
    }
    CHECK(nonzero == 5);
  }
  CHECK(differs);
  CHECK_THROWS_WITH_AS(make_training_samples(fp, 2, 3, 1, 21), doctest::Contains("sparsity 21"),
                       std::invalid_argument);
}
