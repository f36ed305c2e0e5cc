#include "matfile.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <stdexcept>

#include "barriers/oracle/text_input.hpp"

namespace barriers::cli {
namespace {

// Data types of a level 5 file (MATLAB's "MAT-File Format" document).
enum : std::uint32_t {
  miINT8 = 1, miUINT8 = 2, miINT16 = 3, miUINT16 = 4, miINT32 = 5, miUINT32 = 6, miSINGLE = 7,
  miDOUBLE = 9, miINT64 = 12, miUINT64 = 13, miMATRIX = 14, miCOMPRESSED = 15,
};
// Array classes; only mxDOUBLE is read.
constexpr std::uint32_t mxDOUBLE_CLASS = 6;
constexpr std::uint32_t flag_complex = 0x800, flag_logical = 0x200;

const char* class_name(std::uint32_t c) {
  switch (c) {
    case 1: return "a cell array";
    case 2: return "a struct";
    case 3: return "an object";
    case 4: return "a char array";
    case 5: return "a sparse matrix (convert with full())";
    case 7: return "a single-precision array (convert with double())";
    case 8: case 9: case 10: case 11: case 12: case 13: case 14: case 15:
      return "an integer-class array (convert with double())";
    default: return "an array of an unknown class";
  }
}

class Reader {
 public:
  Reader(std::string_view bytes, const std::string& source) : b_(bytes), source_(source) {}

  [[noreturn]] void fail(const std::string& what) const {
    throw std::invalid_argument(source_ + ": not a readable .mat file: " + what);
  }

  void check_header() {
    const char e0 = b_.size() >= 128 ? b_[126] : 0, e1 = b_.size() >= 128 ? b_[127] : 0;
    if (e0 == 'I' && e1 == 'M') swap_ = false;
    else if (e0 == 'M' && e1 == 'I') swap_ = true;
    else
      fail("no MATLAB level 5 header (a version 4 file, or not a .mat file): save with -v6 (or scipy.io.savemat)");
    const std::uint32_t version = u16(124);
    if (version == 0x0200)
      fail("version 7.3 (HDF5) files are not supported: save with -v6 (or scipy.io.savemat)");
    if (version != 0x0100) fail("header version " + std::to_string(version) + " is not the level 5 version 0x0100");
  }

  std::uint32_t u16(std::size_t at) const {
    const auto* p = reinterpret_cast<const unsigned char*>(b_.data() + at);
    return swap_ ? (std::uint32_t(p[0]) << 8 | p[1]) : (std::uint32_t(p[1]) << 8 | p[0]);
  }
  std::uint64_t unsigned_at(std::size_t at, int width) const {
    const auto* p = reinterpret_cast<const unsigned char*>(b_.data() + at);
    std::uint64_t u = 0;
    for (int k = 0; k < width; ++k) u |= std::uint64_t(p[swap_ ? width - 1 - k : k]) << (8 * k);
    return u;
  }

  // One data element starting at `at` within [.., end): its type, the
  // offset and size of its data, and where the next element starts. Small
  // elements pack type and size into one 4-byte word and their data into
  // the next 4 bytes; the others are padded to 8 bytes.
  struct Element {
    std::uint32_t type;
    std::size_t data, size, next;
  };
  Element element(std::size_t at, std::size_t end, const char* what) const {
    if (end - at < 8) fail(std::string("the file ends inside the tag of ") + what);
    const auto word = std::uint32_t(unsigned_at(at, 4));
    if (word >> 16) {
      const std::size_t size = word >> 16;
      if (size > 4) fail(std::string("a small data element of ") + what + " claims " + std::to_string(size) + " bytes");
      return {word & 0xffff, at + 4, size, at + 8};
    }
    const auto size = std::size_t(unsigned_at(at + 4, 4));
    if (size > end - at - 8)
      fail(std::string("the ") + what + " element claims " + std::to_string(size) + " bytes, only " +
           std::to_string(end - at - 8) + " remain");
    const std::size_t padded = (size + 7) / 8 * 8;
    return {word, at + 8, size, std::min(end, at + 8 + padded)};
  }

  // The numbers of a numeric element, as doubles (every storage type holds
  // values a double represents exactly, except 64-bit integers beyond 2^53,
  // which are refused rather than rounded).
  double number(const Element& e, std::size_t k) const {
    switch (e.type) {
      case miINT8: return double(std::int8_t(b_[e.data + k]));
      case miUINT8: return double(static_cast<unsigned char>(b_[e.data + k]));
      case miINT16: return double(std::int16_t(unsigned_at(e.data + 2 * k, 2)));
      case miUINT16: return double(unsigned_at(e.data + 2 * k, 2));
      case miINT32: return double(std::int32_t(unsigned_at(e.data + 4 * k, 4)));
      case miUINT32: return double(unsigned_at(e.data + 4 * k, 4));
      case miSINGLE: {
        const auto u = std::uint32_t(unsigned_at(e.data + 4 * k, 4));
        float f;
        std::memcpy(&f, &u, sizeof f);
        return double(f);
      }
      case miDOUBLE: {
        const std::uint64_t u = unsigned_at(e.data + 8 * k, 8);
        double d;
        std::memcpy(&d, &u, sizeof d);
        return d;
      }
      default: {
        const std::uint64_t u = unsigned_at(e.data + 8 * k, 8);
        const bool negative = e.type == miINT64 && std::int64_t(u) < 0;
        const std::uint64_t magnitude = negative ? ~u + 1 : u;
        if (magnitude > (std::uint64_t(1) << 53)) fail("a 64-bit integer value beyond 2^53 is not a double");
        return negative ? -double(magnitude) : double(magnitude);
      }
    }
  }
  static std::size_t width(std::uint32_t type) {
    switch (type) {
      case miINT8: case miUINT8: return 1;
      case miINT16: case miUINT16: return 2;
      case miINT32: case miUINT32: case miSINGLE: return 4;
      case miDOUBLE: case miINT64: case miUINT64: return 8;
      default: return 0;
    }
  }

  std::string_view b_;
  const std::string& source_;
  bool swap_ = false;
};

// A miMATRIX element's name and class, read before its values.
struct Variable {
  std::string name;
  std::uint32_t flags = 0;
  std::vector<std::uint64_t> dims;
  std::size_t values = 0, end = 0;  // where the real part starts; the element's end
};

Variable variable(const Reader& r, std::size_t data, std::size_t end) {
  Variable v;
  v.end = end;
  const Reader::Element flags = r.element(data, end, "array flags");
  if (flags.type != miUINT32 || flags.size != 8) r.fail("a matrix element does not start with its array flags");
  v.flags = std::uint32_t(r.unsigned_at(flags.data, 4));
  const Reader::Element dims = r.element(flags.next, end, "dimensions");
  if (dims.type != miINT32 || dims.size % 4 != 0 || dims.size == 0) r.fail("a matrix element has no valid dimensions");
  for (std::size_t k = 0; k < dims.size / 4; ++k) {
    const auto d = std::int32_t(r.unsigned_at(dims.data + 4 * k, 4));
    if (d < 0) r.fail("a negative dimension");
    v.dims.push_back(std::uint64_t(d));
  }
  const Reader::Element name = r.element(dims.next, end, "array name");
  if (name.type != miINT8) r.fail("a matrix element has no array name");
  v.name.assign(r.b_.data() + name.data, name.size);
  v.values = name.next;
  return v;
}

oracle::RationalMatrix values(const Reader& r, const Variable& v) {
  const std::string var = "variable " + oracle::quote_input(v.name) + " ";
  const std::uint32_t cls = v.flags & 0xff;
  if (cls != mxDOUBLE_CLASS) r.fail(var + "is " + class_name(cls) + "; only double matrices are read");
  if (v.flags & flag_logical) r.fail(var + "is a logical array; only double matrices are read");
  if (v.dims.size() != 2)
    r.fail(var + "has " + std::to_string(v.dims.size()) + " dimensions; a matrix has 2");
  const std::uint64_t rows = v.dims[0], cols = v.dims[1];
  if (rows == 0 || cols == 0) r.fail(var + "is empty");
  const bool complex = v.flags & flag_complex;
  const double count = double(rows) * double(cols);
  // Every part's size is checked against the dimensions before the exact
  // matrix is allocated, so the dimensions cannot claim more than the file holds.
  std::vector<Reader::Element> parts;
  std::size_t at = v.values;
  for (int part = 0; part < (complex ? 2 : 1); ++part) {
    const Reader::Element e = r.element(at, v.end, part ? "imaginary part" : "real part");
    const std::size_t w = Reader::width(e.type);
    if (w == 0) r.fail(var + "stores its values in data type " + std::to_string(e.type) + ", not a numeric type");
    if (double(e.size) != count * double(w))
      r.fail(var + "is " + std::to_string(rows) + "x" + std::to_string(cols) + " but its " +
             (part ? "imaginary" : "real") + " part has " + std::to_string(e.size) + " bytes of " +
             std::to_string(w) + "-byte values");
    parts.push_back(e);
    at = e.next;
  }
  // A 1-byte stored value still becomes a rational: check the machine's memory.
  oracle::check_claimed_count(count * (complex ? 2 : 1), std::nullopt, r.source_ + ": " + var);
  oracle::RationalMatrix m(rows, cols, complex);
  for (std::size_t part = 0; part < parts.size(); ++part) {
    // Column-major storage.
    for (std::size_t k = 0; k < std::size_t(count); ++k) {
      const double x = r.number(parts[part], k);
      if (!std::isfinite(x))
        r.fail(var + "entry (" + std::to_string(k % rows + 1) + ", " + std::to_string(k / rows + 1) +
               ") is not finite: NaN and Inf are not allowed in data");
      (part ? m.im : m.re)[(k % rows) * cols + k / rows] = rational(x);
    }
  }
  return m;
}

void put(std::string& out, std::uint64_t u, int bytes) {
  for (int k = 0; k < bytes; ++k) out += char((u >> (8 * k)) & 0xff);
}

void pad8(std::string& out) { out.append((8 - out.size() % 8) % 8, '\0'); }

}  // namespace

oracle::RationalMatrix read_mat(std::string_view bytes, const std::string& source,
                                const std::optional<std::string>& name) {
  Reader r(bytes, source);
  r.check_header();
  std::vector<Variable> vars;
  for (std::size_t at = 128; at < bytes.size();) {
    const Reader::Element e = r.element(at, bytes.size(), "a variable");
    if (e.type == miCOMPRESSED)
      r.fail("compressed variables (miCOMPRESSED, the default of MATLAB's save) are not supported: save with "
             "-v6 (or scipy.io.savemat(..., do_compression=False))");
    if (e.type != miMATRIX) r.fail("a top-level element of data type " + std::to_string(e.type) + ", not a matrix");
    if (e.size == 0) r.fail("an empty matrix element");
    vars.push_back(variable(r, e.data, e.data + e.size));
    at = e.next;
  }
  if (vars.empty()) r.fail("it holds no variables");
  if (name) {
    for (const Variable& v : vars)
      if (v.name == *name) return values(r, v);
  } else if (vars.size() == 1) {
    return values(r, vars.front());
  }
  std::string names;
  for (const Variable& v : vars) names += (names.empty() ? "" : ", ") + oracle::quote_input(v.name);
  if (name) r.fail("no variable " + oracle::quote_input(*name) + "; the file holds " + names);
  r.fail("it holds " + std::to_string(vars.size()) + " variables (" + names +
         "): choose one as FILE.mat:NAME");
}

std::string mat_bytes(const std::string& name, std::size_t rows, std::size_t cols, const std::vector<double>& re,
                      const std::vector<double>& im) {
  if (re.size() != rows * cols || (!im.empty() && im.size() != re.size()))
    throw std::invalid_argument("mat_bytes: the data do not match the shape");
  if (rows > 0x7fffffff || cols > 0x7fffffff || double(rows) * double(cols) * 16 > 4e9)
    throw std::invalid_argument("mat_bytes: a " + std::to_string(rows) + "x" + std::to_string(cols) +
                                " matrix is too large for a level 5 .mat file");
  std::string out = "MATLAB 5.0 MAT-file, written by barriers";
  out.resize(116, ' ');
  out.append(8, '\0');  // no subsystem data
  put(out, 0x0100, 2);
  out += "IM";

  std::string body;
  put(body, miUINT32, 4);
  put(body, 8, 4);
  put(body, mxDOUBLE_CLASS | (im.empty() ? 0 : flag_complex), 4);
  put(body, 0, 4);
  put(body, miINT32, 4);
  put(body, 8, 4);
  put(body, rows, 4);
  put(body, cols, 4);
  put(body, miINT8, 4);
  put(body, name.size(), 4);
  body += name;
  pad8(body);
  for (const std::vector<double>* part : {&re, &im}) {
    if (part->empty()) continue;
    put(body, miDOUBLE, 4);
    put(body, 8 * rows * cols, 4);
    for (std::size_t j = 0; j < cols; ++j)
      for (std::size_t i = 0; i < rows; ++i) {
        std::uint64_t u;
        std::memcpy(&u, &(*part)[i * cols + j], sizeof u);
        put(body, u, 8);
      }
  }
  put(out, miMATRIX, 4);
  put(out, body.size(), 4);
  return out + body;
}

}  // namespace barriers::cli
