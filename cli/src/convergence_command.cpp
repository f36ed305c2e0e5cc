// `barriers convergence`: the FIRENET convergence experiment (issue 9).
//
// FIRENET on a wavelet-sparse image measured by subsampled Fourier or Walsh
// transforms: relative error and objective gap against total inner
// iterations, for several noise levels in a fixed-precision type, and
// without noise in MPFR, where the linear convergence continues far below
// double's floor. Every cell (sampling x type x noise) is independent and
// seeded; cells run in parallel and the files do not depend on the thread
// count (each cell's arithmetic is sequential, and results are collected in
// cell order).
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <mutex>
#include <numeric>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include <mpfr.h>

#include "barriers/oracle/instance.hpp"
#include "barriers/precision/convert.hpp"
#include "barriers/precision/precision_guard.hpp"
#include "barriers/solvers/imaging/convergence_experiment.hpp"
#include "barriers/solvers/imaging/image_io.hpp"
#include "barriers/solvers/imaging/imaging_problem.hpp"
#include "barriers/solvers/imaging/phantom.hpp"
#include "barriers/solvers/imaging/wavelet_filter.hpp"
#include "commands.hpp"
#include "convergence_cells.hpp"
#include "convergence_reach.hpp"
#include "mpi_cells.hpp"
#include "list_option.hpp"
#include "non_empty.hpp"
#include "output_files.hpp"
#include "progress.hpp"
#include "resume.hpp"
#include "shard.hpp"

namespace barriers::cli {
namespace {

struct ConvergenceOptions {
  CLI::App* app = nullptr;
  std::string sampling = "fourier,walsh", noise = "0,1e-4,1e-3,1e-2", type = "double,mpfr", bits = "128,256";
  std::string image = "shepp-logan", size = "64", mpfr_size = "32", keep = "0.025", rate = "0.35";
  std::string pattern = "das", wavelet = "haar", levels = "0", lambda = "auto", restarts = "auto", inner = "20";
  std::string delta = "noise", seed = "1", threads = "0", out, shard;
  bool paper = false, quiet = false, resume = false;

  bool given(const std::string& option) const { return app->get_option(option)->count() > 0; }
};

// The run, parsed and checked.
struct Settings {
  std::vector<SamplingKind> samplings;
  std::vector<std::string> noise_texts;
  std::vector<double> noises;
  std::vector<std::string> fixed_types;  ///< double, long-double, float128 (the noise cells)
  std::vector<unsigned> mpfr_bits;       ///< empty: no MPFR cells
  std::string image;
  bool image_file = false;
  Eigen::Index size = 64, mpfr_size = 32;
  rational keep, rate, lambda, delta;
  bool lambda_auto = true, delta_noise = true;
  std::string pattern, wavelet;
  int levels = 0, inner = 20, restarts = 0;  ///< restarts 0: automatic per precision
  std::uint64_t seed = 1;
  unsigned threads = 1;
  bool paper = false;
};

// One experiment: its inputs, its measured results (the base: what is
// saved), then what is derived from them (complete_cell).
struct Cell : CellResults {
  SamplingKind sampling = SamplingKind::fourier;
  std::string type;   ///< double, long-double, float128, mpfr
  unsigned bits = 0;  ///< significand bits of the type (MPFR: the precision in force)
  Eigen::Index side = 0;
  std::string noise_text;
  double noise = 0;
  bool noise_cell = false;      ///< one of the noise levels (convergence_<sampling>.png)
  bool precision_cell = false;  ///< part of the noise-free precision comparison (mpfr_convergence.png)
  // derived
  ConvergenceSummary summary;
  std::vector<double> bound;  ///< the theory's bound (C = 1) after each restart
  double smallest_C = 0;
};

Cell make_cell(SamplingKind k, const std::string& type, unsigned bits, Eigen::Index side, const std::string& noise_text,
               double noise, bool precision_cell) {
  Cell c;
  c.sampling = k;
  c.type = type;
  c.bits = bits;
  c.side = side;
  c.noise_text = noise_text;
  c.noise = noise;
  c.noise_cell = !precision_cell;
  c.precision_cell = precision_cell;
  return c;
}

std::string cell_name(const Cell& c) {
  std::string t = c.type == "mpfr" ? "mpfr" + std::to_string(c.bits) : c.type;
  return sampling_name(c.sampling) + " " + t + " " + std::to_string(c.side) + "x" + std::to_string(c.side) +
         " noise " + c.noise_text;
}

unsigned type_bits(const std::string& type) {
  return type == "double" ? 53u : type == "long-double" ? 64u : 113u;
}

rational rational_option(const std::string& option, const std::string& text) {
  try {
    return oracle::parse_rational(text);
  } catch (const std::invalid_argument& e) {
    throw UsageError(option + ": " + e.what());
  }
}

double to_double(const rational& q) { return from_rational<double>(q).value; }

std::string fmt(double v, int digits = 3) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g", digits, v);
  return buf;
}

// Restarts that take e^-n eps0 below the working precision's unit roundoff
// 2^-bits (n = bits ln 2) and 15 more, so that the floor is seen.
long auto_restarts(unsigned bits) { return long(std::ceil(double(bits) * std::log(2.0))) + 15; }

Settings parse(const ConvergenceOptions& o) {
  Settings s;
  s.paper = o.paper;
  for (const std::string& name : split_list(o.sampling)) {
    try {
      const SamplingKind k = parse_sampling(name);
      if (std::find(s.samplings.begin(), s.samplings.end(), k) != s.samplings.end())
        throw UsageError("--sampling lists " + quote_for_message(name) + " twice");
      s.samplings.push_back(k);
    } catch (const std::invalid_argument& e) {
      throw UsageError(std::string("--sampling: ") + e.what());
    }
  }
  if (s.samplings.empty()) throw UsageError("--sampling is empty: give fourier, walsh or both");
  for (const std::string& t : split_list(o.type)) {
    if (t == "double" || t == "long-double" || t == "float128") {
      if (std::find(s.fixed_types.begin(), s.fixed_types.end(), t) != s.fixed_types.end())
        throw UsageError("--type lists " + t + " twice");
      s.fixed_types.push_back(t);
    } else if (t == "mpfr") {
      if (!s.mpfr_bits.empty()) throw UsageError("--type lists mpfr twice");
      for (long b : parse_integer_list("--bits", o.bits, 24, 1000)) {
        if (std::find(s.mpfr_bits.begin(), s.mpfr_bits.end(), unsigned(b)) != s.mpfr_bits.end())
          throw UsageError("--bits lists " + std::to_string(b) + " twice");
        s.mpfr_bits.push_back(unsigned(b));
      }
    } else {
      throw UsageError("unknown type " + quote_for_message(t) + " in --type: allowed are double, long-double, float128, mpfr");
    }
  }
  if (s.fixed_types.empty() && s.mpfr_bits.empty()) throw UsageError("--type is empty: give e.g. double,mpfr");
  if (s.mpfr_bits.empty() && o.given("--bits")) throw UsageError("--bits applies to MPFR only: add mpfr to --type");
  if (s.mpfr_bits.empty() && o.given("--mpfr-size")) throw UsageError("--mpfr-size applies to MPFR only: add mpfr to --type");
  if (s.fixed_types.empty() && o.given("--noise"))
    throw UsageError("--noise applies to the fixed-precision types (MPFR runs without noise): add double to --type");
  for (const std::string& n : split_list(o.noise)) {
    const rational q = rational_option("--noise", n);
    if (q < 0 || q >= 1) throw UsageError("--noise " + quote_for_message(n) + " is out of range: allowed 0 <= noise < 1 (relative to ||y_clean||)");
    if (std::find(s.noise_texts.begin(), s.noise_texts.end(), n) != s.noise_texts.end())
      throw UsageError("--noise lists " + quote_for_message(n) + " twice");
    s.noise_texts.push_back(n);
    s.noises.push_back(to_double(q));
  }
  if (s.noise_texts.empty()) throw UsageError("--noise is empty: give e.g. 0,1e-3");

  s.image = o.image;
  s.image_file = o.image != "shepp-logan" && o.image != "ellipses" && o.image != "text-detail";
  if (s.image_file && (o.given("--size") || o.given("--mpfr-size")))
    throw UsageError("--size and --mpfr-size apply to the built-in phantoms; an image file is used at its own size");
  s.size = Eigen::Index(parse_integer("--size", o.size, 8, 1024));
  s.mpfr_size = Eigen::Index(parse_integer("--mpfr-size", o.mpfr_size, 8, 256));
  s.keep = rational_option("--keep", o.keep);
  if (s.keep <= 0 || s.keep > 1) throw UsageError("--keep " + quote_for_message(o.keep) + " is out of range: allowed 0 < keep <= 1");
  s.rate = rational_option("--rate", o.rate);
  if (s.rate <= 0 || s.rate > 1) throw UsageError("--rate " + quote_for_message(o.rate) + " is out of range: allowed 0 < rate <= 1");
  s.pattern = o.pattern;
  try {
    parse_pattern(s.pattern);
    wavelet_moments(o.wavelet);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  s.wavelet = o.wavelet;
  s.levels = int(parse_integer("--levels", o.levels, 0, 10));
  s.lambda_auto = o.lambda == "auto";
  if (!s.lambda_auto) {
    s.lambda = rational_option("--lambda", o.lambda);
    if (s.lambda <= 0) throw UsageError("--lambda " + quote_for_message(o.lambda) + " must be > 0 (or auto)");
  }
  s.restarts = o.restarts == "auto" ? 0 : int(parse_integer("--restarts", o.restarts, 1, 100000));
  s.inner = int(parse_integer("--inner", o.inner, 1, 100000));
  s.delta_noise = o.delta == "noise";
  if (!s.delta_noise) {
    s.delta = rational_option("--delta", o.delta);
    if (s.delta < 0) throw UsageError("--delta " + quote_for_message(o.delta) + " must be >= 0 (or noise)");
  }
  s.seed = std::uint64_t(parse_integer("--seed", o.seed, 0, 1LL << 62));
  s.threads = unsigned(parse_integer("--threads", o.threads, 0, 64));
  // Ranks of an MPI job may share a machine: one thread each unless asked.
  if (s.threads == 0)
    s.threads = MpiCells::get().active() ? 1u : std::clamp(std::thread::hardware_concurrency(), 1u, 64u);
  return s;
}

template <class R>
Matrix<R> source_image(const Settings& s, Eigen::Index side) {
  const ImageShape shape{side, side};
  if (s.image == "shepp-logan") return shepp_logan<R>(shape);
  if (s.image == "ellipses") return random_ellipses<R>(shape, s.seed);
  if (s.image == "text-detail") return text_detail<R>(shape);
  return read_image<R>(s.image);
}

ImagingSpec spec_for(const Settings& s, const Cell& c) {
  ImagingSpec spec;
  spec.sampling = c.sampling;
  spec.pattern = parse_pattern(s.pattern);
  spec.rate = to_double(s.rate);
  spec.wavelet = s.wavelet;
  spec.levels = s.levels;
  spec.noise = c.noise;
  spec.seed = s.seed;
  return spec;
}

// The image cut to its `kept` largest wavelet coefficients (ties: lower
// index first), so that x_true is exactly sparse in levels, and the number
// kept in each level (at least 1, as the weights need).
template <class R>
std::pair<Matrix<R>, std::vector<long>> sparsified(const Matrix<R>& image, const std::string& wavelet, int levels,
                                                   long kept) {
  const ImageShape shape{image.rows(), image.cols()};
  const WaveletTransform<R> W(shape, wavelet_moments(wavelet), levels == 0 ? default_wavelet_levels(shape) : levels);
  const Vector<R> pixels = Eigen::Map<const Vector<R>>(image.data(), image.size());
  const Vector<R> c = W.forward(pixels);
  std::vector<Eigen::Index> order(std::size_t(c.size()));
  std::iota(order.begin(), order.end(), Eigen::Index(0));
  std::stable_sort(order.begin(), order.end(), [&c](Eigen::Index a, Eigen::Index b) {
    using std::abs;
    return abs(c(a)) > abs(c(b));
  });
  Vector<R> cs = Vector<R>::Zero(c.size());
  for (long k = 0; k < kept; ++k) cs(order[std::size_t(k)]) = c(order[std::size_t(k)]);
  const std::vector<Eigen::Index>& starts = W.level_starts();
  std::vector<long> counts(starts.size() - 1, 0);
  for (long k = 0; k < kept; ++k) {
    const Eigen::Index i = order[std::size_t(k)];
    const auto level = std::upper_bound(starts.begin(), starts.end(), i) - starts.begin() - 1;
    ++counts[std::size_t(level)];
  }
  for (long& n : counts) n = std::max(n, 1L);
  const Vector<R> back = W.adjoint(cs);
  return {Eigen::Map<const Matrix<R>>(back.data(), image.rows(), image.cols()), counts};
}

long kept_count(const Settings& s, Eigen::Index pixels) {
  return std::max(1L, long(std::lround(to_double(s.keep) * double(pixels))));
}

// What follows from a cell's measured results, whether just computed or
// read back from convergence_cells.csv.
void complete_cell(Cell& c) {
  c.summary = summarise_convergence(c.run.history);
  // The bound ignores rounding: C is measured where it lies 100 times
  // above the working precision's 2^-bits.
  const double u = std::pow(2.0, -double(c.bits));
  c.bound.clear();
  c.smallest_C = 0;
  for (long r = 1; r <= long(c.summary.restart_errors.size()); ++r) {
    c.bound.push_back(predicted_relative_bound(c.eta, c.run.eps0, c.run.x_norm, r));
    if (c.bound.back() >= 100 * u)
      c.smallest_C = std::max(c.smallest_C, c.summary.restart_errors[std::size_t(r - 1)] / c.bound.back());
  }
}

// Builds the problem of cell c in type T (sequentially: the wavelet filter
// briefly raises MPFR's process-wide precision) and returns the run, to be
// executed on any thread.
template <class T>
std::function<void()> prepare(const Settings& s, Cell& c, const std::function<void(long)>& progress) {
  using R = real_of<T>;
  const Matrix<R> image = source_image<R>(s, c.side);
  const long N = long(image.size());
  const bool sparse = s.keep < 1;
  const long kept = sparse ? kept_count(s, N) : N;
  Matrix<R> truth = image;
  std::vector<long> counts;
  if (sparse) std::tie(truth, counts) = sparsified<R>(image, s.wavelet, s.levels, kept);
  auto problem = std::make_shared<ImagingProblem<T>>(make_imaging_problem<T>(truth, spec_for(s, c)));
  FirenetSettings<T> f;
  // Without a cut the image is only approximately sparse: the local
  // sparsities then hold 99.9% of each level's energy.
  f.weights = sparse ? weights_for(*problem, counts) : weights_for(*problem, R(0.999));
  const long s_total = sparse ? kept : long(f.weights.size());
  c.sparsity = s_total;
  c.lambda = s.lambda_auto ? 0.1 / std::sqrt(double(s_total)) : to_double(s.lambda);
  // lambda auto = 0.1 / sqrt(s), rounded to the working type from its double
  // value (the same number in every type); a given lambda is rounded once
  // from its exact decimal value.
  f.lambda = s.lambda_auto ? R(c.lambda) : from_rational<R>(s.lambda).value;
  f.inner = s.inner;
  c.restarts = s.restarts > 0 ? s.restarts : auto_restarts(c.bits);
  f.restarts = int(c.restarts);
  f.delta = s.delta_noise ? problem->eta : from_rational<R>(s.delta).value;
  c.samples = long(problem->A->rows());
  c.eta = static_cast<double>(problem->eta);
  return [problem, f, &c, progress] {
    c.run = firenet_convergence<T>(*problem->A, problem->y, problem->x_true, f, progress);
    complete_cell(c);
    c.stuck = stuck_restart(c.summary.restart_errors, firenet_restart_moves<T>(*problem->A, problem->y, f),
                            c.run.x_norm, c.bits);
  };
}

template <class R>
std::function<void()> prepare_real(const Settings& s, Cell& c, const std::function<void(long)>& progress) {
  if (c.sampling == SamplingKind::fourier) return prepare<std::complex<R>>(s, c, progress);
  return prepare<R>(s, c, progress);
}

std::function<void()> prepare_cell(const Settings& s, Cell& c, const std::function<void(long)>& progress) {
  if (c.type == "double") return prepare_real<double>(s, c, progress);
  if (c.type == "long-double") return prepare_real<long double>(s, c, progress);
  if (c.type == "float128") return prepare_real<float128>(s, c, progress);
  return prepare_real<mpfr_real>(s, c, progress);
}

// Runs the jobs on `threads` threads; the first exception is rethrown.
void run_parallel(const std::vector<std::function<void()>>& jobs, unsigned threads) {
  std::atomic<std::size_t> next{0};
  std::exception_ptr failure;
  std::mutex mutex;
  auto worker = [&] {
    for (std::size_t i; (i = next++) < jobs.size();) {
      try {
        jobs[i]();
      } catch (...) {
        std::lock_guard<std::mutex> lock(mutex);
        if (!failure) failure = std::current_exception();
      }
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < std::min<std::size_t>(threads, jobs.size()); ++t)
    pool.emplace_back([&worker] {
      worker();
      mpfr_free_cache();  // MPFR's per-thread constant caches are not freed at thread exit
    });
  worker();
  for (auto& t : pool) t.join();
  if (failure) std::rethrow_exception(failure);
}

// Computes the cells i for which take(i) is true, in the order of a serial
// run: the fixed-precision cells, then the MPFR cells one precision at a
// time (the precision is process-wide). Problems are built one at a time
// (the wavelet filter briefly raises MPFR's precision), at most `batch` of
// them before they run on the settings' threads; finished(i) is called, one
// call at a time, as cell i completes. A failing cell (or take) does not
// stop the cells already in its batch; the first failure is rethrown,
// naming its cell.
void compute_cells(const Settings& s, std::vector<Cell>& cells, std::size_t batch,
                   const std::function<bool(std::size_t)>& take, const std::function<void(std::size_t)>& finished,
                   const std::function<std::function<void(long)>(const Cell&)>& progress_for) {
  std::mutex mutex;
  auto run_group = [&](bool mpfr, unsigned bits) {
    std::vector<std::size_t> group;
    for (std::size_t i = 0; i < cells.size(); ++i)
      if ((cells[i].type == "mpfr") == mpfr && (!mpfr || cells[i].bits == bits)) group.push_back(i);
    for (std::size_t next = 0; next < group.size();) {
      std::vector<std::function<void()>> jobs;
      std::exception_ptr refused;
      for (; next < group.size() && jobs.size() < batch && !refused; ++next) {
        const std::size_t i = group[next];
        try {
          if (!take(i)) continue;
        } catch (...) {
          refused = std::current_exception();
          continue;
        }
        std::function<void()> job = prepare_cell(s, cells[i], progress_for(cells[i]));
        jobs.push_back([&cells, &mutex, &finished, i, job] {
          try {
            job();
          } catch (const std::exception& e) {
            throw std::runtime_error(cell_name(cells[i]) + ": " + e.what());
          }
          std::lock_guard<std::mutex> lock(mutex);
          finished(i);
        });
      }
      run_parallel(jobs, s.threads);
      if (refused) std::rethrow_exception(refused);
    }
  };
  run_group(false, 0);
  for (unsigned b : s.mpfr_bits) {
    PrecisionGuard guard(b);
    run_group(true, guard.bits());
  }
}

// ------------------------------------------------------------ saved cells

const char* const cells_file = "convergence_cells.csv";
const char* const settings_file = "convergence_settings.txt";

// The first fields of a cell's saved line, which name it.
std::string cell_key(const Cell& c) {
  return sampling_name(c.sampling) + "," + c.type + "," + std::to_string(c.bits) + "," + std::to_string(c.side) + "," +
         c.noise_text;
}

std::string cell_line(const Cell& c) { return cell_key(c) + "," + cell_record_fields(c); }

// The run-wide settings a resumed run must share with the saved cells (the
// cells' own keys carry the samplings, types, sizes and noise levels).
std::string settings_text(const Settings& s) {
  std::ostringstream t;
  t << "image=" << s.image << "\nkeep=" << s.keep.str() << "\nrate=" << s.rate.str() << "\npattern=" << s.pattern
    << "\nwavelet=" << s.wavelet << "\nlevels=" << s.levels << "\nlambda=" << (s.lambda_auto ? "auto" : s.lambda.str())
    << "\nrestarts=" << (s.restarts > 0 ? std::to_string(s.restarts) : "auto") << "\ninner=" << s.inner
    << "\ndelta=" << (s.delta_noise ? "noise" : s.delta.str()) << "\nseed=" << s.seed << "\n";
  return t.str();
}

// Reads a saved cell line into the cell of this run it names and returns
// that cell's index; errors start with `where`.
std::size_t read_cell_line(const std::string& line, std::vector<Cell>& cells, const Settings& s,
                           const std::string& where) {
  const std::vector<std::string> f = detail::split_on(line, ',');
  if (f.size() < cell_key_fields) throw UsageError(where + " is not a convergence cell: " + quote_for_message(line));
  std::string key = f[0];
  for (std::size_t k = 1; k < cell_key_fields; ++k) key += "," + f[k];
  std::size_t i = 0;
  while (i < cells.size() && cell_key(cells[i]) != key) ++i;
  if (i == cells.size())
    throw UsageError(where + " holds the cell " + quote_for_message(key) +
                     ", which this run does not request: give the same --sampling, --type, --bits, --noise, --size "
                     "and --mpfr-size");
  Cell& c = cells[i];
  static_cast<CellResults&>(c) =
      parse_cell_record({f.begin() + cell_key_fields, f.end()},
                        s.restarts > 0 ? s.restarts : auto_restarts(c.bits), s.inner, where);
  complete_cell(c);
  return i;
}

// convergence_cells.csv: the finished cells' lines, in the order of the cells.
std::string cells_csv(const std::vector<std::string>& lines) {
  std::string csv = std::string(cell_record_header) + "\n";
  for (const std::string& line : lines)
    if (!line.empty()) csv += line + "\n";
  return csv;
}

// ---------------------------------------------------------------- outputs

std::string type_label(const Cell& c) {
  return c.type == "mpfr" ? "MPFR " + std::to_string(c.bits) + " bits" : c.type;
}

std::string history_csv(const std::vector<Cell>& cells) {
  std::ostringstream o;
  o << "sampling,type,bits,size,noise,iteration,restart,relative_error,objective,objective_gap,bound\n";
  char buf[160];
  for (const Cell& c : cells)
    for (std::size_t k = 0; k < c.run.history.size(); ++k) {
      const ConvergencePoint& p = c.run.history[k];
      const bool restart_end = k + 1 == c.run.history.size() || c.run.history[k + 1].restart != p.restart;
      std::snprintf(buf, sizeof buf, "%ld,%ld,%.6e,%.10e,%.6e,", p.iteration, p.restart, p.relative_error,
                    p.objective, p.objective_gap);
      o << sampling_name(c.sampling) << "," << c.type << "," << c.bits << "," << c.side << "," << c.noise_text << ","
        << buf;
      if (restart_end) o << fmt(c.bound[std::size_t(p.restart)], 6);
      o << "\n";
    }
  return o.str();
}

std::string summary_csv(const std::vector<Cell>& cells) {
  std::ostringstream o;
  o << "sampling,type,bits,size,noise,samples,sparsity,lambda,restarts,iterations,relative_noise,final_error,"
       "floor_reached,floor,flattens_at,rate_per_restart,fit_restarts,smallest_C,final_duality_gap,termination,stuck_from,stuck_distance,stuck_reach\n";
  for (const Cell& c : cells) {
    const ConvergenceSummary& s = c.summary;
    o << sampling_name(c.sampling) << "," << c.type << "," << c.bits << "," << c.side << "," << c.noise_text << ","
      << c.samples << "," << c.sparsity << "," << fmt(c.lambda, 6) << "," << c.restarts << "," << c.run.history.size() << "," << fmt(c.eta / c.run.x_norm, 6) << ","
      << fmt(s.restart_errors.empty() ? 0.0 : s.restart_errors.back(), 6) << "," << (s.floor_reached ? "yes" : "no")
      << "," << (s.floor_reached ? fmt(s.floor, 6) : "") << "," << (s.floor_reached ? std::to_string(s.flattens_at) : "")
      << "," << (std::isnan(s.rate_per_restart) ? "" : fmt(s.rate_per_restart, 4)) << ","
      << (s.fit_last > 0 ? std::to_string(s.fit_first) + "-" + std::to_string(s.fit_last) : "") << ","
      << fmt(c.smallest_C, 4) << "," << fmt(c.run.final_duality_gap, 4) << "," << to_string(c.run.reason) << ",";
    if (c.stuck.restart > 0) o << c.stuck.restart << "," << fmt(c.stuck.distance, 6) << "," << fmt(c.stuck.reach, 6);
    else o << ",,";
    o << "\n";
  }
  return o.str();
}

// One gnuplot data block per curve: "iteration value" lines.
void add_block(std::ostringstream& dat, int& block, const std::vector<std::pair<long, double>>& points) {
  for (const auto& [it, v] : points)
    if (v > 0) dat << it << " " << fmt(v, 8) << "\n";
  dat << "\n\n";
  ++block;
}

std::vector<std::pair<long, double>> errors_of(const Cell& c) {
  std::vector<std::pair<long, double>> out;
  for (const ConvergencePoint& p : c.run.history) out.emplace_back(p.iteration, p.relative_error);
  return out;
}
std::vector<std::pair<long, double>> gaps_of(const Cell& c) {
  std::vector<std::pair<long, double>> out;
  for (const ConvergencePoint& p : c.run.history) out.emplace_back(p.iteration, p.objective_gap);
  return out;
}
// The bound after each restart, at the restart's last inner step.
std::vector<std::pair<long, double>> bound_of(const Cell& c, bool with_noise) {
  std::vector<std::pair<long, double>> out;
  const auto& h = c.run.history;
  for (std::size_t k = 0; k < h.size(); ++k) {
    if (k + 1 < h.size() && h[k + 1].restart == h[k].restart) continue;
    const long n = h[k].restart + 1;
    out.emplace_back(h[k].iteration, with_noise ? c.bound[std::size_t(n - 1)]
                                                : predicted_relative_bound(0, c.run.eps0, c.run.x_norm, n));
  }
  return out;
}

std::string describe_problem(const Settings& s, Eigen::Index side) {
  std::ostringstream t;
  t << (s.image_file ? "image file" : s.image) << " " << side << "x" << side << ", "
    << (s.keep < 1 ? fmt(100 * to_double(s.keep)) + "% of " + s.wavelet + " coefficients kept" : s.wavelet + " (not cut)")
    << ", " << s.pattern << " " << fmt(100 * to_double(s.rate)) << "% samples, p = " << s.inner;
  return t.str();
}

// The key goes below each panel, so that stacked panels share their width
// (a key on the right takes the width of its longest title, different per
// panel); the top offset keeps curves that stay near the largest value off
// the frame (a stuck run's error, flat near 1).
const char* const gp_common =
    "set logscale y\nset format y '10^{%L}'\nset grid\nset key below height 1.5\nset offsets 0, 0, graph 0.06, 0\n"
    "set xlabel 'total inner iterations'\n";

void plot_noise(const Settings& s, const std::vector<Cell>& cells, SamplingKind k, const OutputDir& out) {
  const std::string name = "convergence_" + sampling_name(k);
  std::ostringstream dat, gp;
  gp << "set terminal pngcairo size 1100,1000\nset output '" << name << ".png'\n" << gp_common
     << "set multiplot layout 2,1 title "
     << gnuplot_string("FIRENET, " + sampling_name(k) + " sampling, " + describe_problem(s, s.size)) << " noenhanced\n";
  std::ostringstream err_plot, gap_plot;
  int block = 0, colour = 0;
  for (const Cell& c : cells) {
    if (c.sampling != k || !c.noise_cell) continue;
    ++colour;
    const int dash = int(std::find(s.fixed_types.begin(), s.fixed_types.end(), c.type) - s.fixed_types.begin()) + 1;
    const std::string label = "noise " + c.noise_text + (s.fixed_types.size() > 1 ? ", " + c.type : "");
    const int e = block;
    add_block(dat, block, errors_of(c));
    const int b = block;
    add_block(dat, block, bound_of(c, true));
    const int g = block;
    add_block(dat, block, gaps_of(c));
    const std::string file = "'" + name + ".dat'";
    err_plot << (err_plot.tellp() > 0 ? ", " : "") << file << " index " << e << " using 1:2 with lines lw 2 lc "
             << colour << " dt " << dash << " title " << gnuplot_string(label) << ", " << file << " index " << b
             << " using 1:2 with points pt 6 ps 0.6 lc " << colour << " title "
             << gnuplot_string("bound (C = 1), noise " + c.noise_text);
    gap_plot << (gap_plot.tellp() > 0 ? ", " : "") << file << " index " << g << " using 1:2 with lines lw 2 lc "
             << colour << " dt " << dash << " title " << gnuplot_string(label);
  }
  gp << "set ylabel 'relative error ||x_k - x|| / ||x|| (coefficients)' noenhanced\nplot " << err_plot.str() << "\n"
     << "set ylabel 'objective gap F(x_k) - min_j F(x_j)' noenhanced\nplot " << gap_plot.str() << "\nunset multiplot\n";
  out.write(name + ".dat", dat.str());
  out.plot(name + ".gp", gp.str(), name + ".png");
}

void plot_precision(const Settings& s, const std::vector<Cell>& cells, const OutputDir& out) {
  std::ostringstream dat, gp;
  gp << "set terminal pngcairo size 1100," << 520 * s.samplings.size()
     << "\nset output 'mpfr_convergence.png'\n" << gp_common << "set multiplot layout " << s.samplings.size()
     << ",1 title " << gnuplot_string("FIRENET without noise: " + describe_problem(s, s.mpfr_size)) << " noenhanced\n"
     << "set ylabel 'relative error (coefficients)'\n";
  int block = 0;
  for (SamplingKind k : s.samplings) {
    std::ostringstream plot;
    int colour = 0;
    const Cell* first = nullptr;
    for (const Cell& c : cells) {
      if (c.sampling != k || !c.precision_cell) continue;
      if (!first || c.run.history.size() > first->run.history.size()) first = &c;  // the longest run
      ++colour;
      const int e = block;
      add_block(dat, block, errors_of(c));
      plot << (plot.tellp() > 0 ? ", " : "") << "'mpfr_convergence.dat' index " << e << " using 1:2 with lines lw 2 lc "
           << colour << " title " << gnuplot_string(type_label(c)) << ", 2.0**(-" << c.bits << ") with lines lc "
           << colour << " dt 3 title " << gnuplot_string("2^{-" + std::to_string(c.bits) + "}");
    }
    if (!first) continue;
    const int b = block;
    add_block(dat, block, bound_of(*first, false));
    plot << ", 'mpfr_convergence.dat' index " << b
         << " using 1:2 with lines lc rgb 'black' dt 2 title 'e^{-n} ||y|| / ||x|| (bound, C = 1)'";
    gp << "set title " << gnuplot_string(sampling_name(k) + " sampling") << " noenhanced\nplot " << plot.str() << "\n";
  }
  gp << "unset multiplot\n";
  out.write("mpfr_convergence.dat", dat.str());
  out.plot("mpfr_convergence.gp", gp.str(), "mpfr_convergence.png");
}

std::string table_row(const Cell& c) {
  const ConvergenceSummary& s = c.summary;
  std::ostringstream t;
  const double noise_rel = c.eta / c.run.x_norm;
  t << "| " << sampling_name(c.sampling) << " | " << type_label(c) << " | " << c.side << " | " << c.noise_text << " | "
    << (std::isnan(s.rate_per_restart) ? std::string("-") : fmt(s.rate_per_restart)) << " | "
    << (s.fit_last > 0 ? std::to_string(s.fit_first) + "-" + std::to_string(s.fit_last) : std::string("-")) << " | "
    << (s.floor_reached ? std::to_string(s.flattens_at) : std::string("none")) << " | "
    << (s.floor_reached ? fmt(s.floor) : "(" + fmt(s.restart_errors.back()) + ")") << " | " << fmt(noise_rel) << " | "
    << fmt(std::pow(2.0, -double(c.bits))) << " | " << fmt(c.smallest_C) << " | " << fmt(c.run.final_duality_gap)
    << " | "
    << (c.stuck.restart > 0 ? std::to_string(c.stuck.restart) + " (" + fmt(c.stuck.distance) + " > " + fmt(c.stuck.reach) + ")"
                            : std::string("-"))
    << " |\n";
  return t.str();
}

std::string report_md(const Settings& s, const std::vector<Cell>& cells) {
  std::ostringstream r;
  r << "# FIRENET convergence\n\n";
  r << "Problem: " << describe_problem(s, s.size);
  if (!s.mpfr_bits.empty()) r << " (noise cells); " << describe_problem(s, s.mpfr_size) << " (precision cells)";
  r << ". Seed " << s.seed << ". FIRENET (THEORY.md section 6) on the weighted square-root LASSO with weights "
    << "sqrt(s / s_k) from the " << (s.keep < 1 ? "kept coefficients per level" : "local sparsities (99.9% energy)")
    << ", lambda " << (s.lambda_auto ? "0.1 / sqrt(s)" : fmt(to_double(s.lambda), 6)) << ", p = " << s.inner
    << " inner steps per restart, restarts " << (s.restarts > 0 ? std::to_string(s.restarts) : "ceil(bits ln 2) + 15")
    << ", delta " << (s.delta_noise ? "= ||e|| (the noise norm)" : fmt(to_double(s.delta), 6))
    << ", tau = sigma = 0.99 / L_A.\n\n";
  r << "Error: ||x_k - x|| / ||x|| of the wavelet coefficients (the image error is the same up to rounding, W being "
       "orthonormal). Gap: F(x_k) - min_j F(x_j) over the run, computed in the working type. Bound: the theory's "
       "||psi_n - x|| <= C (delta + e^-n eps0) with delta = ||e||, eps0 = ||y||, drawn with C = 1 (C depends on the "
       "null space constants, which cannot be computed here); 'smallest C' is max_n error_n / bound_n, the constant "
       "the measured curve needs on the restarts where the bound is at least 100 times 2^-bits (the bound ignores rounding). Rate: factor per restart from a least-squares fit of log error over the restarts "
       "listed (the schedule's own factor is e^-1 = 0.368). Floor: geometric mean of the last restarts once the curve "
       "falls by less than 10% per restart; 'flattens' is the first restart from which it stays within 2x of it. "
       "Stuck from: the first restart r after which psi_r was farther from x (relative distance, left) than all the "
       "remaining restarts together can move it (right; restart k moves psi by at most p tau (L_A + lambda "
       "||w||_2) / alpha_k, whatever the iterates): from there FIRENET with these settings cannot reach x.\n\n";
  r << "| sampling | type | size | noise | rate/restart | fit restarts | flattens at | floor (final) | \\|\\|e\\|\\|/\\|\\|x\\|\\| | "
       "2^-bits | smallest C | final duality gap | stuck from |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (const Cell& c : cells) r << table_row(c);
  r << "\n## What is seen\n\n";
  for (SamplingKind k : s.samplings) {
    for (const Cell& c : cells) {
      if (c.sampling != k) continue;
      const ConvergenceSummary& m = c.summary;
      r << "- " << cell_name(c) << ": ";
      if (!std::isnan(m.rate_per_restart))
        r << "the error falls by " << fmt(m.rate_per_restart) << " per restart over restarts " << m.fit_first << "-"
          << m.fit_last << "; ";
      if (m.floor_reached) {
        r << "it flattens from restart " << m.flattens_at << " at " << fmt(m.floor);
        if (c.noise > 0) {
          r << ", " << fmt(m.floor / (c.eta / c.run.x_norm)) << " times the relative noise ||e||/||x|| = "
            << fmt(c.eta / c.run.x_norm);
          if (m.floor > 100 * c.eta / c.run.x_norm) r << ": far above the noise, so not the noise floor";
        } else if (m.floor <= 1e3 * std::pow(2.0, -double(c.bits))) {
          r << ", " << fmt(m.floor / std::pow(2.0, -double(c.bits))) << " times 2^-" << c.bits
            << " (the rounding floor of the working precision)";
        } else {
          r << ", " << fmt(m.floor / std::pow(2.0, -double(c.bits))) << " times 2^-" << c.bits
            << ": far above the working precision, so not a rounding floor";
        }
      } else {
        r << "no floor within " << c.restarts << " restarts (final error " << fmt(m.restart_errors.back()) << ")";
      }
      if (c.stuck.restart > 0)
        r << ". It is stuck from restart " << c.stuck.restart << ": psi was " << fmt(c.stuck.distance)
          << " ||x|| from x, but the remaining restarts can move it by at most " << fmt(c.stuck.reach)
          << " ||x|| in total, so these settings cannot reach x (eps fell by e^-1 per restart faster than " << s.inner
          << " inner steps reduced the error; more inner steps --inner, or a larger --lambda, are needed; "
             "docs/convergence.md)";
      r << ".\n";
    }
  }
  if (s.paper) {
    long stuck = 0;
    for (const Cell& c : cells) stuck += c.stuck.restart > 0;
    r << "\n## The published settings\n\n"
      << "--paper runs the published FIRENET convergence demo's parameters (lambda = 2.5e-4, p = 5, delta = 1e-9, "
         "eps0 = ||y||, Haar, 15% DAS samples, noise up to 2%; tau = sigma = 0.99 / L_A where it has 1 / L_A) on "
         "the problem above (the published demo uses a 1024 x 1024 photograph that is not available here). "
      << stuck << " of " << cells.size() << " cells are stuck in the sense above"
      << (stuck > 0 ? ": with p = 5 the restart schedule outruns the inner steps at this lambda, so these curves "
                      "are not the theory's convergence to a noise floor. No scaling differs from the published "
                      "code (docs/convergence.md lists the checks and the measured inner steps these problems "
                      "need)."
                    : ".")
      << "\n";
  }
  r << "\nFiles: history.csv (every inner step of every cell), summary.csv (this table), convergence_<sampling>.png "
       "(noise cells), mpfr_convergence.png (precision cells), with their gnuplot scripts and data.\n";
  return r.str();
}

int run_convergence(const ConvergenceOptions& o) {
  MpiCells& mpi = MpiCells::get();  // first: under mpirun, only rank 0 speaks
  const Settings s = parse(o);
  const Shard shard = parse_shard(o.shard);
  std::vector<Cell> cells;
  // The image file decides the size; reading it here refuses a bad file
  // before anything is written.
  Eigen::Index size = s.size, mpfr_size = s.mpfr_size;
  if (s.image_file) {
    const Matrix<double> img = read_image<double>(s.image);
    if (img.rows() != img.cols())
      throw UsageError("the image " + quote_for_message(s.image) + " is " + std::to_string(img.rows()) + "x" +
                       std::to_string(img.cols()) + "; the convergence experiment needs a square image");
    size = mpfr_size = img.rows();
  }
  Settings sz = s;
  sz.size = size;
  sz.mpfr_size = mpfr_size;
  for (SamplingKind k : s.samplings) {
    for (const std::string& t : s.fixed_types)
      for (std::size_t i = 0; i < s.noises.size(); ++i)
        cells.push_back(make_cell(k, t, type_bits(t), size, s.noise_texts[i], s.noises[i], false));
    if (!s.mpfr_bits.empty()) {
      // The noise-free fixed-type runs beside MPFR: a noise cell of the same
      // size serves as one.
      for (const std::string& t : s.fixed_types) {
        auto same = std::find_if(cells.begin(), cells.end(), [&](const Cell& c) {
          return c.sampling == k && c.type == t && c.side == mpfr_size && c.noise == 0;
        });
        if (same != cells.end())
          same->precision_cell = true;
        else
          cells.push_back(make_cell(k, t, type_bits(t), mpfr_size, "0", 0.0, true));
      }
      for (unsigned b : s.mpfr_bits)
        cells.push_back(make_cell(k, "mpfr", achievable_precision_bits(b), mpfr_size, "0", 0.0, true));
    }
  }
  // Every (sampling, size) is built once in double first: a bad setting
  // (Walsh on a side that is not a power of two, too few samples for the
  // DAS levels, ...) is refused before anything is written.
  for (const Cell& c : cells) {
    Cell probe = c;
    probe.type = "double";
    prepare_cell(sz, probe, {});
  }

  // Cells are numbered in the order of summary.csv (from 1 in --shard and
  // in MPI messages). An MPI worker computes the cells rank 0 grants it,
  // --threads at a time, and exits 0 even when it fails: rank 0 reports the
  // failure and sets the exit code (see sweep_command.cpp).
  if (mpi.active() && !mpi.coordinator()) {
    if (!mpi.start(false)) return 0;  // rank 0 refused the run and says why
    try {
      compute_cells(
          sz, cells, sz.threads, [&](std::size_t i) { return shard.owns(i) && mpi.claim(i); },
          [&](std::size_t i) { mpi.finished(cell_line(cells[i])); }, [](const Cell&) { return nullptr; });
    } catch (const std::exception& e) {
      mpi.done(e.what());
      return 0;
    }
    mpi.done("");
    return 0;
  }

  std::vector<std::string> lines(cells.size());  // the saved line of each finished cell
  std::optional<OutputDir> out;
  try {
    if (o.resume)
      if (const std::optional<std::string> saved =
              saved_cells(o.out, cells_file, settings_file, settings_text(s), cell_record_header)) {
        std::istringstream in(*saved);
        std::string line;
        std::getline(in, line);
        for (long number = 2; std::getline(in, line); ++number) {
          const std::string where =
              "--resume: " + quote_for_message(o.out + "/" + cells_file) + " line " + std::to_string(number);
          const std::size_t i = read_cell_line(line, cells, sz, where);
          if (!lines[i].empty()) throw UsageError(where + " repeats the cell " + quote_for_message(cell_key(cells[i])));
          lines[i] = line;
        }
      }
    // A resumed run keeps the saved cells until it writes them again.
    std::vector<std::string> files{"history.csv", "summary.csv", "report.md", "convergence_fourier.png",
                                   "convergence_fourier.gp", "convergence_fourier.dat", "convergence_walsh.png",
                                   "convergence_walsh.gp", "convergence_walsh.dat", "mpfr_convergence.png",
                                   "mpfr_convergence.gp", "mpfr_convergence.dat"};
    if (!o.resume) files.insert(files.end(), {cells_file, settings_file});
    out.emplace(o.out, files, "barriers convergence");
    out->write(settings_file, settings_text(s));
    out->write(cells_file, cells_csv(lines));
  } catch (...) {
    if (mpi.active()) mpi.start(false);  // the workers stop too
    throw;
  }
  auto save = [&](std::size_t i, const std::string& line) {
    lines[i] = line;
    out->write(cells_file, cells_csv(lines));
  };
  std::size_t resumed = 0, owned = 0, missing = 0;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    resumed += !lines[i].empty();
    owned += shard.owns(i);
    missing += shard.owns(i) && lines[i].empty();
  }
  const auto printer = make_progress_printer(o.quiet);
  if (printer && resumed > 0)
    printer->print(0, "resuming: " + std::to_string(resumed) + " cells read from " + cells_file);

  if (mpi.active()) {  // rank 0: hands out the cells, saves what the workers send
    mpi.start(true);
    std::size_t received = 0;
    const std::vector<std::string> failures = mpi.serve(
        [&](std::size_t i) { return !lines[i].empty(); },
        [&](const std::string& line) {
          save(read_cell_line(line, cells, sz, "the cell an MPI rank sent"), line);
          ++received;
          if (printer)
            printer->print(double(received) / double(missing),
                           std::to_string(received) + " of " + std::to_string(missing) + " cells finished");
        });
    if (!failures.empty()) {
      for (const std::string& f : failures) std::cerr << "barriers: error: MPI " << f << "\n";
      std::cerr << "barriers: error: the finished cells are saved in " << cells_file << " in "
                << quote_for_message(o.out, 4096) << "; the same command with --resume computes the rest\n";
      return exit_failure;
    }
  } else {
    // Progress over all inner steps of the cells to compute.
    long total = 0;
    for (std::size_t i = 0; i < cells.size(); ++i)
      if (shard.owns(i) && lines[i].empty())
        total += long(s.inner) * (s.restarts > 0 ? s.restarts : auto_restarts(cells[i].bits));
    std::atomic<long> done{0};
    auto progress_for = [&](const Cell& c) -> std::function<void(long)> {
      if (!printer) return {};
      const std::string name = cell_name(c);
      return [&done, total, printer, name](long it) {
        const long d = ++done;
        if (d % 200 == 0) printer->print(double(d) / double(total), name + ": step " + std::to_string(it));
      };
    };
    compute_cells(
        sz, cells, cells.size(), [&](std::size_t i) { return shard.owns(i) && lines[i].empty(); },
        [&](std::size_t i) { save(i, cell_line(cells[i])); }, progress_for);
  }

  if (!shard.whole()) {
    // A shard's tables would describe a part of the experiment: it saves
    // its cells only, for `barriers merge`.
    out->finish();
    std::cerr << "wrote " << cells_file << " in " << quote_for_message(o.out, 4096) << " (shard " << shard.index
              << " of " << shard.count << ": " << owned << " of " << cells.size()
              << " cells; combine the shards with 'barriers merge', then run without --shard with --resume)\n";
    return 0;
  }
  out->write("history.csv", history_csv(cells));
  out->write("summary.csv", summary_csv(cells));
  for (SamplingKind k : s.samplings)
    if (!s.fixed_types.empty()) plot_noise(sz, cells, k, *out);
  if (!s.mpfr_bits.empty()) plot_precision(sz, cells, *out);
  const std::string report = report_md(sz, cells);
  out->write("report.md", report);
  out->finish();
  std::printf("%s", report.c_str());
  return 0;
}

}  // namespace

Command add_convergence_command(CLI::App& app) {
  auto o = std::make_shared<ConvergenceOptions>();
  CLI::App* sub = app.add_subcommand(
      "convergence",
      "The FIRENET convergence experiment: relative error and objective gap against total inner iterations on a "
      "wavelet-sparse image from subsampled Fourier or Walsh measurements, for several noise levels (fixed-precision "
      "types) and without noise in MPFR, with the theory's delta + e^-n bound beside it. Writes history.csv, "
      "summary.csv, convergence_<sampling>.png, mpfr_convergence.png and report.md; each finished cell is saved at "
      "once in convergence_cells.csv, and --resume continues a killed run.");
  o->app = sub;
  sub->add_option("--sampling", o->sampling, "fourier, walsh or both (comma-separated)")->type_name("LIST")->capture_default_str();
  sub->add_option("--noise", o->noise, "Relative noise levels ||e|| / ||y_clean|| for the fixed-precision types")
      ->type_name("LIST")
      ->capture_default_str();
  sub->add_option("--type", o->type, "Types: double, long-double, float128 (noise cells), mpfr (noise-free cells)")
      ->type_name("LIST")
      ->capture_default_str();
  sub->add_option("--bits", o->bits, "MPFR precisions in bits (24..1000)")->type_name("LIST")->capture_default_str();
  sub->add_option("--image", o->image, "shepp-logan, ellipses, text-detail or a PNG/PGM file (square)")
      ->type_name("IMAGE")
      ->capture_default_str();
  sub->add_option("--size", o->size, "Side of the phantom for the noise cells (8..1024)")->type_name("N")->capture_default_str();
  sub->add_option("--mpfr-size", o->mpfr_size, "Side of the phantom for the noise-free precision cells (8..256)")
      ->type_name("N")
      ->capture_default_str();
  sub->add_option("--keep", o->keep, "Fraction of wavelet coefficients kept (exact sparsity); 1 = the image as it is")
      ->type_name("F")
      ->capture_default_str();
  sub->add_option("--rate", o->rate, "Sampling rate in (0, 1]")->type_name("F")->capture_default_str();
  sub->add_option("--pattern", o->pattern, "das, power, uniform, radial or half-half")->type_name("NAME")->capture_default_str();
  sub->add_option("--wavelet", o->wavelet, "haar, db1 .. db20")->type_name("NAME")->capture_default_str();
  sub->add_option("--levels", o->levels, "Wavelet levels (0: from the size)")->type_name("L")->capture_default_str();
  sub->add_option("--lambda", o->lambda, "l1 weight, or auto = 0.1 / sqrt(s)")->type_name("Q")->capture_default_str();
  sub->add_option("--restarts", o->restarts, "FIRENET restarts n, or auto = ceil(bits ln 2) + 15 per precision")
      ->type_name("N")
      ->capture_default_str();
  sub->add_option("--inner", o->inner, "FIRENET steps per restart p")->type_name("P")->capture_default_str();
  sub->add_option("--delta", o->delta, "FIRENET's delta: noise (= ||e||) or a value")->type_name("Q")->capture_default_str();
  sub->add_option("--seed", o->seed, "Seed of the pattern, noise and ellipses")->type_name("S")->capture_default_str();
  sub->add_option("--threads", o->threads,
                  "Cells run in parallel (0: every core; under mpirun, 1 per rank); results do not depend on it")
      ->type_name("N")
      ->capture_default_str();
  sub->add_flag("--paper", o->paper, "The published settings (THEORY.md section 6): see docs/convergence.md");
  sub->add_option("--out", o->out, "Output directory")->check(non_empty())->type_name("DIR")->required();
  sub->add_flag("--resume", o->resume,
                "Continue the run saved in --out DIR: keep its finished cells (convergence_cells.csv, same "
                "settings required), compute the rest");
  sub->add_option("--shard", o->shard,
                  "Run only cells I, I + N, ... (numbered from 1 in the order of summary.csv) and save them in "
                  "--out DIR; 'barriers merge' combines the shards")
      ->type_name("I/N");
  sub->add_flag("--quiet", o->quiet, "No progress lines on stderr");
  return {sub, [o] {
            ConvergenceOptions opts = *o;
            if (opts.paper) {
              // Published: 15% DAS, Haar, lambda 2.5e-4, p = 5, delta 1e-9, 2%
              // noise; the image size is ours. An option given explicitly wins.
              auto set = [&opts](const std::string& option, std::string& field, const std::string& value) {
                if (!opts.given(option)) field = value;
              };
              set("--size", opts.size, "256");
              set("--mpfr-size", opts.mpfr_size, "64");
              set("--rate", opts.rate, "0.15");
              set("--wavelet", opts.wavelet, "haar");
              set("--lambda", opts.lambda, "2.5e-4");
              set("--inner", opts.inner, "5");
              set("--delta", opts.delta, "1e-9");
              set("--noise", opts.noise, "0,1e-4,1e-3,1e-2,2e-2");
              set("--pattern", opts.pattern, "das");
            }
            return run_convergence(opts);
          }};
}

}  // namespace barriers::cli
