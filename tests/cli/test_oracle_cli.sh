#!/usr/bin/env bash
# End-to-end checks of `barriers oracle`: outputs, files, and one-line errors
# with exit code 2 for bad input. Usage: test_oracle_cli.sh path/to/barriers
set -u
bin="$1"
source "$(dirname "$0")/cli_test_lib.bash"

# A correct query: exit 0, the certified bound is reported and met.
"$bin" oracle --instance dct --size 4 --n 10 >"$tmp/out" 2>"$tmp/err" || bad "dct query failed: $(cat "$tmp/err")"
grep -q "requested 2^-10" "$tmp/out" && ok || bad "dct query output lacks the requested bound"
grep -q "669/1024" "$tmp/out" && ok || bad "dct(4) n=10 entry cos(pi/8)/sqrt(2) ~ 669/1024 missing"
! grep -q "NOT MET" "$tmp/out" && ok || bad "nearest policy reported an unmet bound"

# JSON output parses and says the bound was met.
"$bin" oracle --instance dft --size 3 --n 40 --format json >"$tmp/a.json" || bad "dft json query failed"
python3 -c "
import json,sys
j=json.load(open('$tmp/a.json'))
assert j['A']['bound_met'] and j['y']['bound_met'], 'bound not met'
assert j['A']['bound_log2'] <= -40, j['A']['bound_log2']
assert 'im' in j['A'], 'complex data lacks imaginary parts'
" && ok || bad "dft json output wrong"

# --out writes a rational file that reads back as an exact instance.
"$bin" oracle --instance dct --size 3 --n 6 --out "$tmp/o" >/dev/null 2>&1 || bad "--out failed"
[ -s "$tmp/o/answer.json" ] && [ -s "$tmp/o/answer.txt" ] && ok || bad "--out did not write both files"
"$bin" oracle --instance rational-file --file "$tmp/o/answer.txt" --n 30 >"$tmp/out" 2>&1 || bad "reading back answer.txt failed"
grep -q "0 (exact)" "$tmp/out" && ok || bad "a dyadic file queried at n=30 should be answered exactly"

# Complex data round-trip too: answer.txt of a DFT query reads back as an
# exact instance holding the same data (queried at n = 20, finer than the
# answer's grid, it is answered exactly, entry for entry).
"$bin" oracle --instance dft --size 3 --n 12 --out "$tmp/c" >"$tmp/dft.out" 2>/dev/null || bad "dft --out failed"
grep -q "^A 3 3 complex$" "$tmp/c/answer.txt" && ok || bad "answer.txt lacks the complex header: $(head -3 "$tmp/c/answer.txt")"
"$bin" oracle --instance rational-file --file "$tmp/c/answer.txt" --n 20 >"$tmp/back.out" 2>&1 ||
  bad "reading back a complex answer.txt failed: $(cat "$tmp/back.out")"
[ "$(grep -c '0 (exact)' "$tmp/back.out")" -eq 2 ] && ok || bad "the read-back dyadic data should be answered exactly"
[ "$(grep -A4 '^A_n' "$tmp/dft.out" | tail -3)" = "$(grep -A4 '^A_n' "$tmp/back.out" | tail -3)" ] && ok ||
  bad "complex A_n differs after the round trip"
[ "$(grep -A4 '^y_n' "$tmp/dft.out" | tail -3)" = "$(grep -A4 '^y_n' "$tmp/back.out" | tail -3)" ] && ok ||
  bad "complex y_n differs after the round trip"

# Omega_K family members: answered like any instance; the adversary answers
# members 1 and 2 with the same bits (the family's limit) at a query
# precision the members' agreement certifies, as the theorem's two-point
# argument needs.
"$bin" oracle --instance family --problem p3 --K 2 --family-n 16 --n 12 --j 1 --policy adversarial >"$tmp/f1" 2>&1 ||
  bad "family j=1 query failed: $(cat "$tmp/f1")"
"$bin" oracle --instance family --problem p3 --K 2 --family-n 16 --n 12 --j 2 --policy adversarial >"$tmp/f2" 2>&1 ||
  bad "family j=2 query failed: $(cat "$tmp/f2")"
grep -q "ADVERSARIAL" "$tmp/f1" && ok || bad "family adversarial answer not flagged"
[ "$(grep -v '^instance' "$tmp/f1")" = "$(grep -v '^instance' "$tmp/f2")" ] && ok ||
  bad "the adversary gave members 1 and 2 different data at n = 12"
"$bin" oracle --instance family --problem p3 --K 2 --n 40 --family-n 12 --j 1 >"$tmp/f1" 2>&1 &&
  "$bin" oracle --instance family --problem p3 --K 2 --n 40 --family-n 12 --j 2 >"$tmp/f2" 2>&1 || bad "family --family-n failed"
[ "$(grep -v '^instance' "$tmp/f1")" != "$(grep -v '^instance' "$tmp/f2")" ] && ok ||
  bad "members agreeing to 2^-12 should be told apart at n = 40"
expect_error "--j 3 is out of range" oracle --instance family --N1 2 --j 3
expect_error "give --family-n" oracle --instance family --n 0
expect_error "--j applies only to --instance family" oracle --instance dct --size 3 --j 1
expect_error "--lambda does not apply to --problem p1" oracle --instance family --problem p1 --lambda 1/2 --n 4
expect_error "--eta applies only to --problem p1" oracle --instance family --problem p3 --eta 1/4 --n 4

# The random policy is reproducible per seed and differs across seeds.
a=$("$bin" oracle --instance dct --size 5 --n 20 --policy random --seed 4)
b=$("$bin" oracle --instance dct --size 5 --n 20 --policy random --seed 4)
c=$("$bin" oracle --instance dct --size 5 --n 20 --policy random --seed 5)
[ "$a" = "$b" ] && ok || bad "random policy not reproducible"
[ "$a" != "$c" ] && ok || bad "random policy ignores the seed"

# The adversarial policy answers with the other instance and says so.
"$bin" oracle --instance dct --size 3 --n 12 --policy adversarial >"$tmp/out" || bad "adversarial query failed"
grep -q "ADVERSARIAL" "$tmp/out" && ok || bad "adversarial answer not flagged"

# IEEE answers that cannot meet 2^-n say so.
"$bin" oracle --instance dct --size 2 --n 80 --policy ieee >"$tmp/out" || bad "ieee query failed"
grep -q "BOUND NOT MET" "$tmp/out" && ok || bad "ieee at n=80 should report the unmet bound"

# Bad input: one line, exit 2.
printf 'A 2 2\n1 2\n3 x\ny 2\n1 1\n' >"$tmp/bad.txt"
printf 'A 2 2\n1 2\n' >"$tmp/short.txt"
expect_error "out of range" oracle --instance dct --size 3 --n -1
expect_error "out of range" oracle --instance dct --size 3 --n 1000001
expect_error "not a whole number" oracle --instance dct --size 3 --n 1e3
expect_error "out of range" oracle --instance dct --size 0
expect_error "query too large" oracle --instance dft --size 1024 --n 100000
expect_error "--size 4096 is out of range" oracle --instance dct --size 4096
expect_error "--file applies only" oracle --instance dft --size 3 --file "$tmp/bad.txt"
expect_error "--size applies only" oracle --instance rational-file --file "$tmp/bad.txt" --size 3
expect_error "unknown instance 'hadamard'" oracle --instance hadamard --size 4
expect_error "unknown answer policy 'closest'" oracle --instance dct --size 3 --policy closest
expect_error "unknown format" oracle --instance dct --size 3 --format xml
expect_error "--size is required" oracle --instance dft
expect_error "--file PATH is required" oracle --instance rational-file
expect_error "cannot open" oracle --instance rational-file --file "$tmp/missing.txt"
expect_error "bad.txt:3: 'x' is not a rational" oracle --instance rational-file --file "$tmp/bad.txt"
expect_error "unexpected end of file" oracle --instance rational-file --file "$tmp/short.txt"
expect_error "--other is used only" oracle --instance dct --size 3 --other "$tmp/bad.txt"
expect_error "unknown command 'orcale'" orcale
expect_error "not expected" oracle --instance dct --size 3 --bogus
expect_error "required" oracle

"$bin" --help >/dev/null && ok || bad "--help failed"
"$bin" oracle --help | grep -q -- "--policy" && ok || bad "oracle --help lacks --policy"

finish
