// The definition of stability_typed (stability_run.hpp), included only by
// the stability_run_<type>.cpp files that instantiate it.
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <random>
#include <sstream>

#include <Eigen/Eigenvalues>

#include "barriers/precision/convert.hpp"
#include "barriers/solvers/dense_operator.hpp"
#include "barriers/solvers/imaging/bitmap_font.hpp"
#include "barriers/solvers/imaging/noise.hpp"
#include "barriers/solvers/imaging/phantom.hpp"
#include "barriers/solvers/lista.hpp"
#include "barriers/solvers/stability/firenet_gradient.hpp"
#include "barriers/solvers/stability/firenet_stability_bound.hpp"
#include "barriers/solvers/stability/learned_firenet.hpp"
#include "barriers/solvers/stability/learned_tradeoff.hpp"
#include "barriers/solvers/stability/learned_training.hpp"
#include "barriers/solvers/stability/lista_gradient.hpp"
#include "output_files.hpp"
#include "progress.hpp"
#include "stability_run.hpp"
#include "usage_error.hpp"

namespace barriers::cli {
namespace stability_detail {

// Budgets when --epsilon is not given: these multiples of ||x||.
inline const std::vector<double> default_relative_budgets = {1e-3, 3e-3, 1e-2, 3e-2, 1e-1};
// Local sparsities behind the FIRENET weights on images: the reconstruct
// command's choice (the fewest coefficients holding this fraction of each
// wavelet level's energy in the true image).
constexpr double weight_energy_fraction = 0.999;

inline std::uint64_t mix(std::uint64_t seed, std::uint64_t k) {  // splitmix64 of (seed, k): independent sub-streams
  std::uint64_t z = seed + 0x9E3779B97F4A7C15ULL * (k + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
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

// Four significant digits, for report.md and stdout.
inline std::string g4(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

// Phi(y) = gain v (u^H y): one singular value (gain), u = A q / ||A q|| in the
// range of A, v a unit vector. Its Lipschitz constants are known exactly:
// ||Phi(A(x + r)) - Phi(A x)|| = gain |<A^H u, r>| <= gain ||A^H u|| ||r||
// (equality for r along A^H u), and <= gain ||A r|| (equality for A r along
// u, which is in the range of A).
template <class T>
class RankOneMap final : public ReconstructionMap<T> {
 public:
  RankOneMap(Vector<T> u, Vector<T> v, real_of<T> gain) : u_(std::move(u)), v_(std::move(v)), gain_(std::move(gain)) {}
  Eigen::Index input_size() const override { return u_.size(); }
  Eigen::Index output_size() const override { return v_.size(); }
  void forward(const Vector<T>& y, Vector<T>& out) override {
    if (y.size() != u_.size()) throw std::invalid_argument("the unstable map got a y of the wrong size");
    out = v_ * T(gain_ * u_.dot(y));  // Eigen's dot conjugates its left side: u^H y
    have_ = true;
  }
  void backward(const Vector<T>& g, Vector<T>& g_y) override {
    this->check_backward(have_, g);
    g_y = u_ * T(gain_ * v_.dot(g));  // J^* g = gain u (v^H g)
  }

 private:
  Vector<T> u_, v_;
  real_of<T> gain_;
  bool have_ = false;
};

template <class T>
Vector<T> unit(Vector<T> v) {
  const real_of<T> n = v.norm();
  return v / T(n);
}

// A seeded s-sparse vector: support by a Fisher-Yates draw on mt19937_64's
// raw output (no implementation-defined distribution), values Gaussian.
template <class T>
Vector<T> sparse_vector(Eigen::Index n, long s, std::uint64_t seed) {
  std::mt19937_64 rng(mix(seed, 1));
  std::vector<Eigen::Index> idx(n);
  for (Eigen::Index i = 0; i < n; ++i) idx[i] = i;
  for (Eigen::Index i = n - 1; i > 0; --i) std::swap(idx[i], idx[rng() % std::uint64_t(i + 1)]);
  const Vector<T> g = gaussian_vector<T>(s, mix(seed, 2));
  Vector<T> x = Vector<T>::Zero(n);
  for (long k = 0; k < s; ++k) x(idx[k]) = g(k);
  return x;
}

template <class T>
Vector<double> part(const Vector<T>& v) {  // real vector: itself; complex: the modulus
  Vector<double> d(v.size());
  for (Eigen::Index i = 0; i < v.size(); ++i) d(i) = static_cast<double>(real_of<T>(modulus(v(i))));
  return d;
}

template <class R>
Matrix<double> to_double(const Matrix<R>& m) {
  Matrix<double> d(m.rows(), m.cols());
  for (Eigen::Index k = 0; k < m.size(); ++k) d.data()[k] = static_cast<double>(m.data()[k]);
  return d;
}

// The problem the maps are attacked on, in the working type.
template <class T>
struct Problem {
  using R = real_of<T>;
  OperatorPtr<T> A;
  Matrix<T> A_dense;                 ///< for LISTA (filled on demand)
  Vector<T> x, y;
  R eta{};                           ///< ||y - A x||
  Vector<R> weights;                 ///< FIRENET weights (empty: all 1)
  std::optional<ImagingProblem<T>> imaging;
  std::string description;
  std::optional<R> s_min;            ///< the smallest singular value, where known
  std::string s_min_note;            ///< why there is none, or how it was obtained
};

template <class T>
Matrix<T> densify(const LinearOperator<T>& A) {
  Matrix<T> D(A.rows(), A.cols());
  Vector<T> e = Vector<T>::Zero(A.cols()), col(A.rows());
  for (Eigen::Index j = 0; j < A.cols(); ++j) {
    e(j) = T(1);
    A.apply(e, col);
    D.col(j) = col;
    e(j) = T(0);
  }
  return D;
}

// A lower bound on the smallest singular value of A (stability_command.cpp),
// from its real embedding rounded to double.
template <class T>
std::optional<real_of<T>> smallest_singular_value(const Matrix<T>& A, std::string& note) {
  Matrix<double> E;
  if constexpr (number_traits<T>::is_complex) {
    const Eigen::Index m = A.rows(), n = A.cols();
    E.resize(2 * m, 2 * n);
    for (Eigen::Index j = 0; j < n; ++j)
      for (Eigen::Index i = 0; i < m; ++i) {
        const double re = static_cast<double>(A(i, j).real()), im = static_cast<double>(A(i, j).imag());
        E(i, j) = re;
        E(i, j + n) = -im;
        E(i + m, j) = im;
        E(i + m, j + n) = re;
      }
  } else {
    E.resize(A.rows(), A.cols());
    for (Eigen::Index k = 0; k < A.size(); ++k) E.data()[k] = static_cast<double>(A.data()[k]);
  }
  const std::optional<double> s = smallest_singular_value_lower_bound(E, note);
  if (!s) return std::nullopt;
  return real_of<T>(*s);
}

template <class T>
Problem<T> make_problem(const StabilityOptions& o, const Parsed& p) {
  using R = real_of<T>;
  using std::sqrt;
  Problem<T> pr;
  if (p.image) {
    Matrix<R> img;
    if (p.file)
      img = to_image<R>(*p.file);
    else if (o.image == "shepp-logan")
      img = shepp_logan<R>(p.shape);
    else if (o.image == "ellipses")
      img = random_ellipses<R>(p.shape, p.seed);
    else
      img = text_detail<R>(p.shape);
    pr.imaging = make_imaging_problem<T>(img, p.spec);
    const ImagingProblem<T>& ip = *pr.imaging;
    pr.A = ip.A;
    pr.x = ip.x_true;
    pr.y = ip.y;
    pr.eta = ip.eta;
    pr.weights = weights_for(ip, R(weight_energy_fraction));
    pr.description = "image " + o.image + " " + std::to_string(ip.shape.rows) + "x" + std::to_string(ip.shape.cols) +
                     ", " + sampling_name(ip.spec.sampling) + " " + pattern_name(ip.spec.pattern) + " sampling, " +
                     std::to_string(ip.A->rows()) + " of " + std::to_string(ip.A->cols()) + " samples, " +
                     ip.spec.wavelet + " wavelet with " + std::to_string(ip.spec.levels) +
                     " levels; x = the wavelet coefficients, A = P_Omega U W^*";
    if (ip.A->rows() == ip.A->cols()) {
      pr.s_min = R(1);
      pr.s_min_note = "every sample taken: A = U W^* is unitary, s_min = 1 exactly";
    } else {
      pr.s_min_note = "A = P_Omega U W^* has fewer rows than columns, so it has no full column rank; the sharpness "
                      "constants then come from the robust null space property in levels, which cannot be computed "
                      "for this A";
    }
  } else {
    const Eigen::Index m = p.rows, N = p.cols;
    // A Gaussian matrix with entries N(0, 1/m) (complex: E|a|^2 = 1/m), columns of about unit norm.
    const Vector<T> g = gaussian_vector<T>(m * N, mix(p.seed, 10));
    pr.A_dense = Eigen::Map<const Matrix<T>>(g.data(), m, N) / T(R(sqrt(R(double(m)))));
    pr.A = std::make_shared<const DenseOperator<T>>(pr.A_dense);
    pr.x = sparse_vector<T>(N, p.sparsity, mix(p.seed, 11));
    Vector<T> y_clean(m);
    pr.A->apply(pr.x, y_clean);
    pr.y = y_clean + relative_noise<T>(y_clean, R(p.spec.noise), mix(p.seed, 12));
    pr.eta = R((pr.y - y_clean).norm());
    pr.description = std::string(number_traits<T>::is_complex ? "complex " : "") + "Gaussian A (" +
                     std::to_string(m) + " x " + std::to_string(N) + ", entries N(0, 1/m)), x " +
                     std::to_string(p.sparsity) + "-sparse with Gaussian entries";
    pr.s_min = smallest_singular_value(pr.A_dense, pr.s_min_note);
  }
  return pr;
}

// The LISTA training set: signals like x (seeded sparse vectors), or the
// wavelet coefficients of random-ellipse phantoms (seeds other than x's).
template <class T>
void lista_data(const Problem<T>& pr, const Parsed& p, long count, std::uint64_t stream, Matrix<T>& Y,
                Matrix<T>& X) {
  using R = real_of<T>;
  const Eigen::Index N = pr.x.size();
  X.resize(N, count);
  Y.resize(pr.y.size(), count);
  Vector<T> col(N), meas(pr.y.size());
  for (long k = 0; k < count; ++k) {
    const std::uint64_t s = mix(mix(p.seed, stream), std::uint64_t(k));
    if (pr.imaging) {
      const Matrix<R> img = random_ellipses<R>(pr.imaging->shape, s);
      const Vector<T> pix = Eigen::Map<const Vector<R>>(img.data(), img.size()).template cast<T>();
      pr.imaging->wavelet->apply(pix, col);
    } else {
      col = sparse_vector<T>(N, p.sparsity, s);
    }
    pr.A->apply(col, meas);
    X.col(k) = col;
    Y.col(k) = meas;
  }
}

// File names of a method's figures: "learned+firenet" -> "learned_firenet".
inline std::string file_stem(std::string m) {
  std::replace(m.begin(), m.end(), '+', '_');
  return m;
}

// Progress lines of a learned network's training, over the fractions
// [from, from + width) of the whole run.
template <class R>
std::function<void(int, const R&)> training_progress(const std::function<void(double, const std::string&)>& say,
                                                     double from, double width, const std::string& label, int epochs) {
  return [say, from, width, label, epochs](int e, const R& loss) {
    if (e % 20 == 0 || e + 1 == epochs)
      say(from + width * e / double(epochs),
          label + ": training epoch " + std::to_string(e) + "/" + std::to_string(epochs) + ", loss " +
              g4(double(loss)));
  };
}

// The learned network of --method learned / learned+firenet (and of the
// trade-off experiment): trained on seeded ellipse phantoms for the
// problem's operator, tested on a held-out set a quarter as large.
template <class T>
LearnedSetup<T> learned_setup(const Parsed& p, double noise, std::uint64_t seed,
                              const std::function<void(double, const std::string&)>& say, double from, double width,
                              const std::string& label) {
  using R = real_of<T>;
  LearnedSetup<T> s;
  s.layers = p.learned_layers;
  s.rank = p.learned_rank;
  s.train_count = p.learned_samples;
  s.test_count = std::max(p.learned_samples / 4, 2);
  s.seed = seed;
  s.noise = R(noise);
  s.training.epochs = p.learned_epochs;
  s.training.learning_rate = R(p.learned_lr);
  s.training.progress = training_progress<R>(say, from, width, label, p.learned_epochs);
  return s;
}

template <class T>
std::string learned_note(const TrainedLearned<T>& tl, const LearnedSetup<T>& s) {
  const auto& loss = tl.training.loss;
  return "learned ISTA, " + std::to_string(s.layers) + " layers, rank " + std::to_string(s.rank) + ", " +
         std::to_string(s.train_count) + " training phantoms, " + std::to_string(s.training.epochs) +
         " epochs (kept " + std::to_string(tl.training.best_epoch) + "), training loss " +
         g4(double(loss.front())) + " -> " + g4(double(loss[std::size_t(tl.training.best_epoch)])) +
         ", training relative error " + g4(double(tl.train_score.relative_error)) + ", held-out " +
         g4(double(tl.test_score.relative_error)) + " on " + std::to_string(s.test_count) + " phantoms";
}

// Mean ||Phi(y_i) - x_i|| / ||x_i|| over a data set.
template <class T>
double mean_relative_error(ReconstructionMap<T>& phi, const LearnedDataset<T>& set) {
  using R = real_of<T>;
  R sum(0);
  Vector<T> out;
  for (std::size_t i = 0; i < set.x.size(); ++i) {
    phi.forward(set.y[i], out);
    sum += R((out - set.x[i]).norm()) / R(set.x[i].norm());
  }
  return double(R(sum / R(double(set.x.size()))));
}

// The search's settings from the options, for one budget and seed.
template <class T>
PerturbationSearchSettings<T> search_settings(const Parsed& p, const real_of<T>& budget, std::uint64_t seed) {
  using R = real_of<T>;
  PerturbationSearchSettings<T> ss;
  ss.budgets = {budget};
  ss.mu = R(p.mu);
  ss.method = p.search;
  ss.learning_rate = R(p.step);
  ss.iterations = p.iterations;
  ss.restarts = p.restarts;
  ss.seed = seed;
  return ss;
}

// x, x + r, Phi(A x), Phi(A(x + r)) and |difference| (scaled to its maximum,
// returned) side by side on a grey background, each enlarged at least 4x and
// enough for its label, which is set in black on a white band above it.
inline double write_panel(const OutputDir& out, const std::string& name, const Matrix<double>& x,
                          const Matrix<double>& xr, const Matrix<double>& px, const Matrix<double>& pxr) {
  const Matrix<double> d = (pxr - px).cwiseAbs();
  const double dmax = d.maxCoeff();
  const Matrix<double> dn = dmax > 0 ? Matrix<double>(d / dmax) : d;
  const std::vector<const Matrix<double>*> tiles = {&x, &xr, &px, &pxr, &dn};
  const std::vector<std::vector<std::string>> labels = {
      {"x"}, {"x + r"}, {"Phi(A x)"}, {"Phi(A(x + r))"}, {"|difference|", "white = " + g4(dmax)}};
  long label_width = 0;
  for (const auto& lines : labels)
    for (const std::string& l : lines) label_width = std::max(label_width, text_width(l));
  const Eigen::Index h = x.rows(), w = x.cols(), gap = 4;
  const Eigen::Index z = std::max<Eigen::Index>(4, (label_width + 2 + w - 1) / w);
  const Eigen::Index band = 2 * (glyph_height + 2) + gap, tile_w = w * z;
  Matrix<double> panel = Matrix<double>::Constant(band + h * z + 2 * gap, 5 * (tile_w + gap) + gap, 0.5);
  panel.topRows(band).setOnes();
  for (std::size_t t = 0; t < tiles.size(); ++t) {
    const Eigen::Index left = gap + Eigen::Index(t) * (tile_w + gap);
    for (Eigen::Index j = 0; j < tile_w; ++j)
      for (Eigen::Index i = 0; i < h * z; ++i) panel(band + gap + i, left + j) = (*tiles[t])(i / z, j / z);
    for (std::size_t line = 0; line < labels[t].size(); ++line) {
      const std::string& l = labels[t][line];
      const Eigen::Index top = gap / 2 + Eigen::Index(line) * (glyph_height + 2),
                         start = left + (tile_w - text_width(l)) / 2;
      for_each_text_pixel(l, 1, [&](long r, long c) { panel(top + r, start + c) = 0; });
    }
  }
  out.write(name, encode_image(panel, ImageFormat::png, 8));
  return dmax;
}

struct CurveRow {
  std::string method;
  std::string budget, r_norm, e_norm, change, ratio_r, ratio_e, objective, bound;  // full decimals
  double d_budget, d_r, d_e, d_change, d_bound;
  bool has_bound;
  int restart;
};

struct MethodResult {
  std::string method;
  double accuracy = 0;            ///< ||Phi(A x) - x|| / ||x||
  double max_ratio_r = 0, max_ratio_e = 0;
  double worst_r = 0, worst_e = 0, worst_change = 0;
  std::optional<double> worst_bound;  ///< FIRENET's bound at the worst-ratio point
  std::string theory;                 ///< what the theory says about this map, one phrase
  std::optional<double> exact_ratio_r, exact_ratio_e;  ///< unstable map: the exact constants
  bool all_below_bound = true;
  std::string train_note;
  std::optional<double> test_error;  ///< mean relative error on the held-out ellipse phantoms
  long evaluations = 0;
};

template <class T>
int run(const StabilityOptions& o, const Parsed& p) {
  using R = real_of<T>;
  const std::string type_name = describe_type<T>();
  auto progress = make_fraction_progress(o.quiet);
  auto say = [&](double f, const std::string& m) {
    if (progress) progress(f, m);
  };

  std::vector<std::string> names = {"curves.csv", "summary.csv", "curves.gp", "curves.png", "report.md"};
  for (const std::string& m : p.methods) {
    if (p.image) {
      for (const char* s : {"_x_plus_r.png", "_phi_x.png", "_phi_x_plus_r.png", "_difference.png", "_panel.png"})
        names.push_back(file_stem(m) + s);
    } else {
      for (const char* s : {"_vectors.csv", "_vectors.gp", "_vectors.png"}) names.push_back(m + s);
    }
  }
  if (p.image) names.push_back("x.png");
  const OutputDir out(o.out, names, "barriers stability");

  const auto start = std::chrono::steady_clock::now();
  Problem<T> pr = make_problem<T>(o, p);
  const LinearOperator<T>& A = *pr.A;
  const R x_norm = R(pr.x.norm());
  if (!(x_norm > 0)) throw UsageError("the true x is zero (a blank image?): the budgets relative to ||x|| are empty");
  std::vector<R> budgets;
  if (p.epsilon.empty())
    for (double f : default_relative_budgets) budgets.push_back(R(f) * x_norm);
  else
    for (double e : p.epsilon) budgets.push_back(R(e));

  std::vector<CurveRow> rows;
  std::vector<MethodResult> results;
  std::ostringstream method_notes;
  const double nm = double(p.methods.size());
  const std::function<void(double, const std::string&)> say_fn = say;

  // The learned network (shared by learned and learned+firenet) and the
  // held-out phantoms every image map is scored on.
  std::optional<TrainedLearned<T>> trained;
  std::optional<LearnedSetup<T>> lsetup;
  std::optional<LearnedDataset<T>> test_set;
  if (p.image) {
    lsetup = learned_setup<T>(p, p.spec.noise, mix(p.seed, 40), say_fn, 0, 0.3 / nm, "learned");
    test_set = ellipse_dataset<T>(*pr.imaging, lsetup->test_count, lsetup->seed + 1, lsetup->noise);
  }
  // Trained when a method first needs it, in the first 0.3 of that
  // method's share of the progress (trained_for: that method's index).
  std::size_t trained_for = p.methods.size();
  std::size_t current = 0;
  auto learned_net = [&]() -> TrainedLearned<T>& {
    if (!trained) {
      trained_for = current;
      lsetup->training.progress =
          training_progress<R>(say_fn, double(current) / nm, 0.3 / nm, "learned", p.learned_epochs);
      trained = train_learned<T>(*pr.imaging, *lsetup);
    }
    return *trained;
  };
  auto firenet_settings = [&]() {
    FirenetSettings<T> st;
    st.lambda = R(p.lambda ? *p.lambda : (p.image ? 2.5e-4 : 0.02));
    st.weights = pr.weights;
    st.restarts = p.fn_restarts;
    st.inner = p.fn_inner;
    st.delta = p.delta ? R(*p.delta) : pr.eta;
    return st;
  };
  for (std::size_t mi = 0; mi < p.methods.size(); ++mi) {
    const std::string& m = p.methods[mi];
    current = mi;
    MethodResult res;
    res.method = m;
    std::shared_ptr<ReconstructionMap<T>> phi;
    std::optional<SharpnessConstants<R>> sharp;
    std::string bound_note;
    if (m == "firenet" || m == "learned+firenet") {
      const FirenetSettings<T> st = firenet_settings();
      if (m == "firenet") {
        phi = std::make_shared<FirenetMap<T>>(pr.A, st);
      } else {
        TrainedLearned<T>& tl = learned_net();
        res.train_note = learned_note(tl, *lsetup);
        phi = std::make_shared<LearnedFirenetMap<T>>(tl.map, pr.A, st);
      }
      if (pr.s_min) {
        try {
          sharp = full_column_rank_sharpness<R>(*pr.s_min, st.lambda, pr.weights, A.cols());
          bound_note = "computed: full column rank, s_min = " + g4(double(*pr.s_min)) + " (" + pr.s_min_note +
                       "), C1 = " + g4(double(sharp->C1)) + ", C2 = " + g4(double(sharp->C2));
        } catch (const std::invalid_argument&) {
          const R wn = pr.weights.size() ? R(pr.weights.norm()) : R(std::sqrt(double(A.cols())));
          bound_note = "not computable: kappa = s_min - lambda ||w|| = " + g4(double(*pr.s_min)) + " - " +
                       g4(double(st.lambda)) + " * " + g4(double(wn)) + " <= 0";
        }
      } else {
        bound_note = "not computable: " + pr.s_min_note;
      }
      res.theory = bound_note;
    } else if (m == "learned") {
      TrainedLearned<T>& tl = learned_net();
      res.train_note = learned_note(tl, *lsetup);
      res.theory = "no stability guarantee: a trained network";
      phi = tl.map;
    } else if (m == "lista") {
      Matrix<T> Ad = pr.A_dense.size() ? pr.A_dense : densify(A);
      Matrix<T> Yt, Xt, Yv, Xv;
      say(mi / nm, m + ": making " + std::to_string(p.train_samples) + " training samples");
      lista_data(pr, p, p.train_samples, 20, Yt, Xt);
      lista_data(pr, p, std::max<long>(p.train_samples / 4, 1), 21, Yv, Xv);
      ListaNetwork<T> net(std::move(Ad), p.lista_layers, mix(p.seed, 22));
      ListaTrainSettings<T> ts;
      ts.epochs = int(p.epochs);
      ts.batch_size = int(std::min<long>(p.train_samples, 50));
      ts.learning_rate = R(p.lista_lr);
      ts.shuffle_seed = mix(p.seed, 23);
      ts.observer = [&](const ListaEpoch<T>& e) {
        if (e.epoch % 10 == 0 || e.epoch == int(p.epochs))
          say(mi / nm + 0.3 * e.epoch / double(p.epochs) / nm,
              m + ": training epoch " + std::to_string(e.epoch) + "/" + std::to_string(p.epochs) +
                  ", validation mse " + g4(double(e.validation_loss)));
        return ListaObserverAction::proceed;
      };
      const ListaTrainResult<T> tr = lista_train(net, Yt, Xt, Yv, Xv, ts);
      res.train_note = std::to_string(p.lista_layers) + " layers, " + std::to_string(p.train_samples) +
                       " training samples, " + std::to_string(tr.epochs_run) + " epochs (best " +
                       std::to_string(tr.best_epoch) + "), validation mse " +
                       g4(double(tr.initial_validation_loss)) + " -> " + g4(double(tr.best_validation_loss));
      if (tr.termination == ListaTermination::non_finite_loss) res.train_note += " (training stopped: non-finite loss)";
      res.theory = "no stability guarantee: a trained network";
      phi = std::make_shared<ListaMap<T>>(net);
    } else {  // unstable
      Vector<T> Aq(A.rows()), AHu(A.cols());
      A.apply(gaussian_vector<T>(A.cols(), mix(p.seed, 30)), Aq);
      const Vector<T> u = unit(Aq), v = unit<T>(gaussian_vector<T>(A.cols(), mix(p.seed, 31)));
      A.apply_adjoint(u, AHu);
      const R gain = R(p.gain);
      res.exact_ratio_e = p.gain;
      res.exact_ratio_r = double(R(gain * R(AHu.norm())));
      res.theory = "exact: Lipschitz constant gain ||A^H u|| = " + g4(*res.exact_ratio_r) + " per ||r||, gain = " +
                   g4(p.gain) + " per ||A r||";
      phi = std::make_shared<RankOneMap<T>>(u, v, gain);
    }

    PerturbationLoss<T> loss(*phi, pr.A, pr.y);
    res.accuracy = double(R(R((loss.base_output() - pr.x).norm()) / x_norm));
    if (test_set && m != "unstable") {
      say(mi / nm + 0.3 / nm, m + ": scoring on " + std::to_string(test_set->x.size()) + " held-out phantoms");
      res.test_error = m == "learned" ? double(learned_net().test_score.relative_error)
                                      : mean_relative_error(*phi, *test_set);
    }
    auto* firenet_map = dynamic_cast<FirenetMap<T>*>(phi.get());
    auto* composite = dynamic_cast<LearnedFirenetMap<T>*>(phi.get());
    // FIRENET's bound (firenet_stability_bound.hpp), or the composite's
    // (learned_firenet.hpp: the same analysis on the residual problem).
    auto bound_at = [&](const Vector<T>& r) -> std::optional<R> {
      if (!sharp || !(firenet_map || composite)) return std::nullopt;
      Vector<T> e(A.rows());
      A.apply(r, e);
      if (firenet_map) return firenet_stability_bound<T>(A, firenet_map->plan(), *sharp, pr.x, pr.y, e);
      ReconstructionMap<T>& learned = *learned_net().map;
      Vector<T> xl_y, xl_ye;
      learned.forward(pr.y, xl_y);
      learned.forward(Vector<T>(pr.y + e), xl_ye);
      return learned_firenet_stability_bound<T>(A, composite->firenet().plan(), *sharp, pr.x, pr.y, e, xl_y, xl_ye);
    };

    R best_r = -1, best_e = -1;
    Vector<T> r_last;
    Vector<T> worst_r_vec;
    PerturbationPoint<T> worst_pt;
    for (std::size_t bi = 0; bi < budgets.size(); ++bi) {
      const double pre = m == "lista" || mi == trained_for ? 0.3 : 0;  // training's share
      say((mi + pre + (1 - pre) * bi / double(budgets.size())) / nm,
          m + ": searching ||r|| <= " + g4(double(budgets[bi])));
      const PerturbationSearchSettings<T> ss = search_settings<T>(p, budgets[bi], mix(p.seed, 100 + bi));
      const PerturbationSearchResult<T> sr = perturbation_search(loss, ss);
      res.evaluations += sr.evaluations;
      const PerturbationPoint<T>& pt = sr.curve.front();
      const std::optional<R> b = bound_at(sr.curve_r.front());
      CurveRow row;
      row.method = m;
      row.budget = full_decimal(pt.budget);
      row.r_norm = full_decimal(pt.r_norm);
      row.e_norm = full_decimal(pt.e_norm);
      row.change = full_decimal(pt.change_norm);
      row.ratio_r = pt.r_norm > 0 ? full_decimal(R(pt.change_norm / pt.r_norm)) : "";
      row.ratio_e = pt.e_norm > 0 ? full_decimal(R(pt.change_norm / pt.e_norm)) : "";
      row.objective = full_decimal(pt.objective);
      row.bound = b ? full_decimal(*b) : "";
      row.d_budget = double(pt.budget);
      row.d_r = double(pt.r_norm);
      row.d_e = double(pt.e_norm);
      row.d_change = double(pt.change_norm);
      row.d_bound = b ? double(*b) : 0;
      row.has_bound = bool(b);
      row.restart = pt.restart;
      if (b && !(pt.change_norm <= *b)) res.all_below_bound = false;
      rows.push_back(row);
      if (sr.max_ratio_r > best_r) best_r = sr.max_ratio_r;
      if (sr.max_ratio_e > best_e) {
        best_e = sr.max_ratio_e;
        worst_pt = sr.worst;
        worst_r_vec = sr.worst_r;
      }
      if (bi + 1 == budgets.size()) r_last = sr.curve_r.front();
    }
    res.max_ratio_r = double(best_r);
    res.max_ratio_e = double(best_e);
    res.worst_r = double(worst_pt.r_norm);
    res.worst_e = double(worst_pt.e_norm);
    res.worst_change = double(worst_pt.change_norm);
    if (const std::optional<R> b = bound_at(worst_r_vec)) {
      res.worst_bound = double(*b);
      if (!(worst_pt.change_norm <= *b)) res.all_below_bound = false;
    }

    // Figures at the largest budget: x, x + r, Phi(A x), Phi(A(x + r)), the difference.
    const Vector<T> xr = pr.x + r_last;
    const Vector<T> phi_x = loss.base_output();
    loss.evaluate(r_last, nullptr);
    const Vector<T> phi_xr = loss.last_output();
    if (p.image) {
      const ImagingProblem<T>& ip = *pr.imaging;
      const Matrix<double> a = to_double(image_from_coefficients(ip, xr)),
                           b = to_double(image_from_coefficients(ip, phi_x)),
                           c = to_double(image_from_coefficients(ip, phi_xr));
      const std::string stem = file_stem(m);
      const double dmax = write_panel(out, stem + "_panel.png", to_double(ip.image), a, b, c);
      const Matrix<double> d = (c - b).cwiseAbs();
      out.write(stem + "_x_plus_r.png", encode_image(a, ImageFormat::png, 8));
      out.write(stem + "_phi_x.png", encode_image(b, ImageFormat::png, 8));
      out.write(stem + "_phi_x_plus_r.png", encode_image(c, ImageFormat::png, 8));
      out.write(stem + "_difference.png",
                encode_image(dmax > 0 ? Matrix<double>(d / dmax) : d, ImageFormat::png, 8));
      method_notes << "- `" << stem << "_panel.png`: x, x + r, Phi(A x), Phi(A(x + r)) and |Phi(A(x + r)) - Phi(A x)| "
                   << "(white = " << g4(dmax) << "), at ||r|| = " << g4(double(R(r_last.norm())))
                   << (number_traits<T>::is_complex ? "; images show real parts" : "") << ".\n";
    } else {
      const Vector<double> a = part(pr.x), b = part(xr), c = part(phi_x), d = part(phi_xr),
                           e = part(Vector<T>(phi_xr - phi_x));
      std::ostringstream csv;
      const std::string pre = number_traits<T>::is_complex ? "abs_" : "";
      csv << "index," << pre << "x," << pre << "x_plus_r," << pre << "phi_x," << pre << "phi_x_plus_r," << pre
          << "difference\n";
      for (Eigen::Index i = 0; i < a.size(); ++i)
        csv << i << "," << g4(a(i)) << "," << g4(b(i)) << "," << g4(c(i)) << "," << g4(d(i)) << "," << g4(e(i)) << "\n";
      out.write(m + "_vectors.csv", csv.str());
      const std::string mod = number_traits<T>::is_complex ? "|.| of " : "";
      std::ostringstream gp;
      gp << "set terminal pngcairo size 900,900\nset output '" << m << "_vectors.png'\n"
         << "set datafile separator ','\nset multiplot layout 3,1 title "
         << gnuplot_string(m + " at ||r|| = " + g4(double(R(r_last.norm()))) + " (" + type_name + ")") << "\n"
         << "set grid\nset key top right\nset xlabel 'index'\n"
         << "plot '" << m << "_vectors.csv' using 1:2 with impulses lw 2 title " << gnuplot_string(mod + "x")
         << ", '' using 1:3 with points pt 7 ps 0.6 title " << gnuplot_string(mod + "x + r") << "\n"
         << "plot '" << m << "_vectors.csv' using 1:4 with impulses lw 2 title " << gnuplot_string(mod + "Phi(A x)")
         << ", '' using 1:5 with points pt 7 ps 0.6 title " << gnuplot_string(mod + "Phi(A(x + r))") << "\n"
         << "plot '" << m << "_vectors.csv' using 1:6 with impulses lw 2 lc rgb 'red' title "
         << gnuplot_string(mod + "Phi(A(x + r)) - Phi(A x)") << "\nunset multiplot\n";
      out.plot(m + "_vectors.gp", gp.str(), m + "_vectors.png");
    }
    results.push_back(res);
    say((mi + 1) / nm, m + ": largest ratio " + g4(res.max_ratio_e) + " per ||A r||, " + g4(res.max_ratio_r) +
                           " per ||r||");
  }
  if (p.image) out.write("x.png", encode_image(to_double(pr.imaging->image), ImageFormat::png, 8));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  std::ostringstream csv;
  csv << "method,budget,r_norm,Ar_norm,change_norm,change_over_r,change_over_Ar,objective,restart,firenet_bound\n";
  for (const CurveRow& r : rows)
    csv << r.method << "," << r.budget << "," << r.r_norm << "," << r.e_norm << "," << r.change << "," << r.ratio_r
        << "," << r.ratio_e << "," << r.objective << "," << r.restart << "," << r.bound << "\n";
  out.write("curves.csv", csv.str());
  std::ostringstream sum;
  sum << "method,relative_error,max_change_over_r,max_change_over_Ar,worst_r_norm,worst_Ar_norm,worst_change,"
         "firenet_bound_at_worst,all_below_bound,exact_over_r,exact_over_Ar,evaluations,test_relative_error\n";
  for (const MethodResult& r : results)
    sum << r.method << "," << g4(r.accuracy) << "," << full_decimal(r.max_ratio_r) << ","
        << full_decimal(r.max_ratio_e) << "," << g4(r.worst_r) << "," << g4(r.worst_e) << "," << g4(r.worst_change)
        << "," << (r.worst_bound ? g4(*r.worst_bound) : "") << ","
        << (r.worst_bound ? (r.all_below_bound ? "yes" : "no") : "") << ","
        << (r.exact_ratio_r ? full_decimal(*r.exact_ratio_r) : "") << ","
        << (r.exact_ratio_e ? full_decimal(*r.exact_ratio_e) : "") << "," << r.evaluations << ","
        << (r.test_error ? g4(*r.test_error) : "") << "\n";
  out.write("summary.csv", sum.str());

  // Output change against ||r||, log-log, one curve per method, FIRENET's bound dashed.
  std::ostringstream gp;
  gp << "set terminal pngcairo size 800,600\nset output 'curves.png'\nset datafile separator ','\n"
     << "set title " << gnuplot_string("worst perturbations found (" + type_name + ")") << "\n"
     << "set logscale xy\nset format x '10^{%L}'\nset format y '10^{%L}'\nset grid\nset key top left\n"
     << "set xlabel '||r||'\nset ylabel '||Phi(A(x + r)) - Phi(A x)||'\nplot ";
  const std::vector<std::string> colours = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"};
  bool first = true;
  for (std::size_t mi = 0; mi < p.methods.size(); ++mi) {
    const std::string& m = p.methods[mi];
    gp << (first ? "" : ", \\\n  ") << "'curves.csv' every ::1 using 3:(strcol(1) eq '" << m
       << "' ? $5 : 1/0) with linespoints lw 2 pt 7 lc rgb '" << colours[mi] << "' title " << gnuplot_string(m);
    first = false;
    if (results[mi].worst_bound)
      gp << ", \\\n  'curves.csv' every ::1 using 3:(strcol(1) eq '" << m
         << "' && strlen(strcol(10)) > 0 ? $10 : 1/0) with linespoints dt 2 lw 2 pt 6 lc rgb '" << colours[mi]
         << "' title " << gnuplot_string(m + " upper bound");
  }
  gp << ", \\\n  x with lines dt 3 lc rgb 'gray' title '||r|| (slope 1)'\n";
  const bool plotted = out.plot("curves.gp", gp.str(), "curves.png");

  // report.md
  std::ostringstream md;
  md << "# Stability of reconstruction maps\n\n"
     << "Problem: " << pr.description << ". ||x|| = " << g4(double(x_norm)) << ", noise ||y - A x|| = "
     << g4(double(pr.eta)) << ". Type " << type_name << ", seed " << p.seed << ".\n\n"
     << "For each map Phi the search (" << (p.search == AscentMethod::adam ? "Adam" : "gradient ascent with momentum 0.9")
     << ", " << p.restarts << " starts of " << p.iterations << " steps per budget, mu = " << g4(p.mu)
     << ") looked for r with ||r|| <= eps maximising ||Phi(A(x + r)) - Phi(A x)||. Every ratio below is "
     << "witnessed by an r it found, so it is a lower bound on the Lipschitz constant of r -> Phi(A(x + r)) "
     << "near x (per ||r||) and of Phi near A x (per ||A r||).\n\n"
     << "| map | relative error \\|\\|Phi(Ax) - x\\|\\| / \\|\\|x\\|\\| | largest ratio per \\|\\|r\\|\\| | "
        "largest ratio per \\|\\|A r\\|\\| | held-out error | theory |\n|---|---|---|---|---|---|\n";
  for (const MethodResult& r : results) {
    std::string theory = r.theory;
    if (r.worst_bound)
      theory = "upper bound " + g4(*r.worst_bound) + " on the output change at the worst point (change found " +
               g4(r.worst_change) + ", ||A r|| = " + g4(r.worst_e) + ")";
    std::string escaped;
    for (char c : theory) escaped += c == '|' ? std::string("\\|") : std::string(1, c);
    md << "| " << r.method << " | " << g4(r.accuracy) << " | " << g4(r.max_ratio_r) << " | " << g4(r.max_ratio_e)
       << " | " << (r.test_error ? g4(*r.test_error) : "") << " | " << escaped << " |\n";
  }
  if (test_set) {
    md << "\nHeld-out error: the mean of \\|\\|Phi(y_i) - x_i\\|\\| / \\|\\|x_i\\|\\| over " << test_set->x.size()
       << " random-ellipse phantoms that no network trained on (same operator and noise level).\n";
  }
  md << "\nCurves (`curves.csv`, `curves.png`): per budget eps, the point with the largest objective.\n\n"
     << "| map | eps | \\|\\|r\\|\\| | \\|\\|A r\\|\\| | output change | change / \\|\\|r\\|\\| | FIRENET bound |\n"
     << "|---|---|---|---|---|---|---|\n";
  for (const CurveRow& r : rows)
    md << "| " << r.method << " | " << g4(r.d_budget) << " | " << g4(r.d_r) << " | " << g4(r.d_e) << " | "
       << g4(r.d_change) << " | " << (r.d_r > 0 ? g4(r.d_change / r.d_r) : "") << " | "
       << (r.has_bound ? g4(r.d_bound)
                       : (r.method == "firenet" || r.method == "learned+firenet" ? "not computable" : ""))
       << " |\n";
  md << "\n## What was found\n\n";
  for (const MethodResult& r : results) {
    if (r.method == "firenet") {
      md << "- **FIRENET** (no training) reconstructs x with relative error " << g4(r.accuracy)
         << ". The worst perturbation found moved its output by at most " << g4(r.max_ratio_e)
         << " times ||A r|| (" << g4(r.max_ratio_r) << " times ||r||). ";
      if (r.worst_bound)
        md << "The theory (docs/stability.md, FIRENET's bound) allows an output change up to " << g4(*r.worst_bound)
           << " at that point, where the change found is " << g4(r.worst_change) << ": "
           << (r.all_below_bound ? "every point found stays below the bound" : "A POINT FOUND EXCEEDS THE BOUND")
           << ". The bound is for exact arithmetic; the computed network differs by rounding only.\n";
      else
        md << "FIRENET's upper bound is " << r.theory << ".\n";
    } else if (r.method == "learned" || r.method == "learned+firenet") {
      const bool comp = r.method == "learned+firenet";
      md << "- **" << r.method << "** (" << (comp ? "FIRENET on the residual of " : "") << r.train_note
         << ") reconstructs x with relative error " << g4(r.accuracy) << " (held-out " << g4(*r.test_error)
         << "). The worst perturbation found moved its output by " << g4(r.max_ratio_e) << " times ||A r|| ("
         << g4(r.max_ratio_r) << " times ||r||). ";
      if (!comp)
        md << "No theory bounds it.\n";
      else if (r.worst_bound)
        md << "The composite inherits FIRENET's bound (docs/stability.md): at most " << g4(*r.worst_bound)
           << " at the worst point, where the change found is " << g4(r.worst_change) << ": "
           << (r.all_below_bound ? "every point found stays below the bound" : "A POINT FOUND EXCEEDS THE BOUND")
           << ".\n";
      else
        md << "Its bound (FIRENET's on the residual problem) is " << r.theory << ".\n";
    } else if (r.method == "lista") {
      md << "- **LISTA** (" << r.train_note << ") reconstructs x with relative error " << g4(r.accuracy)
         << ". The worst perturbation found moved its output by " << g4(r.max_ratio_e) << " times ||A r|| ("
         << g4(r.max_ratio_r) << " times ||r||); no theory bounds it.\n";
    } else {
      md << "- **unstable** (Phi(y) = gain v u^H y with gain " << g4(*r.exact_ratio_e)
         << ", u in the range of A): its Lipschitz constant per ||r|| is exactly gain ||A^H u|| = "
         << g4(*r.exact_ratio_r) << "; the search found " << g4(r.max_ratio_r) << " (relative difference "
         << g4(std::abs(r.max_ratio_r - *r.exact_ratio_r) / *r.exact_ratio_r)
         << "). Per ||A r|| the exact constant is the gain; the search, which maximises the change per ||r||, "
            "found "
         << g4(r.max_ratio_e) << ".\n";
    }
  }
  md << "\nTheory (THEORY.md section 6): FIRENET's output moves at most in proportion to ||A r|| plus terms that "
        "fall like e^-n with the restarts; a trained network has no such guarantee, and a map that recovers a "
        "detail h with ||A h|| small must have a Lipschitz constant of at least about ||h|| / ||A h||.\n\n";
  if (!method_notes.str().empty()) md << "## Figures\n\n" << method_notes.str() << "\n";
  md << "Run time " << g4(seconds) << " s.\n";
  out.write("report.md", md.str());
  out.finish();

  for (const MethodResult& r : results)
    std::printf("%s: relative error %s%s, largest ratio %s per ||r||, %s per ||A r||%s\n", r.method.c_str(),
                g4(r.accuracy).c_str(), r.test_error ? (" (held-out " + g4(*r.test_error) + ")").c_str() : "",
                g4(r.max_ratio_r).c_str(), g4(r.max_ratio_e).c_str(),
                r.worst_bound ? (", bound " + g4(*r.worst_bound) + " at the worst point (change " +
                                 g4(r.worst_change) + ")").c_str()
                              : (r.exact_ratio_r ? (", exact " + g4(*r.exact_ratio_r) + " per ||r||").c_str() : ""));
  if (!o.quiet)
    std::cerr << "wrote " << o.out << "/curves.csv, summary.csv, " << (plotted ? "curves.png" : "curves.gp")
              << ", report.md and the figures (" << g4(seconds) << " s)\n";
  return 0;
}


}  // namespace stability_detail
}  // namespace barriers::cli

#include "stability_tradeoff_impl.hpp"

namespace barriers::cli {

template <class T>
int stability_typed(const StabilityOptions& o, const Parsed& p) {
  if constexpr (!number_traits<T>::is_complex)
    if (p.tradeoff) return stability_detail::run_tradeoff<T>(o, p);
  return stability_detail::run<T>(o, p);
}

}  // namespace barriers::cli
