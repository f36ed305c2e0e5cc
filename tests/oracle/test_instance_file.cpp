#include <doctest/doctest.h>

#include <chrono>
#include <sstream>

#include "barriers/oracle/instance.hpp"
#include "barriers/oracle/oracle.hpp"
#include "barriers/oracle/text_input.hpp"
#include "barriers/precision/dyadic.hpp"

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

TEST_CASE("decimal exponents are bounded by what a working precision can use") {
  // 10^315652 < 2^(2^20) < 10^315653: the largest exponent is read, exactly.
  const auto start = std::chrono::steady_clock::now();
  const rational big = parse_rational("1e315652");
  CHECK(mpz_sizeinbase(mpq_numref(big.backend().data()), 2) == 1048574);  // 10^315652 < 2^(2^20)
  CHECK(parse_rational("-2.5e-315652") == -rational(25) / (big * 10));
  CHECK(parse_rational("1e+0005") == 100000);
  // Beyond it: refused at once (10^9999999 used to be computed: a hang).
  for (const char* bad : {"1e315653", "1e-315653", "1e9999999", "1e-9999999", "7e00000000315653"})
    CHECK_THROWS_WITH_AS(parse_rational(bad), doctest::Contains("allowed |exponent| <= 315652"), std::invalid_argument);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
}

TEST_CASE("error messages quote binary input and cut long tokens") {
  CHECK_THROWS_WITH(parse_rational(std::string("\x01\x1b[2J", 5)), doctest::Contains("'\\x01\\x1B[2J'"));
  const std::string huge = std::string(100000, '9') + "x";
  try {
    (void)parse_rational(huge);
    FAIL("not a number");
  } catch (const std::invalid_argument& e) {
    CHECK(std::string(e.what()).size() < 300);
    CHECK(std::string(e.what()).find("...(100001 bytes)") != std::string::npos);
  }
  CHECK_THROWS_WITH(parse_rational(std::string(max_token_chars + 1, '1')), doctest::Contains("longer than"));
  // The same from a file: the reader refuses the token as soon as it is too long.
  CHECK_THROWS_WITH(parse("A 1 1\n" + std::string(max_token_chars + 1, '1') + "\ny 1\n1\n"),
                    doctest::Contains("test.txt:2: a number longer than 1000000 characters"));
}

TEST_CASE("claimed sizes are checked against the input before allocating") {
  std::istringstream in("A 100000 100000\n1 2 3\n");
  CHECK_THROWS_WITH_AS(parse_rational_instance(in, "t.txt", 20),
                       doctest::Contains("claims 10000000000 numbers but the file has only 20 bytes"),
                       std::invalid_argument);
  // Without a known size, the machine's memory still bounds the claim.
  CHECK_THROWS_WITH(parse("A 100000000 100000000\n1\n"), doctest::Contains("more than this machine's memory"));
  // A short token can stand for a huge number: the total is capped.
  std::string many = "A 1 200\n";
  for (int k = 0; k < 200; ++k) many += "1e315652 ";
  CHECK_THROWS_WITH(parse(many + "\ny 1\n1\n"), doctest::Contains("need more than"));
}

TEST_CASE("complex files: pairs of real and imaginary parts after 'complex'") {
  const Instance i = parse("A 1 2 complex\n1 -1/2 0 3\ny 1\n2\n");
  const RationalMatrix a = *i.A.exact_rational();
  REQUIRE(a.is_complex());
  CHECK(a.real(0, 0) == 1);
  CHECK(a.imag(0, 0) == rational(-1, 2));
  CHECK(a.real(0, 1) == 0);
  CHECK(a.imag(0, 1) == 3);
  CHECK_FALSE(i.y.exact_rational()->is_complex());
  CHECK_THROWS_WITH(parse("A 1 1 complex\n1\ny 1\n1\n"), doctest::Contains("'y' is not a rational"));
}

TEST_CASE("only regular files are read") {
  CHECK_THROWS_WITH_AS(read_rational_instance("/dev/zero"), doctest::Contains("not a regular file"),
                       std::invalid_argument);
  CHECK_THROWS_WITH(read_rational_instance("/"), doctest::Contains("is a directory"));
}

TEST_CASE("the oracle answers huge entries without a search over powers of two") {
  // Its precision schedule starts from the bit length of the largest entry;
  // finding it by trying 2^0, 2^1, ... took about 40 s for 10^300000.
  const auto start = std::chrono::steady_clock::now();
  const Instance i = parse("A 1 1\n1e300000\ny 1\n1\n");
  const InstanceAnswer a = Oracle(i, {AnswerPolicy::nearest, 0}).query(4);
  CHECK(a.A.value.re[0] == parse_rational("1e300000"));
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
}
