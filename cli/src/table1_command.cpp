// `barriers table1`: Table 1 of the PNAS paper, computed honestly, with a
// CSV, a Markdown report and a plot.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <iostream>
#include <memory>
#include <sstream>

#include <mpfr.h>

#include "barriers/impossibility/table1.hpp"
#include "commands.hpp"
#include "list_option.hpp"
#include "output_files.hpp"
#include "progress.hpp"

namespace barriers::cli {
namespace {

using impossibility::Table1Result;
using impossibility::Table1Row;
using impossibility::Table1Settings;

struct Table1Options {
  bool paper = false;
  std::string Ks = "1,3,6", ns = "10,20,30";
  std::string type = "double", bits = "256";
  std::string samples, validation, epochs, batch, layers = "10";
  std::string lr_rule;
  std::string restarts = "30", inner = "20";
  std::string seed = "0";
  std::string threads = "1";
  std::string out;
  bool quiet = false;
};

double mid(const oracle::Interval& i) { return ((i.lo + i.hi) / 2).convert_to<double>(); }

std::string sci(double v, int digits = 7) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*e", digits - 1, v);
  return buf;
}
std::string fixed7(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.7f", v);
  return buf;
}

void write_csv(const Table1Result& r, const OutputDir& out) {
  std::ostringstream csv;
  csv << "K,n,lista_dist,firenet_dist,ten_to_minus_K\n";
  for (const Table1Row& row : r.rows)
    csv << row.K << "," << row.n << "," << sci(mid(row.lista_dist), 10) << "," << sci(mid(row.firenet_dist), 10)
        << "," << sci(row.ten_to_minus_K.convert_to<double>(), 10) << "\n";
  out.write("table1.csv", csv.str());
  std::ostringstream d;
  d << "K,n,lista_dist_lo,lista_dist_hi,firenet_dist_lo,firenet_dist_hi,lista_dist_j2,firenet_dist_j2,"
       "separation,identical_data,data_max_n,training_queries,lista_best_epoch,lista_best_validation,"
       "lista_seconds,firenet_seconds,type\n";
  for (const Table1Row& row : r.rows)
    d << row.K << "," << row.n << "," << sci(row.lista_dist.lo.convert_to<double>(), 12) << ","
      << sci(row.lista_dist.hi.convert_to<double>(), 12) << "," << sci(row.firenet_dist.lo.convert_to<double>(), 12)
      << "," << sci(row.firenet_dist.hi.convert_to<double>(), 12) << "," << sci(mid(row.lista_dist_j2), 10) << ","
      << sci(mid(row.firenet_dist_j2), 10) << "," << sci(mid(row.separation), 10) << ","
      << (row.identical_data ? "yes" : "no") << "," << row.data_max_n << "," << row.training_queries << ","
      << row.lista_best_epoch << "," << sci(row.lista_best_validation, 6) << "," << row.lista_seconds << ","
      << row.firenet_seconds << "," << row.working_type << "\n";
  out.write("table1_details.csv", d.str());
}

void write_report(const Table1Result& r, const OutputDir& out) {
  const Table1Settings& s = r.settings;
  std::ostringstream md;
  md << "# Table 1, recomputed\n\n"
     << "Problem: square-root LASSO (P3), Omega_K family with delta = " << s.family.delta
     << ", lambda = " << s.family.lambda << ", N1 = " << s.family.N1 << ", N2 = " << s.family.N2
     << (s.family.dct_mixing ? ", DCT-mixed" : "") << " (A is " << s.family.N2 + 1 << " x "
     << s.family.N1 + s.family.N2 << ").\n\n"
     << "Protocol: LISTA (" << s.layers << " layers) is trained on " << s.train_samples << " samples of the j = 2 "
     << "member read at precision n (" << s.validation_samples << " for validation, " << s.epochs << " epochs, batch "
     << s.batch_size << ", Adam, learning rate "
     << (s.lista_rate == impossibility::ListaRate::published ? "2e-4 * 10^(-K/3) as published"
                                                            : "(2/15) / (10 ||A||_2) = 2e-5 * 10^(3-K), the published rate "
                                                              "rescaled with the weights (`--lr-rule`)")
     << "); FIRENET runs " << s.firenet_restarts << " restarts x "
     << s.firenet_inner << " steps. Both receive (A_n, y_n) from the oracle of the j = 1 member, which answers "
     << "adversarially with the j = 2 member's exact bits (legitimate: the members agree to 2^-(n+1/2)). "
     << "Distances are certified Euclidean distances to the j = 1 minimiser. Working type: "
     << (r.rows.empty() ? s.type : r.rows.front().working_type) << "; seed " << s.seed << ".\n\n"
     << "| K | n | dist LISTA | dist FIRENET | 10^-K | published LISTA | published FIRENET | "
        "separation ||x^1-x^2|| | same bits |\n"
     << "|---|---|---|---|---|---|---|---|---|\n";
  bool all_above = true;
  for (const Table1Row& row : r.rows) {
    const auto* pub = impossibility::published_table1(row.K, row.n);
    const bool above = row.lista_dist.lo > row.ten_to_minus_K && row.firenet_dist.lo > row.ten_to_minus_K;
    all_above = all_above && above;
    md << "| " << row.K << " | " << row.n << " | " << fixed7(mid(row.lista_dist)) << " | "
       << fixed7(mid(row.firenet_dist)) << " | 1e-" << row.K << " | " << (pub ? fixed7(pub->lista) : "-") << " | "
       << (pub ? fixed7(pub->firenet) : "-") << " | " << fixed7(mid(row.separation)) << " | "
       << (row.identical_data ? "yes" : "no") << " |\n";
  }
  md << "\n" << (all_above ? "Both methods are above 10^-K in every cell, as the theorem requires."
                           : "**Some cell is not above 10^-K for both methods: see the rows above.**")
     << "\n\n## Reading the table\n\n"
     << "- Both methods see data that are bit for bit those of the j = 2 member, so any accurate method lands near "
        "x^2 = e_2/a_2, at distance about ||x^1 - x^2|| = 3 10^-K from x^1 (the LISTA column). No method can "
        "do better than ||x^1 - x^2||/2 = 1.5 10^-K on both members (see `barriers verify`).\n"
     << "- Distances to the j = 2 minimiser (the data actually seen), in table1_details.csv:\n\n"
     << "| K | n | LISTA to x^2 | FIRENET to x^2 | LISTA best epoch | LISTA time (s) | FIRENET time (s) |\n"
     << "|---|---|---|---|---|---|---|\n";
  for (const Table1Row& row : r.rows)
    md << "| " << row.K << " | " << row.n << " | " << sci(mid(row.lista_dist_j2), 3) << " | "
       << sci(mid(row.firenet_dist_j2), 3) << " | " << row.lista_best_epoch << " | " << fixed7(row.lista_seconds)
       << " | " << fixed7(row.firenet_seconds) << " |\n";
  md << "\n## Differences from the published numbers\n\n"
     << "- LISTA: the published values equal the separation 3 10^-K (to the digits shown); ours agree where "
        "LISTA learns to output x^2 accurately. Where our LISTA column differs it is because the network did not "
        "fit x^2 to that accuracy with these training settings (see its distance to x^2 above); the default "
        "profile trains far less than the paper's 8000 samples x 4000 epochs (`--paper`).\n"
     << "- FIRENET: FIRENET returns (very nearly) the midpoint of x^1 and x^2 in every cell, at 1.5 10^-K from "
        "both, because the objective is almost flat between them. That is the published K = 6 value. The published "
        "K = 1 and K = 3 values (0.866 times the separation) are the same midpoint scored against a misplaced "
        "minimiser: the public test script reuses its member index j as the loop variable over K, and Python's "
        "negative indexing puts x*'s non-zero entry at a tail coordinate; sqrt(3)/2 times the separation is exactly "
        "the distance from the midpoint to such a point. See docs/reproducing.md.\n"
     << "- Learning rate: the published 2e-4 * 10^(-K/3) falls more slowly than the weights, which scale like "
        "1/||A||_2 ~ 10^-K. Adam moves every weight by about the learning rate per step, so at K = 6 the "
        "thresholds outgrow every pre-activation within about ten steps and the network goes dead (output 0, "
        "best epoch 0 or a dead network). The default profile rescales the rate as (2/15)/(10||A||_2), equal to "
        "the published one at K = 3; `--paper` and `--lr-rule published` use the published rate. See docs/lista.md.\n"
     << "- Published LISTA training also differs in details the paper does not state (initial weight scale 0.05, "
        "no shuffling, best weights by relative error); see docs/lista.md.\n";
  out.write("report.md", md.str());
}

void write_plot(const Table1Result& r, const OutputDir& out) {
  std::ostringstream dat;
  for (const Table1Row& row : r.rows)
    dat << row.ten_to_minus_K.convert_to<double>() << " " << mid(row.lista_dist) << " " << mid(row.firenet_dist)
        << "\n";
  out.write("table1_plot.dat", dat.str());
  std::ostringstream gp;
  gp << "set terminal pngcairo size 800,600\n"
     << "set output 'table1.png'\n"
     << "set logscale xy\nset format xy '10^{%L}'\nset key top left\nset grid\n"
     << "set xlabel '10^{-K}'\nset ylabel 'distance to the j = 1 minimiser'\n"
     << "set title 'Table 1: no method gets below 10^{-K} (dashed)'\n"
     << "plot 'table1_plot.dat' using 1:2 with points pt 7 ps 1.5 title 'LISTA', "
     << "'table1_plot.dat' using 1:3 with points pt 5 ps 1.2 title 'FIRENET', "
     << "x with lines dt 2 lc rgb 'black' title '10^{-K}'\n";
  out.plot("table1.gp", gp.str(), "table1.png");
}

int run_table1(const Table1Options& o) {
  Table1Settings s = o.paper ? Table1Settings::paper() : Table1Settings{};
  s.Ks = parse_integer_list("--K", o.Ks, 1, impossibility::max_K);
  s.ns = parse_integer_list("--n", o.ns, 1, 100000);
  s.type = o.type;
  s.bits = unsigned(parse_integer("--bits", o.bits, 2, 1 << 20));
  if (!o.lr_rule.empty()) s.lista_rate = impossibility::parse_lista_rate(o.lr_rule);
  if (!o.samples.empty()) s.train_samples = std::size_t(parse_integer("--samples", o.samples, 1, 1000000));
  if (!o.validation.empty()) s.validation_samples = std::size_t(parse_integer("--validation", o.validation, 1, 100000));
  if (!o.epochs.empty()) s.epochs = int(parse_integer("--epochs", o.epochs, 0, 1000000));
  if (!o.batch.empty()) s.batch_size = int(parse_integer("--batch", o.batch, 1, 1000000));
  s.layers = int(parse_integer("--layers", o.layers, 1, 1000));
  s.firenet_restarts = int(parse_integer("--restarts", o.restarts, 1, 100000));
  s.firenet_inner = int(parse_integer("--inner", o.inner, 1, 100000));
  s.seed = std::uint64_t(parse_integer("--seed", o.seed, 0, 1LL << 62));
  s.threads = unsigned(parse_integer("--threads", o.threads, 1, 64));
  s.progress = make_progress(o.quiet);
  s.validate();
  std::optional<OutputDir> out;
  if (!o.out.empty())
    out.emplace(o.out,
                std::vector<std::string>{"table1.csv", "table1_details.csv", "report.md", "table1_plot.dat",
                                         "table1.gp", "table1.png"},
                "barriers table1");

  const Table1Result r = impossibility::run_table1(s);

  std::cout << "  K    n   dist LISTA     dist FIRENET   10^-K    (both > 10^-K?)\n";
  for (const Table1Row& row : r.rows) {
    const bool above = row.lista_dist.lo > row.ten_to_minus_K && row.firenet_dist.lo > row.ten_to_minus_K;
    std::printf("%3ld %4ld   %s   %s   1e-%ld    %s\n", row.K, row.n, sci(mid(row.lista_dist)).c_str(),
                sci(mid(row.firenet_dist)).c_str(), row.K, above ? "yes" : "NO");
  }
  if (out) {
    write_csv(r, *out);
    write_report(r, *out);
    write_plot(r, *out);
    out->finish();
    std::cerr << "wrote " << o.out << "/table1.csv, table1_details.csv, report.md, table1.png\n";
  }
  return 0;
}

}  // namespace

Command add_table1_command(CLI::App& app) {
  auto o = std::make_shared<Table1Options>();
  CLI::App* sub = app.add_subcommand(
      "table1",
      "Recompute Table 1 (PNAS 2022): distances of trained LISTA and of FIRENET, given adversarial data at "
      "precision n, to the minimiser of the j = 1 member; the theorem says both stay above 10^-K.");
  sub->add_flag("--paper", o->paper, "Published training settings: 8000 samples, 4000 epochs, batch 1000 (slow)");
  sub->add_option("--K", o->Ks, "Comma-separated K values")->type_name("LIST")->capture_default_str();
  sub->add_option("--n", o->ns, "Comma-separated precisions n (bits)")->type_name("LIST")->capture_default_str();
  sub->add_option("--type", o->type, "Working type: double, long-double, float128, mpfr")
      ->type_name("NAME")
      ->capture_default_str();
  sub->add_option("--bits", o->bits, "Working precision for --type mpfr")->type_name("BITS")->capture_default_str();
  sub->add_option("--lr-rule", o->lr_rule,
                  "LISTA learning rate: scaled ((2/15)/(10||A||), default) or published (2e-4*10^(-K/3), --paper)")
      ->type_name("RULE");
  sub->add_option("--samples", o->samples, "LISTA training samples (default 1000; --paper 8000)")->type_name("R");
  sub->add_option("--validation", o->validation, "LISTA validation samples (default 100)")->type_name("V");
  sub->add_option("--epochs", o->epochs, "LISTA epochs (default 200; --paper 4000)")->type_name("E");
  sub->add_option("--batch", o->batch, "LISTA batch size (default 1000)")->type_name("B");
  sub->add_option("--layers", o->layers, "LISTA layers")->type_name("L")->capture_default_str();
  sub->add_option("--restarts", o->restarts, "FIRENET restarts")->type_name("N")->capture_default_str();
  sub->add_option("--inner", o->inner, "FIRENET inner steps per restart")->type_name("P")->capture_default_str();
  sub->add_option("--seed", o->seed, "Seed for training data, initialisation and shuffling")
      ->type_name("S")
      ->capture_default_str();
  sub->add_option("--threads", o->threads, "Cells computed in parallel (results are identical for any count)")
      ->type_name("T")
      ->capture_default_str();
  sub->add_option("--out", o->out, "Write table1.csv, table1_details.csv, report.md and table1.png into DIR")
      ->type_name("DIR");
  sub->add_flag("--quiet", o->quiet, "No progress lines on stderr");
  return {sub, [o] { return run_table1(*o); }};
}

}  // namespace barriers::cli
