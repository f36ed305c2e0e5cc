// --shard I/N: run every N-th cell of an experiment (cells numbered in the
// order a serial run visits them, from 0), so that N independent jobs on a
// batch scheduler cover the whole run; `barriers merge` then combines their
// saved cells.
#pragma once

#include <string>

#include "parse_number.hpp"
#include "usage_error.hpp"

namespace barriers::cli {

struct Shard {
  long index = 1;  ///< 1 <= index <= count
  long count = 1;
  bool owns(std::size_t cell) const { return long(cell % std::size_t(count)) == index - 1; }
  bool whole() const { return count == 1; }
};

/// Parses "I/N" (1 <= I <= N <= 100000); "" means the whole run.
inline Shard parse_shard(const std::string& text) {
  if (text.empty()) return {};
  const auto slash = text.find('/');
  if (slash == std::string::npos)
    throw UsageError("--shard " + quote_for_message(text) + ": expected I/N with 1 <= I <= N, e.g. 2/8 for the second of eight shards");
  Shard s;
  s.count = long(parse_integer("--shard N", text.substr(slash + 1), 1, 100000));
  s.index = long(parse_integer("--shard I", text.substr(0, slash), 1, s.count));
  return s;
}

}  // namespace barriers::cli
