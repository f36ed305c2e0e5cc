// `barriers stability --experiment tradeoff` (docs/stability.md): the
// stability-accuracy trade-off of THEORY.md section 6 made measurable. A
// learned network is trained to recover a detail h with ||A h|| small, with
// and without training noise; the perturbation search then looks for its
// instability, which theory puts at about ||h|| / ||A h||, and FIRENET is
// measured on the same problem. Included by stability_run_impl.hpp.
#pragma once

namespace barriers::cli::stability_detail {

// The directions of measurement space that ellipse phantoms leave quiet:
// an orthonormal basis (columns, in double) of the leading principal
// directions of `reference` (m x n, one phantom's measurements per column),
// as many as hold all but the quietest quarter of the m directions (or every
// direction the references span, when there are fewer). Projecting onto their
// complement keeps what the phantoms barely show. Leading directions come
// from the n x n Gram matrix (Y = U S E^T: U = Y E S^-1).
inline Matrix<double> loud_directions(const Matrix<double>& reference) {
  const Eigen::Index m = reference.rows();
  const Eigen::SelfAdjointEigenSolver<Matrix<double>> es(Matrix<double>(reference.transpose() * reference));
  const Vector<double>& ev = es.eigenvalues();  // ascending
  Eigen::Index rank = 0;
  for (Eigen::Index i = 0; i < ev.size(); ++i) rank += ev(i) > 1e-12 * ev(ev.size() - 1);
  const Eigen::Index k = std::min(rank, m - m / 4);
  Matrix<double> U = reference * es.eigenvectors().rightCols(k);
  for (Eigen::Index j = 0; j < k; ++j) U.col(j) /= std::sqrt(ev(ev.size() - k + j));
  return U;
}

// The detail h: the text ink (text_detail_ink scaled to the value `ink`) made
// nearly invisible. In coefficients c = W ink splits into its null-space part
// c - A^* A c and its measurements A c (A A^* = I for A = P_Omega U W^*). h
// keeps the null-space part whole and of the measurements only beta times
// their part outside the loud directions (loud_directions of `reference`), so
// that a network can tell x + h from x along directions the phantoms leave
// quiet. ||h|| / ||A h|| = gain exactly for beta = ||c_null|| / (||v||
// sqrt(gain^2 - 1)), v the kept measurements. Real sampling (Walsh) keeps h a
// real image.
template <class R>
Matrix<R> nearly_invisible_detail(const ImagingProblem<R>& ip, const Matrix<R>& ink, double gain,
                                  const Matrix<double>& reference) {
  using std::sqrt;
  const Vector<R> c = ip.wavelet->forward(Eigen::Map<const Vector<R>>(ink.data(), ink.size()));
  const Vector<R> ac = ip.A->forward(c);
  const Vector<R> null = c - ip.A->adjoint(ac);
  const Matrix<R> loud = loud_directions(reference).template cast<R>();
  const Vector<R> v = ac - loud * Vector<R>(loud.transpose() * ac);
  if (!(v.norm() > R(0)) || !(null.norm() > R(0)))
    throw std::runtime_error("the text detail cannot be made nearly invisible here: all of its measurements lie "
                             "where ellipse phantoms measure (or none of it is in the null space); try another "
                             "--size or --rate");
  const R beta = R(null.norm()) / (R(v.norm()) * R(sqrt(R(gain * gain - 1))));
  const Vector<R> h = ip.wavelet->adjoint(Vector<R>(null + ip.A->adjoint(Vector<R>(v * beta))));
  return Eigen::Map<const Matrix<R>>(h.data(), ink.rows(), ink.cols());
}

// Measurements of `count` seeded ellipse phantoms (noise-free, computed in
// double) for the sampling of `spec`: the reference of nearly_invisible_detail.
inline Matrix<double> ellipse_reference(const Matrix<double>& image, const ImagingSpec& spec,
                                        const SamplingPattern& pattern, int count, std::uint64_t seed) {
  const ImagingProblem<double> pd = make_imaging_problem<double>(image, spec);
  if (pd.pattern.indices != pattern.indices)
    throw std::logic_error("the double problem samples other rows than the working type's");
  const LearnedDataset<double> set = ellipse_dataset<double>(pd, count, seed, 0.0);
  Matrix<double> Y(pd.A->rows(), count);
  for (int i = 0; i < count; ++i) Y.col(i) = set.y[std::size_t(i)];
  return Y;
}

struct TradeoffMap {
  std::string name, note;
  double test_error = 0, recovered = 0, secant = 0, max_ratio = 0, accuracy = 0;
  std::optional<double> upper;   ///< learned maps: learned_lipschitz_bound
  std::optional<double> linear;  ///< learned maps: ||U||_F ||V||_F, the linear term's share of it
  std::vector<std::array<double, 4>> curve;  // budget, ||r||, ||A r||, change
};

template <class T>
int run_tradeoff(const StabilityOptions& o, const Parsed& p) {
  using R = real_of<T>;
  static_assert(!number_traits<T>::is_complex, "the trade-off experiment runs on real (Walsh) sampling");
  const std::string type_name = describe_type<T>();
  auto progress = make_fraction_progress(o.quiet);
  const std::function<void(double, const std::string&)> say = [progress](double f, const std::string& m) {
    if (progress) progress(f, m);
  };
  const std::vector<std::string> maps = {"learned", "learned_noisy", "firenet"};
  std::vector<std::string> names = {"tradeoff_curves.csv", "tradeoff_summary.csv", "tradeoff.gp", "tradeoff.png",
                                    "report.md", "x.png", "detail.png"};
  for (const std::string& m : maps) names.push_back(m + "_panel.png");
  const OutputDir out(o.out, names, "barriers stability");
  const auto start = std::chrono::steady_clock::now();

  // The problem: the text-detail background with the detail h in place of its ink.
  const Matrix<R> ink0 = text_detail_ink<R>(p.shape), background = text_detail<R>(p.shape) - ink0;
  // text_detail_ink sets 0.2; the detail's ink is --detail-ink.
  const Matrix<R> ink = ink0 * R(R(p.detail_ink) * 5);
  ImagingSpec spec = p.spec;
  const ImagingProblem<T> probe = make_imaging_problem<T>(background, spec);
  // As many reference phantoms as measurements (at least 64, at most 1024).
  const int references = int(std::clamp<Eigen::Index>(probe.A->rows(), 64, 1024));
  const Matrix<R> h = nearly_invisible_detail<R>(
      probe, ink, p.detail_gain,
      ellipse_reference(to_double(background), spec, probe.pattern, references, mix(p.seed, 49)));
  const ImagingProblem<T> ip = make_imaging_problem<T>(Matrix<R>(background + h), spec);
  const DetailBound<R> bound = detail_lipschitz_bound(ip, h);
  const Vector<T> wh = ip.wavelet->forward(Eigen::Map<const Vector<R>>(h.data(), h.size()));
  const Vector<T> awh = ip.A->forward(wh);
  const double G = double(bound.ratio);
  say(0, "detail: ||h|| = " + g4(double(bound.detail_norm)) + ", ||A h|| = " + g4(double(bound.measured_norm)) +
             ", bound ||h|| / ||A h|| = " + g4(G));

  std::vector<R> budgets;
  for (double f : p.epsilon.empty() ? std::vector<double>{0.1, 0.3, 1.0} : p.epsilon)
    budgets.push_back(R(f) * bound.measured_norm);
  std::vector<TradeoffMap> results;
  std::ostringstream figures;
  for (std::size_t mi = 0; mi < maps.size(); ++mi) {
    const std::string& m = maps[mi];
    const double from = double(mi) / double(maps.size()), width = 1.0 / double(maps.size());
    TradeoffMap res;
    res.name = m;
    std::shared_ptr<ReconstructionMap<T>> phi;
    const double noise = m == "learned_noisy" ? p.train_noise : 0.0;
    const LearnedSetup<T> ls = learned_setup<T>(p, noise, mix(p.seed, 50 + mi), say, from, 0.6 * width, m);
    const LearnedDataset<T> test = ellipse_dataset<T>(ip, ls.test_count, ls.seed + 1, R(noise), h);
    if (m == "firenet") {
      FirenetSettings<T> st;
      st.lambda = R(p.lambda ? *p.lambda : 2.5e-4);
      st.weights = weights_for(ip, R(weight_energy_fraction));
      st.restarts = p.fn_restarts;
      st.inner = p.fn_inner;
      st.delta = p.delta ? R(*p.delta) : ip.eta;
      phi = std::make_shared<FirenetMap<T>>(ip.A, st);
      res.note = "FIRENET, lambda " + g4(double(st.lambda)) + ", " + std::to_string(st.restarts) + " restarts of " +
                 std::to_string(st.inner) + " steps, no training";
      res.test_error = mean_relative_error(*phi, test);
    } else {
      const TrainedLearned<T> tl = train_learned<T>(ip, ls, h);
      res.note = learned_note(tl, ls) + ", training noise " + g4(noise);
      res.test_error = double(tl.test_score.relative_error);
      res.upper = double(learned_lipschitz_bound(*tl.map));
      res.linear = double(R(R(tl.map->params().U.norm()) * R(tl.map->params().V.norm())));
      phi = tl.map;
    }
    res.recovered = double(detail_recovered<T>(*phi, ip, h, test.y));
    Vector<T> a, b;
    phi->forward(ip.y, a);
    phi->forward(Vector<T>(ip.y + awh), b);
    res.secant = double(R(R((b - a).norm()) / bound.measured_norm));
    PerturbationLoss<T> loss(*phi, ip.A, ip.y);
    res.accuracy = double(R(R((loss.base_output() - ip.x_true).norm()) / R(ip.x_true.norm())));
    Vector<T> r_last;
    for (std::size_t bi = 0; bi < budgets.size(); ++bi) {
      say(from + width * (0.6 + 0.4 * double(bi) / double(budgets.size())), m + ": searching ||r|| <= " +
                                                                                g4(double(budgets[bi])));
      const PerturbationSearchSettings<T> ss =
          search_settings<T>(p, budgets[bi], mix(p.seed, 200 + bi));  // the same starts for every map
      const PerturbationSearchResult<T> sr = perturbation_search(loss, ss);
      const PerturbationPoint<T>& pt = sr.curve.front();
      res.curve.push_back({double(pt.budget), double(pt.r_norm), double(pt.e_norm), double(pt.change_norm)});
      res.max_ratio = std::max(res.max_ratio, double(sr.max_ratio_e));
      r_last = sr.curve_r.front();
    }
    loss.evaluate(r_last, nullptr);
    const double dmax =
        write_panel(out, m + "_panel.png", to_double(ip.image),
                    to_double(image_from_coefficients(ip, Vector<T>(ip.x_true + r_last))),
                    to_double(image_from_coefficients(ip, loss.base_output())),
                    to_double(image_from_coefficients(ip, loss.last_output())));
    figures << "- `" << m << "_panel.png`: x, x + r, Phi(A x), Phi(A(x + r)), |difference| (white = " << g4(dmax)
            << "), at ||r|| = " << g4(double(R(r_last.norm()))) << ".\n";
    results.push_back(res);
  }
  out.write("x.png", encode_image(to_double(ip.image), ImageFormat::png, 8));
  {  // the detail, grey = 0
    const Matrix<double> hd = to_double(h);
    const double s = std::max(hd.cwiseAbs().maxCoeff(), 1e-300);
    out.write("detail.png", encode_image(Matrix<double>((hd / s).array() * 0.5 + 0.5), ImageFormat::png, 8));
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  std::ostringstream csv;
  csv << "map,budget,r_norm,Ar_norm,change_norm,change_over_Ar,detail_bound\n";
  for (const TradeoffMap& r : results)
    for (const auto& c : r.curve)
      csv << r.name << "," << g4(c[0]) << "," << g4(c[1]) << "," << g4(c[2]) << "," << g4(c[3]) << ","
          << (c[2] > 0 ? g4(c[3] / c[2]) : "") << "," << g4(G) << "\n";
  out.write("tradeoff_curves.csv", csv.str());
  std::ostringstream sum;
  sum << "map,relative_error,held_out_error,detail_recovered,secant_along_Ah,max_change_over_Ar,detail_bound,"
         "lipschitz_upper_bound,linear_term_gain\n";
  for (const TradeoffMap& r : results)
    sum << r.name << "," << g4(r.accuracy) << "," << g4(r.test_error) << "," << g4(r.recovered) << ","
        << g4(r.secant) << "," << g4(r.max_ratio) << "," << g4(G) << "," << (r.upper ? g4(*r.upper) : "") << ","
        << (r.linear ? g4(*r.linear) : "") << "\n";
  out.write("tradeoff_summary.csv", sum.str());

  std::ostringstream gp;
  gp << "set terminal pngcairo size 800,600\nset output 'tradeoff.png'\nset datafile separator ','\n"
     << "set title " << gnuplot_string("stability against accuracy (" + type_name + ")") << "\n"
     << "set logscale xy\nset format x '10^{%L}'\nset format y '10^{%L}'\nset grid\nset key top left\n"
     << "set xlabel '||A r||'\nset ylabel '||Phi(A(x + r)) - Phi(A x)||'\nplot ";
  const std::vector<std::string> colours = {"#d62728", "#ff7f0e", "#1f77b4"};
  for (std::size_t mi = 0; mi < maps.size(); ++mi)
    gp << (mi ? ", \\\n  " : "") << "'tradeoff_curves.csv' every ::1 using 4:(strcol(1) eq '" << maps[mi]
       << "' ? $5 : 1/0) with linespoints lw 2 pt 7 lc rgb '" << colours[mi] << "' title "
       << gnuplot_string(maps[mi] == "learned_noisy" ? "learned, noisy training" : maps[mi]);
  gp << ", \\\n  " << G << " * x with lines dt 2 lc rgb 'black' title " << gnuplot_string("||h|| / ||A h|| * ||A r||")
     << ", \\\n  x with lines dt 3 lc rgb 'gray' title '||A r|| (slope 1)'\n";
  const bool plotted = out.plot("tradeoff.gp", gp.str(), "tradeoff.png");

  std::ostringstream md;
  md << "# Stability against accuracy\n\n"
     << "Problem: the text-detail phantom " << ip.shape.rows << "x" << ip.shape.cols << " with its ink replaced by a "
     << "detail h, Walsh " << pattern_name(ip.spec.pattern) << " sampling, " << ip.A->rows() << " of "
     << ip.A->cols() << " samples, " << ip.spec.wavelet << " wavelet. Type " << type_name << ", seed " << p.seed
     << ".\n\nThe detail h is the text ink with the part A sees scaled down: ||h|| = "
     << g4(double(bound.detail_norm)) << ", ||A h|| = " << g4(double(bound.measured_norm)) << " (`detail.png`, "
     << "grey = 0). A map that recovers x and x + h from exact measurements moves its output by ||h|| when its "
     << "input moves by ||A h||, so its Lipschitz constant is at least **||h|| / ||A h|| = " << g4(G)
     << "**; recovering a fraction rho of h (detail recovered, below) forces at least rho ||h|| / ||A h|| along "
     << "A h (the secant column measures exactly that ratio at y = A x).\n\n"
     << "The learned networks are trained on ellipse phantoms with h added to every other one, so they can learn "
        "h; FIRENET is not trained. The search (" << p.restarts << " starts of " << p.iterations
     << " steps per budget, budgets " << (p.epsilon.empty() ? "0.1, 0.3, 1" : "as given") << " times ||A h||) "
     << "perturbs x by r; A A^* = I, so the largest change per ||A r|| is the local Lipschitz constant of Phi. "
     << "For the learned networks the last column bounds the Lipschitz constant from above (learned_lipschitz_bound: "
        "each layer's step and the linear term's ||U|| ||V||), so every ratio found must lie below it.\n\n"
     << "| map | relative error on x | held-out error | detail recovered | secant along A h | largest ratio "
        "per \\|\\|A r\\|\\| | bound \\|\\|h\\|\\| / \\|\\|A h\\|\\| | upper bound on the Lipschitz constant "
        "|\n|---|---|---|---|---|---|---|---|\n";
  for (const TradeoffMap& r : results)
    md << "| " << r.name << " | " << g4(r.accuracy) << " | " << g4(r.test_error) << " | " << g4(r.recovered)
       << " | " << g4(r.secant) << " | " << g4(r.max_ratio) << " | " << g4(G) << " | "
       << (r.upper ? g4(*r.upper) : "not computable") << " |\n";
  md << "\n## What was found\n\n";
  for (const TradeoffMap& r : results) {
    md << "- **" << r.name << "** (" << r.note << "): recovers " << g4(r.recovered) << " of h, held-out error "
       << g4(r.test_error) << "; the search found a ratio of " << g4(r.max_ratio) << " per ||A r||, "
       << g4(r.max_ratio / G) << " times ||h|| / ||A h||"
       << (r.upper ? " (upper bound " + g4(*r.upper) + ", of which the linear term U V^* " + g4(*r.linear) + ")"
                   : std::string());
    if (r.recovered > 0.5)
      md << (r.max_ratio >= r.recovered * G * 0.5 ? ": the instability the trade-off predicts (at least rho ||h|| / "
                                                      "||A h|| = " + g4(r.recovered * G) + ") was found.\n"
                                                  : ": LESS than the predicted rho ||h|| / ||A h|| = " +
                                                        g4(r.recovered * G) + ".\n");
    else if (r.max_ratio > 0.5 * G)
      md << ": it does not recover h, so the trade-off asks only for rho ||h|| / ||A h|| = " + g4(r.recovered * G) +
                ", yet the network is that unstable anyway (no accuracy bought with it).\n";
    else
      md << ": it does not recover h, and the trade-off then asks for no instability.\n";
  }
  md << "\nFIRENET's own upper bound needs sharpness constants, which are not computable for a sub-sampled A "
        "(docs/stability.md); it is measured, not bounded, here.\n\n## Figures\n\n"
     << "- `tradeoff.png`: output change against ||A r||, the trade-off line ||h|| / ||A h|| ||A r|| dashed.\n"
     << figures.str() << "\nRun time " << g4(seconds) << " s.\n";
  out.write("report.md", md.str());
  out.finish();

  std::printf("detail bound ||h|| / ||A h|| = %s\n", g4(G).c_str());
  for (const TradeoffMap& r : results)
    std::printf("%s: held-out error %s, detail recovered %s, secant along A h %s, largest ratio %s per ||A r|| "
                "(bound %s%s)\n",
                r.name.c_str(), g4(r.test_error).c_str(), g4(r.recovered).c_str(), g4(r.secant).c_str(),
                g4(r.max_ratio).c_str(), g4(G).c_str(),
                r.upper ? (", upper bound " + g4(*r.upper)).c_str() : "");
  if (!o.quiet)
    std::cerr << "wrote " << o.out << "/tradeoff_curves.csv, tradeoff_summary.csv, "
              << (plotted ? "tradeoff.png" : "tradeoff.gp") << ", report.md and the figures (" << g4(seconds)
              << " s)\n";
  return 0;
}

}  // namespace barriers::cli::stability_detail
