// Image files: exact round trips through 8- and 16-bit PNG and PGM, colour
// to grey with the stated weights, and a corpus of malformed files (wrong
// magic, truncation, huge claimed sizes, directories, devices) that must be
// refused with std::invalid_argument.
#include <doctest/doctest.h>
#include <png.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "barriers/precision/precision_guard.hpp"
#include "barriers/solvers/imaging/image_io.hpp"

using namespace barriers;
namespace fs = std::filesystem;

namespace {

// A scratch folder for this test process, removed at exit.
struct ScratchDir {
  fs::path path = fs::temp_directory_path() / ("barriers_image_io_" + std::to_string(::getpid()));
  ScratchDir() { fs::create_directories(path); }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string write(const std::string& name, const std::string& bytes) const {
    const fs::path p = path / name;
    std::ofstream(p, std::ios::binary) << bytes;
    return p.string();
  }
};

// A random image whose entries are exactly k / levels in R (k integer).
template <class R>
Matrix<R> quantised_image(Eigen::Index rows, Eigen::Index cols, std::uint32_t levels, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  Matrix<R> m(rows, cols);
  for (Eigen::Index k = 0; k < m.size(); ++k) m(k) = R(std::uint32_t(rng() % (levels + 1))) / R(levels);
  m(0) = 0;
  m(1) = 1;
  return m;
}

template <class R>
void check_round_trip(const ScratchDir& dir, ImageFormat format, int bits, Eigen::Index rows, Eigen::Index cols) {
  const std::uint32_t levels = bits == 8 ? 255 : 65535;
  const Matrix<R> image = quantised_image<R>(rows, cols, levels, std::uint64_t(rows * 31 + cols + bits));
  const std::string path = dir.write("round_trip", encode_image(image, format, bits));
  const GreyPixels px = read_image_file(path);
  CHECK(px.denominator == levels);
  const Matrix<R> back = read_image<R>(path);
  REQUIRE(back.rows() == rows);
  REQUIRE(back.cols() == cols);
  CHECK(back == image);  // both are k / levels rounded once to R
}

// PNG chunk CRC (ISO 3309 / ITU-T V.42, as in the PNG specification).
std::uint32_t crc32(const unsigned char* p, std::size_t n) {
  std::uint32_t c = 0xffffffffu;
  for (std::size_t i = 0; i < n; ++i) {
    c ^= p[i];
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
  }
  return c ^ 0xffffffffu;
}

// A valid PNG with its IHDR width and height replaced (CRC recomputed).
std::string png_with_size(std::uint32_t width, std::uint32_t height) {
  std::string png = encode_image<double>(Matrix<double>::Constant(4, 4, 0.5), ImageFormat::png, 8);
  // Signature (8), IHDR length (4), "IHDR" (4), width, height, ...; CRC over type + 13 data bytes.
  auto put = [&](std::size_t at, std::uint32_t v) {
    for (int b = 0; b < 4; ++b) png[at + std::size_t(b)] = char((v >> (24 - 8 * b)) & 0xff);
  };
  put(16, width);
  put(20, height);
  put(29, crc32(reinterpret_cast<const unsigned char*>(png.data()) + 12, 17));
  return png;
}

void check_refused(const std::string& bytes, const char* what) {
  CAPTURE(what);
  CHECK_THROWS_AS(decode_image(bytes, "test"), std::invalid_argument);
}

}  // namespace

TEST_CASE("image files: exact 8- and 16-bit round trips (PNG, PGM P2 and P5)") {
  ScratchDir dir;
  for (const ImageFormat f : {ImageFormat::png, ImageFormat::pgm_binary, ImageFormat::pgm_ascii})
    for (const int bits : {8, 16}) {
      CAPTURE(int(f));
      CAPTURE(bits);
      check_round_trip<double>(dir, f, bits, 37, 53);
      check_round_trip<double>(dir, f, bits, 1, 1 + 1);
      check_round_trip<long double>(dir, f, bits, 16, 9);
    }
  PrecisionGuard guard(256);
  check_round_trip<mpfr_real>(dir, ImageFormat::png, 16, 12, 20);
  check_round_trip<mpfr_real>(dir, ImageFormat::pgm_binary, 16, 12, 20);
}

TEST_CASE("image files: encoding clamps and rounds to the nearest level") {
  Matrix<double> m(1, 4);
  m << -0.5, 0.5, 0.999, 7;
  const GreyPixels px = decode_image(encode_image(m, ImageFormat::pgm_ascii, 8), "test");
  CHECK(px.values == std::vector<std::uint32_t>{0, 128, 255, 255});  // 0.5 * 255 = 127.5 rounds up
  CHECK(encode_image(m, ImageFormat::pgm_ascii, 8) == "P2\n4 1\n255\n0 128 255 255\n");
  CHECK_THROWS_AS(encode_image(m, ImageFormat::png, 12), std::invalid_argument);
  m(0) = std::nan("");
  CHECK_THROWS_AS(encode_image(m, ImageFormat::png, 8), std::invalid_argument);
  CHECK_THROWS_AS(encode_image(Matrix<double>(0, 3), ImageFormat::png, 8), std::invalid_argument);
}

TEST_CASE("image files: colour PNG becomes grey with the BT.601 weights, alpha ignored") {
  // An RGBA and an RGB image from libpng's own writer.
  const unsigned char rgba[2 * 4] = {200, 100, 50, 7, 0, 255, 0, 255};
  for (const bool alpha : {true, false}) {
    png_image img{};
    img.version = PNG_IMAGE_VERSION;
    img.width = 2;
    img.height = 1;
    img.format = alpha ? PNG_FORMAT_RGBA : PNG_FORMAT_RGB;
    unsigned char rgb[6] = {200, 100, 50, 0, 255, 0};
    const void* buffer = alpha ? static_cast<const void*>(rgba) : rgb;
    png_alloc_size_t size = 0;
    REQUIRE(png_image_write_to_memory(&img, nullptr, &size, 0, buffer, 0, nullptr));
    std::string bytes(size, '\0');
    REQUIRE(png_image_write_to_memory(&img, bytes.data(), &size, 0, buffer, 0, nullptr));
    bytes.resize(size);
    const GreyPixels px = decode_image(bytes, "rgb");
    CHECK(px.denominator == 255000);
    CHECK(px.values == std::vector<std::uint32_t>{299 * 200 + 587 * 100 + 114 * 50, 587 * 255});
  }
}

TEST_CASE("image files: every PNG colour type, bit depth and interlacing") {
  // Small files made with Python's zlib by hand (also the fuzz seeds in fuzz/corpus/image/).
  // 1-bit grey 9 x 2: rows 101010101 and 010101010 (expanded to 0 / 255).
  const GreyPixels a = decode_image(std::string("\x89\x50\x4E\x47\x0D\x0A\x1A\x0A\x00\x00\x00\x0D\x49\x48\x44\x52\x00\x00\x00\x09\x00\x00\x00\x02\x01\x00\x00\x00\x00\xA2\x2D\xCB\x7E\x00\x00\x00\x0E\x49\x44\x41\x54\x78\x9C\x63\x58\xD5\xC0\x10\xCA\x00\x00\x06\x02\x01\x80\x82\x1D\x99\x65\x00\x00\x00\x00\x49\x45\x4E\x44\xAE\x42\x60\x82", 71), "grey1");
  REQUIRE(a.values.size() == 18);
  CHECK(a.denominator == 255);
  for (int j = 0; j < 9; ++j) {
    CHECK(a.values[std::size_t(2 * j)] == (j % 2 == 0 ? 255u : 0u));
    CHECK(a.values[std::size_t(2 * j + 1)] == (j % 2 == 1 ? 255u : 0u));
  }
  // Grey + alpha 2 x 2: grey 1, 3 / 5, 7 (alpha 2, 4, 6, 8 ignored).
  CHECK(decode_image(std::string("\x89\x50\x4E\x47\x0D\x0A\x1A\x0A\x00\x00\x00\x0D\x49\x48\x44\x52\x00\x00\x00\x02\x00\x00\x00\x02\x08\x04\x00\x00\x00\xD8\xBF\xC5\xAF\x00\x00\x00\x12\x49\x44\x41\x54\x78\x9C\x63\x60\x64\x62\x66\x61\x60\x65\x63\xE7\x00\x00\x00\x8C\x00\x25\x28\x52\x82\xE5\x00\x00\x00\x00\x49\x45\x4E\x44\xAE\x42\x60\x82", 75), "ga").values == std::vector<std::uint32_t>{1, 5, 3, 7});
  // 2-bit palette 4 x 2, palette black, red, green, white (tRNS ignored):
  // indices 0 1 2 3 / 3 2 1 0.
  const GreyPixels p = decode_image(std::string("\x89\x50\x4E\x47\x0D\x0A\x1A\x0A\x00\x00\x00\x0D\x49\x48\x44\x52\x00\x00\x00\x04\x00\x00\x00\x02\x02\x03\x00\x00\x00\x02\xC6\x95\xF0\x00\x00\x00\x0C\x50\x4C\x54\x45\x00\x00\x00\xFF\x00\x00\x00\xFF\x00\xFF\xFF\xFF\xB6\x7C\xDA\x43\x00\x00\x00\x02\x74\x52\x4E\x53\x00\x80\x9B\x2B\x4E\x18\x00\x00\x00\x0C\x49\x44\x41\x54\x78\x9C\x63\x90\x66\x78\x02\x00\x01\x39\x01\x00\x45\x64\x91\x9B\x00\x00\x00\x00\x49\x45\x4E\x44\xAE\x42\x60\x82", 107), "palette");
  CHECK(p.denominator == 255000);
  const std::uint32_t black = 0, red = 299 * 255, green = 587 * 255, white = 1000 * 255;
  CHECK(p.values == std::vector<std::uint32_t>{black, white, red, green, green, red, white, black});
  // Adam7-interlaced 8-bit grey 5 x 5 with pixel (i, j) = 5 i + j.
  const GreyPixels q = decode_image(std::string("\x89\x50\x4E\x47\x0D\x0A\x1A\x0A\x00\x00\x00\x0D\x49\x48\x44\x52\x00\x00\x00\x05\x00\x00\x00\x05\x08\x00\x00\x00\x01\xDF\x03\x49\xAF\x00\x00\x00\x29\x49\x44\x41\x54\x78\x9C\x05\xC1\x85\x01\x80\x30\x00\xC0\xB0\x8E\xB9\xBB\xFC\x7F\x29\x09\xA0\x58\x8F\x8F\x43\x48\x05\x21\x89\x99\x7D\xD1\xC6\x3A\x4F\x6D\x7D\xCC\x1F\x11\xDF\x01\x2D\x5B\xD3\xE6\x3F\x00\x00\x00\x00\x49\x45\x4E\x44\xAE\x42\x60\x82", 98), "interlaced");
  REQUIRE(q.values.size() == 25);
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < 5; ++j) CHECK(q.values[std::size_t(i + 5 * j)] == std::uint32_t(5 * i + j));
  // 16-bit RGBA 2 x 1 with bytes 0, 1, ..., 15: big-endian samples, alpha dropped.
  const GreyPixels r = decode_image(std::string("\x89\x50\x4E\x47\x0D\x0A\x1A\x0A\x00\x00\x00\x0D\x49\x48\x44\x52\x00\x00\x00\x02\x00\x00\x00\x01\x10\x06\x00\x00\x00\xA4\xB2\xA3\xC9\x00\x00\x00\x19\x49\x44\x41\x54\x78\x9C\x63\x60\x60\x64\x62\x66\x61\x65\x63\xE7\xE0\xE4\xE2\xE6\xE1\xE5\xE3\x07\x00\x02\xB9\x00\x79\xCC\x8C\x7E\xEC\x00\x00\x00\x00\x49\x45\x4E\x44\xAE\x42\x60\x82", 82), "rgba16");
  CHECK(r.denominator == 65535000u);
  CHECK(r.values == std::vector<std::uint32_t>{299 * 0x0001 + 587 * 0x0203 + 114 * 0x0405,
                                               299 * 0x0809 + 587 * 0x0A0B + 114 * 0x0C0D});
}

TEST_CASE("image files: PGM header details") {
  // Comments and any whitespace in the header; maxval 1; 16-bit big-endian samples.
  const GreyPixels a = decode_image("P2 # a comment\n2 # width\n1\n1\n0 1\n", "t");
  CHECK(a.values == std::vector<std::uint32_t>{0, 1});
  CHECK(a.denominator == 1);
  const GreyPixels b = decode_image(std::string("P5\n1 2\n1000\n\x01\x02\x03\x04", 16), "t");
  CHECK(b.values == std::vector<std::uint32_t>{258, 772});
  // Pixel (i, j) is row i from the top: the second sample of a 2 x 1 (w x h) file is row 0, column 1.
  const GreyPixels c = decode_image("P2\n2 2\n9\n1 2\n3 4\n", "t");
  CHECK(c.values == std::vector<std::uint32_t>{1, 3, 2, 4});  // column-major
}

TEST_CASE("image files: malformed input is refused with invalid_argument") {
  const std::string png = encode_image<double>(Matrix<double>::Constant(20, 30, 0.25), ImageFormat::png, 16);
  check_refused("", "empty");
  check_refused("GIF89a......", "wrong magic");
  check_refused("P6\n1 1\n255\n\0\0\0", "colour PPM");
  check_refused(png.substr(0, 8), "PNG signature only");
  check_refused(png.substr(0, 40), "PNG cut in the header");
  check_refused(png.substr(0, png.size() / 2), "PNG cut in the data");
  std::string bad_crc = png;
  bad_crc[20] ^= 1;
  check_refused(bad_crc, "PNG header CRC wrong");
  std::string bad_data = png;
  for (std::size_t k = 60; k < bad_data.size() - 20; k += 7) bad_data[k] = char(~bad_data[k]);
  check_refused(bad_data, "PNG data corrupted");
  check_refused(png_with_size(100000, 4), "PNG wider than the limit");
  check_refused(png_with_size(30000, 30000), "PNG with too many pixels");
  check_refused(png_with_size(0, 4), "PNG of width 0");
  check_refused(png_with_size(4000, 4000), "PNG claiming more pixels than its data");
  // Within the side and pixel limits, but a 100-byte file cannot inflate to
  // 2^28 bytes: refused before the 1.25 GB of buffers are allocated.
  CHECK_THROWS_WITH_AS(decode_image(png_with_size(16384, 16384), "t"), doctest::Contains("cannot hold"),
                       std::invalid_argument);
  check_refused("P5\n100000 1\n255\n", "PGM wider than the limit");
  check_refused("P5\n20000 20000\n255\n\x01", "PGM with too many pixels");
  check_refused("P5\n1000 1000\n255\n0123456789", "PGM P5 truncated");
  check_refused("P5\n2 1\n1000\n\x01\x02\x03", "PGM P5 16-bit truncated");
  check_refused(std::string("P5\n2 1\n200\n\xff\x01", 14), "PGM P5 sample above maxval");
  check_refused("P2\n2 2\n255\n1 2 3", "PGM P2 truncated");
  check_refused("P2\n2 1\n255\n1 256", "PGM P2 sample above maxval");
  check_refused("P2\n2 1\n255\n1 -2", "PGM P2 negative sample");
  check_refused("P2\n2 1\n255\n1 2x", "PGM P2 junk after a sample");
  check_refused("P2\n2 1\n0\n0 0", "PGM maxval 0");
  check_refused("P2\n2 1\n65536\n0 0", "PGM maxval too large");
  check_refused("P2\n0 1\n255\n", "PGM width 0");
  check_refused("P2\n99999999999999999999 1\n255\n", "PGM width overflowing");
  check_refused("P2\n3000 3000\n255\n1 2 3", "PGM P2 claiming more samples than bytes");
  check_refused("P5", "PGM magic only");
  check_refused("P5\n2 1\n255", "PGM no byte after maxval");
}

TEST_CASE("image files: only regular files are read") {
  ScratchDir dir;
  CHECK_THROWS_AS(read_image_file(dir.path.string()), std::invalid_argument);  // a directory
  CHECK_THROWS_AS(read_image_file((dir.path / "missing.png").string()), std::invalid_argument);
  if (fs::exists("/dev/zero")) CHECK_THROWS_AS(read_image_file("/dev/zero"), std::invalid_argument);
  const std::string empty = dir.write("empty.pgm", "");
  CHECK_THROWS_AS(read_image_file(empty), std::invalid_argument);
}
