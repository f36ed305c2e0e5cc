// Registration of the subcommands. Each adds itself to the app and returns
// the action to run when it was selected on the command line.
#pragma once

#include <functional>

#include <CLI/CLI.hpp>

namespace barriers::cli {

struct Command {
  CLI::App* app;             ///< the subcommand, to ask whether it was chosen
  std::function<int()> run;  ///< runs it with the parsed options; returns the exit code
};

Command add_oracle_command(CLI::App& app);
Command add_verify_command(CLI::App& app);
/// Runs LISTA and FIRENET (the solvers module).
Command add_table1_command(CLI::App& app);
Command add_adversary_command(CLI::App& app);
Command add_solve_command(CLI::App& app);
Command add_sweep_command(CLI::App& app);
/// The three parts of the theorem on one class (plays built-in solvers too).
Command add_theorem_command(CLI::App& app);
/// Image reconstruction from subsampled Fourier/Walsh measurements (issue 9).
Command add_reconstruct_command(CLI::App& app);
Command add_merge_command(CLI::App& app);
/// The FIRENET convergence experiment on images, fixed precision and MPFR (issue 9).
Command add_convergence_command(CLI::App& app);
/// Worst-case perturbations of reconstruction maps and FIRENET's stability bound (issue 10).
Command add_stability_command(CLI::App& app);

}  // namespace barriers::cli
