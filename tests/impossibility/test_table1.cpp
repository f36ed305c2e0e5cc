#include <doctest/doctest.h>

#include <vector>

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
    CHECK(lista_flag(row).empty());
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

TEST_CASE("LISTA trains at K = 8 and 10 in double: thresholds and Adam's guard scale with the data") {
  // Before the scaled thresholds, every initial threshold (up to 1e-7)
  // exceeded every pre-activation (about 10^-K): output 0, gradient 0, best epoch 0.
  Table1Settings s;
  s.Ks = {8, 10};
  s.ns = {10};
  s.train_samples = 200;
  s.validation_samples = 40;
  s.epochs = 40;
  s.batch_size = 200;
  const Table1Result r = run_table1(s);
  REQUIRE(r.rows.size() == 2);
  for (const Table1Row& row : r.rows) {
    CAPTURE(row.K);
    CHECK(row.lista_best_epoch > 0);
    CHECK_FALSE(row.lista_zero_output);
    CHECK_FALSE(row.lista_zero_gradient);
    CHECK(lista_flag(row).empty());
    CHECK(row.lista_dist.lo > row.ten_to_minus_K);
  }
}

TEST_CASE("a dead LISTA network is flagged, not reported as trained") {
  // The published absolute thresholds at K = 8 start the network dead.
  Table1Settings s;
  s.Ks = {8};
  s.ns = {10};
  s.lista_rate = ListaRate::published;
  s.train_samples = 50;
  s.validation_samples = 10;
  s.epochs = 3;
  const Table1Result r = run_table1(s);
  REQUIRE(r.rows.size() == 1);
  const Table1Row& row = r.rows[0];
  CHECK(row.lista_best_epoch == 0);
  CHECK(row.lista_zero_output);
  CHECK(row.lista_zero_gradient);
  CHECK(lista_flag(row) == "dead network (best epoch 0; zero output; zero gradient)");
}

TEST_CASE("Table 1 reports each row as it completes and skips cells already done") {
  Table1Settings s;
  s.Ks = {1, 3};
  s.ns = {10};
  s.train_samples = 30;
  s.validation_samples = 10;
  s.epochs = 2;
  s.threads = 2;
  s.skip = [](long K, long) { return K == 1; };
  std::vector<long> seen;
  s.on_row = [&seen](const Table1Row& row) { seen.push_back(row.K); };
  const Table1Result r = run_table1(s);
  REQUIRE(r.rows.size() == 1);
  CHECK(r.rows[0].K == 3);
  CHECK(seen == std::vector<long>{3});
}

TEST_CASE("Table 1 too large for the memory is refused before any work; --paper follows the published script") {
  Table1Settings s;
  s.train_samples = 1000000;
  s.type = "mpfr";
  s.bits = 1000000;
  s.memory_limit_bytes = 16e9;
  CHECK_THROWS_WITH_AS(run_table1(s), doctest::Contains("GB of memory, more than the 16 GB"), std::invalid_argument);
  s = Table1Settings::paper();
  s.memory_limit_bytes = 16e9;
  CHECK_NOTHROW(s.validate());
  CHECK(s.firenet_restarts == 30);
  CHECK(s.firenet_inner == 50);  // the published script's FIRENET
}
