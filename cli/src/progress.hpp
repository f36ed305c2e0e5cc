// Progress lines on stderr for long runs, in every mode unless --quiet: on a
// terminal every message is shown; otherwise (a log file, a pipe) at most one
// line every few seconds, so that a long run leaves a readable trace
// without flooding the log. Each line shows the elapsed time and, where the
// caller knows the fraction done, an estimate of the time left.
#pragma once

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

namespace barriers::cli {

class ProgressPrinter {
 public:
  /// min_interval: seconds between two lines (0: every message).
  explicit ProgressPrinter(double min_interval) : min_interval_(min_interval) {}

  /// Prints "[elapsed] message" (and ", about T left" when 0 < fraction_done
  /// < 1) unless a line was printed less than min_interval ago. Thread-safe.
  void print(double fraction_done, const std::string& message) {
    std::lock_guard<std::mutex> lock(mutex_);
    const double t = std::chrono::duration<double>(Clock::now() - start_).count();
    if (printed_ && t - last_ < min_interval_) return;
    printed_ = true;
    last_ = t;
    std::string eta;
    if (fraction_done > 0.001 && fraction_done < 1) eta = ", about " + duration(t * (1 - fraction_done) / fraction_done) + " left";
    std::fprintf(stderr, "[%s] %s%s\n", duration(t).c_str(), message.c_str(), eta.c_str());
    std::fflush(stderr);
  }

  /// "12.3s", "4m05s", "2h07m".
  static std::string duration(double seconds) {
    char buf[48];
    if (seconds < 60) {
      std::snprintf(buf, sizeof buf, "%.1fs", seconds);
    } else if (seconds < 3600) {
      std::snprintf(buf, sizeof buf, "%dm%02ds", int(seconds / 60), int(seconds) % 60);
    } else {
      std::snprintf(buf, sizeof buf, "%dh%02dm", int(seconds / 3600), int(seconds / 60) % 60);
    }
    return buf;
  }

 private:
  using Clock = std::chrono::steady_clock;
  const Clock::time_point start_ = Clock::now();
  double min_interval_;
  double last_ = 0;
  bool printed_ = false;
  std::mutex mutex_;
};

/// Seconds between progress lines when stderr is not a terminal.
inline constexpr double progress_interval_not_tty = 5.0;

inline std::shared_ptr<ProgressPrinter> make_progress_printer(bool quiet) {
  if (quiet) return nullptr;
  return std::make_shared<ProgressPrinter>(isatty(fileno(stderr)) ? 0.0 : progress_interval_not_tty);
}

/// Progress with the fraction of the work done (for an ETA); empty when quiet.
inline std::function<void(double, const std::string&)> make_fraction_progress(bool quiet) {
  auto p = make_progress_printer(quiet);
  if (!p) return {};
  return [p](double fraction_done, const std::string& message) { p->print(fraction_done, message); };
}

/// Progress messages without a known fraction; empty when quiet.
inline std::function<void(const std::string&)> make_progress(bool quiet) {
  auto p = make_progress_printer(quiet);
  if (!p) return {};
  return [p](const std::string& message) { p->print(-1, message); };
}

}  // namespace barriers::cli
