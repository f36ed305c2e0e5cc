// `barriers sweep`: accuracy against oracle precision x working precision x
// iterations, as CSV and a plot.
#include <cstdio>
#include <filesystem>
#include <optional>
#include <sstream>
#include <iostream>
#include <map>
#include <memory>

#include "barriers/impossibility/sweep.hpp"
#include "barriers/oracle/instance.hpp"
#include "commands.hpp"
#include "family_options.hpp"
#include "list_option.hpp"
#include "output_files.hpp"
#include "progress.hpp"

namespace barriers::cli {
namespace {

struct SweepOptions {
  FamilyOptions family;
  std::string instance = "gaussian";
  std::string size = "40x100", sparsity = "5", seed = "0", lambda = "1/20";
  std::string solver = "firenet", inner = "100";
  std::string ns = "10,20,40,80,160", bits = "53,113,256", iters = "500,2000,8000";
  std::string out;
  bool quiet = false;
};

double mid(const oracle::Interval& i) { return ((i.lo + i.hi) / 2).convert_to<double>(); }

void write_plot(const impossibility::SweepResult& r, const OutputDir& out) {
  // One data block per (n, bits): error against iterations.
  std::ostringstream dat;
  std::map<std::pair<long, unsigned>, std::vector<const impossibility::SweepPoint*>> series;
  for (const auto& p : r.points) series[{p.n, p.bits}].push_back(&p);
  std::ostringstream gp;
  gp << "set terminal pngcairo size 900,650\nset output 'sweep.png'\n"
     << "set logscale xy\nset format y '10^{%L}'\nset grid\nset key outside right\n"
     << "set xlabel 'iterations'\nset ylabel 'certified distance to the exact minimiser'\n"
     << "set title " << gnuplot_string(r.instance_description) << " noenhanced\nplot ";
  int block = 0;
  for (const auto& [key, pts] : series) {
    for (const auto* p : pts) dat << p->iterations << " " << std::max(mid(p->error), 1e-300) << "\n";
    dat << "\n\n";
    gp << (block ? ", " : "") << "'sweep_plot.dat' index " << block
       << " using 1:2 with linespoints title 'n=" << key.first << ", " << key.second << " bits'";
    ++block;
  }
  gp << "\n";
  out.write("sweep_plot.dat", dat.str());
  out.plot("sweep.gp", gp.str(), "sweep.png");
}

int run_sweep(const SweepOptions& o) {
  impossibility::SweepSettings s;
  s.instance = o.instance;
  if (o.instance == "family") s.family = o.family.params();
  const auto x = o.size.find('x');
  if (x == std::string::npos) throw UsageError("--size '" + o.size + "' must look like ROWSxCOLS, e.g. 40x100");
  s.rows = std::size_t(parse_integer("--size rows", o.size.substr(0, x), 1, 2000));
  s.cols = std::size_t(parse_integer("--size columns", o.size.substr(x + 1), 1, 2000));
  s.sparsity = std::size_t(parse_integer("--sparsity", o.sparsity, 1, 2000));
  s.seed = std::uint64_t(parse_integer("--seed", o.seed, 0, 1LL << 62));
  try {
    s.lambda = oracle::parse_rational(o.lambda);
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("--lambda: ") + e.what());
  }
  s.solver = o.solver;
  s.inner = int(parse_integer("--inner", o.inner, 1, 1000000));
  s.ns = parse_integer_list("--n", o.ns, 0, 100000);
  s.bits.clear();
  for (long b : parse_integer_list("--bits", o.bits, 2, 100000)) s.bits.push_back(unsigned(b));
  s.iterations = parse_integer_list("--iters", o.iters, 1, 100000000);
  s.progress = make_progress(o.quiet);
  std::optional<OutputDir> out;
  if (!o.out.empty())
    out.emplace(o.out, std::vector<std::string>{"sweep.csv", "sweep_plot.dat", "sweep.gp", "sweep.png"},
                "barriers sweep");
  const impossibility::SweepResult r = impossibility::run_sweep(s);

  std::printf("%s, solver %s\n%8s %6s %10s   %s\n", r.instance_description.c_str(), s.solver.c_str(), "n", "bits",
              "iterations", "certified error");
  for (const auto& p : r.points)
    std::printf("%8ld %6u %10ld   %.3e\n", p.n, p.bits, p.iterations, mid(p.error));
  if (out) {
    std::ostringstream csv;
    csv << "n,bits,iterations,error_lo,error_hi,type\n";
    for (const auto& p : r.points) {
      char buf[160];
      std::snprintf(buf, sizeof buf, "%ld,%u,%ld,%.10e,%.10e,", p.n, p.bits, p.iterations,
                    p.error.lo.convert_to<double>(), p.error.hi.convert_to<double>());
      csv << buf << p.type << "\n";
    }
    out->write("sweep.csv", csv.str());
    write_plot(r, *out);
    out->finish();
    std::cerr << "wrote " << o.out << "/sweep.csv and sweep.png\n";
  }
  return 0;
}

}  // namespace

Command add_sweep_command(CLI::App& app) {
  auto o = std::make_shared<SweepOptions>();
  CLI::App* sub = app.add_subcommand(
      "sweep", "Accuracy reached for each combination of oracle precision n, working precision (bits) and "
               "iterations, on a seeded Gaussian sparse-recovery instance or on the Table-1 family.");
  o->family.add_to(*sub, false);
  sub->add_option("--instance", o->instance, "gaussian or family")->type_name("NAME")->capture_default_str();
  sub->add_option("--size", o->size, "gaussian: ROWSxCOLS")->type_name("MxN")->capture_default_str();
  sub->add_option("--sparsity", o->sparsity, "gaussian: non-zeros of x")->type_name("S")->capture_default_str();
  sub->add_option("--seed", o->seed, "gaussian: seed")->type_name("S")->capture_default_str();
  sub->add_option("--lambda-gaussian", o->lambda, "gaussian: square-root LASSO lambda (family: --lambda)")
      ->type_name("Q")
      ->capture_default_str();
  sub->add_option("--solver", o->solver, "firenet or pdhg (square-root LASSO)")->type_name("NAME")->capture_default_str();
  sub->add_option("--inner", o->inner, "firenet steps per restart")->type_name("P")->capture_default_str();
  sub->add_option("--n", o->ns, "Oracle precisions n (bits), comma-separated")->type_name("LIST")->capture_default_str();
  sub->add_option("--bits", o->bits, "Working precisions: 53 double, 64 long double, 113 float128, else MPFR")
      ->type_name("LIST")
      ->capture_default_str();
  sub->add_option("--iters", o->iters, "Total iteration budgets, comma-separated")->type_name("LIST")->capture_default_str();
  sub->add_option("--out", o->out, "Write sweep.csv and sweep.png into DIR")->type_name("DIR");
  sub->add_flag("--quiet", o->quiet, "No progress lines on stderr");
  return {sub, [o] { return run_sweep(*o); }};
}

}  // namespace barriers::cli
