// Rational instance file reader (oracle/src/instance.cpp). A file that reads
// must give a consistent instance whose exact data the oracle answers.
#include <stdexcept>

#include "barriers/oracle/instance.hpp"
#include "barriers/oracle/oracle.hpp"
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace barriers::oracle;
  std::istringstream in(barriers::fuzz::as_string(data, size));
  try {
    const Instance inst = parse_rational_instance(in, "fuzz.txt", size);
    inst.validate();
    // A cheap query (n = 2) runs the magnitude and precision schedule on
    // whatever values the file holds.
    const InstanceAnswer a = Oracle(inst, {AnswerPolicy::nearest, 0}).query(2);
    if (!a.A.bound_met || !a.y.bound_met) __builtin_trap();
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
