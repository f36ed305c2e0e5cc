// Shared by the fuzz targets. Their rule: a reader may reject input only
// with std::invalid_argument; any other exception escapes to libFuzzer,
// which reports it as a crash, as it does sanitizer reports and traps.
#pragma once

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

namespace barriers::fuzz {

inline std::string as_string(const std::uint8_t* data, std::size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

}  // namespace barriers::fuzz
