#!/usr/bin/env bash
# Hostile and broken input to every data reader (rational instance files,
# CSV, Matrix Market, exact option values): each must give one error line
# and exit 2 (1 for a real failure such as exhausted memory) within 20 s,
# never hang, crash or flood stderr. Usage: test_bad_inputs_readers.sh path/to/barriers
set -u
real_bin="$1"
source "$(dirname "$0")/cli_test_lib.bash"
# Every run is bounded: a hang shows up as exit 124 instead of 2.
printf '#!/bin/sh\nexec timeout 20 "%s" "$@"\n' "$real_bin" >"$tmp/barriers"
chmod +x "$tmp/barriers"
bin="$tmp/barriers"

printf '1\n' >"$tmp/y1.csv"
printf 'A 1 1\n1\ny 1\n1\n' >"$tmp/ok.txt"
rf() { expect_error "$1" oracle --instance rational-file --file "$2"; }
csv() { expect_error "$1" solve --A "$2" --y "$tmp/y1.csv" --iters 1; }

# Decimal exponents beyond what any precision can use are refused at once
# (10^9999999 used to be computed exactly: a hang).
printf 'A 1 1\n1e9999999\ny 1\n1\n' >"$tmp/exp.txt"
rf "allowed |exponent| <= 315652" "$tmp/exp.txt"
printf '1e-9999999\n' >"$tmp/exp.csv"
csv "allowed |exponent| <= 315652" "$tmp/exp.csv"
expect_error "--lambda" solve --A "$tmp/y1.csv" --y "$tmp/y1.csv" --lambda 1e9999999
expect_error "allowed |exponent|" sweep --instance family --lambda 1e9999999 --n 10 --iters 1
# The largest allowed exponent is read quickly, and a file of many such
# values stops at the size cap instead of exhausting memory.
printf 'A 1 1\n1e315652\ny 1\n1\n' >"$tmp/maxexp.txt"
"$bin" oracle --instance rational-file --file "$tmp/maxexp.txt" --n 10 >/dev/null 2>"$tmp/err" && ok ||
  bad "1e315652 should be accepted: $(head -c 300 "$tmp/err")"
{ printf 'A 1 20000\n'; for _ in $(seq 2000); do printf '1e315652 1e315652 1e315652 1e315652 1e315652 1e315652 1e315652 1e315652 1e315652 1e315652\n'; done; printf 'y 1\n1\n'; } >"$tmp/many.txt"
rf "need more than" "$tmp/many.txt"

# Non-regular files are refused before reading: /dev/zero used to take a
# minute; a directory gave a confusing message.
rf "not a regular file" /dev/zero
csv "not a regular file" /dev/zero
rf "is a directory" "$tmp"
csv "is a directory" "$tmp"
expect_error "no such file" oracle --instance rational-file --file "$tmp/missing"

# Over-long tokens and lines stop at the limit with one line.
head -c 1000010 /dev/zero | tr '\0' '7' >"$tmp/longtok.csv"
csv "longer than 1000000 characters" "$tmp/longtok.csv"
{ printf 'A 1 1\n'; head -c 67108870 /dev/zero | tr '\0' ' '; printf '1\ny 1\n1\n'; } >"$tmp/longline.txt"
rf "line longer than" "$tmp/longline.txt"

# Absurd claimed sizes: checked against the file before allocating.
printf 'A 100000000 100000000\n1\n' >"$tmp/huge.txt"
rf "claims 10000000000000000 numbers but the file has only" "$tmp/huge.txt"
printf 'A 100000 100000\n1\n' >"$tmp/claim.txt"
rf "claims 10000000000 numbers but the file has only" "$tmp/claim.txt"
printf '%%%%MatrixMarket matrix array real general\n100000000 100000000\n1\n' >"$tmp/claim.mtx"
csv "claims 10000000000000000 numbers" "$tmp/claim.mtx"

# Binary input and over-long numbers are quoted and cut in the message.
printf 'A 1 1\n\001\002\033[31mred\ny 1\n1\n' >"$tmp/ctl.txt"
rf "'\\x01\\x02\\x1B[31mred'" "$tmp/ctl.txt"
LC_ALL=C grep -q $'[\001-\010\033]' "$tmp/err" && bad "control characters echoed to stderr" || ok
{ printf 'A 1 1\n'; head -c 100000 /dev/zero | tr '\0' '9'; printf 'x\ny 1\n1\n'; } >"$tmp/longnum.txt"
rf "...(100001 bytes)" "$tmp/longnum.txt"
[ "$(wc -c <"$tmp/err")" -lt 400 ] && ok || bad "a 100 kB number was echoed: $(wc -c <"$tmp/err") bytes on stderr"

# Every error line is printable and bounded, whichever layer made it.
expect_error "unknown command '\\x1B[31mred\\x01'" $'\e[31mred\001'
"$bin" verify --delta "$(head -c 100000 /dev/zero | tr '\0' '7')" >/dev/null 2>"$tmp/err"
[ "$(wc -l <"$tmp/err")" -eq 1 ] && [ "$(wc -c <"$tmp/err")" -lt 1200 ] && ok ||
  bad "a 100 kB option value gave $(wc -c <"$tmp/err") bytes on stderr"

# Whole-number options quote what they echo.
expect_error "--n '1\\x1B[2J' is not a whole number" oracle --instance dct --size 3 --n $'1\e[2J'

# Matrix Market banners are checked word by word (an unknown object used to be read as an array).
for b in "vector array real general:object 'vector'" "matrix coordinate real general:format 'coordinate'" \
  "matrix array pattern general:field 'pattern'" "matrix array real symmetric:symmetry 'symmetric'" \
  "matrix array real general extra:banner is" "matrix array real:banner is"; do
  printf '%%%%MatrixMarket %s\n1 1\n1\n' "${b%%:*}" >"$tmp/banner.mtx"
  csv "${b#*:}" "$tmp/banner.mtx"
done
printf '%%%%MatrixMarketX matrix array real general\n1 1\n1\n' >"$tmp/banner.mtx"
csv "banner is" "$tmp/banner.mtx"
printf '%%%%MatrixMarket matrix array real general\n2 1\n1\n2\n3\n' >"$tmp/extra.mtx"
csv "more than the 2 numbers" "$tmp/extra.mtx"

# Values outside the working type are input errors (exit 2), not failures.
printf '1e400\n' >"$tmp/big.csv"
csv "outside the range of the working type" "$tmp/big.csv"
expect_error "--lambda" solve --A "$tmp/y1.csv" --y "$tmp/y1.csv" --problem p2 --solver fista --lambda 1e400

# Options that do not apply to the chosen instance are errors.
expect_error "--file applies only to --instance rational-file" oracle --instance dct --size 3 --file "$tmp/ok.txt"
expect_error "--size applies only to --instance dct or dft" oracle --instance rational-file --file "$tmp/ok.txt" --size 3
expect_error "--K applies only to --instance family" oracle --instance dct --size 3 --K 2

# Memory exhausted inside GMP: one line and exit 1, never an abort (signal 6).
# A 60x60 matrix at 2^20 bits needs about 470 MB of MPFR (GMP) memory; the
# address space is capped at 400 MB.
# (AddressSanitizer builds reserve terabytes of address space and cannot
# run under ulimit -v: there the case is skipped.)
if grep -q __asan_init "$real_bin"; then
  echo "skipped: GMP out-of-memory case (AddressSanitizer build)"
  finish
  exit $?
fi
for _ in $(seq 60); do printf '1%.0s,' $(seq 59); printf '1\n'; done >"$tmp/ones.csv"
for _ in $(seq 60); do printf '1\n'; done >"$tmp/ones_y.csv"
(ulimit -v 400000; exec "$bin" solve --A "$tmp/ones.csv" --y "$tmp/ones_y.csv" --type mpfr --bits 1048576 --iters 1) \
  >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 1 ] && ok || bad "GMP out of memory exited $rc, expected 1: $(head -c 300 "$tmp/err")"
[ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "out of memory (GMP asked for [0-9]* bytes)" "$tmp/err" && ok ||
  bad "GMP out of memory message: $(head -c 300 "$tmp/err")"

finish
