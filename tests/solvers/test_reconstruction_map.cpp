// The preconditions every ReconstructionMap's backward() shares
// (ReconstructionMap::check_backward): no backward before a forward, and
// an output gradient of N entries.
#include <doctest/doctest.h>

#include <memory>

#include "barriers/solvers/dense_operator.hpp"
#include "barriers/solvers/imaging/noise.hpp"
#include "barriers/solvers/lista.hpp"
#include "barriers/solvers/stability/firenet_gradient.hpp"
#include "barriers/solvers/stability/learned_firenet.hpp"
#include "barriers/solvers/stability/learned_ista.hpp"
#include "barriers/solvers/stability/lista_gradient.hpp"

using namespace barriers;

namespace {

void check_preconditions(ReconstructionMap<double>& map) {
  const Eigen::Index m = map.input_size(), N = map.output_size();
  Vector<double> out, gy;
  CHECK_THROWS_AS(map.backward(Vector<double>::Zero(N), gy), std::logic_error);
  map.forward(Vector<double>::Ones(m), out);
  CHECK_THROWS_AS(map.backward(Vector<double>::Zero(N + 1), gy), std::invalid_argument);
  CHECK_THROWS_AS(map.backward(Vector<double>::Zero(N - 1), gy), std::invalid_argument);
  CHECK_NOTHROW(map.backward(Vector<double>::Ones(N), gy));
  CHECK(gy.size() == m);
}

}  // namespace

TEST_CASE("every reconstruction map checks backward's preconditions") {
  const Eigen::Index m = 6, N = 10;
  const Vector<double> g = gaussian_vector<double>(m * N, 7);
  const Matrix<double> Ad = Eigen::Map<const Matrix<double>>(g.data(), m, N);
  const auto A = std::make_shared<const DenseOperator<double>>(Ad);
  FirenetSettings<double> fs;
  fs.lambda = 0.1;
  fs.restarts = 2;
  fs.inner = 3;
  SUBCASE("FIRENET") {
    FirenetMap<double> map(A, fs);
    check_preconditions(map);
  }
  SUBCASE("LISTA") {
    ListaMap<double> map(ListaNetwork<double>(Ad, 2, 3));
    check_preconditions(map);
  }
  auto learned = std::make_shared<LearnedIstaMap<double>>(
      A, std::vector<Eigen::Index>{0, N}, initial_learned_ista_params<double>(*A, 2, 1, 0.01, 1, 0.1, 5));
  SUBCASE("learned ISTA") { check_preconditions(*learned); }
  SUBCASE("learned + FIRENET") {
    LearnedFirenetMap<double> map(learned, A, fs);
    check_preconditions(map);
  }
}
