#include "barriers/oracle/instance.hpp"

#include <cctype>
#include <stdexcept>

#include "barriers/oracle/text_input.hpp"

namespace barriers::oracle {

void Instance::validate() const {
  if (y.cols() != 1 || y.rows() != A.rows())
    throw std::invalid_argument("instance '" + name + "': y is " + std::to_string(y.rows()) + "x" +
                                std::to_string(y.cols()) + " but must be a column of height " +
                                std::to_string(A.rows()) + " (the rows of A)");
}

namespace {
void check_size(std::size_t n, const char* what) {
  if (n < 1 || n > max_builtin_size)
    throw std::invalid_argument(std::string(what) + " size " + std::to_string(n) + " is out of range: allowed 1.." +
                                std::to_string(max_builtin_size));
}
ExactMatrix first_unit_vector(std::size_t n) {
  RationalMatrix e(n, 1);
  e.re[0] = 1;
  return ExactMatrix::from_rational(std::move(e));
}
}  // namespace

Instance dct_instance(std::size_t n) {
  check_size(n, "dct");
  const ExactMatrix A = ExactMatrix::dct2(n);
  return {"dct(" + std::to_string(n) + ")", A, A * first_unit_vector(n)};
}

Instance dft_instance(std::size_t n) {
  check_size(n, "dft");
  const ExactMatrix A = ExactMatrix::dft(n);
  return {"dft(" + std::to_string(n) + ")", A, A * first_unit_vector(n)};
}

rational parse_rational(const std::string& token) {
  const std::string shown = quote_input(token);
  auto fail = [&shown]() -> rational {
    throw std::invalid_argument(shown +
                                " is not a rational number (expected an integer, p/q, or a decimal such as -1.25e-3)");
  };
  if (token.empty()) return fail();
  if (token.size() > max_token_chars)
    throw std::invalid_argument(shown + " is longer than " + std::to_string(max_token_chars) + " characters");
  auto is_int = [](const std::string& s) {
    std::size_t i = (s.size() > 0 && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
    if (i >= s.size()) return false;
    for (; i < s.size(); ++i)
      if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    return true;
  };
  // Base 10 always: Boost would read a leading 0 as octal.
  auto to_int = [](const std::string& s) {
    integer v;
    mpz_set_str(v.backend().data(), (s[0] == '+' ? s.substr(1) : s).c_str(), 10);
    return v;
  };
  if (const auto slash = token.find('/'); slash != std::string::npos) {
    const std::string p = token.substr(0, slash), q = token.substr(slash + 1);
    if (!is_int(p) || !is_int(q) || q[0] == '-' || q[0] == '+') return fail();
    const integer den = to_int(q);
    if (den == 0) throw std::invalid_argument(shown + " has a zero denominator");
    return rational(to_int(p), den);
  }
  // Decimal: [sign] digits [. digits] [e|E [sign] digits]
  std::size_t i = 0;
  bool negative = false;
  if (token[i] == '-' || token[i] == '+') negative = token[i++] == '-';
  std::string digits;
  long frac = 0, exp10 = 0;
  bool any = false, dot = false;
  for (; i < token.size(); ++i) {
    const char c = token[i];
    if (std::isdigit(static_cast<unsigned char>(c))) {
      digits += c;
      any = true;
      if (dot) ++frac;
    } else if (c == '.' && !dot) {
      dot = true;
    } else {
      break;
    }
  }
  if (!any) return fail();
  if (i < token.size()) {
    if (token[i] != 'e' && token[i] != 'E') return fail();
    const std::string e = token.substr(i + 1);
    if (!is_int(e)) return fail();
    // Leading zeros do not count; more than 7 digits is out of range anyway.
    const std::size_t first = e.find_first_not_of("+-0");
    const std::string magnitude = first == std::string::npos ? "0" : e.substr(first);
    if (magnitude.size() > 7 || std::stol(magnitude) > max_decimal_exponent)
      throw std::invalid_argument(shown + ": decimal exponent " + quote_input(e, 20) +
                                  " is out of range: allowed |exponent| <= " + std::to_string(max_decimal_exponent) +
                                  " (10^" + std::to_string(max_decimal_exponent) +
                                  " is about 2^(2^20), beyond the widest working precision)");
    exp10 = e[0] == '-' ? -std::stol(magnitude) : std::stol(magnitude);
  }
  const long shift = exp10 - frac;
  integer ten_power;
  mpz_ui_pow_ui(ten_power.backend().data(), 10, static_cast<unsigned long>(shift < 0 ? -shift : shift));
  const rational value = shift < 0 ? rational(to_int(digits), ten_power) : rational(to_int(digits) * ten_power);
  return negative ? rational(-value) : value;
}

Instance parse_rational_instance(std::istream& in, const std::string& source, std::optional<std::uintmax_t> bytes) {
  TokenReader reader(in, source, '#');
  ExactSizeBudget budget(bytes);
  std::string token;
  bool held = false;  // `token` was read ahead and not used yet
  auto next = [&](const std::string& what) -> const std::string& {
    if (held) {
      held = false;
      return token;
    }
    if (!reader.next(token)) throw std::invalid_argument(reader.where() + "unexpected end of file, expected " + what);
    return token;
  };
  auto size = [&](const std::string& what) {
    const std::string& t = next(what);
    std::size_t n = 0;
    for (const char c : t) {
      if (!std::isdigit(static_cast<unsigned char>(c)) || n > 100000000)
        throw std::invalid_argument(reader.where() + what + " " + quote_input(t) +
                                    " is not a size (a whole number from 1)");
      n = n * 10 + std::size_t(c - '0');
    }
    if (n == 0) throw std::invalid_argument(reader.where() + what + " is 0; sizes must be at least 1");
    return n;
  };
  auto complex_flag = [&] {
    if (reader.next(token)) {
      if (token == "complex") return true;
      held = true;
    }
    return false;
  };
  auto entries = [&](std::size_t rows, std::size_t cols, bool complex) {
    check_claimed_count(double(rows) * double(cols) * (complex ? 2 : 1), bytes, reader.where());
    RationalMatrix m(rows, cols, complex);
    const std::size_t count = rows * cols;
    auto value = [&](std::size_t k, const char* part) {
      const std::string& t = next(std::string("a matrix entry") + part + " (" + std::to_string(count - k) + " more)");
      rational q;
      try {
        q = parse_rational(t);
      } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(reader.where() + e.what());
      }
      budget.add(q, reader.where());
      return q;
    };
    for (std::size_t k = 0; k < count; ++k) {
      m.re[k] = value(k, complex ? "'s real part" : "");
      if (complex) m.im[k] = value(k, "'s imaginary part");
    }
    return m;
  };
  if (next("'A <rows> <cols>'") != "A") throw std::invalid_argument(reader.where() + "expected 'A <rows> <cols>' first");
  const std::size_t rows = size("row count"), cols = size("column count");
  RationalMatrix a = entries(rows, cols, complex_flag());
  if (next("'y <rows>'") != "y")
    throw std::invalid_argument(reader.where() + "expected 'y <rows>' after the entries of A, got " + quote_input(token));
  const std::size_t ny = size("length of y");
  if (ny != rows)
    throw std::invalid_argument(reader.where() + "y has length " + std::to_string(ny) + " but A has " +
                                std::to_string(rows) + " rows");
  RationalMatrix y = entries(ny, 1, complex_flag());
  if (held || reader.next(token))
    throw std::invalid_argument(reader.where() + "unexpected " + quote_input(token) + " after the entries of y");
  return {source, ExactMatrix::from_rational(std::move(a)), ExactMatrix::from_rational(std::move(y))};
}

Instance read_rational_instance(const std::string& path) {
  DataFile f = open_data_file(path, "rational instance file");
  return parse_rational_instance(f.in, path, f.bytes);
}

}  // namespace barriers::oracle
