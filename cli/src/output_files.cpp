#include "output_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <iostream>
#include <stdexcept>

#include "barriers/oracle/text_input.hpp"
#include "usage_error.hpp"

namespace barriers::cli {
namespace fs = std::filesystem;

namespace {

constexpr const char* marker_name = "INCOMPLETE";

std::string system_reason(int err) { return std::strerror(err); }

// A file name the run chooses itself: no directory part, no "." or "..".
void check_plain_name(const std::string& name) {
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos || name[0] == '.')
    throw std::logic_error("output file name must be a plain name, got " + quote_for_message(name));
}

// Writes all of `content` to fd; returns 0 or the errno of the failure.
int write_all(int fd, std::string_view content) {
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t w = ::write(fd, content.data() + done, content.size() - done);
    if (w < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    done += std::size_t(w);
  }
  return 0;
}

// A PNG file ends with its IEND chunk (length 0, type, CRC); a cut one does not.
bool complete_png(const fs::path& p) {
  static const unsigned char iend[8] = {'I', 'E', 'N', 'D', 0xAE, 0x42, 0x60, 0x82};
  unsigned char tail[8];
  const int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const off_t size = ::lseek(fd, 0, SEEK_END);
  const bool ok = size >= 8 && ::pread(fd, tail, 8, size - 8) == 8 && std::memcmp(tail, iend, 8) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

std::string quote_for_message(std::string_view text, std::size_t max_chars) {
  return oracle::quote_input(text, max_chars);
}

std::string gnuplot_string(std::string_view text) {
  // Inside single quotes gnuplot ends the literal at ' and performs no
  // escapes; backquotes (command substitution), @ (macros), $ and \ are
  // dropped too so the text stays inert even if a later edit changes quotes.
  std::string out = "'";
  for (unsigned char c : text) {
    const bool safe = c >= 0x20 && c < 0x7f && c != '\'' && c != '"' && c != '`' && c != '\\' && c != '@' &&
                      c != '$' && c != ';';
    out += safe ? char(c) : '?';
  }
  return out + "'";
}

OutputDir::OutputDir(const std::string& dir, const std::vector<std::string>& outputs, const std::string& command)
    : dir_(dir) {
  if (dir.empty()) throw UsageError("--out: the directory name is empty");
  std::error_code ec;
  const auto st = fs::status(dir_, ec);
  if (fs::exists(st) && !fs::is_directory(st))
    throw UsageError("--out " + quote_for_message(dir) + " exists and is not a directory");
  if (!fs::exists(st)) {
    fs::create_directories(dir_, ec);
    if (ec) throw UsageError("--out: cannot create directory " + quote_for_message(dir) + ": " + ec.message());
  }
  if (::access(dir_.c_str(), W_OK | X_OK) != 0)
    throw UsageError("--out: cannot write into " + quote_for_message(dir) + ": " + system_reason(errno));
  for (const std::string& name : outputs) {
    check_plain_name(name);
    const fs::path p = dir_ / name;
    if (fs::is_directory(fs::symlink_status(p, ec)))
      throw UsageError("--out: " + quote_for_message(p.string()) + " is a directory in the way of an output file");
    fs::remove(p, ec);
    if (ec) throw UsageError("--out: cannot replace " + quote_for_message(p.string()) + ": " + ec.message());
  }
  std::string marker = "This run of barriers has not finished (it is running, failed or was killed).\n";
  marker += "command: " + command + "\n";
  const std::time_t now = std::time(nullptr);
  char stamp[64];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  marker += std::string("started: ") + stamp + "\n";
  marker += "Files present beside this marker are complete; files missing were not written.\n";
  try {
    write(marker_name, marker);
  } catch (const std::runtime_error& e) {
    throw UsageError(std::string("--out: ") + e.what());
  }
}

void OutputDir::write(const std::string& name, std::string_view content) const {
  check_plain_name(name);
  const fs::path target = dir_ / name;
  const fs::path temp = dir_ / ("." + name + ".tmp-" + std::to_string(::getpid()));
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error("cannot write " + quote_for_message(target.string(), 200) + ": " + system_reason(errno));
  int err = write_all(fd, content);
  if (err == 0 && ::fsync(fd) != 0 && errno != EINVAL) err = errno;
  if (::close(fd) != 0 && err == 0) err = errno;
  if (err == 0 && std::rename(temp.c_str(), target.c_str()) != 0) err = errno;
  if (err != 0) {
    ::unlink(temp.c_str());
    throw std::runtime_error("cannot write " + quote_for_message(target.string(), 200) + ": " + system_reason(err));
  }
}

bool OutputDir::plot(const std::string& script_name, const std::string& script, const std::string& png_name) const {
  check_plain_name(png_name);
  write(script_name, script);
  std::error_code ec;
  fs::remove(dir_ / png_name, ec);
  int status = -1;
  const pid_t pid = ::fork();
  if (pid == 0) {
    // Child: run gnuplot on the plain script name inside the output directory.
    if (::chdir(dir_.c_str()) != 0) _exit(126);
    const int null = ::open("/dev/null", O_WRONLY);
    if (null >= 0) {
      ::dup2(null, STDOUT_FILENO);
      ::dup2(null, STDERR_FILENO);
    }
    ::execlp("gnuplot", "gnuplot", script_name.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  if (pid > 0) {
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  const bool ok = pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 && fs::exists(dir_ / png_name, ec);
  // gnuplot exits 0 even when it could not write all of its output (a full
  // disk leaves a cut PNG): a PNG is complete only if it ends with IEND.
  if (ok && !complete_png(dir_ / png_name)) {
    fs::remove(dir_ / png_name, ec);
    throw std::runtime_error("cannot write " + quote_for_message((dir_ / png_name).string(), 200) +
                             ": gnuplot left it incomplete (is the disk full?)");
  }
  if (!ok) {
    fs::remove(dir_ / png_name, ec);  // whatever a failed gnuplot left
    std::cerr << "note: gnuplot failed or is missing; " << script_name << " and its data were written instead of "
              << png_name << "\n";
  }
  return ok;
}

void OutputDir::finish() const {
  if (::unlink((dir_ / marker_name).c_str()) != 0 && errno != ENOENT)
    throw std::runtime_error("cannot remove the marker " + quote_for_message((dir_ / marker_name).string(), 200) + ": " +
                             system_reason(errno));
}

}  // namespace barriers::cli
