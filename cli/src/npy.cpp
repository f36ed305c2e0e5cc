#include "npy.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include "barriers/oracle/text_input.hpp"

namespace barriers::cli {
namespace {

constexpr char magic[] = "\x93NUMPY";
constexpr std::size_t magic_size = 6;
// NumPy itself refuses headers over 10000 bytes unless told otherwise.
constexpr std::size_t max_header = 65536;

struct Header {
  bool complex = false, fortran = false;
  std::vector<std::uint64_t> shape;
};

// The header is a Python dict literal, e.g.
//   {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }
// read by a small parser that accepts exactly those three keys.
class HeaderParser {
 public:
  HeaderParser(std::string_view text, const std::string& source) : s_(text), source_(source) {}

  Header parse() {
    Header h;
    bool descr = false, order = false, shape = false;
    expect('{');
    while (true) {
      skip();
      if (peek() == '}') break;
      const std::string key = string();
      expect(':');
      if (key == "descr" && !descr) {
        descr = true;
        skip();
        if (peek() == '[') fail("structured arrays (a list as descr) are not supported: only '<f8' and '<c16'");
        const std::string d = string();
        if (d == "<f8" || d == "<c16")
          h.complex = d == "<c16";
        else if (d == ">f8" || d == ">c16")
          fail("big-endian data " + oracle::quote_input(d) + " is not supported: save as '<f8' or '<c16'");
        else
          fail("dtype " + oracle::quote_input(d) +
               " is not supported: only little-endian float64 '<f8' and complex128 '<c16' (convert with "
               "a.astype(float) or a.astype(complex))");
      } else if (key == "fortran_order" && !order) {
        order = true;
        skip();
        if (s_.substr(pos_, 4) == "True") {
          h.fortran = true;
          pos_ += 4;
        } else if (s_.substr(pos_, 5) == "False") {
          pos_ += 5;
        } else {
          fail("fortran_order must be True or False");
        }
      } else if (key == "shape" && !shape) {
        shape = true;
        h.shape = tuple();
      } else {
        fail("unexpected or repeated key " + oracle::quote_input(key) + " (allowed once each: descr, fortran_order, shape)");
      }
      skip();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      skip();
      if (peek() != '}') fail("expected ',' or '}' in the header dictionary");
    }
    ++pos_;
    skip();
    if (pos_ != s_.size()) fail("unexpected text after the header dictionary");
    if (!descr || !order || !shape) fail("the header must give descr, fortran_order and shape");
    return h;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw std::invalid_argument(source_ + ": not a readable .npy file: " + what);
  }
  char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  void skip() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\t')) ++pos_;
  }
  void expect(char c) {
    skip();
    if (peek() != c) fail(std::string("expected '") + c + "' in the header, found " + oracle::quote_input(s_.substr(pos_, 20)));
    ++pos_;
  }
  std::string string() {
    skip();
    const char q = peek();
    if (q != '\'' && q != '"') fail("expected a quoted name in the header, found " + oracle::quote_input(s_.substr(pos_, 20)));
    const std::size_t end = s_.find(q, pos_ + 1);
    if (end == std::string_view::npos) fail("unterminated string in the header");
    std::string out(s_.substr(pos_ + 1, end - pos_ - 1));
    pos_ = end + 1;
    return out;
  }
  std::vector<std::uint64_t> tuple() {
    std::vector<std::uint64_t> dims;
    expect('(');
    while (true) {
      skip();
      if (peek() == ')') break;
      std::uint64_t v = 0;
      std::size_t digits = 0;
      while (std::isdigit(static_cast<unsigned char>(peek()))) {
        if (++digits > 12) fail("a dimension in shape is too large");
        v = v * 10 + std::uint64_t(peek() - '0');
        ++pos_;
      }
      if (digits == 0) fail("shape must be a tuple of whole numbers");
      dims.push_back(v);
      if (dims.size() > 32) fail("shape has too many dimensions");
      skip();
      if (peek() == ',') ++pos_;
      else if (peek() != ')') fail("shape must be a tuple of whole numbers");
    }
    ++pos_;
    return dims;
  }

  std::string_view s_;
  const std::string& source_;
  std::size_t pos_ = 0;
};

// Exactly `n` bytes from `in`, or an error naming what was being read.
void read_exact(std::istream& in, char* out, std::size_t n, const std::string& source, const char* what) {
  in.read(out, std::streamsize(n));
  if (std::size_t(in.gcount()) != n)
    throw std::invalid_argument(source + ": not a readable .npy file: the file ends inside the " + what);
}

double little_endian_double(const unsigned char* p) {
  std::uint64_t u = 0;
  for (int k = 7; k >= 0; --k) u = (u << 8) | p[k];
  double d;
  std::memcpy(&d, &u, sizeof d);
  return d;
}

void put_little_endian(std::string& out, std::uint64_t u, int bytes) {
  for (int k = 0; k < bytes; ++k) out += char((u >> (8 * k)) & 0xff);
}

}  // namespace

oracle::RationalMatrix read_npy(std::istream& in, const std::string& source, std::optional<std::uintmax_t> bytes) {
  const std::string bad = source + ": not a readable .npy file: ";
  std::array<char, 8> start{};
  read_exact(in, start.data(), start.size(), source, "magic string and version");
  if (std::memcmp(start.data(), magic, magic_size) != 0)
    throw std::invalid_argument(bad + "it does not start with the magic string \\x93NUMPY");
  const int major = static_cast<unsigned char>(start[6]), minor = static_cast<unsigned char>(start[7]);
  if (major < 1 || major > 3 || minor != 0)
    throw std::invalid_argument(bad + "format version " + std::to_string(major) + "." + std::to_string(minor) +
                                " is not supported (1.0, 2.0 and 3.0 are)");
  // Version 1.0 has a 2-byte header length, 2.0 and 3.0 a 4-byte one.
  const std::size_t length_bytes = major == 1 ? 2 : 4;
  unsigned char len[4] = {};
  read_exact(in, reinterpret_cast<char*>(len), length_bytes, source, "header length");
  std::size_t header_size = 0;
  for (std::size_t k = length_bytes; k-- > 0;) header_size = (header_size << 8) | len[k];
  if (header_size > max_header)
    throw std::invalid_argument(bad + "the header claims " + std::to_string(header_size) + " bytes (at most " +
                                std::to_string(max_header) + " accepted)");
  std::string text(header_size, '\0');
  read_exact(in, text.data(), header_size, source, "header");
  const Header h = HeaderParser(text, source).parse();

  if (h.shape.empty() || h.shape.size() > 2)
    throw std::invalid_argument(bad + "the array has " + std::to_string(h.shape.size()) +
                                " dimensions; a matrix needs 2 (or 1 for a column vector)");
  const std::uint64_t rows = h.shape[0], cols = h.shape.size() == 2 ? h.shape[1] : 1;
  if (rows == 0 || cols == 0) throw std::invalid_argument(bad + "the array is empty (shape has a zero)");
  const std::size_t per = h.complex ? 2 : 1;
  const double count = double(rows) * double(cols) * double(per);
  const std::uintmax_t data_offset = magic_size + 2 + length_bytes + header_size;
  if (bytes && (*bytes < data_offset || count * 8 != double(*bytes - data_offset)))
    throw std::invalid_argument(bad + "the shape needs " + std::to_string(std::uintmax_t(count * 8)) +
                                " bytes of data, the file has " + std::to_string(*bytes - data_offset));
  oracle::check_claimed_count(count, bytes, bad);

  // Read in blocks and allocate the exact matrix only once every value is
  // there, so a stream shorter than its header claims (size unknown) costs
  // no more than what it holds.
  const std::size_t total = std::size_t(rows * cols * per);
  std::vector<double> values;
  values.reserve(std::min<std::size_t>(total, std::size_t(1) << 20));
  constexpr std::size_t block = 4096;
  unsigned char buf[block * 8];
  while (values.size() < total) {
    const std::size_t now = std::min(block, total - values.size());
    read_exact(in, reinterpret_cast<char*>(buf), now * 8, source, "data");
    for (std::size_t k = 0; k < now; ++k) {
      const double v = little_endian_double(buf + 8 * k);
      if (!std::isfinite(v))
        throw std::invalid_argument(bad + "entry " + std::to_string(values.size() / per) +
                                    " is not finite: NaN and Inf are not allowed in data");
      values.push_back(v);
    }
  }
  if (!bytes && in.peek() != std::char_traits<char>::eof())
    throw std::invalid_argument(bad + "there are bytes after the data the shape describes");
  oracle::RationalMatrix m(rows, cols, h.complex);
  for (std::size_t k = 0; k < total; ++k) {
    // C order: row-major; Fortran order: column-major.
    const std::size_t e = k / per;
    const std::size_t i = h.fortran ? e % rows : e / cols, j = h.fortran ? e / rows : e % cols;
    (k % per ? m.im : m.re)[i * cols + j] = rational(values[k]);
  }
  return m;
}

std::string npy_bytes(std::size_t rows, std::size_t cols, const std::vector<double>& re, const std::vector<double>& im) {
  if (re.size() != rows * cols || (!im.empty() && im.size() != re.size()))
    throw std::invalid_argument("npy_bytes: the data do not match the shape");
  std::string dict = std::string("{'descr': '") + (im.empty() ? "<f8" : "<c16") +
                     "', 'fortran_order': False, 'shape': (" + std::to_string(rows) + ", " + std::to_string(cols) +
                     "), }";
  // Pad with spaces and a final newline so the data start on a multiple of
  // 64 bytes, as NumPy writes it.
  const std::size_t unpadded = magic_size + 2 + 2 + dict.size() + 1;
  dict.append((64 - unpadded % 64) % 64, ' ');
  dict += '\n';
  std::string out(magic, magic_size);
  out += char(1);
  out += char(0);
  put_little_endian(out, dict.size(), 2);
  out += dict;
  auto put_double = [&](double v) {
    std::uint64_t u;
    std::memcpy(&u, &v, sizeof u);
    put_little_endian(out, u, 8);
  };
  for (std::size_t k = 0; k < re.size(); ++k) {
    put_double(re[k]);
    if (!im.empty()) put_double(im[k]);
  }
  return out;
}

}  // namespace barriers::cli
