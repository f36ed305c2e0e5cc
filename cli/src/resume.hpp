// --resume for experiments that save every finished cell: the saved cells
// are used only when the settings file beside them equals this run's.
#pragma once

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <utility>

#include "output_files.hpp"
#include "usage_error.hpp"

namespace barriers::cli {

/// The first line where two settings texts differ, in each (empty past the end).
inline std::pair<std::string, std::string> first_difference(const std::string& a, const std::string& b) {
  std::istringstream in_a(a), in_b(b);
  std::string la, lb;
  while (std::getline(in_a, la) && std::getline(in_b, lb) && la == lb) {
  }
  return {la, lb};
}

/// The saved cell file DIR/csv_name, or nothing when there is none. Throws
/// UsageError when DIR/settings_name is missing or differs from `settings`
/// (naming the first differing line), or when the file lacks `header`.
inline std::optional<std::string> saved_cells(const std::string& dir, const std::string& csv_name,
                                              const std::string& settings_name, const std::string& settings,
                                              const std::string& header) {
  const std::string csv_path = dir + "/" + csv_name, settings_path = dir + "/" + settings_name;
  auto read = [](const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
  };
  std::error_code ec;
  // Something other than a file in the way (a directory, a device, a FIFO)
  // is refused rather than silently recomputed over or read without end.
  for (const std::string& path : {csv_path, settings_path})
    if (std::filesystem::exists(std::filesystem::symlink_status(path, ec)) &&
        !std::filesystem::is_regular_file(path, ec))
      throw UsageError("--resume: " + quote_for_message(path) + " is not a regular file");
  if (!std::filesystem::is_regular_file(csv_path, ec)) return std::nullopt;
  if (!std::filesystem::is_regular_file(settings_path, ec))
    throw UsageError("--resume: " + quote_for_message(csv_path) + " has no " + settings_name +
                     " beside it, so its settings cannot be checked; rerun without --resume");
  const std::string saved = read(settings_path);
  if (saved != settings) {
    const auto [la, lb] = first_difference(saved, settings);
    throw UsageError("--resume: the saved cells in " + quote_for_message(dir) + " were computed with " +
                     quote_for_message(la) + ", this run has " + quote_for_message(lb) +
                     ": use the same options, or rerun without --resume");
  }
  std::string cells = read(csv_path);
  if (cells.compare(0, header.size() + 1, header + "\n") != 0)
    throw UsageError("--resume: " + quote_for_message(csv_path) + " does not start with the " + csv_name +
                     " header");
  return cells;
}

}  // namespace barriers::cli
