// `barriers reconstruct`: compressed-sensing reconstruction of an image from
// subsampled Fourier or Walsh measurements of its wavelet coefficients
// (imaging_problem.hpp), by FIRENET, WARPd, WARPd-SR, FISTA or PDHG, in any
// working precision; writes the images, the mask, the history, a convergence
// plot and a summary (docs/reconstruct.md).
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "barriers/precision/convert.hpp"
#include "barriers/precision/precision_guard.hpp"
#include "barriers/solvers/firenet.hpp"
#include "barriers/solvers/fista.hpp"
#include "barriers/solvers/imaging/image_io.hpp"
#include "barriers/solvers/imaging/fft.hpp"
#include "barriers/solvers/imaging/image_quality.hpp"
#include "barriers/solvers/imaging/image_warpd.hpp"
#include "barriers/solvers/imaging/imaging_problem.hpp"
#include "barriers/solvers/imaging/phantom.hpp"
#include "barriers/solvers/imaging/walsh_hadamard.hpp"
#include "barriers/solvers/imaging/wavelet_filter.hpp"
#include "barriers/solvers/optimality.hpp"
#include "barriers/solvers/primal_dual.hpp"
#include "barriers/solvers/warpd.hpp"
#include "commands.hpp"
#include "memory_estimate.hpp"
#include "non_empty.hpp"
#include "output_files.hpp"
#include "parse_number.hpp"
#include "progress.hpp"

namespace barriers::cli {
namespace {

struct ReconstructOptions {
  std::string image = "shepp-logan", size = "256", sampling = "fourier", pattern = "das";
  std::string rate = "0.15", noise = "0.02", wavelet = "db4", levels = "0", das_levels = "0";
  std::string solver = "firenet", weights = "levels", regulariser = "l1";
  std::string lambda = "2.5e-4", delta, C1 = "1", C2 = "1";
  std::string restarts = "20", inner = "30", iters = "500", history_every = "1";
  std::string type = "double", bits = "128", seed = "1", out;
  std::string grid = "0", grid_ratio = "4", grid_rounds = "1", grid_kappa = "0";
  bool baseline = false, quiet = false;
  std::set<std::string> given;  ///< options the user set explicitly
};

// The local sparsities behind --weights levels: per wavelet level, the
// fewest coefficients of the true image holding this fraction of the
// level's energy (level_weights.hpp).
constexpr double weight_energy_fraction = 0.999;

const std::vector<std::string> phantoms = {"shepp-logan", "ellipses", "text-detail"};

struct Parsed {
  ImagingSpec spec;
  ImageShape shape;                  ///< of the phantom, or of the file once read
  std::optional<GreyPixels> file;    ///< the image file, when --image is one
  bool level_weights = true;
  bool image_regulariser = false;    ///< --regulariser tv|tgv|analysis: WARPd/PDHG on the image (image_warpd.hpp)
  double lambda = 0, C1 = 1, C2 = 1;
  std::optional<double> delta;       ///< empty: the noise norm eta
  int restarts = 0;
  long inner = 0, iters = 0, history_every = 1;
  unsigned bits = 0;
  int grid = 0, grid_rounds = 1;     ///< --grid H: (2H + 1)^2 (C1, C2) pairs around --C1, --C2
  double grid_ratio = 4, grid_kappa = 0;
  bool baseline = false;             ///< --baseline: also the non-restarted primal-dual run
};

double number_option(const std::string& option, const std::string& text, double min, bool min_open, double max) {
  std::size_t used = 0;
  double v = 0;
  try {
    v = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size() || !std::isfinite(v))
    throw UsageError(option + " " + quote_for_message(text) + " is not a finite number");
  if (v < min || (min_open && v == min) || v > max) {
    std::ostringstream range;
    range << (min_open ? "(" : "[") << min << ", " << max << "]";
    throw UsageError(option + " " + quote_for_message(text) + " is outside " + range.str());
  }
  return v;
}

ImageShape parse_size(const std::string& text) {
  const std::size_t x = text.find('x');
  const std::string r = x == std::string::npos ? text : text.substr(0, x);
  const std::string c = x == std::string::npos ? text : text.substr(x + 1);
  return {Eigen::Index(parse_integer("--size", r, 1, max_image_side)),
          Eigen::Index(parse_integer("--size", c, 1, max_image_side))};
}

// Options that the chosen solver does not use are errors, not silently ignored.
void check_applicable(const ReconstructOptions& o) {
  const std::string& s = o.solver;
  const bool restarted = s == "firenet" || s == "warpd" || s == "warpd-sr";
  const bool phantom = std::count(phantoms.begin(), phantoms.end(), o.image) > 0;
  const std::map<std::string, std::pair<bool, std::string>> rules = {
      {"--lambda", {s != "warpd", "warpd solves the constrained problem; its constraint level is the noise norm"}},
      {"--delta", {restarted, "only firenet, warpd and warpd-sr have a restart schedule"}},
      {"--C1", {s == "warpd" || s == "warpd-sr", "only warpd and warpd-sr use sharpness constants"}},
      {"--C2", {s == "warpd", "only warpd uses C2"}},
      {"--restarts", {restarted, "only firenet, warpd and warpd-sr restart; use --iters"}},
      {"--inner", {restarted, "only firenet, warpd and warpd-sr restart; use --iters"}},
      {"--iters", {!restarted, "restarted solvers take --restarts and --inner"}},
      {"--bits", {o.type == "mpfr", "the precision of --type " + o.type + " is fixed; --bits is for --type mpfr"}},
      {"--size", {phantom, "an image file is used at its own size"}},
      {"--das-levels", {o.pattern == "das", "only the das pattern has radius levels"}},
      {"--regulariser", {s == "warpd" || s == "pdhg", "only warpd and pdhg take image regularisers"}},
      {"--weights", {o.regulariser != "tv" && o.regulariser != "tgv", "tv and tgv have no wavelet levels to weight"}},
      {"--grid", {s == "warpd", "only warpd has the C1, C2 grid search"}},
      {"--grid-ratio", {o.given.count("--grid") > 0, "--grid-ratio is the spacing of --grid's values; give --grid"}},
      {"--grid-rounds", {o.given.count("--grid") > 0, "--grid-rounds repeats --grid's search; give --grid"}},
      {"--grid-kappa", {o.given.count("--grid") > 0, "--grid-kappa weighs --grid's selection rule; give --grid"}},
      {"--baseline", {s == "warpd", "only warpd has a restart scheme to compare with (the un-restarted baseline of "
                                    "firenet is --solver pdhg)"}},
  };
  for (const auto& [option, rule] : rules)
    if (o.given.count(option) && !rule.first)
      throw UsageError(option + " does not apply here: " + rule.second);
}

Parsed parse_options(const ReconstructOptions& o) {
  const std::set<std::string> solvers = {"firenet", "warpd", "warpd-sr", "fista", "pdhg"};
  if (!solvers.count(o.solver))
    throw UsageError("unknown --solver " + quote_for_message(o.solver) +
                     ": allowed are firenet, warpd, warpd-sr, fista, pdhg");
  const std::set<std::string> types = {"double", "long-double", "float128", "mpfr"};
  if (!types.count(o.type))
    throw UsageError("unknown --type " + quote_for_message(o.type) +
                     ": allowed are double, long-double, float128, mpfr");
  check_applicable(o);
  Parsed p;
  auto named = [](const std::string& option, auto parse) {
    try {
      return parse();
    } catch (const std::invalid_argument& e) {
      throw UsageError(option + ": " + e.what());
    }
  };
  p.spec.sampling = named("--sampling", [&] { return parse_sampling(o.sampling); });
  p.spec.pattern = named("--pattern", [&] { return parse_pattern(o.pattern); });
  named("--wavelet", [&] { return wavelet_moments(o.wavelet); });
  p.spec.wavelet = o.wavelet;
  p.spec.rate = number_option("--rate", o.rate, 0, true, 1);
  p.spec.noise = number_option("--noise", o.noise, 0, false, 1e6);
  p.spec.levels = int(parse_integer("--levels", o.levels, 0, 15));
  p.spec.das_levels = int(parse_integer("--das-levels", o.das_levels, 0, 16));
  p.spec.seed = std::uint64_t(parse_integer("--seed", o.seed, 0, 999999999999999999LL));
  if (o.weights != "levels" && o.weights != "none")
    throw UsageError("--weights " + quote_for_message(o.weights) + ": allowed are levels, none");
  p.level_weights = o.weights == "levels";
  const std::set<std::string> regularisers = {"l1", "tv", "tgv", "analysis"};
  if (!regularisers.count(o.regulariser))
    throw UsageError("--regulariser " + quote_for_message(o.regulariser) + ": allowed are l1, tv, tgv, analysis");
  p.image_regulariser = o.regulariser != "l1";
  p.lambda = number_option("--lambda", o.lambda, 0, true, 1e12);
  if (!o.delta.empty()) p.delta = number_option("--delta", o.delta, 0, false, 1e12);
  p.C1 = number_option("--C1", o.C1, 0, true, 1e12);
  p.C2 = number_option("--C2", o.C2, 0, true, 1e12);
  p.restarts = int(parse_integer("--restarts", o.restarts, 1, 100000));
  p.inner = long(parse_integer("--inner", o.inner, 0, 10000000));
  if (p.inner == 0 && o.solver == "firenet") throw UsageError("--inner 0 is automatic only for warpd and warpd-sr");
  p.iters = long(parse_integer("--iters", o.iters, 1, 100000000));
  p.history_every = long(parse_integer("--history-every", o.history_every, 1, 100000000));
  p.bits = unsigned(parse_integer("--bits", o.bits, 16, 1 << 16));
  p.grid = int(parse_integer("--grid", o.grid, 0, 10));
  p.grid_ratio = number_option("--grid-ratio", o.grid_ratio, 1, true, 1e6);
  p.grid_rounds = int(parse_integer("--grid-rounds", o.grid_rounds, 1, 10));
  p.grid_kappa = number_option("--grid-kappa", o.grid_kappa, 0, false, 1e12);
  if (p.grid > 0 && p.inner == 0)
    throw UsageError("--grid needs --inner > 0: every (C1, C2) run gets the budget --restarts x --inner "
                     "(doubled in each further --grid-rounds round)");
  p.baseline = o.baseline;
  if (std::count(phantoms.begin(), phantoms.end(), o.image)) {
    p.shape = parse_size(o.size);
  } else {
    // Read up front: a bad file is an input error before anything is written.
    p.file = read_image_file(o.image);
    p.shape = {Eigen::Index(p.file->rows), Eigen::Index(p.file->cols)};
  }
  const Eigen::Index div = Eigen::Index(1) << (p.spec.levels ? p.spec.levels : 1);
  if (p.shape.rows % div || p.shape.cols % div) {
    const std::string what = p.file ? "the image " + quote_for_message(o.image) : std::string("--size");
    throw UsageError(what + " is " + std::to_string(p.shape.rows) + "x" + std::to_string(p.shape.cols) +
                     ": both sides must be divisible by 2^levels = " + std::to_string(div) +
                     (p.spec.levels ? "" : " (at least one wavelet level)"));
  }
  return p;
}

// Refuses an image whose working vectors cannot fit: about 40 vectors of N
// scalars (the image, its coefficients, the solver's iterates, averages and
// duals, the transforms' buffers), before any of them is allocated.
template <class T>
void check_memory(ImageShape s, unsigned bits) {
  const double N = double(s.rows) * double(s.cols);
  char detail[64];
  std::snprintf(detail, sizeof detail, " (40 vectors of %.0f scalars)", N);
  check_memory_fits(40.0 * N * bytes_per_scalar<T>(bits) + 64.0 * N,
                    "a " + std::to_string(s.rows) + "x" + std::to_string(s.cols) + " image in " + describe_type<T>(),
                    detail, "use a smaller --size or fewer --bits");
}

template <class R>
std::string full_decimal(const R& v) {
  if constexpr (std::is_same_v<R, mpfr_real>) {
    return v.str(int(std::ceil(number_traits<R>::precision_bits() * 0.30103)) + 2, std::ios_base::scientific);
  } else {
    std::ostringstream s;
    s.precision(std::numeric_limits<R>::max_digits10);
    s << std::scientific << v;
    return s.str();
  }
}

// The shortest decimal that reads back as v (0.15, not 0.14999999999999999),
// without an exponent where plain digits are as exact (10, not 1e+01).
std::string shortest(double v) {
  char buf[40];
  std::string first;
  for (int digits = 1; digits <= 17; ++digits) {
    std::snprintf(buf, sizeof buf, "%.*g", digits, v);
    if (std::strtod(buf, nullptr) != v) continue;
    if (first.empty()) first = buf;
    const double a = std::fabs(v);
    if (!std::strchr(buf, 'e') || a < 1e-4 || a >= 1e17) return first.find('e') == std::string::npos ? first : buf;
  }
  return first.empty() ? buf : first;
}

// Seconds between progress lines on a terminal (progress_interval_not_tty
// otherwise): a line per observed iteration would flood the screen on small
// images, where thousands of iterations take a second.
constexpr double progress_interval_tty = 1.0;

struct Row {
  long iteration;
  double relative_error, objective;
  std::optional<double> feasibility_gap;
};

// The log-scale y axis of convergence.png. Across two decades or more the
// decades are labelled 10^k; over a narrower range gnuplot would label one or
// two decades only, so 2 x 10^k and 5 x 10^k are labelled too, in plain
// decimals, and the values can be read off.
std::string y_axis(const std::vector<double>& values) {
  double lo = HUGE_VAL, hi = 0;
  for (double v : values) {
    if (!(v > 0) || !std::isfinite(v)) continue;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  if (hi == 0 || hi >= 100 * lo) return "set format y '10^{%L}'\n";
  std::string tics;
  for (int k = int(std::floor(std::log10(lo))); k <= int(std::ceil(std::log10(hi))); ++k)
    for (double m : {2.0, 5.0}) {
      char tic[32];
      std::snprintf(tic, sizeof tic, "%s%g", tics.empty() ? "" : ", ", m * std::pow(10.0, k));
      tics += tic;
    }
  return "set format y '%g'\nset ytics add (" + tics + ")\n";
}

// history: the recorded rows; image: errors are of the image (tv, tgv,
// analysis), else of the wavelet coefficients.
// baseline: the non-restarted run's rows (--baseline), drawn beside.
bool write_plot(const OutputDir& out, const std::string& title, const std::vector<Row>& history,
                const std::vector<Row>* baseline, double dual, bool image) {
  const bool gap = std::any_of(history.begin(), history.end(), [&](const Row& h) { return h.objective - dual > 0; });
  std::vector<double> plotted;
  for (const Row& h : history) {
    plotted.push_back(h.relative_error);
    if (gap) plotted.push_back(h.objective - dual);
  }
  if (baseline)
    for (const Row& h : *baseline) plotted.push_back(h.relative_error);
  // A line needs two points: a single recorded iteration is drawn as a point.
  const std::string style = history.size() < 2 ? "points pt 7 ps 1.5" : "lines lw 2";
  const std::string x = image ? "u" : "x";
  std::ostringstream gp;
  gp << "set terminal pngcairo size 800,600\nset output 'convergence.png'\n"
     << "set title " << gnuplot_string(title) << "\n"
     << "set logscale y\n" << y_axis(plotted) << "set grid\nset xlabel 'iteration'\nset key top right\n"
     << "set datafile separator ','\n"
     << "plot 'history.csv' every ::1 using 1:($2 > 0 ? $2 : 1/0) with " << style << " title "
     << "'relative error ||" << x << "_k - " << x << "_{true}|| / ||" << x << "_{true}|| ("
     << (image ? "image" : "wavelet coefficients") << ")'";
  if (gap)
    gp << ", \\\n  'history.csv' every ::1 using 1:($4 > 0 ? $4 : 1/0) with " << style << " title "
       << gnuplot_string("objective - final dual bound");
  if (baseline)
    gp << ", \\\n  'baseline_history.csv' every ::1 using 1:($2 > 0 ? $2 : 1/0) with "
       << (baseline->size() < 2 ? "points pt 6 ps 1.5" : "lines lw 2 dt 2") << " title "
       << gnuplot_string("relative error without restarts (same steps)");
  gp << "\n";
  return out.plot("convergence.gp", gp.str(), "convergence.png");
}

template <class R>
Matrix<double> to_double(const Matrix<R>& m) {
  Matrix<double> d(m.rows(), m.cols());
  for (Eigen::Index k = 0; k < m.size(); ++k) d.data()[k] = static_cast<double>(m.data()[k]);
  return d;
}

// The image regulariser named by --regulariser tv|tgv|analysis; analysis
// weights each wavelet level by its sparsity-in-levels weight (w, constant
// on a level) unless w is null (--weights none).
template <class T>
ImageRegularisation<T> image_regularisation(const ImagingProblem<T>& prob, const std::string& name,
                                            const Vector<real_of<T>>* w) {
  ImageRegularisation<T> reg;
  if (name == "tv") {
    reg.kind = ImageRegulariserKind::tv;
  } else if (name == "tgv") {
    reg.kind = ImageRegulariserKind::tgv;
  } else {
    reg.kind = ImageRegulariserKind::analysis;
    reg.analysis = prob.wavelet;
    reg.level_starts = prob.level_starts;
    for (std::size_t l = 0; w && l + 1 < prob.level_starts.size(); ++l)
      reg.level_weights.push_back((*w)(prob.level_starts[l]));
  }
  return reg;
}

// The run of a grid search whose output it returned: the smallest criterion,
// the first such in the search's order (its tie rule).
template <class T>
const WarpdGridRun<T>& chosen_run(const WarpdGridResult<T>& g) {
  const WarpdGridRun<T>* best = nullptr;
  for (const WarpdGridRun<T>& run : g.runs)
    if (run.C1 == g.C1 && run.C2 == g.C2 && (!best || run.criterion < best->criterion)) best = &run;
  if (!best) throw std::logic_error("the grid search returned constants it did not run");
  return *best;
}

// The distinct C1 (or C2) values a grid search ran, in its order.
template <class T>
std::string grid_values(const WarpdGridResult<T>& g, bool c1) {
  std::vector<double> seen;
  std::string text;
  for (const WarpdGridRun<T>& run : g.runs) {
    const double v = double(c1 ? run.C1 : run.C2);
    if (std::find(seen.begin(), seen.end(), v) != seen.end()) continue;
    seen.push_back(v);
    text += (text.empty() ? "" : " ") + shortest(v);
  }
  return text;
}

template <class T>
bool same_vector(const Vector<T>& a, const Vector<T>& b) {
  if (a.size() != b.size()) return false;
  for (Eigen::Index k = 0; k < a.size(); ++k)
    if (!(a(k) == b(k))) return false;
  return true;
}

template <class T>
int reconstruct_typed(const ReconstructOptions& o, const Parsed& p) {
  using R = real_of<T>;
  check_memory<T>(p.shape, p.bits);
  // Progress on stderr unless --quiet, all lines timed from here: the end of
  // each phase (building the problem is slow in MPFR at large sizes; it may
  // still refuse the input, so nothing is printed before it is built), and
  // the solver's iterations with their own throttle, so that iteration 1
  // always shows.
  std::shared_ptr<ProgressPrinter> phase, steps;
  if (!o.quiet) {
    phase = std::make_shared<ProgressPrinter>(0);
    steps = std::make_shared<ProgressPrinter>(isatty(fileno(stderr)) ? progress_interval_tty : progress_interval_not_tty);
  }
  Matrix<R> image;
  if (p.file)
    image = to_image<R>(*p.file);
  else if (o.image == "shepp-logan")
    image = shepp_logan<R>(p.shape);
  else if (o.image == "ellipses")
    image = random_ellipses<R>(p.shape, p.spec.seed);
  else
    image = text_detail<R>(p.shape);
  const ImagingProblem<T> prob = make_imaging_problem<T>(image, p.spec);
  const Vector<R> w = p.level_weights ? weights_for(prob, R(weight_energy_fraction)) : Vector<R>();
  const R lambda = R(p.lambda), eta = prob.eta;
  const R delta = p.delta ? R(*p.delta) : eta;
  if (o.solver == "fista" && !o.given.count("--lambda") && eta == 0)
    throw UsageError("fista's default --lambda is scaled by the noise norm, which is 0 at --noise 0: give --lambda");
  // FISTA solves P2 (lambda ||x||_w + ||A x - y||^2): comparing its optimality
  // condition with P3's at a solution with residual r gives lambda_2 =
  // 2 lambda_3 ||r||, and ||r|| ~ eta at a good reconstruction.
  const R lambda_p2 = o.given.count("--lambda") ? lambda : 2 * lambda * eta;

  const std::vector<std::string> names = {"reconstruction.png", "error.png", "truth.png", "mask.png",
                                          "samples.txt", "history.csv", "convergence.gp", "convergence.png",
                                          "summary.txt", "summary.json", "grid.csv", "baseline.png",
                                          "baseline_history.csv"};
  const OutputDir out(o.out, names, "barriers reconstruct");
  if (phase)
    phase->print(-1, "built the " + std::to_string(p.shape.rows) + "x" + std::to_string(p.shape.cols) + " problem in " +
                         describe_type<T>() + " (" + std::to_string(prob.A->rows()) + " samples); running " + o.solver);

  const R x_norm = R(prob.x_true.norm());
  const bool sp_sampling_walsh = prob.spec.sampling == SamplingKind::walsh;
  const Vector<T> pixels = Eigen::Map<const Vector<R>>(prob.image.data(), prob.image.size()).template cast<T>();
  // Errors relative to the truth: the coefficients x_true, or the image for --regulariser tv|tgv|analysis.
  const R ref_norm = p.image_regulariser ? R(pixels.norm()) : x_norm;
  std::vector<Row> history, baseline_history;
  // Progress rides on the observed iterations (every --history-every): the
  // error and objective are computed for history.csv anyway, so progress
  // costs no operator application. The planned total is unknown (0) for
  // warpd's automatic --inner.
  const bool restarted = o.solver == "firenet" || o.solver == "warpd" || o.solver == "warpd-sr";
  const long planned = restarted ? long(p.restarts) * p.inner : p.iters;
  auto observer_into = [&](std::vector<Row>& rows, const std::string& label, bool restarts) -> Observer<R> {
    return [&rows, label, restarts, &ref_norm, &steps, planned](const IterationInfo<R>& info) {
      rows.push_back({info.iteration, static_cast<double>(R(*info.error / ref_norm)), static_cast<double>(info.objective),
                      info.feasibility_gap ? std::optional<double>(static_cast<double>(*info.feasibility_gap))
                                           : std::nullopt});
      if (steps) {
        const Row& h = rows.back();
        char line[200];
        std::snprintf(line, sizeof line, "%s: iteration %ld%s%s, relative error %.4g, objective %.6g", label.c_str(),
                      h.iteration, planned > 0 ? (" of " + std::to_string(planned)).c_str() : "",
                      restarts ? (", restart " + std::to_string(info.restart + 1)).c_str() : "", h.relative_error,
                      h.objective);
        steps->print(planned > 0 ? double(h.iteration) / double(planned) : -1, line);
      }
      return true;
    };
  };
  const Observer<R> observe = observer_into(history, o.solver, restarted);
  auto attach = [&](auto& st) {
    st.reference = prob.x_true;
    st.observer = observe;
    st.observe_every = p.history_every;
    st.weights = w;
  };
  const LinearOperator<T>& A = *prob.A;
  // The image problems (tv, tgv, analysis) work on pixels: A_img = P_Omega U.
  OperatorPtr<T> A_img;
  if (p.image_regulariser) {
    OperatorPtr<T> U;
    if (sp_sampling_walsh) {
      U = std::make_shared<const WalshHadamard<T>>(prob.shape);
    } else if constexpr (number_traits<T>::is_complex) {
      U = std::make_shared<const FourierTransform<T>>(prob.shape);
    }
    A_img = sampled_image_operator<T>(U, prob.pattern.indices, U->norm_bound() - 1);
  }
  SolverResult<T> r;
  std::optional<SolverResult<T>> baseline;      // --baseline
  std::optional<WarpdGridResult<T>> grid;        // --grid
  double baseline_seconds = 0;
  SparseProblem problem = SparseProblem::p3_sqrt_lasso;
  long inner_used = p.inner;
  int restarts_used = p.restarts;
  const auto start = std::chrono::steady_clock::now();
  if (o.solver == "firenet") {
    FirenetSettings<T> st;
    st.lambda = lambda;
    st.delta = delta;
    st.restarts = p.restarts;
    st.inner = int(p.inner);
    attach(st);
    r = firenet(A, prob.y, st);
  } else if (o.solver == "warpd") {
    // WARPd on the image (tv, tgv, analysis) or on the wavelet coefficients
    // (l1: P1 basis pursuit); with --grid over a grid of (C1, C2), with
    // --baseline also without restarts.
    WarpdSettings<T> st;
    st.eps = eta;
    st.C1 = R(p.C1);
    st.C2 = R(p.C2);
    st.delta = delta;
    st.restarts = p.restarts;
    st.inner = p.inner;
    std::optional<ImageRegularisation<T>> reg;
    if (p.image_regulariser) {
      reg = image_regularisation(prob, o.regulariser, p.level_weights ? &w : nullptr);
      st.reference = pixels;
      st.observer = observe;
      st.observe_every = p.history_every;
    } else {
      problem = SparseProblem::p1_basis_pursuit;
      attach(st);
    }
    const LinearOperator<T>& A_w = reg ? *A_img : A;
    auto run = [&](const WarpdSettings<T>& s) {
      return reg ? image_warpd<T>(A_w, prob.y, prob.shape, *reg, s) : warpd(A_w, prob.y, s);
    };
    if (p.grid > 0) {
      WarpdGridSearch<T> g;
      g.C1_values = geometric_grid(R(p.C1), R(p.grid_ratio), p.grid);
      g.C2_values = geometric_grid(R(p.C2), R(p.grid_ratio), p.grid);
      g.budget = long(p.restarts) * p.inner;
      g.rounds = p.grid_rounds;
      g.kappa = R(p.grid_kappa);
      if (phase)
        phase->print(-1, "grid search: " + std::to_string(g.C1_values.size() * g.C2_values.size()) +
                             " (C1, C2) pairs, " + std::to_string(g.rounds) + " round(s), " +
                             std::to_string(g.budget) + " iterations per run in round 1");
      grid = reg ? image_warpd_grid_search<T>(A_w, prob.y, prob.shape, *reg, st, g) : warpd_grid_search(A_w, prob.y, st, g);
      // The search keeps no history: the chosen run is repeated with the
      // observer (the same arithmetic, so the same output, checked below).
      const WarpdGridRun<T>& chosen = chosen_run(*grid);
      st.C1 = chosen.C1;
      st.C2 = chosen.C2;
      st.restarts = chosen.restarts;
      st.inner = chosen.inner;
      if (phase)
        phase->print(-1, "grid search chose C1 = " + shortest(double(chosen.C1)) + ", C2 = " +
                             shortest(double(chosen.C2)) + " after " + std::to_string(grid->total_iterations) +
                             " iterations; repeating that run for its history");
    }
    r = run(st);
    inner_used = st.inner;
    restarts_used = st.restarts;
    if (grid && !same_vector(r.solution, grid->best.solution))
      throw std::logic_error("the repeated grid-search run differs from the run the search chose");
    if (p.baseline) {
      const auto baseline_start = std::chrono::steady_clock::now();
      // What WARPd does with its restarts switched off: restarts x inner
      // steps with the step sizes of its first restart.
      WarpdSettings<T> bs = st;
      bs.observer = observer_into(baseline_history, "baseline (no restarts)", false);
      if (reg) {
        baseline = image_primal_dual_baseline<T>(A_w, prob.y, prob.shape, *reg, bs);
      } else {
        bs.inner = warpd_inner_count(A_w, st) * st.restarts;
        bs.restarts = 1;
        baseline = warpd(A_w, prob.y, bs);
      }
      baseline_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - baseline_start).count();
    }
  } else if (p.image_regulariser) {  // pdhg on the image: the un-restarted baseline of image WARPd
    WarpdSettings<T> st;
    st.eps = eta;
    st.C1 = R(p.C1);
    st.C2 = R(p.C2);
    st.delta = delta;
    st.restarts = 1;
    st.inner = p.iters;
    st.reference = pixels;
    st.observer = observe;
    st.observe_every = p.history_every;
    r = image_primal_dual_baseline<T>(*A_img, prob.y, prob.shape,
                                      image_regularisation(prob, o.regulariser, p.level_weights ? &w : nullptr), st);
  } else if (o.solver == "warpd-sr") {
    WarpdSrSettings<T> st;
    st.lambda = lambda;
    st.C1 = R(p.C1);
    st.delta = delta;
    st.restarts = p.restarts;
    st.inner = p.inner;
    attach(st);
    r = warpd_sr(A, prob.y, st);
  } else if (o.solver == "fista") {
    problem = SparseProblem::p2_lasso;
    FistaSettings<T> st;
    st.lambda = lambda_p2;
    st.max_iterations = p.iters;
    attach(st);
    r = fista(A, prob.y, st);
  } else {  // pdhg on P3, the un-restarted baseline of FIRENET
    PdhgSettings<T> st;
    st.problem = problem;
    st.lambda = lambda;
    st.max_iterations = p.iters;
    attach(st);
    r = primal_dual(A, prob.y, st);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() - baseline_seconds;
  if (phase)
    phase->print(-1, o.solver + " stopped after " + std::to_string(r.iterations) + " iterations; computing the quality" +
                         (p.image_regulariser ? "" : ", the duality gap") + " and the outputs");
  if (r.iterations > 0 && (inner_used == 0)) inner_used = r.iterations / restarts_used;
  const bool finite = r.reason != TerminationReason::non_finite;
  const R lambda_used = problem == SparseProblem::p2_lasso ? lambda_p2 : lambda;
  // The duality gap is available for the synthesis problems only.
  std::optional<OptimalityReport<R>> opt;
  if (!p.image_regulariser) opt = duality_gap(problem, A, prob.y, r.solution, r.dual, lambda_used, eta, w);

  // Quality: relative error of the image in the working type, PSNR and SSIM in double.
  auto image_of = [&](const Vector<T>& solution) {
    if (!p.image_regulariser) return image_from_coefficients(prob, solution);
    Matrix<R> u(prob.shape.rows, prob.shape.cols);
    for (Eigen::Index k = 0; k < u.size(); ++k) {
      if constexpr (number_traits<T>::is_complex)
        u.data()[k] = solution(k).real();
      else
        u.data()[k] = solution(k);
    }
    return u;
  };
  const Matrix<R> rec = image_of(r.solution);
  const R rel = relative_image_error<R>(rec, prob.image);
  const Matrix<double> rec_d = to_double(rec), truth_d = to_double(prob.image);
  const double ps = psnr(rec_d, truth_d), ss = ssim(rec_d, truth_d);
  Matrix<double> baseline_d;
  R baseline_rel(0);
  double baseline_ps = 0, baseline_ss = 0;
  if (baseline) {
    const Matrix<R> u = image_of(baseline->solution);
    baseline_rel = relative_image_error<R>(u, prob.image);
    baseline_d = to_double(u);
    baseline_ps = psnr(baseline_d, truth_d);
    baseline_ss = ssim(baseline_d, truth_d);
  }
  const Matrix<double> err = (rec_d - truth_d).cwiseAbs();
  const double err_max = err.maxCoeff();
  const Matrix<double> err_img = err_max > 0 ? Matrix<double>(err / err_max) : err;

  const ImagingSpec& sp = prob.spec;
  const std::string type_name = describe_type<T>();
  const std::string lambda_text = problem == SparseProblem::p1_basis_pursuit ? "" : shortest(double(lambda_used));
  // Settings and results, one key per line; "seconds" is the only field that
  // differs between two runs with the same options.
  std::vector<std::pair<std::string, std::string>> kv = {
      {"image", o.image},
      {"rows", std::to_string(prob.shape.rows)},
      {"cols", std::to_string(prob.shape.cols)},
      {"sampling", sampling_name(sp.sampling)},
      {"pattern", pattern_name(sp.pattern)},
      {"rate", shortest(sp.rate)},
      {"samples", std::to_string(A.rows())},
      {"das_levels", sp.pattern == PatternKind::das ? std::to_string(sp.das_levels) : ""},
      {"noise", shortest(sp.noise)},
      {"noise_norm", full_decimal(eta)},
      {"wavelet", sp.wavelet},
      {"levels", std::to_string(sp.levels)},
      {"weights", p.level_weights ? "levels" : "none"},
      {"solver", o.solver},
      {"regulariser", o.regulariser},
      {"problem", p.image_regulariser ? "min R(u) s.t. ||A u - y|| <= eta" : to_string(problem)},
      {"lambda", p.image_regulariser ? "" : lambda_text},
      {"delta", o.solver == "firenet" || o.solver == "warpd" || o.solver == "warpd-sr" ? full_decimal(delta) : ""},
      {"C1", o.solver == "warpd" || o.solver == "warpd-sr" ? shortest(grid ? double(grid->C1) : p.C1) : ""},
      {"C2", o.solver == "warpd" ? shortest(grid ? double(grid->C2) : p.C2) : ""},
      {"grid_C1_values", grid ? grid_values(*grid, true) : ""},
      {"grid_C2_values", grid ? grid_values(*grid, false) : ""},
      {"grid_rounds", grid ? std::to_string(p.grid_rounds) : ""},
      {"grid_kappa", grid ? shortest(p.grid_kappa > 0 ? p.grid_kappa : double(grid->runs.back().C2)) : ""},
      {"grid_runs", grid ? std::to_string(grid->runs.size()) : ""},
      {"grid_iterations", grid ? std::to_string(grid->total_iterations) : ""},
      {"restarts", o.solver == "firenet" || o.solver == "warpd" || o.solver == "warpd-sr" ? std::to_string(restarts_used) : ""},
      {"relative_error_of", p.image_regulariser ? "image (history and summary)" : "wavelet coefficients (history), image (summary)"},
      {"inner", o.solver == "firenet" || o.solver == "warpd" || o.solver == "warpd-sr" ? std::to_string(inner_used) : ""},
      {"type", type_name},
      {"bits", std::to_string(number_traits<R>::precision_bits())},
      {"seed", std::to_string(sp.seed)},
      {"iterations", std::to_string(r.iterations)},
      {"stopped", to_string(r.reason)},
      {"relative_error", full_decimal(rel)},
      {"psnr_db", std::isinf(ps) ? "inf" : shortest(ps)},
      {"psnr_peak", shortest(truth_d.maxCoeff())},
      {"ssim", std::isnan(ss) ? "n/a" : shortest(ss)},
      {"objective", full_decimal(r.objective)},
      {"dual_bound", opt ? full_decimal(opt->dual) : ""},
      {"relative_duality_gap", opt ? full_decimal(opt->relative_gap) : ""},
      {"feasibility_gap", full_decimal(r.feasibility_gap)},
      {"error_png_white", shortest(err_max)},
      {"baseline_iterations", baseline ? std::to_string(baseline->iterations) : ""},
      {"baseline_relative_error", baseline ? full_decimal(baseline_rel) : ""},
      {"baseline_psnr_db", baseline ? (std::isinf(baseline_ps) ? "inf" : shortest(baseline_ps)) : ""},
      {"baseline_ssim", baseline ? (std::isnan(baseline_ss) ? "n/a" : shortest(baseline_ss)) : ""},
      {"seconds", shortest(seconds)},
      {"baseline_seconds", baseline ? shortest(baseline_seconds) : ""},
  };
  std::ostringstream txt;
  nlohmann::ordered_json js;
  for (const auto& [k, v] : kv) {
    if (v.empty()) continue;
    txt << k << " = " << v << "\n";
    js[k] = v;
  }
  const double dual = opt ? double(opt->dual) : std::nan("");
  auto history_csv = [&](const std::vector<Row>& rows) {
    std::ostringstream hist;
    hist << "iteration,relative_error,objective,gap_bound,feasibility_gap\n";
    for (const Row& h : rows)
      hist << h.iteration << "," << shortest(h.relative_error) << "," << shortest(h.objective) << ","
           << (opt ? shortest(h.objective - dual) : "") << ","
           << (h.feasibility_gap ? shortest(*h.feasibility_gap) : "") << "\n";
    return hist.str();
  };

  out.write("reconstruction.png", encode_image(rec_d, ImageFormat::png, 8));
  out.write("truth.png", encode_image(truth_d, ImageFormat::png, 8));
  out.write("error.png", encode_image(err_img, ImageFormat::png, 8));
  out.write("mask.png", encode_image(mask_image(prob.pattern, sp.sampling == SamplingKind::fourier
                                                                   ? SpectrumLayout::fourier
                                                                   : SpectrumLayout::walsh),
                                     ImageFormat::png, 8));
  out.write("samples.txt", index_list(prob.pattern));
  out.write("history.csv", history_csv(history));
  std::string written;  // the optional files, for the closing line
  if (baseline) {
    out.write("baseline.png", encode_image(baseline_d, ImageFormat::png, 8));
    out.write("baseline_history.csv", history_csv(baseline_history));
    written += "baseline.png, baseline_history.csv, ";
  }
  if (grid) {
    // One row per run; relative_error is that of the run's output against the
    // truth (the image, or the wavelet coefficients for l1).
    std::ostringstream g;
    g << "round,C1,C2,budget,restarts,inner,iterations,criterion,relative_error,chosen\n";
    const WarpdGridRun<T>* chosen = &chosen_run(*grid);
    long round = 0, last_budget = grid->runs.front().budget;
    for (const WarpdGridRun<T>& run : grid->runs) {
      if (run.budget != last_budget) ++round, last_budget = run.budget;
      g << round + 1 << "," << shortest(double(run.C1)) << "," << shortest(double(run.C2)) << "," << run.budget << ","
        << run.restarts << "," << run.inner << "," << run.iterations << "," << full_decimal(run.criterion) << ","
        << (run.error ? full_decimal(R(*run.error / ref_norm)) : "") << "," << (&run == chosen ? "yes" : "no") << "\n";
    }
    out.write("grid.csv", g.str());
    written += "grid.csv, ";
  }
  out.write("summary.txt", txt.str());
  out.write("summary.json", js.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
  // The title names the regulariser where it is not the default l1, so TV, TGV and analysis runs differ.
  const std::string solver_title = o.solver + (p.image_regulariser ? " " + o.regulariser : std::string());
  const bool plotted = write_plot(out, solver_title + " (" + type_name + "): " + sampling_name(sp.sampling) + " " +
                                           pattern_name(sp.pattern) + " " + shortest(sp.rate),
                                  history, baseline ? &baseline_history : nullptr, dual, p.image_regulariser);
  if (finite) out.finish();

  std::printf("%s, %s %s sampling, %ld of %ld samples (%s), noise %g, %s %d levels, type %s\n", o.solver.c_str(),
              sampling_name(sp.sampling).c_str(), pattern_name(sp.pattern).c_str(), long(A.rows()),
              long(prob.shape.size()), shortest(sp.rate).c_str(), sp.noise, sp.wavelet.c_str(), sp.levels,
              type_name.c_str());
  std::printf("  iterations %ld (%s), %.3g s\n", r.iterations, to_string(r.reason).c_str(), seconds);
  std::printf("  relative error %s, PSNR %s dB (peak %g), SSIM %s\n", full_decimal(rel).c_str(),
              std::isinf(ps) ? "inf" : shortest(ps).c_str(), truth_d.maxCoeff(), std::isnan(ss) ? "n/a" : shortest(ss).c_str());
  if (baseline)
    std::printf("  baseline (no restarts, %ld iterations): relative error %s, PSNR %s dB, SSIM %s\n",
                baseline->iterations, full_decimal(baseline_rel).c_str(),
                std::isinf(baseline_ps) ? "inf" : shortest(baseline_ps).c_str(),
                std::isnan(baseline_ss) ? "n/a" : shortest(baseline_ss).c_str());
  if (grid)
    std::printf("  grid search: %zu runs, %ld iterations in all; chose C1 = %s, C2 = %s\n", grid->runs.size(),
                grid->total_iterations, shortest(double(grid->C1)).c_str(), shortest(double(grid->C2)).c_str());
  std::cerr << "wrote reconstruction.png, error.png, truth.png, mask.png, samples.txt, history.csv, " << written
            << (plotted ? "convergence.png" : "convergence.gp") << ", summary.txt, summary.json in "
            << quote_for_message(o.out, 4096) << "\n";
  if (!finite) {
    std::fprintf(stderr, "barriers: error: the iteration became non-finite after %ld iterations\n", r.iterations);
    return exit_failure;
  }
  return 0;
}

int run_reconstruct(const ReconstructOptions& o) {
  const Parsed p = parse_options(o);
  auto run = [&](auto real_tag) {
    using R = decltype(real_tag);
    return p.spec.sampling == SamplingKind::fourier ? reconstruct_typed<std::complex<R>>(o, p)
                                                    : reconstruct_typed<R>(o, p);
  };
  if (o.type == "double") return run(double{});
  if (o.type == "long-double") return run((long double){});
  if (o.type == "float128") return run(float128{});
  PrecisionGuard g(p.bits);
  return run(mpfr_real{});
}

}  // namespace

Command add_reconstruct_command(CLI::App& app) {
  auto o = std::make_shared<ReconstructOptions>();
  CLI::App* sub = app.add_subcommand(
      "reconstruct",
      "Reconstruct an image from subsampled Fourier or Walsh measurements of its wavelet coefficients "
      "(A = P_Omega U W^*, seeded pattern and noise) with FIRENET, WARPd, WARPd-SR, FISTA or PDHG, in any precision.");
  sub->add_option("--image", o->image, "shepp-logan, ellipses, text-detail, or a PNG/PGM file (used at its size)")
      ->type_name("NAME|FILE")->capture_default_str()->check(non_empty());
  sub->add_option("--size", o->size, "Phantom size N or RxC")->type_name("N|RxC")->capture_default_str();
  sub->add_option("--sampling", o->sampling, "fourier (complex arithmetic) or walsh (real)")
      ->type_name("NAME")->capture_default_str();
  sub->add_option("--pattern", o->pattern, "das, power, uniform, radial or half-half")
      ->type_name("NAME")->capture_default_str();
  sub->add_option("--rate", o->rate, "Sampled fraction in (0, 1]")->type_name("X")->capture_default_str();
  sub->add_option("--das-levels", o->das_levels, "Radius levels of the das pattern (0: automatic)")
      ->type_name("L")->capture_default_str();
  sub->add_option("--noise", o->noise, "Relative noise level ||e|| / ||A x_true|| (>= 0)")
      ->type_name("X")->capture_default_str();
  sub->add_option("--wavelet", o->wavelet, "haar, db1 .. db20")->type_name("NAME")->capture_default_str();
  sub->add_option("--levels", o->levels, "Wavelet levels (0: from the size)")->type_name("L")->capture_default_str();
  sub->add_option("--solver", o->solver, "firenet, warpd, warpd-sr, fista or pdhg")
      ->type_name("NAME")->capture_default_str();
  sub->add_option("--regulariser", o->regulariser,
                  "warpd, pdhg: l1 (synthesis, on wavelet coefficients), or on the image tv, tgv, analysis (wavelet)")
      ->type_name("NAME")->capture_default_str();
  sub->add_option("--weights", o->weights, "levels (sparsity in levels, from the true image) or none")
      ->type_name("NAME")->capture_default_str();
  sub->add_option("--lambda", o->lambda, "l1 weight of firenet, warpd-sr, pdhg (P3) and fista (P2; default scaled)")
      ->type_name("X")->capture_default_str();
  sub->add_option("--delta", o->delta, "Restart floor of firenet, warpd, warpd-sr (default: the noise norm)")
      ->type_name("X");
  sub->add_option("--C1", o->C1, "warpd, warpd-sr: sharpness constant C1")->type_name("X")->capture_default_str();
  sub->add_option("--C2", o->C2, "warpd: sharpness constant C2")->type_name("X")->capture_default_str();
  sub->add_option("--restarts", o->restarts, "firenet, warpd, warpd-sr: restarts")->type_name("R")->capture_default_str();
  sub->add_option("--inner", o->inner, "Inner steps per restart (0: warpd, warpd-sr from C1, C2)")
      ->type_name("P")->capture_default_str();
  sub->add_option("--iters", o->iters, "fista, pdhg: iterations")->type_name("N")->capture_default_str();
  sub->add_option("--grid", o->grid,
                  "warpd: search C1 and C2 over --C1 r^i, --C2 r^j for i, j in -H..H (r = --grid-ratio), each run "
                  "--restarts x --inner steps; 0: no search")
      ->type_name("H")->capture_default_str();
  sub->add_option("--grid-ratio", o->grid_ratio, "Ratio r between neighbouring grid values (> 1)")
      ->type_name("R")->capture_default_str();
  sub->add_option("--grid-rounds", o->grid_rounds, "Rounds of the grid search, each doubling every run's budget (1..10)")
      ->type_name("K")->capture_default_str();
  sub->add_option("--grid-kappa", o->grid_kappa,
                  "The grid picks the smallest f(x) + kappa (||A x - y|| - eta)_+; 0: kappa = the largest C2 of the grid")
      ->type_name("X")->capture_default_str();
  sub->add_flag("--baseline", o->baseline,
                "warpd: also run the non-restarted primal-dual iteration (same steps), drawn on convergence.png");
  sub->add_option("--history-every", o->history_every, "Record every K-th iteration in history.csv")
      ->type_name("K")->capture_default_str();
  sub->add_option("--type", o->type, "double, long-double, float128 or mpfr")->type_name("NAME")->capture_default_str();
  sub->add_option("--bits", o->bits, "Working precision for --type mpfr")->type_name("BITS")->capture_default_str();
  sub->add_option("--seed", o->seed, "Seed of the pattern, the noise and the ellipses")
      ->type_name("S")->capture_default_str();
  sub->add_option("--out", o->out, "Output directory")->type_name("DIR")->required()->check(non_empty());
  sub->add_flag("--quiet", o->quiet, "No progress lines on stderr");
  return {sub, [o, sub] {
            for (const CLI::Option* opt : sub->get_options())
              if (opt->count() > 0) o->given.insert(opt->get_name());
            return run_reconstruct(*o);
          }};
}

}  // namespace barriers::cli
