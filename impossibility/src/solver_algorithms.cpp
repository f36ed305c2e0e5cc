#include "barriers/impossibility/solver_algorithms.hpp"

#include <memory>
#include <stdexcept>

#include "barriers/impossibility/training_data.hpp"
#include "barriers/oracle/enclosure.hpp"
#include "barriers/oracle/to_working.hpp"
#include "barriers/precision/convert.hpp"
#include "barriers/solvers/dense_operator.hpp"
#include "barriers/solvers/firenet.hpp"
#include "barriers/solvers/fista.hpp"
#include "family_lista.hpp"
#include "barriers/solvers/primal_dual.hpp"
#include "barriers/solvers/warpd.hpp"

namespace barriers::impossibility {

std::vector<std::string> solver_algorithm_names() { return {"pdhg", "fista", "firenet", "warpd-sr", "lista"}; }

namespace {

template <class T>
Algorithm make_typed(const FamilyParams& p, const SolverAlgorithmSettings& s) {
  using Real = real_of<T>;
  const Real lambda = from_rational<Real>(p.lambda).value, eta = from_rational<Real>(p.eta).value;
  const std::string& name = s.solver;

  std::shared_ptr<ListaNetwork<T>> net;
  if (name == "lista") {
    detail::ListaPlan plan;
    plan.train = s.lista_samples;
    plan.validation = std::max<std::size_t>(10, s.lista_samples / 10);
    plan.epochs = s.lista_epochs;
    plan.data_seed = plan.seed = s.seed;
    net = detail::train_family_lista<T>(p, 2, plan).net;
  }

  return [=](DataAccess& data, std::uint64_t) -> std::vector<rational> {
    const Data d = data.query(p.n);
    const Matrix<T> A = oracle::to_working<T>(d.A).value;
    const Vector<T> y = oracle::to_working<T>(d.y).value.col(0);
    if (name == "lista") return detail::exact_values<T>(net->forward(y));
    const DenseOperator<T> op(A);
    if (name == "pdhg") {
      PdhgSettings<T> st;
      st.problem = p.problem == Problem::p1   ? SparseProblem::p1_basis_pursuit
                   : p.problem == Problem::p2 ? SparseProblem::p2_lasso
                                              : SparseProblem::p3_sqrt_lasso;
      st.lambda = lambda;
      st.eta = eta;
      st.max_iterations = s.iterations;
      return detail::exact_values<T>(primal_dual(op, y, st).solution);
    }
    if (name == "fista") {
      FistaSettings<T> st;
      st.lambda = lambda;
      st.max_iterations = s.iterations;
      return detail::exact_values<T>(fista(op, y, st).solution);
    }
    if (name == "firenet") {
      FirenetSettings<T> st;
      st.lambda = lambda;
      st.restarts = s.restarts;
      st.inner = s.inner;
      return detail::exact_values<T>(firenet(op, y, st).solution);
    }
    WarpdSrSettings<T> st;  // warpd-sr
    st.lambda = lambda;
    st.restarts = s.restarts;
    st.inner = s.inner;
    return detail::exact_values<T>(warpd_sr(op, y, st).solution);
  };
}

}  // namespace

void check_solver_algorithm(const FamilyParams& params, const SolverAlgorithmSettings& s) {
  params.validate();
  bool known = false;
  std::string names;
  for (const auto& n : solver_algorithm_names()) {
    known = known || n == s.solver;
    names += (names.empty() ? "" : ", ") + n;
  }
  if (!known) throw std::invalid_argument("unknown solver '" + s.solver + "': allowed are " + names);
  if ((s.solver == "firenet" || s.solver == "warpd-sr" || s.solver == "lista") && params.problem != Problem::p3)
    throw std::invalid_argument("solver '" + s.solver + "' solves the square-root LASSO: use --problem p3");
  if (s.solver == "fista" && params.problem != Problem::p2)
    throw std::invalid_argument("solver 'fista' solves the LASSO: use --problem p2");
  if (s.type != "double" && s.type != "long-double" && s.type != "float128" && s.type != "mpfr")
    throw std::invalid_argument("unknown type '" + s.type + "': allowed are double, long-double, float128, mpfr");
}

Algorithm make_solver_algorithm(const FamilyParams& params, const SolverAlgorithmSettings& s) {
  check_solver_algorithm(params, s);
  if (s.type == "double") return make_typed<double>(params, s);
  if (s.type == "long-double") return make_typed<long double>(params, s);
  if (s.type == "float128") return make_typed<float128>(params, s);
  return make_typed<mpfr_real>(params, s);
}

}  // namespace barriers::impossibility
