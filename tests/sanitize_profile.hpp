// The smaller test profile of `make sanitize`. Its CTest run sets
// BARRIERS_SANITIZE_PROFILE=1, and the slowest cases (minutes in Release,
// 10-20 times longer under AddressSanitizer) are then skipped with
//   TEST_CASE("..." * doctest::skip(barriers::test::sanitize_profile()))
// Each skipped case has a quick case beside it that runs the same code paths;
// `make test` (Release) runs everything.
#pragma once

#include <cstdlib>
#include <cstring>

namespace barriers::test {

inline bool sanitize_profile() {
  const char* v = std::getenv("BARRIERS_SANITIZE_PROFILE");
  return v != nullptr && std::strcmp(v, "1") == 0;
}

}  // namespace barriers::test
