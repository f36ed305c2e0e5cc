// Command-line options shared by every command that builds an Omega_K family.
#pragma once

#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "barriers/impossibility/family.hpp"

namespace barriers::cli {

struct FamilyOptions {
  std::string problem = "p3";
  std::string K = "1";
  std::string n = "10";
  std::string delta = "1/6";
  std::string lambda = "1";
  std::string eta = "1/10";
  std::string N1 = "2";
  std::string N2 = "20";
  bool no_dct = false;

  /// Registers --problem, --K, --n (unless with_n is false: a command that
  /// sweeps n registers its own list), --delta, --lambda, --eta, --N1, --N2, --no-dct.
  void add_to(CLI::App& app, bool with_n = true);
  /// Parses and validates; throws UsageError / std::invalid_argument naming the bad value.
  impossibility::FamilyParams params() const;
  /// Throws UsageError if an option given on the command line has no effect
  /// for the chosen problem: --lambda with p1 (basis pursuit has none),
  /// --eta with p2 or p3. Call after parsing, for commands that reject those.
  void require_applicable() const;

 private:
  CLI::Option* lambda_option_ = nullptr;  // set by add_to, to ask whether it was given
  CLI::Option* eta_option_ = nullptr;
};

}  // namespace barriers::cli
