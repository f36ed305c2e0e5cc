// `barriers verify`: certified checks of every property the impossibility
// theorem needs, for members j = 1, 2 of an Omega_K family.
#include <algorithm>
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "barriers/impossibility/verify.hpp"
#include "commands.hpp"
#include "family_options.hpp"
#include "parse_number.hpp"
#include "usage_error.hpp"

namespace barriers::cli {
namespace {

using impossibility::Decision;

struct VerifyOptions {
  FamilyOptions family;
  std::string format = "text";
  std::string max_bits = "auto";
};

std::string verdict(Decision d) { return d == Decision::yes ? "PASS" : d == Decision::no ? "FAIL" : "UNDECIDED"; }

// Certified bounds as decimal strings with 20 significant digits, rounded
// outward, and the exact rationals when the interval is a point.
nlohmann::json interval_json(const oracle::Interval& i) {
  nlohmann::json j = {{"lo", impossibility::decimal_bound(i.lo, false, 20)},
                      {"hi", impossibility::decimal_bound(i.hi, true, 20)}};
  if (i.lo == i.hi) j["exact"] = i.lo.str();
  return j;
}

nlohmann::json report_json(const impossibility::VerifyReport& r) {
  const impossibility::FamilyParams& p = r.params;
  nlohmann::json j = {{"problem", impossibility::to_string(p.problem)},
                      {"K", p.K},
                      {"n", p.n},
                      {"delta", p.delta.str()},
                      {"N1", p.N1},
                      {"N2", p.N2},
                      {"dct_mixing", p.dct_mixing},
                      {"precision", {{"start_bits", r.schedule.start_bits},
                                     {"cap_bits", r.schedule.cap_bits},
                                     {"highest_bits_used", r.precision_bits}}},
                      {"identity_tolerance_log2", -impossibility::identity_tolerance_bits(p)},
                      {"all_decided", r.all_decided()},
                      {"all_pass", r.all_pass()},
                      {"checks", nlohmann::json::array()}};
  if (p.problem == impossibility::Problem::p1)
    j["eta"] = p.eta.str();
  else
    j["lambda"] = p.lambda.str();
  for (const auto& c : r.checks) {
    nlohmann::json values = nlohmann::json::array();
    for (const auto& v : c.values) {
      nlohmann::json e = interval_json(v.value);
      e["name"] = v.name;
      values.push_back(std::move(e));
    }
    j["checks"].push_back({{"name", c.name},
                           {"claim", c.claim},
                           {"verdict", verdict(c.decision)},
                           {"decided", c.decision != Decision::undecided},
                           {"pass", c.pass()},
                           {"precision_bits", c.precision_bits},
                           {"values", std::move(values)},
                           {"text", c.value}});
  }
  return j;
}

void print_text(const impossibility::VerifyReport& r) {
  const impossibility::FamilyParams& p = r.params;
  std::cout << "Omega_K family for " << impossibility::to_string(p.problem) << ": K = " << p.K << ", n = " << p.n
            << ", delta = " << p.delta << " (cancels: b = sqrt(2) 10^K / 3 for every delta)";
  if (p.problem == impossibility::Problem::p1)
    std::cout << ", eta = " << p.eta;
  else
    std::cout << ", lambda = " << p.lambda;
  std::cout << ", N1 = " << p.N1 << ", N2 = " << p.N2 << (p.dct_mixing ? ", DCT-mixed" : ", unmixed") << "\n"
            << "members j = 1 and j = 2; every value below is a certified enclosure (Arb, " << r.schedule.start_bits
            << " bits, doubled while undecided up to " << r.schedule.cap_bits << ")\n\n";
  for (const auto& c : r.checks) {
    std::cout << verdict(c.decision);
    if (c.decision == Decision::undecided) std::cout << " at " << c.precision_bits << " bits";
    std::cout << "  " << c.name << ": " << c.claim << "\n";
    std::cout << "      " << c.value << "\n";
  }
  std::cout << "\n";
  if (r.all_pass())
    std::cout << "all checks passed (highest precision used: " << r.precision_bits << " bits)\n";
  else if (!r.all_decided())
    std::cout << "SOME CHECKS UNDECIDED at the precision cap of " << r.schedule.cap_bits
              << " bits: nothing is claimed for them\n";
  else
    std::cout << "SOME CHECKS FAILED\n";
}

int run_verify(const VerifyOptions& o) {
  if (o.format != "text" && o.format != "json")
    throw UsageError("unknown format '" + o.format + "': allowed are text, json");
  o.family.require_applicable();
  const impossibility::FamilyParams p = o.family.params();
  impossibility::PrecisionSchedule schedule = impossibility::verify_precision(p);
  if (o.max_bits != "auto") {
    schedule.cap_bits = long(parse_integer("--max-bits", o.max_bits, 16, 1L << 24));
    schedule.start_bits = std::min(schedule.start_bits, schedule.cap_bits);
  }
  const impossibility::VerifyReport r = impossibility::verify_family(p, schedule);
  if (o.format == "json")
    std::cout << report_json(r).dump(2) << "\n";
  else
    print_text(r);
  if (!r.all_decided())
    std::cerr << "barriers: some checks are undecided at the precision cap of " << r.schedule.cap_bits << " bits\n";
  return r.all_pass() ? 0 : exit_failure;
}

}  // namespace

Command add_verify_command(CLI::App& app) {
  auto opts = std::make_shared<VerifyOptions>();
  CLI::App* sub = app.add_subcommand(
      "verify",
      "Check, with certified values and no solver runs, every property the impossibility theorem relies on "
      "for the Omega_K family: conditioning, agreement within 2^-n, separation, optimality and uniqueness of "
      "the stated minimisers, K digits impossible and K-1 attainable. Each comparison is decided by certified "
      "intervals, at a precision doubled while undecided; a check still undecided at the cap is reported "
      "UNDECIDED (exit 1).");
  opts->family.add_to(*sub);
  sub->add_option("--format", opts->format, "Output format: text or json")->type_name("NAME")->capture_default_str();
  sub->add_option("--max-bits", opts->max_bits,
                  "Cap on the working precision, 16..16777216 bits (auto: 8 times the starting precision, "
                  "docs/impossibility.md)")
      ->type_name("BITS")
      ->capture_default_str();
  return {sub, [opts, sub] {
            // delta cancels in the construction (b = sqrt(2) 10^K / 3), so no check depends on it (issue 12).
            if (sub->count("--delta") > 0)
              throw UsageError("--delta does not apply to verify: delta cancels in the Omega_K construction "
                               "(b = sqrt(2) 10^K / 3 for every delta), so no check depends on it");
            return run_verify(*opts);
          }};
}

}  // namespace barriers::cli
