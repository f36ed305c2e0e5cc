// Comma-separated lists in option values ("1,3,6", "pdhg,firenet").
#pragma once

#include <sstream>
#include <string>
#include <vector>

#include "parse_number.hpp"

namespace barriers::cli {

/// The comma-separated items of text, empty ones included ("1,,3" has three).
inline std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) out.push_back(item);
  return out;
}

inline std::vector<long> parse_integer_list(const std::string& option, const std::string& text, long min, long max) {
  std::vector<long> out;
  for (const std::string& item : split_list(text)) out.push_back(long(parse_integer(option, item, min, max)));
  if (out.empty()) throw UsageError(option + " '" + text + "' is empty: give a comma-separated list such as 1,3,6");
  return out;
}

}  // namespace barriers::cli
