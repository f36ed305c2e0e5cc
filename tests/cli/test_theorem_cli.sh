#!/usr/bin/env bash
# End-to-end checks of `barriers theorem`: every claim passes, files are written,
# bad parameters give one error line.
# Usage: test_theorem_cli.sh path/to/barriers
set -u
bin="$1"
source "$(dirname "$0")/cli_test_lib.bash"

"$bin" theorem --K 3 --n-max 6 --budgets 4,12 --trials 20 --out "$tmp/t" >"$tmp/out" 2>"$tmp/err" ||
  bad "theorem failed: $(cat "$tmp/err") $(cat "$tmp/out")"
grep -q "^ALL PASS: 0 claim(s) failed" "$tmp/out" && ok || bad "theorem: not all claims passed: $(cat "$tmp/out")"
grep -q "FAIL " "$tmp/out" && bad "theorem printed a FAIL line" || ok
# Part 1 plays the three class algorithms and the two default solvers (p3).
[ "$(grep -c "identical data and the larger distance > 10^-3" "$tmp/out")" -eq 5 ] && ok ||
  bad "theorem: expected 5 part-1 claims: $(cat "$tmp/out")"
for f in theorem_part1.csv theorem_part2.csv theorem_part3.csv theorem.png; do
  [ -s "$tmp/t/$f" ] && ok || bad "theorem did not write $f"
done
# Part 2 rows: V and U members for j = 1, 2 and n = 1..6, plus the limit.
[ "$(wc -l <"$tmp/t/theorem_part2.csv")" -eq 26 ] && ok || bad "theorem_part2.csv should have 25 rows"
head -1 "$tmp/t/theorem_part2.csv" | grep -qx "member,scale,j,n,queries,max_bits_read,dist_upper" && ok ||
  bad "theorem_part2.csv header"

# Other problems and an MPFR solver run.
"$bin" theorem --problem p1 --K 4 --n-max 3 --budgets 8 --trials 0 --type mpfr --bits 128 >"$tmp/out" 2>&1 &&
  grep -q "^ALL PASS" "$tmp/out" && ok || bad "theorem p1 mpfr: $(cat "$tmp/out")"

expect_error "K = 2 is too small for the theorem's class" theorem --K 2
expect_error "--n-max 0 is out of range" theorem --n-max 0
expect_error "--budgets 3 is out of range" theorem --budgets 3
expect_error "--n-max 257 is out of range" theorem --n-max 257
expect_error "unknown solver" theorem --solvers pdhg,magic
expect_error "delta = 1/4 is out of range" theorem --delta 1/4
finish
