// Strict parsing of whole numbers from option values, with errors that name
// the option, the value and the allowed range.
#pragma once

#include <cctype>
#include <string>

#include "output_files.hpp"
#include "usage_error.hpp"

namespace barriers::cli {

inline long long parse_integer(const std::string& option, const std::string& text, long long min, long long max) {
  const std::string range = "allowed " + std::to_string(min) + ".." + std::to_string(max);
  std::size_t i = (!text.empty() && (text[0] == '-' || text[0] == '+')) ? 1 : 0;
  bool ok = i < text.size() && text.size() - i <= 18;
  for (std::size_t k = i; ok && k < text.size(); ++k) ok = std::isdigit(static_cast<unsigned char>(text[k])) != 0;
  if (!ok) throw UsageError(option + " " + quote_for_message(text) + " is not a whole number (" + range + ")");
  const long long v = std::stoll(text);
  if (v < min || v > max) throw UsageError(option + " " + text + " is out of range: " + range);
  return v;
}

}  // namespace barriers::cli
