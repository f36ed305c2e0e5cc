// `barriers stability`: worst-case perturbations of reconstruction maps
// (THEORY.md section 6, issue 10). For a signal or a small image x with
// measurements y = A x (+ noise), the perturbation search looks for r with
// ||r|| <= eps that moves Phi(A(x + r)) furthest from Phi(A x), for FIRENET
// (no training), a LISTA network trained here on a seeded data set of the
// same kind, and a deliberately unstable linear map whose Lipschitz constant
// is known exactly (the sanity check). Writes the curves, the largest ratios
// (empirical lower bounds on the local Lipschitz constants), FIRENET's
// theoretical upper bound where its constants are computable, figures and
// report.md (docs/stability.md).
#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <sstream>

#include <Eigen/SVD>

#include "barriers/precision/precision_guard.hpp"
#include "barriers/solvers/imaging/wavelet_filter.hpp"
#include "commands.hpp"
#include "list_option.hpp"
#include "non_empty.hpp"
#include "output_files.hpp"
#include "parse_number.hpp"
#include "stability_run.hpp"

namespace barriers::cli {

std::optional<double> smallest_singular_value_lower_bound(const Matrix<double>& A, std::string& note) {
  if (A.rows() < A.cols()) {
    note = "A has fewer rows than columns, so it has no full column rank; the sharpness constants then come from "
           "the robust null space property, which cannot be computed for a general A";
    return std::nullopt;
  }
  // Rounding the stored A to double moves it by at most u ||A||_F in norm, and
  // one-sided Jacobi computes each singular value to within a small multiple
  // of u ||A||_2 (backward stable); 100 max(m, N) u ||A||_F covers both with a
  // wide margin, so the result stays a lower bound for the stored matrix.
  Eigen::JacobiSVD<Matrix<double>> svd(A);
  const double s = svd.singularValues()(A.cols() - 1);
  const double margin = 100.0 * double(std::max(A.rows(), A.cols())) * 0x1p-53 * A.norm();
  if (!(s - margin > 0)) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "A is numerically rank deficient (smallest singular value %.3g)", s);
    note = buf;
    return std::nullopt;
  }
  note = "Jacobi SVD in double, lowered by 100 max(m, N) u ||A||_F";
  return s - margin;
}

namespace {

const std::vector<std::string> all_methods = {"firenet", "lista", "unstable", "learned", "learned+firenet"};
const std::string method_list = "firenet, lista, unstable, learned, learned+firenet";
const std::vector<std::string>& phantoms = stability_phantoms;
// Images are kept small: the FIRENET tape holds restarts * inner vectors of
// the image's size, and LISTA needs the dense m x N matrix.
constexpr long max_side = 128, max_lista_pixels = 64 * 64;

double real_option(const std::string& option, const std::string& text, double min, bool min_open, double max) {
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

void check_applicable(const StabilityOptions& o, const Parsed& p) {
  auto has = [&](const std::string& m) { return std::count(p.methods.begin(), p.methods.end(), m) > 0; };
  const bool learned = has("learned") || has("learned+firenet") || p.tradeoff;
  const bool firenet = has("firenet") || has("learned+firenet") || p.tradeoff;
  const bool phantom = std::count(phantoms.begin(), phantoms.end(), o.image) > 0;
  const std::map<std::string, std::pair<bool, std::string>> rules = {
      {"--size", {p.image && (phantom || p.tradeoff),
                  "only phantom images (--image shepp-logan|ellipses|text-detail) take a size"}},
      {"--image", {!p.tradeoff, "--experiment tradeoff uses the text-detail phantom, whose detail it knows"}},
      {"--sampling", {p.image && !p.tradeoff, "--sampling is for --image; --experiment tradeoff uses Walsh sampling (a real detail)"}},
      {"--rate", {p.image, "--rate is for --image"}},
      {"--wavelet", {p.image, "--wavelet is for --image"}},
      {"--rows", {!p.image, "--rows is for --signal"}},
      {"--cols", {!p.image, "--cols is for --signal"}},
      {"--sparsity", {!p.image, "--sparsity is for --signal"}},
      {"--complex", {!p.image, "images are real with --sampling walsh and complex with fourier"}},
      {"--lambda", {firenet, "only firenet has lambda"}},
      {"--delta", {firenet, "only firenet has delta"}},
      {"--firenet-restarts", {firenet, "only firenet restarts"}},
      {"--firenet-inner", {firenet, "only firenet has inner steps"}},
      {"--learned-layers", {learned, "only the learned network has these layers"}},
      {"--learned-rank", {learned, "only the learned network has a low-rank term"}},
      {"--learned-samples", {learned, "only the learned network is trained on ellipses"}},
      {"--learned-epochs", {learned, "only the learned network is trained on ellipses"}},
      {"--learned-lr", {learned, "only the learned network is trained on ellipses"}},
      {"--train-noise", {p.tradeoff, "--train-noise is for --experiment tradeoff"}},
      {"--detail-gain", {p.tradeoff, "--detail-gain is for --experiment tradeoff"}},
      {"--detail-ink", {p.tradeoff, "--detail-ink is for --experiment tradeoff"}},
      {"--method", {!p.tradeoff, "--experiment tradeoff runs its own maps (learned and firenet)"}},
      {"--lista-layers", {has("lista"), "only lista has layers"}},
      {"--train-samples", {has("lista"), "only lista is trained"}},
      {"--epochs", {has("lista"), "only lista is trained"}},
      {"--lista-lr", {has("lista"), "only lista is trained"}},
      {"--gain", {has("unstable"), "only the unstable map has a gain"}},
      {"--signal", {!p.tradeoff, "--experiment tradeoff is an image experiment"}},
      {"--bits", {o.type == "mpfr", "the precision of --type " + o.type + " is fixed; --bits is for --type mpfr"}},
  };
  for (const auto& [option, rule] : rules)
    if (o.given.count(option) && !rule.first) throw UsageError(option + " does not apply here: " + rule.second);
}

// --full: the longer profile (docs/stability.md), for every option the user
// did not set.
StabilityOptions with_profile(const StabilityOptions& given) {
  StabilityOptions o = given;
  auto set = [&](const char* option, std::string& field, const char* value) {
    if (!o.given.count(option)) field = value;
  };
  // The trade-off needs enough phantoms for the network to find the detail
  // (docs/stability.md: 32 recover a few per cent of it, 512 most of it).
  if (o.experiment == "tradeoff") set("--learned-samples", o.learned_samples, o.full ? "1024" : "512");
  if (!o.full) return o;
  set("--size", o.size, "64");
  if (o.experiment != "tradeoff") set("--learned-samples", o.learned_samples, "128");
  // The trade-off trains two networks on 1024 phantoms: 300 epochs keep it
  // near 37 minutes (docs/stability.md, measured), 600 would double that.
  set("--learned-epochs", o.learned_epochs, o.experiment == "tradeoff" ? "300" : "600");
  set("--learned-layers", o.learned_layers, "16");
  set("--train-samples", o.train_samples, "1000");
  set("--epochs", o.epochs, "300");
  set("--restarts", o.restarts, "4");
  set("--iterations", o.iterations, "100");
  return o;
}

Parsed parse_options(const StabilityOptions& given) {
  const StabilityOptions o = with_profile(given);
  Parsed p;
  if (o.experiment != "perturbation" && o.experiment != "tradeoff")
    throw UsageError("unknown --experiment " + quote_for_message(o.experiment) +
                     ": allowed are perturbation, tradeoff");
  p.tradeoff = o.experiment == "tradeoff";
  for (const std::string& m : split_list(p.tradeoff ? std::string("learned,firenet") : o.method)) {
    if (!std::count(all_methods.begin(), all_methods.end(), m))
      throw UsageError("unknown --method " + quote_for_message(m) + ": allowed are " + method_list +
                       " (a comma-separated list)");
    if (std::count(p.methods.begin(), p.methods.end(), m))
      throw UsageError("--method " + quote_for_message(o.method) + " names " + m + " twice");
    p.methods.push_back(m);
  }
  if (p.methods.empty()) throw UsageError("--method is empty: allowed are " + method_list);
  const std::set<std::string> types = {"double", "long-double", "float128", "mpfr"};
  if (!types.count(o.type))
    throw UsageError("unknown --type " + quote_for_message(o.type) +
                     ": allowed are double, long-double, float128, mpfr");
  if (o.signal && !o.image.empty()) throw UsageError("--signal and --image exclude each other");
  p.image = !o.image.empty() || p.tradeoff;
  check_applicable(o, p);
  for (const char* m : {"learned", "learned+firenet"})
    if (!p.image && std::count(p.methods.begin(), p.methods.end(), m))
      throw UsageError(std::string("--method ") + m +
                       " needs --image: the learned network is an image network trained on ellipse phantoms");
  auto named = [](const std::string& option, auto parse) {
    try {
      return parse();
    } catch (const std::invalid_argument& e) {
      throw UsageError(option + ": " + e.what());
    }
  };
  p.seed = std::uint64_t(parse_integer("--seed", o.seed, 0, 999999999999999999LL));
  if (p.image) {
    p.spec.sampling = named("--sampling", [&] { return parse_sampling(o.sampling); });
    named("--wavelet", [&] { return wavelet_moments(o.wavelet); });
    p.spec.wavelet = o.wavelet;
    p.spec.rate = real_option("--rate", o.rate, 0, true, 1);
    p.spec.seed = p.seed;
    if (p.tradeoff || std::count(phantoms.begin(), phantoms.end(), o.image)) {
      const long s = long(parse_integer("--size", o.size, 8, max_side));
      p.shape = {s, s};
    } else {
      p.file = read_image_file(o.image);  // a bad file is an input error before anything is written
      p.shape = {Eigen::Index(p.file->rows), Eigen::Index(p.file->cols)};
      if (p.shape.rows > max_side || p.shape.cols > max_side || p.shape.rows < 8 || p.shape.cols < 8)
        throw UsageError("the image " + quote_for_message(o.image) + " is " + std::to_string(p.shape.rows) + "x" +
                         std::to_string(p.shape.cols) + ": allowed are sides 8.." + std::to_string(max_side));
    }
    if (p.shape.rows % 2 || p.shape.cols % 2)
      throw UsageError("the image sides must be even (at least one wavelet level)");
    if (std::count(p.methods.begin(), p.methods.end(), "lista") && p.shape.rows * p.shape.cols > max_lista_pixels)
      throw UsageError("--method lista on images needs the dense matrix: at most " + std::to_string(max_lista_pixels) +
                       " pixels (e.g. --size 64)");
  } else {
    p.rows = long(parse_integer("--rows", o.rows, 1, 2000));
    p.cols = long(parse_integer("--cols", o.cols, 1, 2000));
    p.sparsity = long(parse_integer("--sparsity", o.sparsity, 1, p.cols));
  }
  p.spec.noise = real_option("--noise", o.noise, 0, false, 1e6);
  if (!o.lambda.empty()) p.lambda = real_option("--lambda", o.lambda, 0, true, 1e12);
  if (!o.delta.empty()) p.delta = real_option("--delta", o.delta, 0, false, 1e12);
  p.fn_restarts = int(parse_integer("--firenet-restarts", o.firenet_restarts.empty() ? (p.image ? "10" : "8")
                                                                                   : o.firenet_restarts, 1, 1000));
  p.fn_inner = int(parse_integer("--firenet-inner", o.firenet_inner.empty() ? (p.image ? "20" : "50")
                                                                           : o.firenet_inner, 1, 100000));
  p.lista_layers = int(parse_integer("--lista-layers", o.lista_layers, 1, 100));
  p.train_samples = long(parse_integer("--train-samples", o.train_samples, 1, 100000));
  p.epochs = long(parse_integer("--epochs", o.epochs, 1, 100000));
  p.lista_lr = real_option("--lista-lr", o.lista_lr, 0, true, 1);
  p.gain = real_option("--gain", o.gain, 0, true, 1e12);
  p.learned_layers = int(parse_integer("--learned-layers", o.learned_layers, 1, 200));
  p.learned_rank = int(parse_integer("--learned-rank", o.learned_rank, 0, 16));
  p.learned_samples = int(parse_integer("--learned-samples", o.learned_samples, 2, 100000));
  p.learned_epochs = int(parse_integer("--learned-epochs", o.learned_epochs, 1, 1000000));
  p.learned_lr = real_option("--learned-lr", o.learned_lr, 0, true, 1);
  p.train_noise = real_option("--train-noise", o.train_noise, 0, true, 10);
  p.detail_gain = real_option("--detail-gain", o.detail_gain, 1, true, 1e6);
  // Pixel values of order 1; below 1e-3 the detail is lost in the phantom and,
  // far below, its norms underflow (1e-200 in double).
  p.detail_ink = real_option("--detail-ink", o.detail_ink, 1e-3, false, 100);
  if (p.tradeoff) p.spec.sampling = SamplingKind::walsh;
  if (o.search != "momentum" && o.search != "adam")
    throw UsageError("unknown --search " + quote_for_message(o.search) + ": allowed are momentum, adam");
  p.search = o.search == "adam" ? AscentMethod::adam : AscentMethod::momentum;
  p.restarts = int(parse_integer("--restarts", o.restarts, 1, 1000));
  p.iterations = int(parse_integer("--iterations", o.iterations, 1, 1000000));
  p.step = real_option("--step", o.step, 0, true, 10);
  p.mu = real_option("--mu", o.mu, 0, false, 1e12);
  if (o.given.count("--epsilon")) {
    for (const std::string& item : split_list(o.epsilon)) p.epsilon.push_back(real_option("--epsilon", item, 0, true, 1e12));
    if (p.epsilon.empty()) throw UsageError("--epsilon is empty: give radii > 0 such as 0.001,0.01");
  }
  p.bits = unsigned(parse_integer("--bits", o.bits, 16, 1 << 16));
  return p;
}

int run_stability(const StabilityOptions& given) {
  const Parsed p = parse_options(given);
  const StabilityOptions o = with_profile(given);
  const bool complex = p.image ? p.spec.sampling == SamplingKind::fourier : o.complex;
  auto run = [&](auto real_tag) {
    using R = decltype(real_tag);
    return complex ? stability_typed<std::complex<R>>(o, p) : stability_typed<R>(o, p);
  };
  if (o.type == "double") return run(double{});
  if (o.type == "long-double") return run((long double){});
  if (o.type == "float128") return run(float128{});
  PrecisionGuard g(p.bits);
  return run(mpfr_real{});
}

}  // namespace

Command add_stability_command(CLI::App& app) {
  auto o = std::make_shared<StabilityOptions>();
  CLI::App* sub = app.add_subcommand(
      "stability",
      "Worst-case perturbations of reconstruction maps (FIRENET, a trained LISTA, a deliberately unstable map): "
      "curves of output change against ||r||, the largest ratios found, FIRENET's upper bound, figures, report.md.");
  sub->add_option("--method", o->method, "Comma-separated: firenet, lista, unstable, learned, learned+firenet")
      ->type_name("LIST")->capture_default_str();
  sub->add_flag("--signal", o->signal, "A seeded sparse signal with a Gaussian matrix (the default problem)");
  sub->add_option("--image", o->image, "shepp-logan, ellipses, text-detail, or a PNG/PGM file (sides 8..128)")
      ->type_name("NAME|FILE")->check(non_empty());
  sub->add_option("--size", o->size, "Phantom side S (an S x S image)")->type_name("S")->capture_default_str();
  sub->add_option("--sampling", o->sampling, "Images: fourier (complex arithmetic) or walsh (real)")
      ->type_name("NAME")->capture_default_str();
  sub->add_option("--rate", o->rate, "Images: sampled fraction in (0, 1]")->type_name("X")->capture_default_str();
  sub->add_option("--wavelet", o->wavelet, "Images: haar, db1 .. db20")->type_name("NAME")->capture_default_str();
  sub->add_option("--noise", o->noise, "Relative noise on y = A x (>= 0)")->type_name("X")->capture_default_str();
  sub->add_option("--rows", o->rows, "Signals: m, measurements")->type_name("M")->capture_default_str();
  sub->add_option("--cols", o->cols, "Signals: N, unknowns")->type_name("N")->capture_default_str();
  sub->add_option("--sparsity", o->sparsity, "Signals: non-zeros of x")->type_name("S")->capture_default_str();
  sub->add_flag("--complex", o->complex, "Signals: complex Gaussian A and x");
  sub->add_option("--lambda", o->lambda, "FIRENET's l1 weight (default 0.02 for signals, 2.5e-4 for images)")
      ->type_name("X");
  sub->add_option("--delta", o->delta, "FIRENET's noise floor (default: the noise norm)")->type_name("X");
  sub->add_option("--firenet-restarts", o->firenet_restarts, "FIRENET restarts n (default 8 signals, 10 images)")
      ->type_name("N");
  sub->add_option("--firenet-inner", o->firenet_inner, "FIRENET steps per restart p (default 50 signals, 20 images)")
      ->type_name("P");
  sub->add_option("--lista-layers", o->lista_layers, "LISTA layers")->type_name("L")->capture_default_str();
  sub->add_option("--train-samples", o->train_samples, "LISTA training samples (validation: a quarter as many more)")
      ->type_name("K")->capture_default_str();
  sub->add_option("--epochs", o->epochs, "LISTA training epochs")->type_name("E")->capture_default_str();
  sub->add_option("--lista-lr", o->lista_lr, "LISTA Adam learning rate")->type_name("X")->capture_default_str();
  sub->add_option("--learned-layers", o->learned_layers, "Learned ISTA layers")->type_name("K")->capture_default_str();
  sub->add_option("--learned-rank", o->learned_rank, "Rank of the learned network's linear term (0: none)")
      ->type_name("R")->capture_default_str();
  sub->add_option("--learned-samples", o->learned_samples,
                  "Ellipse phantoms the learned network trains on (held out: a quarter as many more; "
                  "--experiment tradeoff: 512 unless given, 1024 with --full)")
      ->type_name("K")->capture_default_str();
  sub->add_option("--learned-epochs", o->learned_epochs, "Full-batch Adam steps of the learned network")
      ->type_name("E")->capture_default_str();
  sub->add_option("--learned-lr", o->learned_lr, "Adam learning rate of the learned network")
      ->type_name("X")->capture_default_str();
  sub->add_option("--experiment", o->experiment,
                  "perturbation (the maps of --method) or tradeoff (stability against accuracy on the text detail)")
      ->type_name("NAME")->capture_default_str();
  sub->add_option("--train-noise", o->train_noise, "tradeoff: the relative noise of the noisy training run, redrawn every epoch")
      ->type_name("X")->capture_default_str();
  sub->add_option("--detail-gain", o->detail_gain, "tradeoff: ||h|| / ||A h|| of the detail (> 1)")
      ->type_name("X")->capture_default_str();
  sub->add_option("--detail-ink", o->detail_ink,
                  "tradeoff: the value of the detail's text before it is made nearly invisible, 0.001..100 (text-detail's own: 0.2)")
      ->type_name("X")->capture_default_str();
  sub->add_flag("--full", o->full, "The longer profile (64 x 64 images, more training and search; up to an hour)");
  sub->add_option("--gain", o->gain, "The unstable map's large singular value")->type_name("X")->capture_default_str();
  sub->add_option("--search", o->search, "momentum (0.9) or adam")->type_name("NAME")->capture_default_str();
  sub->add_option("--restarts", o->restarts, "Random starts per budget")->type_name("R")->capture_default_str();
  sub->add_option("--iterations", o->iterations, "Ascent steps per start")->type_name("I")->capture_default_str();
  sub->add_option("--step", o->step, "Step length as a fraction of the budget")->type_name("X")->capture_default_str();
  sub->add_option("--mu", o->mu, "Penalty mu on ||r||^2 (>= 0)")->type_name("X")->capture_default_str();
  sub->add_option("--epsilon", o->epsilon,
                  "Comma-separated budgets for ||r|| (default: 0.001, 0.003, 0.01, 0.03, 0.1 times ||x||)")
      ->type_name("LIST");
  sub->add_option("--type", o->type, "double, long-double, float128 or mpfr")->type_name("NAME")->capture_default_str();
  sub->add_option("--bits", o->bits, "Working precision for --type mpfr")->type_name("BITS")->capture_default_str();
  sub->add_option("--seed", o->seed, "Seed of the problem, the training data and the search")
      ->type_name("S")->capture_default_str();
  sub->add_flag("--quiet", o->quiet, "No progress lines on stderr");
  sub->add_option("--out", o->out, "Output directory")->type_name("DIR")->required()->check(non_empty());
  return {sub, [o, sub] {
            for (const CLI::Option* opt : sub->get_options())
              if (opt->count() > 0) o->given.insert(opt->get_name());
            return run_stability(*o);
          }};
}

}  // namespace barriers::cli
