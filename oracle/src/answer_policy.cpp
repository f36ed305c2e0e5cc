#include "barriers/oracle/answer_policy.hpp"

#include <stdexcept>

namespace barriers::oracle {

std::string to_string(AnswerPolicy p) {
  switch (p) {
    case AnswerPolicy::nearest: return "nearest";
    case AnswerPolicy::random: return "random";
    case AnswerPolicy::adversarial: return "adversarial";
    case AnswerPolicy::ieee: return "ieee";
  }
  return "unknown";
}

AnswerPolicy parse_answer_policy(const std::string& name) {
  for (auto p : {AnswerPolicy::nearest, AnswerPolicy::random, AnswerPolicy::adversarial, AnswerPolicy::ieee})
    if (name == to_string(p)) return p;
  throw std::invalid_argument("unknown answer policy '" + name + "': allowed are nearest, random, adversarial, ieee");
}

void check_query_bits(long n) {
  if (n < 0 || n > max_query_bits)
    throw std::invalid_argument("query precision n = " + std::to_string(n) + " is out of range: allowed 0.." +
                                std::to_string(max_query_bits) + " (the answer is within 2^-n)");
}

}  // namespace barriers::oracle
