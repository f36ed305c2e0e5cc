#include "barriers/impossibility/table1.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <stdexcept>

#include <flint/flint.h>
#include <mpfr.h>

#include "barriers/impossibility/distance.hpp"
#include "barriers/impossibility/resources.hpp"
#include "barriers/impossibility/training_data.hpp"
#include "barriers/oracle/oracle.hpp"
#include "barriers/oracle/to_working.hpp"
#include "barriers/precision/convert.hpp"
#include "barriers/precision/precision_guard.hpp"
#include "barriers/solvers/dense_operator.hpp"
#include "barriers/solvers/firenet.hpp"
#include "family_lista.hpp"

namespace barriers::impossibility {

Table1Settings Table1Settings::paper() {
  Table1Settings s;
  s.train_samples = 8000;
  s.validation_samples = 100;
  s.epochs = 4000;
  s.batch_size = 1000;
  s.lista_rate = ListaRate::published;
  s.firenet_inner = 50;  // the published script's FIRENET: 30 restarts x 50 inner steps
  return s;
}

std::string to_string(ListaRate rate) { return rate == ListaRate::published ? "published" : "scaled"; }

ListaRate parse_lista_rate(const std::string& name) {
  if (name == "published") return ListaRate::published;
  if (name == "scaled") return ListaRate::scaled;
  throw std::invalid_argument("unknown learning-rate rule '" + name + "': allowed are published, scaled");
}

void Table1Settings::validate() const {
  auto fail = [](const std::string& m) { throw std::invalid_argument(m); };
  if (Ks.empty() || ns.empty()) fail("the K and n lists must not be empty");
  for (long K : Ks) {
    FamilyParams p = family;
    p.K = K;
    p.validate();
  }
  for (long n : ns) {
    FamilyParams p = family;
    p.n = n;
    p.validate();
  }
  if (family.problem != Problem::p3) fail("Table 1 is defined for the square-root LASSO (p3)");
  if (train_samples < 1 || train_samples > 1000000)
    fail("training set size " + std::to_string(train_samples) + " is out of range: allowed 1..1000000");
  if (validation_samples < 1 || validation_samples > 100000)
    fail("validation set size " + std::to_string(validation_samples) + " is out of range: allowed 1..100000");
  if (sparsity > family.N2)
    fail("sparsity " + std::to_string(sparsity) + " exceeds the tail length N2 = " + std::to_string(family.N2));
  if (epochs < 0) fail("epochs = " + std::to_string(epochs) + " must be at least 0");
  if (batch_size < 1) fail("batch size " + std::to_string(batch_size) + " must be at least 1");
  if (layers < 1) fail("LISTA layers = " + std::to_string(layers) + " must be at least 1");
  if (firenet_restarts < 1 || firenet_inner < 1) fail("FIRENET restarts and inner iterations must be at least 1");
  if (threads < 1 || threads > 64) fail("threads = " + std::to_string(threads) + " is out of range: allowed 1..64");
  if (type != "double" && type != "long-double" && type != "float128" && type != "mpfr")
    fail("unknown type '" + type + "': allowed are double, long-double, float128, mpfr");
  check_resources("this Table 1 run", memory_estimate(), time_estimate(), memory_limit_bytes);
}

namespace {
long max_of(const std::vector<long>& v) { return v.empty() ? 0 : *std::max_element(v.begin(), v.end()); }
}  // namespace

double Table1Settings::memory_estimate() const {
  const double m = double(family.N2 + 1), N = double(family.N1 + family.N2);
  const double total = double(train_samples + validation_samples);
  const double B = bytes_per_number(type, bits);
  const double batch = double(std::min<std::size_t>(std::size_t(batch_size), train_samples));
  // Per cell: the oracle's answers y_{k,n} and exact targets; the data in T
  // (kept twice: full and split); activations of one batch through every
  // layer (forward and backward); Adam's two moments and the weights.
  const double cell = total * m * bytes_per_rational(max_of(ns) + 64) + total * N * 64 +
                      2 * total * (m + N) * B + 4 * double(layers) * N * batch * B +
                      3 * double(layers) * m * N * B;
  const double parallel = double(std::min<std::size_t>(threads, Ks.size() * ns.size()));
  return parallel * cell;
}

double Table1Settings::time_estimate() const {
  const double m = double(family.N2 + 1), N = double(family.N1 + family.N2);
  // Each layer multiplies by A and by W (2 m N each), forward and backward.
  const double lista = double(epochs) * double(train_samples + validation_samples) * double(layers) * 12 * m * N;
  const double firenet = double(firenet_restarts) * double(firenet_inner) * 4 * m * N;
  return double(Ks.size() * ns.size()) * (lista + firenet) * seconds_per_operation(type, bits) /
         double(std::max(1u, threads));
}

std::string lista_flag(const Table1Row& row) {
  if (!row.lista_finite) return "non-finite output";
  if (row.lista_best_epoch > 0 && !row.lista_zero_output && !row.lista_zero_gradient) return "";
  std::string why;
  if (row.lista_best_epoch == 0) why = "best epoch 0";
  if (row.lista_zero_output) why += std::string(why.empty() ? "" : "; ") + "zero output";
  if (row.lista_zero_gradient) why += std::string(why.empty() ? "" : "; ") + "zero gradient";
  return (row.lista_zero_gradient || row.lista_zero_output ? "dead network (" : "untrained (") + why + ")";
}

bool both_above(const Table1Row& row) {
  return row.lista_finite && row.firenet_finite && row.lista_dist.lo > row.ten_to_minus_K &&
         row.firenet_dist.lo > row.ten_to_minus_K;
}

namespace {

using oracle::ExactMatrix;

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// A vector's exact values, or nothing when an entry is NaN or infinite.
template <class T>
std::optional<std::vector<rational>> finite_exact_values(const Vector<T>& v) {
  for (Eigen::Index i = 0; i < v.size(); ++i)
    if (!is_finite_scalar(v(i))) return std::nullopt;
  return detail::exact_values<T>(v);
}

// say(fraction of this cell done, status).
template <class T>
Table1Row run_cell(const Table1Settings& s, long K, long n, const std::function<void(double, const std::string&)>& say) {
  const std::string cell = "K=" + std::to_string(K) + " n=" + std::to_string(n);
  FamilyParams p = s.family;
  p.K = K;
  p.n = n;
  const FamilyMember m1 = family_member(p, 1), m2 = family_member(p, 2);
  Table1Row row;
  row.K = K;
  row.n = n;
  row.working_type = describe_type<T>();
  row.ten_to_minus_K = ten_to_minus(K);
  const long prec = distance_precision(K);
  row.separation = certified_separation(m1.minimiser, m2.minimiser, prec);

  // The test data: j = 1's oracle, answering with j = 2's bits.
  const oracle::Oracle world1(m1.instance, {oracle::AnswerPolicy::adversarial, 0}, m2.instance);
  const oracle::Oracle world2(m2.instance, {oracle::AnswerPolicy::nearest, 0});
  const oracle::InstanceAnswer test = world1.query(n);
  const oracle::InstanceAnswer reference = world2.query(n);
  row.identical_data = test.A.from_other && test.y.from_other && test.A.value == reference.A.value &&
                       test.y.value == reference.y.value;
  const Matrix<T> A_test = oracle::to_working<T>(test.A.value).value;
  const Vector<T> y_test = oracle::to_working<T>(test.y.value).value.col(0);

  // LISTA, trained on the j = 2 member's training set at precision n.
  say(0, cell + ": training LISTA (" + std::to_string(s.epochs) + " epochs, " + std::to_string(s.train_samples) +
         " samples, " + row.working_type + ")");
  auto t0 = std::chrono::steady_clock::now();
  detail::ListaPlan plan;
  plan.train = s.train_samples;
  plan.validation = s.validation_samples;
  plan.sparsity = s.sparsity;
  plan.epochs = s.epochs;
  plan.batch_size = s.batch_size;
  plan.layers = s.layers;
  plan.rate = s.lista_rate;
  plan.data_seed = s.seed * 1000003 + std::uint64_t(K) * 101 + std::uint64_t(n);
  plan.seed = s.seed;
  plan.on_epoch = [&](int epoch) {
    say(0.95 * epoch / std::max(1, s.epochs),
        cell + ": LISTA epoch " + std::to_string(epoch) + "/" + std::to_string(s.epochs));
  };
  const detail::TrainedLista<T> lista = detail::train_family_lista<T>(p, 2, plan);
  row.training_queries = lista.queries.queries;
  row.data_max_n = std::max(lista.queries.max_n, n);
  row.lista_best_epoch = lista.best_epoch;
  row.lista_best_validation = lista.best_validation;
  row.lista_zero_gradient = lista.zero_gradient;
  const Vector<T> phi_lista = lista.net->forward(y_test);
  row.lista_zero_output = detail::max_abs_entry<T>(Matrix<T>(phi_lista)) == 0;
  row.lista_seconds = seconds_since(t0);

  // FIRENET.
  say(0.95, cell + ": FIRENET (" + std::to_string(s.firenet_restarts) + " restarts x " +
               std::to_string(s.firenet_inner) + " steps)");
  t0 = std::chrono::steady_clock::now();
  FirenetSettings<T> fs;
  fs.lambda = from_rational<real_of<T>>(p.lambda).value;
  fs.restarts = s.firenet_restarts;
  fs.inner = s.firenet_inner;
  const SolverResult<T> fr = firenet(DenseOperator<T>(A_test), y_test, fs);
  row.firenet_seconds = seconds_since(t0);

  // A NaN or infinite output has no distance: the cell records it and the
  // run goes on (the caller reports it and exits non-zero).
  if (const auto lista_exact = finite_exact_values<T>(phi_lista)) {
    row.lista_dist = certified_distance(*lista_exact, m1.minimiser, prec);
    row.lista_dist_j2 = certified_distance(*lista_exact, m2.minimiser, prec);
  } else {
    row.lista_finite = false;
  }
  if (const auto firenet_exact = finite_exact_values<T>(fr.solution)) {
    row.firenet_dist = certified_distance(*firenet_exact, m1.minimiser, prec);
    row.firenet_dist_j2 = certified_distance(*firenet_exact, m2.minimiser, prec);
  } else {
    row.firenet_finite = false;
  }
  return row;
}

// Cells are independent and seeded by (seed, K, n), so running them on
// several threads gives bit-identical rows. The MPFR precision is set once,
// before the threads start, and only read by them.
template <class T>
void run_all(const Table1Settings& s, Table1Result& out) {
  std::vector<std::pair<long, long>> cells;
  for (long K : s.Ks)
    for (long n : s.ns)
      if (!s.skip || !s.skip(K, n)) cells.emplace_back(K, n);
  out.rows.assign(cells.size(), Table1Row{});
  std::atomic<std::size_t> next{0};
  std::exception_ptr failure;
  std::mutex mutex;  // guards failure, done and the callbacks
  std::vector<double> done(cells.size(), 0.0);
  auto worker = [&]() {
    for (std::size_t i; (i = next++) < cells.size();) {
      auto say = [&, i](double fraction, const std::string& message) {
        if (!s.progress) return;
        std::lock_guard<std::mutex> lock(mutex);
        done[i] = fraction;
        double total = 0;
        for (double d : done) total += d;
        s.progress(total / double(cells.size()),
                   "cell " + std::to_string(i + 1) + "/" + std::to_string(cells.size()) + " " + message);
      };
      try {
        out.rows[i] = run_cell<T>(s, cells[i].first, cells[i].second, say);
        say(1.0, "K=" + std::to_string(cells[i].first) + " n=" + std::to_string(cells[i].second) + ": done");
        std::lock_guard<std::mutex> lock(mutex);
        if (s.on_row) s.on_row(out.rows[i]);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mutex);
        if (!failure) failure = std::current_exception();
      }
    }
  };
  const unsigned threads = std::max(1u, std::min<unsigned>(s.threads, unsigned(cells.size())));
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t)
    pool.emplace_back([&worker] {
      worker();
      // MPFR's and FLINT's per-thread caches (constants such as log 2, spare
      // fmpz limbs in Arb) are not freed when a thread ends: free them here.
      flint_cleanup();
      mpfr_free_cache();
    });
  worker();
  for (auto& t : pool) t.join();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace

Table1Result run_table1(const Table1Settings& s) {
  s.validate();
  Table1Result out{s, {}};
  if (s.type == "double") {
    run_all<double>(s, out);
  } else if (s.type == "long-double") {
    run_all<long double>(s, out);
  } else if (s.type == "float128") {
    run_all<float128>(s, out);
  } else {
    PrecisionGuard g(s.bits);
    run_all<mpfr_real>(s, out);
  }
  return out;
}

const PublishedCell* published_table1(long K, long n) {
  // PNAS Table 1 as printed (THEORY.md section 4).
  struct Entry {
    long K, n;
    PublishedCell cell;
  };
  static const Entry table[] = {
      {1, 10, {0.2999690, 0.2597827}}, {1, 20, {0.3000000, 0.2598050}}, {1, 30, {0.3000000, 0.2598052}},
      {3, 10, {0.0030000, 0.0025980}}, {3, 20, {0.0030000, 0.0025980}}, {3, 30, {0.0030000, 0.0025980}},
      {6, 10, {0.0000030, 0.0000015}}, {6, 20, {0.0000030, 0.0000015}}, {6, 30, {0.0000030, 0.0000015}},
  };
  for (const auto& e : table)
    if (e.K == K && e.n == n) return &e.cell;
  return nullptr;
}

}  // namespace barriers::impossibility
