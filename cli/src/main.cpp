// barriers: command-line entry point. Parses options, dispatches to the
// selected subcommand and turns every error into one line and an exit code
// (2: usage, 1: failure); never a stack trace.
#include <iostream>
#include <new>
#include <string>
#include <vector>

#include "barriers/precision/convert.hpp"
#include "commands.hpp"
#include "gmp_memory.hpp"
#include "usage_error.hpp"

namespace {
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
                                         add_sweep_command(app), add_theorem_command(app)};

  // CLI11 reports a mistyped command as a missing one; name it instead.
  if (argc > 1 && argv[1][0] != '-') {
    bool known = false;
    std::string names;
    for (const Command& c : commands) {
      known = known || c.app->get_name() == argv[1];
      names += (names.empty() ? "" : ", ") + c.app->get_name();
    }
    if (!known) {
      std::cerr << "barriers: error: unknown command '" << argv[1] << "': allowed are " << names << "\n";
      return exit_usage;
    }
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);  // --help, --version
  } catch (const CLI::ParseError& e) {
    std::string what = e.what();
    std::cerr << "barriers: error: " << what << " (see 'barriers --help')\n";
    return exit_usage;
  }

  try {
    for (const Command& c : commands)
      if (c.app->parsed()) return c.run();
    std::cerr << "barriers: error: no command given (see 'barriers --help')\n";
    return exit_usage;
  } catch (const UsageError& e) {
    std::cerr << "barriers: error: " << e.what() << "\n";
    return exit_usage;
  } catch (const std::invalid_argument& e) {
    std::cerr << "barriers: error: " << e.what() << "\n";
    return exit_usage;
  } catch (const std::out_of_range& e) {
    std::cerr << "barriers: error: " << e.what() << "\n";
    return exit_usage;
  } catch (const barriers::outside_type_range& e) {
    std::cerr << "barriers: error: " << e.what() << "\n";  // data too large for --type: input error
    return exit_usage;
  } catch (const std::bad_alloc&) {
    std::cerr << "barriers: error: out of memory\n";
    return exit_failure;
  } catch (const std::exception& e) {
    std::cerr << "barriers: error: " << e.what() << "\n";
    return exit_failure;
  }
}
