#include "barriers/oracle/oracle.hpp"

namespace barriers::oracle {
namespace {
std::optional<ExactMatrix> other_part(const std::optional<Instance>& other, bool matrix) {
  if (!other) return std::nullopt;
  return matrix ? other->A : other->y;
}
const Instance& validated(const Instance& i) {
  i.validate();
  return i;
}
}  // namespace

Oracle::Oracle(const Instance& instance, OracleSettings settings, std::optional<Instance> other)
    : instance_(validated(instance)),
      a_(instance.A, settings, other_part(other, true), 0),
      y_(instance.y, settings, other_part(other, false), 1) {}

InstanceAnswer Oracle::query(long n) const { return {a_.query(n), y_.query(n)}; }

}  // namespace barriers::oracle
