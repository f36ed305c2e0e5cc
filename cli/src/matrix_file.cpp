#include "matrix_file.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <stdexcept>
#include <vector>

#include "barriers/oracle/instance.hpp"
#include "barriers/oracle/text_input.hpp"
#include "matfile.hpp"
#include "npy.hpp"

namespace barriers::cli {
namespace {

using oracle::TokenReader;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return s;
}

// The exact value of a data token; errors start with `where` ("path:line: ").
rational number(const std::string& token, const std::string& where, oracle::ExactSizeBudget& budget) {
  const std::string t = lower(token);
  if (t.find("nan") != std::string::npos || t.find("inf") != std::string::npos)
    throw std::invalid_argument(where + oracle::quote_input(token) +
                                " is not finite: NaN and Inf are not allowed in data");
  rational q;
  try {
    q = oracle::parse_rational(token);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(where + e.what());
  }
  budget.add(q, where);
  return q;
}

// The words of a Matrix Market banner after %%MatrixMarket, each checked
// against what the reader supports, so a file is never read under a
// structure it does not have.
bool read_banner(const std::string& line, const std::string& path) {
  std::vector<std::string> words;
  std::string w;
  for (const char c : line + " ") {
    if (c == ' ' || c == '\t' || c == '\r') {
      if (!w.empty()) words.push_back(lower(w));
      w.clear();
    } else {
      w += c;
    }
  }
  const std::string at = path + ":1: ";
  if (words.size() != 5 || words[0] != "%%matrixmarket")
    throw std::invalid_argument(at + "a Matrix Market banner is '%%MatrixMarket matrix array real general', got " +
                                oracle::quote_input(line));
  auto check = [&](std::size_t k, const char* what, std::initializer_list<const char*> allowed,
                   const char* unsupported) {
    for (const char* a : allowed)
      if (words[k] == a) return;
    std::string list;
    for (const char* a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
    throw std::invalid_argument(at + "Matrix Market " + what + " " + oracle::quote_input(words[k]) + " is " +
                                unsupported + ": allowed " + list);
  };
  check(1, "object", {"matrix"}, "not supported");
  check(2, "format", {"array"}, "not supported (coordinate files: convert to array)");
  check(3, "field", {"real", "integer", "complex"}, "not supported");
  check(4, "symmetry", {"general"}, "not supported (symmetric storage: write the full array)");
  return words[3] == "complex";
}

oracle::RationalMatrix read_matrix_market(std::istream& in, const std::string& path,
                                          std::optional<std::uintmax_t> bytes) {
  TokenReader reader(in, path, '%');
  const std::string banner = reader.rest_of_line();
  const bool complex = read_banner(banner, path);
  oracle::ExactSizeBudget budget(bytes);
  std::string t;
  auto size = [&](const char* what) {
    if (!reader.next(t)) throw std::invalid_argument(reader.where() + "missing the size line 'rows cols'");
    std::size_t v = 0;
    bool ok = !t.empty() && t.size() <= 9;
    for (const char c : t) ok = ok && std::isdigit(static_cast<unsigned char>(c));
    if (ok) v = std::stoul(t);
    if (!ok || v < 1 || v > 100000000)
      throw std::invalid_argument(reader.where() + what + " " + oracle::quote_input(t) +
                                  " is not a size (a whole number from 1 to 100000000)");
    return v;
  };
  const std::size_t rows = size("row count"), cols = size("column count");
  const std::size_t per = complex ? 2 : 1;
  const double want = double(rows) * double(cols) * double(per);
  oracle::check_claimed_count(want, bytes, reader.where());
  oracle::RationalMatrix m(rows, cols, complex);
  const std::string shape = std::to_string(rows) + "x" + std::to_string(cols);
  // Matrix Market arrays are column-major.
  for (std::size_t k = 0; k < rows * cols * per; ++k) {
    if (!reader.next(t))
      throw std::invalid_argument(reader.where() + "expected " + std::to_string(std::size_t(want)) +
                                  " numbers for a " + shape + " array, found " + std::to_string(k));
    const std::size_t e = k / per, i = e % rows, j = e / rows;
    (k % per ? m.im : m.re)[i * cols + j] = number(t, reader.where(), budget);
  }
  if (reader.next(t))
    throw std::invalid_argument(reader.where() + "more than the " + std::to_string(std::size_t(want)) +
                                " numbers of a " + shape + " array (next: " + oracle::quote_input(t) + ")");
  return m;
}

oracle::RationalMatrix read_csv(std::istream& in, const std::string& path, std::optional<std::uintmax_t> bytes) {
  TokenReader reader(in, path, '#', ",");
  oracle::ExactSizeBudget budget(bytes);
  std::vector<std::vector<rational>> rows;
  std::vector<rational> row;
  long row_line = 0;
  auto end_row = [&] {
    if (row.empty()) return;
    if (!rows.empty() && row.size() != rows.front().size())
      throw std::invalid_argument(path + ":" + std::to_string(row_line) + ": row has " + std::to_string(row.size()) +
                                  " entries, the first row " + std::to_string(rows.front().size()));
    rows.push_back(std::move(row));
    row.clear();
  };
  std::string t;
  while (reader.next(t)) {
    if (reader.line() != row_line) {
      end_row();
      row_line = reader.line();
    }
    row.push_back(number(t, reader.where(), budget));
  }
  end_row();
  if (rows.empty()) throw std::invalid_argument(path + ": no numbers found");
  oracle::RationalMatrix m(rows.size(), rows.front().size());
  for (std::size_t i = 0; i < m.rows; ++i)
    for (std::size_t j = 0; j < m.cols; ++j) m.re[i * m.cols + j] = std::move(rows[i][j]);
  return m;
}

}  // namespace

oracle::RationalMatrix parse_matrix_text(std::istream& in, const std::string& source,
                                         std::optional<std::uintmax_t> bytes) {
  // Matrix Market by its banner; anything else is CSV.
  const std::string banner = "%%MatrixMarket";
  std::string start(banner.size(), '\0');
  in.read(start.data(), std::streamsize(start.size()));
  start.resize(std::size_t(in.gcount()));
  in.clear();
  in.seekg(0);
  if (!in) throw std::invalid_argument("cannot read " + oracle::quote_input(source) + ": not seekable");
  return start == banner ? read_matrix_market(in, source, bytes) : read_csv(in, source, bytes);
}

oracle::RationalMatrix read_matrix_file(const std::string& path) {
  // Binary formats by extension: .npy, .mat, or FILE.mat:NAME for one
  // variable of a .mat file (when no file has the whole name).
  const auto ends_with = [](const std::string& s, const char* e) { return lower(s).ends_with(e); };
  if (ends_with(path, ".npy")) {
    oracle::DataFile f = oracle::open_data_file(path, "matrix file");
    return read_npy(f.in, path, f.bytes);
  }
  std::string file = path;
  std::optional<std::string> variable;
  const std::size_t colon = path.rfind(':');
  std::error_code ec;
  if (colon != std::string::npos && ends_with(path.substr(0, colon), ".mat") && !std::filesystem::exists(path, ec)) {
    file = path.substr(0, colon);
    variable = path.substr(colon + 1);
  }
  if (ends_with(file, ".mat")) {
    oracle::DataFile f = oracle::open_data_file(file, "matrix file");
    std::string bytes(f.bytes, '\0');
    f.in.read(bytes.data(), std::streamsize(bytes.size()));
    if (std::uintmax_t(f.in.gcount()) != f.bytes) throw std::invalid_argument("cannot read " + file + ": read error");
    return read_mat(bytes, file, variable);
  }
  oracle::DataFile f = oracle::open_data_file(path, "matrix file");
  return parse_matrix_text(f.in, path, f.bytes);
}

}  // namespace barriers::cli
