#include <doctest/doctest.h>

#include "barriers/solvers/prox.hpp"
#include "solver_test_support.hpp"

using namespace barriers;
using namespace barriers::test;

// Each map is checked against its defining optimality condition, with a
// tolerance of a few working epsilons relative to the data's size.

TEST_CASE_TEMPLATE("soft-threshold: Moreau identity with the clip (box projection)", T, BARRIERS_TEST_ALL_TYPES) {
  using R = real_of<T>;
  PrecisionGuard guard(mpfr_test_bits);
  const R eps = number_traits<R>::epsilon();
  Gaussian g(21);
  for (const double td : {0.0, 0.3, 1.0, 2.5}) {
    const R t(td);
    const Vector<T> v = random_vector<T>(g, 40);
    // prox_{t||.||_1} + prox_{(t||.||_1)^*} = identity; the conjugate's prox is
    // the projection onto {|u_i| <= t}, i.e. clip(., t).
    const Vector<T> sum = soft_threshold<T>(v, t) + clip<T>(v, t);
    CHECK(R((sum - v).norm()) <= 4 * eps * R(v.norm()));
  }
}

TEST_CASE_TEMPLATE("weighted soft-threshold: subgradient condition, phase kept", T, BARRIERS_TEST_ALL_TYPES) {
  using R = real_of<T>;
  PrecisionGuard guard(mpfr_test_bits);
  const R eps = number_traits<R>::epsilon();
  Gaussian g(22);
  const Eigen::Index n = 50;
  const Vector<T> v = random_vector<T>(g, n);
  Vector<R> t(n);
  for (Eigen::Index i = 0; i < n; ++i) t(i) = R(std::abs(g()));
  const Vector<T> p = soft_threshold<T>(v, t);
  int zeros = 0, nonzeros = 0;
  for (Eigen::Index i = 0; i < n; ++i) {
    // v - p must lie in t_i * (subdifferential of |.| at p_i).
    if (p(i) == T(0)) {
      ++zeros;
      CHECK(modulus(v(i)) <= t(i));
    } else {
      ++nonzeros;
      const T expected = t(i) * (p(i) / modulus(p(i)));
      CHECK(modulus(T(v(i) - p(i) - expected)) <= 4 * eps * modulus(v(i)));
      // Same phase as v_i (p_i is a positive multiple of v_i).
      CHECK(modulus(T(p(i) * modulus(v(i)) - v(i) * modulus(p(i)))) <= 4 * eps * modulus(v(i)) * modulus(p(i)));
    }
  }
  CHECK(zeros > 0);
  CHECK(nonzeros > 0);
  CHECK_THROWS_AS(soft_threshold<T>(v, Vector<R>(Vector<R>::Ones(3))), std::invalid_argument);
}

TEST_CASE_TEMPLATE("l2-ball projection and shrink: Moreau pair, variational inequality", T, BARRIERS_TEST_ALL_TYPES) {
  using R = real_of<T>;
  PrecisionGuard guard(mpfr_test_bits);
  const R eps = number_traits<R>::epsilon();
  Gaussian g(23);
  const Eigen::Index n = 30;
  for (const double rd : {0.0, 0.5, 3.0, 100.0}) {
    const R r(rd);
    const Vector<T> v = random_vector<T>(g, n);
    const Vector<T> p = project_l2_ball<T>(v, r);
    // shrink_r is the prox of r||.||, the conjugate of the ball's indicator.
    CHECK(R((p + shrink<T>(v, r) - v).norm()) <= 4 * eps * R(v.norm()));
    CHECK(R(p.norm()) <= r * (1 + 4 * eps));
    // <v - p, q - p> <= 0 for every q in the ball (checked on random q).
    for (int k = 0; k < 5; ++k) {
      Vector<T> q = random_vector<T>(g, n);
      q = q * (r / R(q.norm())) * R(0.999);
      CHECK(real_inner<T>(Vector<T>(v - p), Vector<T>(q - p)) <= 8 * eps * R(v.norm()) * (r + R(v.norm())));
    }
  }
  // Inside the ball nothing moves; a zero vector is safe for both maps.
  const Vector<T> small = random_vector<T>(g, n) * R(1e-3);
  CHECK(project_l2_ball<T>(small, R(1)) == small);
  const Vector<T> zero = Vector<T>::Zero(n);
  CHECK(shrink<T>(zero, R(1)) == zero);
  CHECK(shrink<T>(zero, R(0)) == zero);
  CHECK(project_l2_ball<T>(zero, R(0)) == zero);
  CHECK(all_finite(soft_threshold<T>(zero, R(0))));
}

TEST_CASE_TEMPLATE("clip: entrywise bound, phase kept, identity inside", T, BARRIERS_TEST_ALL_TYPES) {
  using R = real_of<T>;
  PrecisionGuard guard(mpfr_test_bits);
  const R eps = number_traits<R>::epsilon();
  Gaussian g(24);
  const Vector<T> v = random_vector<T>(g, 60);
  const Vector<T> c = clip<T>(v);
  for (Eigen::Index i = 0; i < v.size(); ++i) {
    CHECK(modulus(c(i)) <= 1 + 2 * eps);
    if (modulus(v(i)) <= 1)
      CHECK(c(i) == v(i));
    else
      CHECK(modulus(T(c(i) * modulus(v(i)) - v(i))) <= 4 * eps * modulus(v(i)));
  }
  CHECK(weighted_l1_norm<T>(c, Vector<R>()) <= weighted_l1_norm<T>(v, Vector<R>()));
}
