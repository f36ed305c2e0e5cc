// Defensive reading of text data files (rational instance files, CSV, Matrix
// Market): only regular files, claimed sizes checked against the file and
// the machine before anything is allocated, tokens and lines of bounded
// length, and input quoted safely in error messages.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <istream>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "barriers/precision/types.hpp"

namespace barriers::oracle {

/// Longest token (number) accepted: 10^6 characters, about 3.3 Mbit of
/// digits, three times the widest working precision any command offers
/// (2^20 bits); the longest number the tool itself writes (an oracle answer
/// at n = 100000) has about 60 000 characters.
inline constexpr std::size_t max_token_chars = 1000000;
/// Longest line accepted (64 MiB): a guard against binary or runaway input.
inline constexpr std::size_t max_line_chars = std::size_t(1) << 26;

/// `text` for an error message: control and non-ASCII bytes as \xNN, cut to
/// `max_chars` with "...(N bytes)" when longer, in single quotes.
inline std::string quote_input(std::string_view text, std::size_t max_chars = 80) {
  std::string out = "'";
  for (std::size_t k = 0; k < text.size() && k < max_chars; ++k) {
    const auto c = static_cast<unsigned char>(text[k]);
    if (c >= 0x20 && c < 0x7f) {
      out += char(c);
    } else {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02X", unsigned(c));
      out += hex;
    }
  }
  out += "'";
  if (text.size() > max_chars) out += "...(" + std::to_string(text.size()) + " bytes)";
  return out;
}

/// An opened data file and its size in bytes.
struct DataFile {
  std::ifstream in;
  std::uintmax_t bytes = 0;
};

/// Opens PATH (a `what`, e.g. "matrix file") for reading. Throws
/// std::invalid_argument naming it when it is missing, a directory, or not a
/// regular file (a device such as /dev/zero, a pipe or a socket: unbounded
/// or unrepeatable input is refused before any read).
inline DataFile open_data_file(const std::string& path, const std::string& what) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  const std::string name = what + " " + quote_input(path, 200);
  if (ec || !fs::exists(st)) throw std::invalid_argument("cannot open " + name + ": no such file");
  if (fs::is_directory(st)) throw std::invalid_argument("cannot read " + name + ": it is a directory");
  if (!fs::is_regular_file(st))
    throw std::invalid_argument("cannot read " + name + ": not a regular file (devices, pipes and sockets are refused)");
  DataFile f;
  f.bytes = fs::file_size(path, ec);
  f.in.open(path, std::ios::binary);
  if (ec || !f.in) throw std::invalid_argument("cannot open " + name + ": permission denied or unreadable");
  return f;
}

/// Throws std::invalid_argument (prefixed by `where`) when a header claims
/// `count` numbers that cannot be in a file of `bytes` bytes (each needs a
/// character and a separator) or whose storage alone (at least 64 bytes
/// each as exact rationals) exceeds the machine's physical memory.
inline void check_claimed_count(double count, std::optional<std::uintmax_t> bytes, const std::string& where) {
  if (bytes && count > double(*bytes) / 2 + 1)
    throw std::invalid_argument(where + "the header claims " + std::to_string(std::uintmax_t(count)) +
                                " numbers but the file has only " + std::to_string(*bytes) + " bytes");
  const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGESIZE);
  const double memory = pages > 0 && page > 0 ? double(pages) * double(page) : 0;
  if (memory > 0 && count * 64 > memory)
    throw std::invalid_argument(where + "the header claims " + std::to_string(std::uintmax_t(count)) +
                                " numbers, more than this machine's memory (" +
                                std::to_string(std::uintmax_t(memory / 1048576)) + " MiB) can hold");
}

/// Total size of the exact values read from one file. A short token can
/// stand for a long number (1e300000 is about 10^6 bits), so without a cap
/// a small file could ask for any amount of memory and time. The cap is 8
/// MiB plus 8 bits per byte of the file: written-out numbers never need
/// more than 7 bits per character (3.33 for the digits of a numerator or
/// fraction, as many for the denominator 10^frac), so only exponents can
/// reach it.
class ExactSizeBudget {
 public:
  explicit ExactSizeBudget(std::optional<std::uintmax_t> file_bytes)
      : limit_bits_(double(std::uintmax_t(1) << 26) + 8.0 * double(file_bytes.value_or(0))) {}

  /// Throws std::invalid_argument (prefixed by `where`) once the values so far exceed the cap.
  void add(const rational& q, const std::string& where) {
    const mpq_srcptr v = q.backend().data();
    used_bits_ += double(mpz_sizeinbase(mpq_numref(v), 2) + mpz_sizeinbase(mpq_denref(v), 2));
    if (used_bits_ > limit_bits_)
      throw std::invalid_argument(where + "the exact values read so far need more than " +
                                  std::to_string(std::uintmax_t(limit_bits_ / 8388608)) +
                                  " MiB (decimal exponents too large for this many entries?)");
  }

 private:
  double limit_bits_, used_bits_ = 0;
};

/// Splits a stream into whitespace-separated tokens with their line
/// numbers; `comment` starts a comment to the end of the line and every
/// character in `separators` counts as whitespace (',' for CSV). Refuses
/// tokens longer than max_token_chars and lines longer than max_line_chars
/// as soon as they are seen, so no input is read into memory unbounded.
class TokenReader {
 public:
  TokenReader(std::istream& in, std::string source, char comment, std::string separators = "")
      : buf_(in.rdbuf()), source_(std::move(source)), comment_(comment), separators_(std::move(separators)) {}

  /// The next token, or false at the end of the input.
  bool next(std::string& token) {
    token.clear();
    for (int c = get(); c != EOF; c = get()) {
      if (c == comment_) {
        while (c != EOF && c != '\n') c = get();
        if (!token.empty()) return true;
      } else if (is_space(c)) {
        if (!token.empty()) return true;
      } else {
        if (token.empty()) token_line_ = line_;
        if (token.size() >= max_token_chars)
          throw std::invalid_argument(where() + "a number longer than " + std::to_string(max_token_chars) +
                                      " characters, starting " + quote_input(token, 40));
        token += char(c);
      }
    }
    if (!token.empty()) return true;
    token_line_ = line_;
    return false;
  }

  /// Line of the last token returned (or of the end of input).
  long line() const { return token_line_; }
  /// "source:line: " for error messages about the last token (or the end).
  std::string where() const { return source_ + ":" + std::to_string(token_line_) + ": "; }

  /// The rest of the current line, raw (a header line); at most 4096 characters.
  std::string rest_of_line() {
    std::string s;
    for (int c = get(); c != EOF && c != '\n'; c = get()) {
      if (s.size() >= 4096)
        throw std::invalid_argument(source_ + ":" + std::to_string(line_) + ": header line longer than 4096 characters");
      s += char(c);
    }
    return s;
  }

 private:
  int get() {
    const int c = buf_ ? buf_->sbumpc() : EOF;
    if (c == EOF) return EOF;
    if (newline_pending_) {
      ++line_;
      line_chars_ = 0;
      newline_pending_ = false;
    }
    if (c == '\n') {
      newline_pending_ = true;
    } else if (++line_chars_ > max_line_chars) {
      throw std::invalid_argument(source_ + ":" + std::to_string(line_) + ": line longer than " +
                                  std::to_string(max_line_chars) + " characters (binary or corrupt input?)");
    }
    return c;
  }
  bool is_space(int c) const {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' ||
           separators_.find(char(c)) != std::string::npos;
  }

  std::streambuf* buf_;
  std::string source_;
  char comment_;
  std::string separators_;
  long line_ = 1, token_line_ = 1;
  std::size_t line_chars_ = 0;
  bool newline_pending_ = false;
};

}  // namespace barriers::oracle
