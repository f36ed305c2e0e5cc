// Writing a command's --out directory: creating it, and rendering gnuplot
// scripts to PNG (keeping the script and data when gnuplot is unavailable).
#pragma once

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <stdexcept>
#include <string>

namespace barriers::cli {

/// Creates DIR (and parents); throws std::runtime_error naming it on failure.
inline std::filesystem::path prepare_output_dir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw std::runtime_error("cannot create output directory '" + dir + "': " + ec.message());
  return dir;
}

/// Runs gnuplot on `script`; on failure says which files stand in for the plot.
inline void render_plot(const std::filesystem::path& script, const std::string& png_name) {
  if (std::system(("gnuplot '" + script.string() + "' 2>/dev/null").c_str()) != 0)
    std::cerr << "note: gnuplot failed or is missing; " << script.filename().string() << " and its data were written "
              << "instead of " << png_name << "\n";
}

}  // namespace barriers::cli
