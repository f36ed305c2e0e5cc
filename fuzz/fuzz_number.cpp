// Number parser (oracle::parse_rational), used by every reader and by exact
// option values such as --lambda. A token that reads must print (p/q) and
// read back to the same value.
#include <stdexcept>

#include "barriers/oracle/instance.hpp"
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using barriers::oracle::parse_rational;
  try {
    const barriers::rational q = parse_rational(barriers::fuzz::as_string(data, size));
    if (parse_rational(q.str()) != q) __builtin_trap();
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
