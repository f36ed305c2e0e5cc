#include "matrix_file.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "barriers/oracle/instance.hpp"

namespace barriers::cli {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return s;
}

rational number(const std::string& token, const std::string& where) {
  const std::string t = lower(token);
  if (t.find("nan") != std::string::npos || t.find("inf") != std::string::npos)
    throw std::invalid_argument(where + "'" + token + "' is not finite: NaN and Inf are not allowed in data");
  try {
    return oracle::parse_rational(token);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(where + e.what());
  }
}

oracle::RationalMatrix read_matrix_market(std::istream& in, const std::string& path) {
  std::string line;
  long lineno = 1;
  std::getline(in, line);
  const std::string header = lower(line);
  if (header.find("array") == std::string::npos)
    throw std::invalid_argument(path + ":1: only the Matrix Market array format is supported (got '" + line + "')");
  const bool complex = header.find("complex") != std::string::npos;
  if (!complex && header.find("real") == std::string::npos && header.find("integer") == std::string::npos)
    throw std::invalid_argument(path + ":1: Matrix Market field must be real, integer or complex");
  if (header.find("general") == std::string::npos)
    throw std::invalid_argument(path + ":1: only general (not symmetric) Matrix Market arrays are supported");
  std::vector<std::pair<std::string, long>> tokens;
  while (std::getline(in, line)) {
    ++lineno;
    if (!line.empty() && line[0] == '%') continue;
    std::istringstream ss(line);
    std::string t;
    while (ss >> t) tokens.emplace_back(t, lineno);
  }
  auto where = [&](std::size_t k) {
    return path + ":" + std::to_string(k < tokens.size() ? tokens[k].second : lineno) + ": ";
  };
  if (tokens.size() < 2) throw std::invalid_argument(where(0) + "missing the size line 'rows cols'");
  auto size = [&](std::size_t k) {
    const rational v = number(tokens[k].first, where(k));
    if (denominator(v) != 1 || v < 1 || v > 100000000)
      throw std::invalid_argument(where(k) + "'" + tokens[k].first + "' is not a size (a whole number from 1)");
    return std::size_t(v.convert_to<double>());
  };
  const std::size_t rows = size(0), cols = size(1);
  const std::size_t per = complex ? 2 : 1, want = rows * cols * per;
  if (tokens.size() - 2 != want)
    throw std::invalid_argument(path + ": expected " + std::to_string(want) + " numbers for a " +
                                std::to_string(rows) + "x" + std::to_string(cols) + " array, found " +
                                std::to_string(tokens.size() - 2));
  oracle::RationalMatrix m(rows, cols, complex);
  // Matrix Market arrays are column-major.
  for (std::size_t k = 0; k < rows * cols; ++k) {
    const std::size_t i = k % rows, j = k / rows, t = 2 + k * per;
    m.re[i * cols + j] = number(tokens[t].first, where(t));
    if (complex) m.im[i * cols + j] = number(tokens[t + 1].first, where(t + 1));
  }
  return m;
}

oracle::RationalMatrix read_csv(std::istream& in, const std::string& path) {
  std::vector<std::vector<rational>> rows;
  std::string line;
  long lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    if (const auto h = line.find('#'); h != std::string::npos) line.erase(h);
    std::replace(line.begin(), line.end(), ',', ' ');
    std::istringstream ss(line);
    std::string t;
    std::vector<rational> row;
    const std::string where = path + ":" + std::to_string(lineno) + ": ";
    while (ss >> t) row.push_back(number(t, where));
    if (row.empty()) continue;
    if (!rows.empty() && row.size() != rows.front().size())
      throw std::invalid_argument(where + "row has " + std::to_string(row.size()) + " entries, the first row " +
                                  std::to_string(rows.front().size()));
    rows.push_back(std::move(row));
  }
  if (rows.empty()) throw std::invalid_argument(path + ": no numbers found");
  oracle::RationalMatrix m(rows.size(), rows.front().size());
  for (std::size_t i = 0; i < m.rows; ++i)
    for (std::size_t j = 0; j < m.cols; ++j) m.re[i * m.cols + j] = rows[i][j];
  return m;
}

}  // namespace

oracle::RationalMatrix read_matrix_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::invalid_argument("cannot open matrix file '" + path + "'");
  if (in.peek() == '%') {
    std::string first;
    std::getline(in, first);
    if (first.rfind("%%MatrixMarket", 0) == 0) {
      in.seekg(0);
      return read_matrix_market(in, path);
    }
    in.seekg(0);
  }
  return read_csv(in, path);
}

}  // namespace barriers::cli
