// Reading and writing grey-scale images: PNG (libpng) and PGM (P2, P5).
//
// An image is a Matrix<R> with entries in [0, 1], pixel (i, j) = row i from
// the top, column j from the left (stored column by column, as ImageShape).
// Reading accepts PNG of every colour type and bit depth and PGM P2 / P5
// with maxval 1..65535. A stored sample v with maximum M becomes v / M;
// colour becomes grey with the ITU-R BT.601 luma weights applied to the
// stored (gamma-encoded) samples, (299 r + 587 g + 114 b) / (1000 M), and
// alpha is ignored. Each pixel is one exact integer ratio, rounded once to R.
//
// Hostile input: only regular files are opened (oracle::open_data_file),
// files above max_image_file_bytes are refused before reading, and the
// claimed dimensions are checked against max_image_side, max_image_pixels and
// the machine's memory before any pixel buffer is allocated. Every problem
// (wrong magic, truncation, corrupt data, libpng errors) is reported as one
// std::invalid_argument naming the source; nothing else escapes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "barriers/solvers/solver_types.hpp"

namespace barriers {

/// Largest accepted side (pixels) and pixel count of an image read.
inline constexpr std::int64_t max_image_side = 32768;
inline constexpr std::int64_t max_image_pixels = std::int64_t(1) << 28;
/// Largest accepted image file (bytes): 1 GiB.
inline constexpr std::uint64_t max_image_file_bytes = std::uint64_t(1) << 30;

/// A decoded image before conversion: pixel (i, j) is
/// values[i + rows * j] / denominator exactly.
struct GreyPixels {
  std::int64_t rows = 0, cols = 0;
  std::vector<std::uint32_t> values;
  std::uint32_t denominator = 1;
};

/// Decodes PNG or PGM bytes (told apart by their magic). `source` names the
/// input in error messages. Throws std::invalid_argument on any bad input.
GreyPixels decode_image(std::string_view bytes, const std::string& source);

/// Reads and decodes the image file PATH (see decode_image).
GreyPixels read_image_file(const std::string& path);

/// The pixels as numbers in [0, 1], each rounded once to R.
template <class R>
Matrix<R> to_image(const GreyPixels& pixels);

/// read_image_file() then to_image().
template <class R>
Matrix<R> read_image(const std::string& path) {
  return to_image<R>(read_image_file(path));
}

enum class ImageFormat { png, pgm_ascii /*P2*/, pgm_binary /*P5*/ };

/// The file contents of `image` as an 8- or 16-bit grey image: each entry
/// clamped to [0, 1] and rounded to the nearest of the 2^bits levels.
/// Throws std::invalid_argument for bits other than 8 and 16, an empty image
/// or a NaN entry.
template <class R>
std::string encode_image(const Matrix<R>& image, ImageFormat format, int bits = 8);

#define BARRIERS_X(R)                                                   \
  extern template Matrix<R> to_image<R>(const GreyPixels&);            \
  extern template std::string encode_image<R>(const Matrix<R>&, ImageFormat, int);
BARRIERS_FOR_EACH_REAL(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
