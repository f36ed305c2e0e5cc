#include <doctest/doctest.h>

#include "barriers/impossibility/table1.hpp"

using namespace barriers;
using namespace barriers::impossibility;

TEST_CASE("Table 1, default profile: both methods stay above 10^-K in every cell") {
  Table1Settings s;  // the default profile of `barriers table1` and `make run`
  s.threads = 2;     // rows do not depend on it (tested below)
  const Table1Result r = run_table1(s);
  REQUIRE(r.rows.size() == 9);
  for (const Table1Row& row : r.rows) {
    CAPTURE(row.K);
    CAPTURE(row.n);
    CHECK(row.identical_data);  // the adversary's answer is j = 2's exact bits
    CHECK(row.data_max_n == row.n);
    CHECK(row.training_queries == 1 + s.train_samples + s.validation_samples);  // A_n once, every sample once
    CHECK(row.lista_dist.lo > row.ten_to_minus_K);
    CHECK(row.firenet_dist.lo > row.ten_to_minus_K);
    // Neither can beat half the separation on both members: the distance to
    // x^1 plus the distance to x^2 is at least ||x^1 - x^2||.
    CHECK(row.lista_dist.hi + row.lista_dist_j2.hi >= row.separation.lo);
    CHECK(row.firenet_dist.hi + row.firenet_dist_j2.hi >= row.separation.lo);
    // The failure is not a failure to learn: with the scaled learning rate
    // LISTA trains at every K and gets K digits on the member whose data it
    // saw (j = 2), yet not on j = 1, which sends it the same bits.
    CHECK(row.lista_best_epoch > 0);
    CHECK(row.lista_dist_j2.hi < row.ten_to_minus_K);
  }
}

TEST_CASE("Table 1 rows do not depend on the thread count") {
  Table1Settings s;
  s.Ks = {1, 3};
  s.ns = {10, 20};
  s.train_samples = 60;
  s.validation_samples = 20;
  s.epochs = 5;
  const Table1Result one = run_table1(s);
  s.threads = 2;
  const Table1Result two = run_table1(s);
  REQUIRE(one.rows.size() == two.rows.size());
  for (std::size_t i = 0; i < one.rows.size(); ++i) {
    CHECK(one.rows[i].K == two.rows[i].K);
    CHECK(one.rows[i].n == two.rows[i].n);
    CHECK(one.rows[i].lista_dist.lo == two.rows[i].lista_dist.lo);
    CHECK(one.rows[i].firenet_dist.lo == two.rows[i].firenet_dist.lo);
  }
}

TEST_CASE("Table 1 in MPFR with n far beyond double: the barrier comes from the data") {
  Table1Settings s;
  s.Ks = {3};
  s.ns = {200};
  s.type = "mpfr";
  s.bits = 256;
  s.train_samples = 20;
  s.validation_samples = 5;
  s.epochs = 2;
  s.firenet_restarts = 10;
  s.firenet_inner = 10;
  const Table1Result r = run_table1(s);
  REQUIRE(r.rows.size() == 1);
  CHECK(r.rows[0].identical_data);
  CHECK(r.rows[0].working_type.find("mpfr") == 0);
  CHECK(r.rows[0].firenet_dist.lo > r.rows[0].ten_to_minus_K);
  CHECK(r.rows[0].lista_dist.lo > r.rows[0].ten_to_minus_K);
}

TEST_CASE("Table 1 settings are validated") {
  Table1Settings s;
  s.Ks = {0};
  CHECK_THROWS_WITH_AS(run_table1(s), doctest::Contains("K = 0"), std::invalid_argument);
  s = {};
  s.type = "half";
  CHECK_THROWS_WITH_AS(run_table1(s), doctest::Contains("unknown type 'half'"), std::invalid_argument);
  s = {};
  s.family.problem = Problem::p2;
  CHECK_THROWS_AS(run_table1(s), std::invalid_argument);
  s = {};
  s.sparsity = 30;
  CHECK_THROWS_WITH_AS(run_table1(s), doctest::Contains("sparsity 30"), std::invalid_argument);
}
