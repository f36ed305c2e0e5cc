// The --out directory of one run: checked before any work, every file
// written to a temporary name and renamed into place only after a checked
// write, flush, fsync and close, and plots rendered without a shell.
//
// A run leaves the marker file INCOMPLETE in the directory from the moment it
// starts until finish(); a killed or failed run therefore leaves the marker
// beside whatever finished files it wrote (each one complete, never cut).
// Files an earlier run of the same command left under the names this run
// writes are removed at the start, so a directory never mixes two runs.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace barriers::cli {

class OutputDir {
 public:
  /// Checks and prepares DIR before any work: creates it (and parents) when
  /// missing; throws UsageError naming it when a non-directory is in the way
  /// or it cannot be written. `outputs` are the file names this run may
  /// write: older copies are removed and the INCOMPLETE marker written,
  /// holding `command` (what ran, for the reader of the marker).
  OutputDir(const std::string& dir, const std::vector<std::string>& outputs, const std::string& command);

  const std::filesystem::path& path() const { return dir_; }

  /// Writes `content` to dir/name atomically; throws std::runtime_error
  /// naming the path and the system's reason on any failure (disk full, I/O
  /// error, a directory in the way), leaving no partial file under `name`.
  void write(const std::string& name, std::string_view content) const;

  /// Writes `script` as dir/script_name and runs gnuplot on it with dir as the
  /// working directory (fork/exec, no shell). The script must refer to its
  /// data and output by plain file names in dir (never by a user-supplied
  /// path); put user text into it only through gnuplot_string(). When
  /// gnuplot fails or is missing, says on stderr which files stand in for
  /// png_name and returns false. A stale png_name is removed first, so a
  /// failed render never leaves an older plot beside new data; a PNG that
  /// gnuplot could not finish (a full disk) is removed and throws
  /// std::runtime_error naming it.
  bool plot(const std::string& script_name, const std::string& script, const std::string& png_name) const;

  /// Marks the run complete (removes INCOMPLETE). Call after the last write.
  void finish() const;

 private:
  std::filesystem::path dir_;
};

/// A gnuplot string literal (single-quoted) holding `text` with every
/// character that could end the literal or reach gnuplot's command
/// substitution, macros or escapes replaced by '?'; only printable ASCII
/// survives. Safe for titles and labels made from user input.
std::string gnuplot_string(std::string_view text);

/// `text` for an error message: control and non-ASCII bytes shown as \xNN,
/// cut to `max_chars` with "...(N bytes)" when longer, in single quotes.
std::string quote_for_message(std::string_view text, std::size_t max_chars = 80);

}  // namespace barriers::cli
