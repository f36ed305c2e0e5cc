// Table 1 and precision sweeps from Python (docs/python.md): the same runs
// as `barriers table1` and `barriers sweep`, returned as objects whose
// certified distances keep their exact bounds, plus records (lists of
// dicts of plain numbers) for pandas.DataFrame.
#include <pybind11/functional.h>
#include <pybind11/stl.h>

#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "barriers/impossibility/sweep.hpp"
#include "barriers/impossibility/table1.hpp"
#include "barriers/oracle/enclosure.hpp"
#include "barriers/oracle/instance.hpp"
#include "barriers/precision/convert.hpp"
#include "bindings.hpp"

namespace barriers::python {
namespace {

using impossibility::SweepPoint;
using impossibility::SweepResult;
using impossibility::SweepSettings;
using impossibility::Table1Result;
using impossibility::Table1Row;
using impossibility::Table1Settings;

// A count given from Python, checked before it is narrowed.
long checked(long value, const char* name, long lo, long hi) {
  if (value < lo || value > hi)
    throw std::invalid_argument(std::string(name) + " must be in " + std::to_string(lo) + ".." + std::to_string(hi) +
                                ", got " + std::to_string(value));
  return value;
}

// The interval's bounds as floats, rounded outward so they still enclose.
void put_interval(py::dict& d, const std::string& name, const oracle::Interval& i, bool finite) {
  d[(name + "_lo").c_str()] = finite ? py::object(py::float_(double_below(i.lo))) : py::none();
  d[(name + "_hi").c_str()] = finite ? py::object(py::float_(double_above(i.hi))) : py::none();
}

py::dict table1_record(const Table1Row& r) {
  py::dict d;
  d["K"] = r.K;
  d["n"] = r.n;
  put_interval(d, "lista_dist", r.lista_dist, r.lista_finite);
  put_interval(d, "firenet_dist", r.firenet_dist, r.firenet_finite);
  put_interval(d, "lista_dist_j2", r.lista_dist_j2, r.lista_finite);
  put_interval(d, "firenet_dist_j2", r.firenet_dist_j2, r.firenet_finite);
  put_interval(d, "separation", r.separation, true);
  d["ten_to_minus_K"] = from_rational<double>(r.ten_to_minus_K).value;
  d["both_above"] = impossibility::both_above(r);
  d["lista_flag"] = impossibility::lista_flag(r);
  d["identical_data"] = r.identical_data;
  d["data_max_n"] = r.data_max_n;
  d["training_queries"] = r.training_queries;
  d["lista_best_epoch"] = r.lista_best_epoch;
  d["lista_best_validation"] = r.lista_best_validation;
  d["lista_seconds"] = r.lista_seconds;
  d["firenet_seconds"] = r.firenet_seconds;
  d["working_type"] = r.working_type;
  const impossibility::PublishedCell* p = impossibility::published_table1(r.K, r.n);
  d["published_lista"] = p ? py::object(py::float_(p->lista)) : py::none();
  d["published_firenet"] = p ? py::object(py::float_(p->firenet)) : py::none();
  return d;
}

py::dict sweep_record(const SweepPoint& p) {
  py::dict d;
  d["n"] = p.n;
  d["bits"] = p.bits;
  d["iterations"] = p.iterations;
  d["finite"] = p.finite;
  put_interval(d, "error", p.error, p.finite);
  d["certified_minimiser"] = p.certified_minimiser;
  d["type"] = p.type;
  return d;
}

template <class T>
std::vector<T> checked_list(const std::vector<long>& values, const char* name, long lo, long hi) {
  if (values.empty()) throw std::invalid_argument(std::string(name) + " must not be empty");
  std::vector<T> out;
  for (const long v : values) out.push_back(T(checked(v, name, lo, hi)));
  return out;
}

Table1Result table1(std::optional<std::vector<std::pair<long, long>>> cells, std::optional<std::vector<long>> Ks,
                    std::optional<std::vector<long>> ns, bool paper, std::optional<long> train_samples,
                    std::optional<long> validation_samples, std::optional<long> epochs, std::optional<long> batch_size,
                    std::optional<long> layers, std::optional<std::string> lista_rate,
                    std::optional<long> firenet_restarts, std::optional<long> firenet_inner, const std::string& type,
                    long bits, long seed, long threads) {
  Table1Settings s = paper ? Table1Settings::paper() : Table1Settings{};
  std::set<std::pair<long, long>> wanted;
  if (cells) {
    if (Ks || ns) throw std::invalid_argument("give either cells or Ks and ns, not both");
    if (cells->empty()) throw std::invalid_argument("cells must not be empty");
    std::set<long> k_set, n_set;
    for (const auto& [K, n] : *cells) {
      k_set.insert(checked(K, "K", 1, impossibility::max_K));
      n_set.insert(checked(n, "n", 1, 100000));
      wanted.insert({K, n});
    }
    s.Ks.assign(k_set.begin(), k_set.end());
    s.ns.assign(n_set.begin(), n_set.end());
    s.skip = [wanted](long K, long n) { return !wanted.count({K, n}); };
  }
  if (Ks) s.Ks = checked_list<long>(*Ks, "K", 1, impossibility::max_K);
  if (ns) s.ns = checked_list<long>(*ns, "n", 1, 100000);
  if (train_samples) s.train_samples = std::size_t(checked(*train_samples, "train_samples", 1, 1000000));
  if (validation_samples) s.validation_samples = std::size_t(checked(*validation_samples, "validation_samples", 1, 100000));
  if (epochs) s.epochs = int(checked(*epochs, "epochs", 0, 1000000));
  if (batch_size) s.batch_size = int(checked(*batch_size, "batch_size", 1, 1000000));
  if (layers) s.layers = int(checked(*layers, "layers", 1, 1000));
  if (lista_rate) s.lista_rate = impossibility::parse_lista_rate(*lista_rate);
  if (firenet_restarts) s.firenet_restarts = int(checked(*firenet_restarts, "firenet_restarts", 1, 100000));
  if (firenet_inner) s.firenet_inner = int(checked(*firenet_inner, "firenet_inner", 1, 100000));
  s.type = type;
  s.bits = unsigned(checked(bits, "bits", 2, 1 << 20));
  s.seed = std::uint64_t(checked(seed, "seed", 0, 1L << 62));
  s.threads = unsigned(checked(threads, "threads", 1, 64));
  s.validate();
  py::gil_scoped_release release;
  return impossibility::run_table1(s);
}

SweepResult sweep(const std::string& instance, long rows, long cols, long sparsity, long seed, const std::string& solver,
                  std::optional<std::string> lam, long inner, const std::vector<long>& ns, const std::vector<long>& bits,
                  const std::vector<long>& iterations, const std::string& problem, long K, const std::string& delta,
                  long N1, long N2, bool dct) {
  SweepSettings s;
  if (instance != "gaussian" && instance != "family")
    throw std::invalid_argument("instance must be gaussian or family, got '" + instance + "'");
  s.instance = instance;
  s.rows = std::size_t(checked(rows, "rows", 1, 2000));
  s.cols = std::size_t(checked(cols, "cols", 1, 2000));
  s.sparsity = std::size_t(checked(sparsity, "sparsity", 1, 2000));
  s.seed = std::uint64_t(checked(seed, "seed", 0, 1L << 62));
  s.solver = solver;
  s.inner = int(checked(inner, "inner", 1, 1000000));
  s.ns = checked_list<long>(ns, "ns", 0, 100000);
  s.bits = checked_list<unsigned>(bits, "bits", 2, 100000);
  s.iterations = checked_list<long>(iterations, "iterations", 1, 100000000);
  if (instance == "family") {
    s.family.problem = impossibility::parse_problem(problem);
    s.family.K = checked(K, "K", 1, impossibility::max_K);
    s.family.n = s.ns.front();
    s.family.delta = oracle::parse_rational(delta);
    if (lam) s.family.lambda = oracle::parse_rational(*lam);
    s.family.N1 = std::size_t(checked(N1, "N1", 2, 100000));
    s.family.N2 = std::size_t(checked(N2, "N2", 0, 100000));
    s.family.dct_mixing = dct;
    s.family.validate();
  } else if (lam) {
    s.lambda = oracle::parse_rational(*lam);
  }
  s.validate();
  py::gil_scoped_release release;
  return impossibility::run_sweep(s);
}

}  // namespace

void bind_experiments(py::module_& m) {
  py::class_<oracle::Interval>(m, "Interval", "A certified enclosure [lo, hi] of a real number (exact bounds)")
      .def_property_readonly("lo", [](const oracle::Interval& i) { return fraction(i.lo); }, "lower bound (Fraction)")
      .def_property_readonly("hi", [](const oracle::Interval& i) { return fraction(i.hi); }, "upper bound (Fraction)")
      .def_property_readonly("lo_float", [](const oracle::Interval& i) { return double_below(i.lo); },
                             "the largest float <= lo")
      .def_property_readonly("hi_float", [](const oracle::Interval& i) { return double_above(i.hi); },
                             "the smallest float >= hi")
      .def_property_readonly("mid", [](const oracle::Interval& i) { return from_rational<double>(i.mid()).value; },
                             "the midpoint, rounded to the nearest float")
      .def("__repr__", [](const oracle::Interval& i) {
        return "Interval(" + py::repr(py::float_(double_below(i.lo))).cast<std::string>() + ", " +
               py::repr(py::float_(double_above(i.hi))).cast<std::string>() + ")";
      });

  py::class_<Table1Row>(m, "Table1Row", "One (K, n) cell of Table 1 (docs/reproducing.md)")
      .def_readonly("K", &Table1Row::K)
      .def_readonly("n", &Table1Row::n)
      .def_readonly("lista_dist", &Table1Row::lista_dist, "certified distance of LISTA's output to x^1")
      .def_readonly("firenet_dist", &Table1Row::firenet_dist, "certified distance of FIRENET's output to x^1")
      .def_readonly("lista_dist_j2", &Table1Row::lista_dist_j2)
      .def_readonly("firenet_dist_j2", &Table1Row::firenet_dist_j2)
      .def_readonly("separation", &Table1Row::separation, "||x^1 - x^2||_2")
      .def_property_readonly("ten_to_minus_K", [](const Table1Row& r) { return fraction(r.ten_to_minus_K); })
      .def_readonly("identical_data", &Table1Row::identical_data)
      .def_readonly("data_max_n", &Table1Row::data_max_n)
      .def_readonly("lista_finite", &Table1Row::lista_finite)
      .def_readonly("firenet_finite", &Table1Row::firenet_finite)
      .def_readonly("working_type", &Table1Row::working_type)
      .def_property_readonly("both_above", &impossibility::both_above,
                             "both distances finite and certified above 10^-K")
      .def_property_readonly("lista_flag", &impossibility::lista_flag, "why LISTA's column is not a trained network, or ''")
      .def("record", &table1_record, "the row as a dict of plain numbers (interval bounds rounded outward)");

  py::class_<Table1Result>(m, "Table1Result", "The cells of a Table 1 run")
      .def_readonly("rows", &Table1Result::rows)
      .def("records", [](const Table1Result& r) {
        py::list out;
        for (const Table1Row& row : r.rows) out.append(table1_record(row));
        return out;
      }, "a list of dicts, one per cell (pandas.DataFrame(result.records()))");

  m.def("table1", &table1, py::arg("cells") = py::none(), py::arg("Ks") = py::none(), py::arg("ns") = py::none(),
        py::arg("paper") = false, py::arg("train_samples") = py::none(), py::arg("validation_samples") = py::none(),
        py::arg("epochs") = py::none(), py::arg("batch_size") = py::none(), py::arg("layers") = py::none(),
        py::arg("lista_rate") = py::none(), py::arg("firenet_restarts") = py::none(),
        py::arg("firenet_inner") = py::none(), py::arg("type") = "double", py::arg("bits") = 256,
        py::arg("seed") = 0, py::arg("threads") = 1,
        "Table 1 as `barriers table1` computes it: the default small profile (Ks 1, 3, 6; ns 10, 20, 30), or "
        "paper=True for the published training; cells=[(K, n), ...] runs only those cells. Settings left None "
        "keep the profile's value. Returns a Table1Result (.rows, .records()).");

  py::class_<SweepPoint>(m, "SweepPoint", "One (n, bits, iterations) cell of a precision sweep")
      .def_readonly("n", &SweepPoint::n)
      .def_readonly("bits", &SweepPoint::bits)
      .def_readonly("iterations", &SweepPoint::iterations)
      .def_readonly("finite", &SweepPoint::finite)
      .def_readonly("error", &SweepPoint::error, "certified distance to the reference x")
      .def_readonly("certified_minimiser", &SweepPoint::certified_minimiser)
      .def_readonly("type", &SweepPoint::type)
      .def("record", &sweep_record, "the point as a dict of plain numbers (interval bounds rounded outward)");

  py::class_<SweepResult>(m, "SweepResult", "The cells of a precision sweep")
      .def_readonly("points", &SweepResult::points)
      .def_readonly("instance_description", &SweepResult::instance_description)
      .def_property_readonly("reference_certified",
                             [](const SweepResult& r) { return r.reference.certified_minimiser; })
      .def_property_readonly("reference_explanation", [](const SweepResult& r) { return r.reference.explanation; })
      .def("records", [](const SweepResult& r) {
        py::list out;
        for (const SweepPoint& p : r.points) out.append(sweep_record(p));
        return out;
      }, "a list of dicts, one per cell (pandas.DataFrame(result.records()))");

  m.def("sweep", &sweep, py::arg("instance") = "gaussian", py::arg("rows") = 40, py::arg("cols") = 100,
        py::arg("sparsity") = 5, py::arg("seed") = 0, py::arg("solver") = "firenet", py::arg("lam") = py::none(),
        py::arg("inner") = 100, py::arg("ns") = std::vector<long>{10, 20, 40, 80, 160},
        py::arg("bits") = std::vector<long>{53, 113, 256}, py::arg("iterations") = std::vector<long>{500, 2000, 8000},
        py::arg("problem") = "p3", py::arg("K") = 1, py::arg("delta") = "1/6", py::arg("N1") = 2,
        py::arg("N2") = 20, py::arg("dct") = true,
        "A precision sweep as `barriers sweep` runs it: the certified error of the solver's output over oracle "
        "precisions ns, working precisions bits and iteration counts. lam: a rational string (gaussian default "
        "1/20; family default 1). problem, K, delta, N1, N2, dct: the family instance. Returns a SweepResult "
        "(.points, .records()).");
}

}  // namespace barriers::python
