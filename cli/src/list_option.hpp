// Comma-separated lists of whole numbers in option values ("1,3,6").
#pragma once

#include <sstream>
#include <string>
#include <vector>

#include "parse_number.hpp"

namespace barriers::cli {

inline std::vector<long> parse_integer_list(const std::string& option, const std::string& text, long min, long max) {
  std::vector<long> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) out.push_back(long(parse_integer(option, item, min, max)));
  if (out.empty()) throw UsageError(option + " '" + text + "' is empty: give a comma-separated list such as 1,3,6");
  return out;
}

}  // namespace barriers::cli
