// How the oracle chooses among the many legitimate answers to a query.
//
// Any dyadic data within 2^-n of the exact data is a legitimate answer to
// query n (THEORY.md section 2); the theorem quantifies over all of them.
#pragma once

#include <cstdint>
#include <string>

namespace barriers::oracle {

enum class AnswerPolicy {
  nearest,      ///< each entry correctly rounded to a 2^-f grid (ties to even)
  random,       ///< each entry moved by a seeded random offset of at most 2^-f
  adversarial,  ///< the data of a second instance whenever that is certified legitimate
  ieee,         ///< each entry correctly rounded to IEEE double; bound may exceed 2^-n
};

std::string to_string(AnswerPolicy p);
/// Parses "nearest", "random", "adversarial" or "ieee"; throws
/// std::invalid_argument naming the value and the allowed names otherwise.
AnswerPolicy parse_answer_policy(const std::string& name);

/// Largest accepted query precision n (bits). Beyond it a query would need
/// absurd memory; 2^-100000 is far below anything an experiment resolves.
inline constexpr long max_query_bits = 100000;

/// Largest answer, in bits of data (entries x (n + 64)), a query may produce.
inline constexpr double max_answer_bits = 4294967296.0;  // 2^32 bits = 512 MB

/// Throws std::invalid_argument unless 0 <= n <= max_query_bits.
void check_query_bits(long n);

}  // namespace barriers::oracle
