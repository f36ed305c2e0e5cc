// `barriers verify`: certified checks of every property the impossibility
// theorem needs, for members j = 1, 2 of an Omega_K family.
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "barriers/impossibility/verify.hpp"
#include "commands.hpp"
#include "family_options.hpp"
#include "usage_error.hpp"

namespace barriers::cli {
namespace {

struct VerifyOptions {
  FamilyOptions family;
  std::string format = "text";
};

int run_verify(const VerifyOptions& o) {
  if (o.format != "text" && o.format != "json")
    throw UsageError("unknown format '" + o.format + "': allowed are text, json");
  const impossibility::FamilyParams p = o.family.params();
  const impossibility::VerifyReport r = impossibility::verify_family(p);
  if (o.format == "json") {
    nlohmann::json j = {{"problem", impossibility::to_string(p.problem)},
                        {"K", p.K},
                        {"n", p.n},
                        {"delta", p.delta.str()},
                        {"lambda", p.lambda.str()},
                        {"eta", p.eta.str()},
                        {"N1", p.N1},
                        {"N2", p.N2},
                        {"dct_mixing", p.dct_mixing},
                        {"precision_bits", r.precision_bits},
                        {"all_pass", r.all_pass()},
                        {"checks", nlohmann::json::array()}};
    for (const auto& c : r.checks)
      j["checks"].push_back({{"name", c.name}, {"claim", c.claim}, {"value", c.value}, {"pass", c.pass}});
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << "Omega_K family for " << impossibility::to_string(p.problem) << ": K = " << p.K << ", n = " << p.n
              << ", delta = " << p.delta << ", lambda = " << p.lambda;
    if (p.problem == impossibility::Problem::p1) std::cout << ", eta = " << p.eta;
    std::cout << ", N1 = " << p.N1 << ", N2 = " << p.N2 << (p.dct_mixing ? ", DCT-mixed" : ", unmixed") << "\n"
              << "members j = 1 and j = 2; every value below is a certified enclosure (Arb, " << r.precision_bits
              << " bits)\n\n";
    for (const auto& c : r.checks) {
      std::cout << (c.pass ? "PASS  " : "FAIL  ") << c.name << ": " << c.claim << "\n";
      std::cout << "      " << c.value << "\n";
    }
    std::cout << "\n" << (r.all_pass() ? "all checks passed" : "SOME CHECKS FAILED") << "\n";
  }
  return r.all_pass() ? 0 : exit_failure;
}

}  // namespace

Command add_verify_command(CLI::App& app) {
  auto opts = std::make_shared<VerifyOptions>();
  CLI::App* sub = app.add_subcommand(
      "verify",
      "Check, with certified values and no solver runs, every property the impossibility theorem relies on "
      "for the Omega_K family: conditioning, agreement within 2^-n, separation, optimality and uniqueness of "
      "the stated minimisers, K digits impossible and K-1 attainable.");
  opts->family.add_to(*sub);
  sub->add_option("--format", opts->format, "Output format: text or json")->type_name("NAME")->capture_default_str();
  return {sub, [opts] { return run_verify(*opts); }};
}

}  // namespace barriers::cli
