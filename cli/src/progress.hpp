// Progress lines on stderr for long runs: shown only when stderr is a
// terminal and --quiet was not given, so logs and pipes stay clean.
#pragma once

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <string>

namespace barriers::cli {

inline std::function<void(const std::string&)> make_progress(bool quiet) {
  if (quiet || !isatty(fileno(stderr))) return {};
  const auto start = std::chrono::steady_clock::now();
  return [start](const std::string& message) {
    const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::fprintf(stderr, "[%7.1fs] %s\n", t, message.c_str());
  };
}

}  // namespace barriers::cli
