// PNG (libpng, classic API) and PGM reading and writing; see image_io.hpp.
#include "barriers/solvers/imaging/image_io.hpp"

#include <png.h>
#include <unistd.h>

#include <cmath>
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <stdexcept>

#include "barriers/oracle/text_input.hpp"

namespace barriers {
namespace {

// Refuses dimensions beyond the stated limits or the machine's memory (the
// decoded image needs a few bytes per pixel here and up to ~64 bytes per
// pixel as MPFR numbers later), before anything is allocated.
void check_dimensions(std::int64_t rows, std::int64_t cols, const std::string& source) {
  const std::string claim = source + ": the header claims " + std::to_string(cols) + " x " + std::to_string(rows) +
                            " pixels (width x height)";
  if (rows < 1 || cols < 1) throw std::invalid_argument(claim + "; both sides must be at least 1");
  if (rows > max_image_side || cols > max_image_side)
    throw std::invalid_argument(claim + "; each side may be at most " + std::to_string(max_image_side));
  if (rows * cols > max_image_pixels)
    throw std::invalid_argument(claim + "; at most " + std::to_string(max_image_pixels) + " pixels are accepted");
  const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGESIZE);
  const double memory = pages > 0 && page > 0 ? double(pages) * double(page) : 0;
  if (memory > 0 && double(rows) * double(cols) * 64 > memory)
    throw std::invalid_argument(claim + ", more than this machine's memory can hold");
}

// ---------------------------------------------------------------------------
// PNG. libpng reports errors by longjmp. The functions that call setjmp hold
// only trivially destructible locals (no C++ object is skipped by the jump)
// and take caller-owned buffers; the message is copied into a char array and
// turned into an exception by the caller, after libpng's state is freed.
// ---------------------------------------------------------------------------

struct PngInput {
  const unsigned char* data;
  std::size_t size;
  std::size_t pos;
  char message[200];
};

struct PngHeader {
  png_uint_32 width, height;
  int bit_depth, color_type;
};

void png_on_error(png_structp png, png_const_charp msg) {
  auto* in = static_cast<PngInput*>(png_get_error_ptr(png));
  std::snprintf(in->message, sizeof in->message, "%s", msg ? msg : "unknown libpng error");
  png_longjmp(png, 1);
}

void png_on_warning(png_structp, png_const_charp) {}

void png_read_bytes(png_structp png, png_bytep out, png_size_t n) {
  auto* in = static_cast<PngInput*>(png_get_io_ptr(png));
  if (n > in->size - in->pos) png_error(png, "the file is truncated");
  std::memcpy(out, in->data + in->pos, n);
  in->pos += n;
}

// Samples per pixel and bytes per sample after the transforms set below.
int png_channels(int color_type) { return (color_type & PNG_COLOR_MASK_COLOR) ? 3 : 1; }
int png_sample_bytes(int bit_depth) { return bit_depth == 16 ? 2 : 1; }

// Reads the header (rows == nullptr) or the whole image into `rows` (one
// pointer per image row, each row width * channels * sample bytes long).
// Returns false with in->message set on any libpng error.
bool png_decode(PngInput* in, PngHeader* header, png_bytepp rows) {
  in->pos = 0;
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, in, png_on_error, png_on_warning);
  if (!png) {
    std::snprintf(in->message, sizeof in->message, "libpng could not start");
    return false;
  }
  png_infop info = png_create_info_struct(png);
  if (!info) {
    png_destroy_read_struct(&png, nullptr, nullptr);
    std::snprintf(in->message, sizeof in->message, "libpng could not start");
    return false;
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_read_struct(&png, &info, nullptr);
    return false;
  }
  png_set_read_fn(png, in, png_read_bytes);
  png_set_user_limits(png, png_uint_32(max_image_side), png_uint_32(max_image_side));
  png_set_chunk_cache_max(png, 1000);                  // ancillary chunks kept
  png_set_chunk_malloc_max(png, png_alloc_size_t(1) << 24);  // bytes per chunk (also decompressed text)
  png_read_info(png, info);
  header->width = png_get_image_width(png, info);
  header->height = png_get_image_height(png, info);
  header->bit_depth = png_get_bit_depth(png, info);
  header->color_type = png_get_color_type(png, info);
  if (rows) {
    if (header->color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (header->color_type == PNG_COLOR_TYPE_GRAY && header->bit_depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    png_set_strip_alpha(png);  // also the alpha the expansions make from a tRNS chunk
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    const png_size_t expected = png_size_t(header->width) * png_size_t(png_channels(header->color_type)) *
                                png_size_t(png_sample_bytes(header->bit_depth));
    if (png_get_rowbytes(png, info) != expected) png_error(png, "unexpected row layout after conversion");
    png_read_image(png, rows);
  }
  png_destroy_read_struct(&png, &info, nullptr);
  return true;
}

GreyPixels decode_png(std::string_view bytes, const std::string& source) {
  PngInput in{reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), 0, {}};
  PngHeader header{};
  if (!png_decode(&in, &header, nullptr))
    throw std::invalid_argument(source + ": not a readable PNG image (" + in.message + ")");
  const std::int64_t rows = header.height, cols = header.width;
  check_dimensions(rows, cols, source);
  // The pixel data, at its stored depth, is deflate-compressed in the file;
  // deflate expands at most 1032-fold (a 258-byte match costs at least 2
  // bits), so a small file claiming a large image is refused before the
  // buffers are allocated.
  const int stored_channels = header.color_type == PNG_COLOR_TYPE_PALETTE ? 1
                              : png_channels(header.color_type) + ((header.color_type & PNG_COLOR_MASK_ALPHA) ? 1 : 0);
  const double stored_row_bytes = std::ceil(double(cols) * stored_channels * header.bit_depth / 8);
  if (double(rows) * stored_row_bytes > 1032.0 * double(bytes.size()) + 1024)
    throw std::invalid_argument(source + ": the header claims " + std::to_string(cols) + " x " + std::to_string(rows) +
                                " pixels, which a file of " + std::to_string(bytes.size()) +
                                " bytes cannot hold (deflate compresses at most 1032:1)");
  const int channels = png_channels(header.color_type), sample_bytes = png_sample_bytes(header.bit_depth);
  const std::size_t row_bytes = std::size_t(cols) * std::size_t(channels * sample_bytes);
  std::vector<unsigned char> buffer(row_bytes * std::size_t(rows));
  std::vector<png_bytep> row_pointers(static_cast<std::size_t>(rows));
  for (std::int64_t i = 0; i < rows; ++i) row_pointers[std::size_t(i)] = buffer.data() + row_bytes * std::size_t(i);
  if (!png_decode(&in, &header, row_pointers.data()))
    throw std::invalid_argument(source + ": not a readable PNG image (" + in.message + ")");

  GreyPixels out;
  out.rows = rows;
  out.cols = cols;
  const std::uint32_t max_sample = sample_bytes == 2 ? 65535 : 255;
  out.denominator = channels == 3 ? 1000 * max_sample : max_sample;
  out.values.resize(std::size_t(rows * cols));
  for (std::int64_t i = 0; i < rows; ++i) {
    const unsigned char* p = row_pointers[std::size_t(i)];
    for (std::int64_t j = 0; j < cols; ++j) {
      std::uint32_t s[3];
      for (int c = 0; c < channels; ++c, p += sample_bytes)
        s[c] = sample_bytes == 2 ? (std::uint32_t(p[0]) << 8 | p[1]) : p[0];  // PNG is big-endian
      out.values[std::size_t(i + rows * j)] = channels == 3 ? 299 * s[0] + 587 * s[1] + 114 * s[2] : s[0];
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// PGM (netpbm): "P2" or "P5", width, height, maxval as decimal numbers
// separated by whitespace and '#' comments, then (P5) one whitespace byte
// and the samples, one or (maxval > 255) two big-endian bytes each, or (P2)
// the samples as decimal numbers. Only the first image of a file is read.
// ---------------------------------------------------------------------------

class PgmScanner {
 public:
  PgmScanner(std::string_view bytes, std::string source) : bytes_(bytes), source_(std::move(source)) {}

  // The next decimal number (skipping whitespace and comments), at most `max`.
  std::uint32_t number(const char* what, std::uint32_t max) {
    skip_space();
    if (pos_ >= bytes_.size()) throw std::invalid_argument(source_ + ": the file ends before the " + what);
    std::uint64_t v = 0;
    const std::size_t start = pos_;
    while (pos_ < bytes_.size() && bytes_[pos_] >= '0' && bytes_[pos_] <= '9') {
      v = v * 10 + std::uint64_t(bytes_[pos_] - '0');
      if (v > max)
        throw std::invalid_argument(source_ + ": the " + what + " exceeds " + std::to_string(max) + ", starting " +
                                    oracle::quote_input(bytes_.substr(start, 24)));
      ++pos_;
    }
    if (pos_ == start || (pos_ < bytes_.size() && !is_space(bytes_[pos_]) && bytes_[pos_] != '#'))
      throw std::invalid_argument(source_ + ": expected the " + what + " as a decimal number, found " +
                                  oracle::quote_input(bytes_.substr(start, 24)));
    return std::uint32_t(v);
  }
  // After maxval: exactly one whitespace byte, then the binary samples.
  std::string_view binary_rest() {
    if (pos_ >= bytes_.size() || !is_space(bytes_[pos_]))
      throw std::invalid_argument(source_ + ": expected one whitespace byte after maxval");
    return bytes_.substr(pos_ + 1);
  }
  std::size_t remaining() const { return bytes_.size() - pos_; }

 private:
  static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }
  void skip_space() {
    while (pos_ < bytes_.size()) {
      if (bytes_[pos_] == '#') {
        while (pos_ < bytes_.size() && bytes_[pos_] != '\n') ++pos_;
      } else if (is_space(bytes_[pos_])) {
        ++pos_;
      } else {
        return;
      }
    }
  }

  std::string_view bytes_;
  std::string source_;
  std::size_t pos_ = 2;  // after the magic
};

GreyPixels decode_pgm(std::string_view bytes, const std::string& source) {
  const bool binary = bytes[1] == '5';
  PgmScanner scan(bytes, source);
  const std::uint32_t limit = std::uint32_t(max_image_side);
  const std::int64_t cols = scan.number("width", limit), rows = scan.number("height", limit);
  check_dimensions(rows, cols, source);
  const std::uint32_t maxval = scan.number("maxval", 65535);
  if (maxval == 0) throw std::invalid_argument(source + ": maxval is 0; it must be 1..65535");
  const std::uint64_t count = std::uint64_t(rows * cols);
  GreyPixels out;
  out.rows = rows;
  out.cols = cols;
  out.denominator = maxval;
  if (binary) {
    const std::string_view data = scan.binary_rest();
    const std::uint64_t sample_bytes = maxval > 255 ? 2 : 1;
    if (data.size() < count * sample_bytes)
      throw std::invalid_argument(source + ": the file is truncated: " + std::to_string(count * sample_bytes) +
                                  " bytes of pixel data expected, " + std::to_string(data.size()) + " present");
    out.values.resize(count);
    const auto* p = reinterpret_cast<const unsigned char*>(data.data());
    for (std::int64_t i = 0; i < rows; ++i)
      for (std::int64_t j = 0; j < cols; ++j, p += sample_bytes) {
        const std::uint32_t v = sample_bytes == 2 ? (std::uint32_t(p[0]) << 8 | p[1]) : p[0];
        if (v > maxval)
          throw std::invalid_argument(source + ": pixel (" + std::to_string(i) + ", " + std::to_string(j) +
                                      ") is " + std::to_string(v) + ", above maxval " + std::to_string(maxval));
        out.values[std::size_t(i + rows * j)] = v;
      }
  } else {
    // Each ASCII sample needs at least two bytes (a digit and a separator).
    if (count > scan.remaining() / 2 + 1)
      throw std::invalid_argument(source + ": the header claims " + std::to_string(count) +
                                  " pixels but only " + std::to_string(scan.remaining()) + " bytes follow");
    out.values.resize(count);
    for (std::int64_t i = 0; i < rows; ++i)
      for (std::int64_t j = 0; j < cols; ++j) out.values[std::size_t(i + rows * j)] = scan.number("pixel value", maxval);
  }
  return out;
}

template <class R>
double to_double_checked(const R& x) {
  const double d = static_cast<double>(x);
  if (std::isnan(d)) throw std::invalid_argument("cannot write an image with a NaN pixel");
  return d;
}

// No exception may cross libpng's C frames: a failed append becomes a
// libpng error (longjmp) once the try block, and every object in it, is gone.
void append_png_bytes(png_structp png, png_bytep data, png_size_t n) {
  bool ok = true;
  try {
    static_cast<std::string*>(png_get_io_ptr(png))->append(reinterpret_cast<const char*>(data), n);
  } catch (...) {
    ok = false;
  }
  if (!ok) png_error(png, "out of memory while writing the PNG");
}
void png_flush_nothing(png_structp) {}

// Encodes rows x cols samples (row-major in `samples`, big-endian when
// 16-bit) as a grey PNG into *out. Returns false with `message` set on error.
bool png_encode(std::string* out, const unsigned char* samples, png_uint_32 rows, png_uint_32 cols, int bits,
                char* message, std::size_t message_size) {
  PngInput err{nullptr, 0, 0, {}};
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &err, png_on_error, png_on_warning);
  png_infop info = png ? png_create_info_struct(png) : nullptr;
  if (!png || !info) {
    png_destroy_write_struct(&png, nullptr);
    std::snprintf(message, message_size, "libpng could not start");
    return false;
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    std::snprintf(message, message_size, "%s", err.message);
    return false;
  }
  png_set_write_fn(png, out, append_png_bytes, png_flush_nothing);
  png_set_IHDR(png, info, cols, rows, bits, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  const std::size_t row_bytes = std::size_t(cols) * std::size_t(bits / 8);
  for (png_uint_32 i = 0; i < rows; ++i) png_write_row(png, samples + row_bytes * i);
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return true;
}

}  // namespace

GreyPixels decode_image(std::string_view bytes, const std::string& source) {
  static const unsigned char png_magic[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (bytes.size() >= 8 && std::memcmp(bytes.data(), png_magic, 8) == 0) return decode_png(bytes, source);
  if (bytes.size() >= 2 && bytes[0] == 'P' && (bytes[1] == '2' || bytes[1] == '5')) return decode_pgm(bytes, source);
  throw std::invalid_argument(source + ": not a PNG or PGM (P2/P5) image; it starts " +
                              oracle::quote_input(bytes.substr(0, 8)));
}

GreyPixels read_image_file(const std::string& path) {
  oracle::DataFile f = oracle::open_data_file(path, "image file");
  const std::string source = "image file " + oracle::quote_input(path, 200);
  if (f.bytes > max_image_file_bytes)
    throw std::invalid_argument(source + " has " + std::to_string(f.bytes) + " bytes; at most " +
                                std::to_string(max_image_file_bytes) + " are accepted");
  std::string bytes(std::size_t(f.bytes), '\0');
  f.in.read(bytes.data(), std::streamsize(bytes.size()));
  bytes.resize(std::size_t(f.in.gcount()));  // the file may have shrunk meanwhile
  return decode_image(bytes, source);
}

template <class R>
Matrix<R> to_image(const GreyPixels& pixels) {
  Matrix<R> image(pixels.rows, pixels.cols);
  const R den(pixels.denominator);
  for (Eigen::Index k = 0; k < image.size(); ++k) image(k) = R(pixels.values[std::size_t(k)]) / den;
  return image;
}

template <class R>
std::string encode_image(const Matrix<R>& image, ImageFormat format, int bits) {
  if (bits != 8 && bits != 16)
    throw std::invalid_argument("image bit depth " + std::to_string(bits) + " is not supported; use 8 or 16");
  if (image.size() == 0) throw std::invalid_argument("cannot write an empty image");
  if (image.rows() > max_image_side || image.cols() > max_image_side)
    throw std::invalid_argument("cannot write an image with a side above " + std::to_string(max_image_side));
  const double levels = bits == 8 ? 255 : 65535;
  // Samples row by row (the order of both formats), big-endian when 16-bit.
  std::string samples;
  samples.reserve(std::size_t(image.size()) * std::size_t(bits / 8));
  std::string ascii;
  for (Eigen::Index i = 0; i < image.rows(); ++i)
    for (Eigen::Index j = 0; j < image.cols(); ++j) {
      const double x = std::fmin(1.0, std::fmax(0.0, to_double_checked(image(i, j))));
      const auto v = static_cast<std::uint32_t>(std::lround(x * levels));
      if (format == ImageFormat::pgm_ascii) {
        ascii += std::to_string(v);
        ascii += j + 1 == image.cols() ? '\n' : ' ';
      } else {
        if (bits == 16) samples += char(v >> 8);
        samples += char(v & 0xff);
      }
    }
  const std::string size = std::to_string(image.cols()) + " " + std::to_string(image.rows()) + "\n";
  const std::string maxval = std::to_string(std::uint32_t(levels)) + "\n";
  if (format == ImageFormat::pgm_ascii) return "P2\n" + size + maxval + ascii;
  if (format == ImageFormat::pgm_binary) return "P5\n" + size + maxval + samples;
  std::string out;
  char message[200] = {};
  if (!png_encode(&out, reinterpret_cast<const unsigned char*>(samples.data()), png_uint_32(image.rows()),
                  png_uint_32(image.cols()), bits, message, sizeof message))
    throw std::runtime_error(std::string("PNG encoding failed: ") + message);
  return out;
}

#define BARRIERS_X(R)                                            \
  template Matrix<R> to_image<R>(const GreyPixels&);            \
  template std::string encode_image<R>(const Matrix<R>&, ImageFormat, int);
BARRIERS_FOR_EACH_REAL(BARRIERS_X)
#undef BARRIERS_X

}  // namespace barriers
