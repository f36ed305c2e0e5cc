// An option given with an empty value is an error: for options such as --out
// or --lr-rule an empty string would otherwise silently mean "not given".
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace barriers::cli {

inline CLI::Validator non_empty() {
  return CLI::Validator(
      [](std::string& value) { return value.empty() ? std::string("the value is empty") : std::string(); }, "",
      "NONEMPTY");
}

}  // namespace barriers::cli
