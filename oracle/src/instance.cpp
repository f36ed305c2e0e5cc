#include "barriers/oracle/instance.hpp"

#include <cctype>
#include <fstream>
#include <sstream>
#include <stdexcept>

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
  auto fail = [&token]() -> rational {
    throw std::invalid_argument("'" + token + "' is not a rational number (expected an integer, p/q, or a decimal such as -1.25e-3)");
  };
  if (token.empty()) return fail();
  const auto slash = token.find('/');
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
  if (slash != std::string::npos) {
    const std::string p = token.substr(0, slash), q = token.substr(slash + 1);
    if (!is_int(p) || !is_int(q) || q[0] == '-' || q[0] == '+') return fail();
    const integer den = to_int(q);
    if (den == 0) throw std::invalid_argument("'" + token + "' has a zero denominator");
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
    if (!is_int(e) || e.size() > 7) return fail();
    exp10 = std::stol(e);
  }
  rational value{to_int(digits)};
  const long shift = exp10 - frac;
  const rational ten_power(boost::multiprecision::pow(integer(10), static_cast<unsigned>(shift < 0 ? -shift : shift)));
  value = shift < 0 ? value / ten_power : value * ten_power;
  return negative ? -value : value;
}

Instance parse_rational_instance(std::istream& in, const std::string& source) {
  // Tokens with their line numbers, comments stripped.
  std::vector<std::pair<std::string, long>> tokens;
  std::string line;
  long lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    if (const auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
    std::istringstream ss(line);
    std::string t;
    while (ss >> t) tokens.emplace_back(t, lineno);
  }
  std::size_t pos = 0;
  auto where = [&](std::size_t k) {
    return source + ":" + std::to_string(k < tokens.size() ? tokens[k].second : lineno) + ": ";
  };
  auto next = [&](const std::string& what) -> const std::string& {
    if (pos >= tokens.size()) throw std::invalid_argument(where(pos) + "unexpected end of file, expected " + what);
    return tokens[pos++].first;
  };
  auto size = [&](const std::string& what) {
    const std::string& t = next(what);
    std::size_t n = 0;
    for (const char c : t) {
      if (!std::isdigit(static_cast<unsigned char>(c)) || n > 100000000)
        throw std::invalid_argument(where(pos - 1) + what + " '" + t + "' is not a size (a whole number from 1)");
      n = n * 10 + std::size_t(c - '0');
    }
    if (n == 0) throw std::invalid_argument(where(pos - 1) + what + " is 0; sizes must be at least 1");
    return n;
  };
  auto entries = [&](std::size_t count) {
    RationalMatrix m;
    m.re.reserve(count);
    for (std::size_t k = 0; k < count; ++k) {
      const std::string& t = next("a matrix entry (" + std::to_string(count - k) + " more)");
      try {
        m.re.push_back(parse_rational(t));
      } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(where(pos - 1) + e.what());
      }
    }
    return m;
  };
  if (next("'A <rows> <cols>'") != "A") throw std::invalid_argument(where(pos - 1) + "expected 'A <rows> <cols>' first");
  const std::size_t rows = size("row count"), cols = size("column count");
  RationalMatrix a = entries(rows * cols);
  a.rows = rows;
  a.cols = cols;
  if (next("'y <rows>'") != "y") throw std::invalid_argument(where(pos - 1) + "expected 'y <rows>' after the entries of A");
  const std::size_t ny = size("length of y");
  if (ny != rows)
    throw std::invalid_argument(where(pos - 1) + "y has length " + std::to_string(ny) + " but A has " +
                                std::to_string(rows) + " rows");
  RationalMatrix y = entries(ny);
  y.rows = ny;
  y.cols = 1;
  if (pos < tokens.size())
    throw std::invalid_argument(where(pos) + "unexpected '" + tokens[pos].first + "' after the entries of y");
  return {source, ExactMatrix::from_rational(std::move(a)), ExactMatrix::from_rational(std::move(y))};
}

Instance read_rational_instance(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::invalid_argument("cannot open rational instance file '" + path + "'");
  return parse_rational_instance(in, path);
}

}  // namespace barriers::oracle
