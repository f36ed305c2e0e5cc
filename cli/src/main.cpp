// barriers: command-line entry point. Parses options, dispatches to the
// selected subcommand and turns every error into one line and an exit code
// (2: usage, 1: failure); never a stack trace.
#include <cstdio>
#include <iostream>
#include <new>
#include <string>
#include <string_view>
#include <vector>

#include "barriers/precision/convert.hpp"
#include "commands.hpp"
#include "gmp_memory.hpp"
#include "usage_error.hpp"

namespace {

// The last line of defence for error messages, which may carry user input
// from any layer: control bytes (terminal escapes, NUL, newlines that would
// split the one error line) shown as \xNN, and an over-long message cut in
// the middle so that its start and its "allowed ..." end stay readable.
std::string printable(std::string_view message) {
  std::string out;
  for (const unsigned char c : message) {
    if (c < 0x20 || c == 0x7f) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02X", unsigned(c));
      out += hex;
    } else {
      out += char(c);
    }
  }
  constexpr std::size_t head = 700, tail = 200;
  if (out.size() > head + tail + 100)
    out = out.substr(0, head) + "...(" + std::to_string(out.size() - head - tail) + " bytes cut)..." +
          out.substr(out.size() - tail);
  return out;
}

void report(const std::string& message) { std::cerr << "barriers: error: " << printable(message) << "\n"; }

const char* const about =
    "barriers: exact and certified experiments on the limits of computing solutions of\n"
    "sparse-regularisation inverse problems (Colbrook, Antun & Hansen, PNAS 2022).\n"
    "Problem data are only ever seen through a certified oracle that answers dyadic\n"
    "rationals within 2^-n of the exact (possibly irrational) data.";
}

int main(int argc, char** argv) {
  using namespace barriers::cli;
  install_memory_handlers();
  CLI::App app{about, "barriers"};
  app.set_version_flag("--version", "barriers 0.1.0");
  app.require_subcommand(1);
  const std::vector<Command> commands = {add_oracle_command(app), add_verify_command(app), add_table1_command(app),
                                         add_adversary_command(app), add_solve_command(app),
                                         add_sweep_command(app), add_theorem_command(app), add_merge_command(app),
                                         add_reconstruct_command(app), add_convergence_command(app),
                                         add_stability_command(app)};

  // CLI11 reports a mistyped command as a missing one; name it instead.
  if (argc > 1 && argv[1][0] != '-') {
    bool known = false;
    std::string names;
    for (const Command& c : commands) {
      known = known || c.app->get_name() == argv[1];
      names += (names.empty() ? "" : ", ") + c.app->get_name();
    }
    if (!known) {
      report("unknown command '" + std::string(argv[1]) + "': allowed are " + names);
      return exit_usage;
    }
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);  // --help, --version
  } catch (const CLI::ParseError& e) {
    report(std::string(e.what()) + " (see 'barriers --help')");
    return exit_usage;
  }

  try {
    for (const Command& c : commands)
      if (c.app->parsed()) return c.run();
    std::cerr << "barriers: error: no command given (see 'barriers --help')\n";
    return exit_usage;
  } catch (const UsageError& e) {
    report(e.what());
    return exit_usage;
  } catch (const std::invalid_argument& e) {
    report(e.what());
    return exit_usage;
  } catch (const std::out_of_range& e) {
    report(e.what());
    return exit_usage;
  } catch (const barriers::outside_type_range& e) {
    report(e.what());  // data too large for --type: an input error
    return exit_usage;
  } catch (const std::bad_alloc&) {
    std::cerr << "barriers: error: out of memory\n";
    return exit_failure;
  } catch (const std::exception& e) {
    report(e.what());
    return exit_failure;
  }
}
