// Errors the command line reports as one line on stderr.
//
// A UsageError (exit 2) is the user's to fix: a bad option value, an unknown
// name, a malformed input file. Library code signals these with
// std::invalid_argument / std::out_of_range, which main() also maps to 2.
#pragma once

#include <stdexcept>
#include <string>

namespace barriers::cli {

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

inline constexpr int exit_usage = 2;
inline constexpr int exit_failure = 1;

}  // namespace barriers::cli
