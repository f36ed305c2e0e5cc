#include <doctest/doctest.h>

#include <sstream>

#include "barriers/oracle/instance.hpp"

using namespace barriers;
using namespace barriers::oracle;

namespace {
Instance parse(const std::string& text) {
  std::istringstream in(text);
  return parse_rational_instance(in, "test.txt");
}
}  // namespace

TEST_CASE("rational tokens are read exactly") {
  CHECK(parse_rational("3") == 3);
  CHECK(parse_rational("-7/2") == rational(-7, 2));
  CHECK(parse_rational("0.1") == rational(1, 10));
  CHECK(parse_rational("-1.25e-3") == rational(-1, 800));
  CHECK(parse_rational("2E3") == 2000);
  CHECK(parse_rational("+.5") == rational(1, 2));
  CHECK(parse_rational("6/4") == rational(3, 2));
  // Leading zeros are decimal, not octal.
  CHECK(parse_rational("010") == 10);
  CHECK(parse_rational("0.0123") == rational(123, 10000));
  CHECK(parse_rational("-09/08") == rational(-9, 8));
  CHECK(parse_rational("0.02351892825124904") == rational(2351892825124904LL, 100000000000000000LL));
  for (const char* bad : {"", "abc", "1/0", "1/-2", "1.2.3", "e5", "1e", "0x10", "nan", "inf", "1/2/3", "--1"})
    CHECK_THROWS_AS(parse_rational(bad), std::invalid_argument);
  CHECK_THROWS_WITH(parse_rational("1/0"), doctest::Contains("zero denominator"));
}

TEST_CASE("a well-formed file gives an exact instance") {
  const Instance i = parse("# a 2x3 example\nA 2 3\n1 0 -1/3\n0.5 2 1e-2\ny 2\n1 -1 # trailing comment\n");
  CHECK(i.A.rows() == 2);
  CHECK(i.A.cols() == 3);
  const RationalMatrix a = *i.A.exact_rational();
  CHECK(a.real(0, 2) == rational(-1, 3));
  CHECK(a.real(1, 2) == rational(1, 100));
  CHECK(i.y.exact_rational()->re[1] == -1);
}

TEST_CASE("malformed files name the line and the problem") {
  CHECK_THROWS_WITH_AS(parse("A 2 2\n1 2\n3 x\ny 2\n1 1\n"), doctest::Contains("test.txt:3: 'x' is not a rational"),
                       std::invalid_argument);
  CHECK_THROWS_WITH(parse("A 2 2\n1 2\n3\n"), doctest::Contains("unexpected end of file"));
  CHECK_THROWS_WITH(parse("B 2 2\n"), doctest::Contains("expected 'A <rows> <cols>'"));
  CHECK_THROWS_WITH(parse("A 0 2\ny 0\n"), doctest::Contains("sizes must be at least 1"));
  CHECK_THROWS_WITH(parse("A 2 -1\n"), doctest::Contains("is not a size"));
  CHECK_THROWS_WITH(parse("A 1 1\n1\ny 2\n1 1\n"), doctest::Contains("y has length 2 but A has 1 rows"));
  CHECK_THROWS_WITH(parse("A 1 1\n1\ny 1\n1 5\n"), doctest::Contains("unexpected '5'"));
  CHECK_THROWS_WITH(parse(""), doctest::Contains("unexpected end of file"));
  CHECK_THROWS_WITH(read_rational_instance("/nonexistent/file.txt"), doctest::Contains("cannot open"));
}

TEST_CASE("built-in instances check their size") {
  CHECK_THROWS_WITH_AS(dct_instance(0), doctest::Contains("size 0"), std::invalid_argument);
  CHECK_THROWS_AS(dft_instance(max_builtin_size + 1), std::invalid_argument);
  CHECK(dct_instance(3).y.rows() == 3);
}
