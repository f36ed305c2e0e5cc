#!/usr/bin/env bash
# Bad inputs against every command and every kind of option and file: each
# must be refused with one line "barriers: error: ..." naming what is wrong,
# exit 2 (usage) or 1 (failure), within 20 s, without a crash, a core dump,
# output on stdout or files left under final names (expect_rejected and
# no_final_files in cli_test_lib.bash). The disk-full and injection cases of
# --out are in test_output_safety.sh.
# Usage: test_bad_inputs.sh path/to/barriers
set -u
bin="$1"
source "$(dirname "$0")/cli_test_lib.bash"

long_digits=$(head -c 100000 /dev/zero | tr '\0' '7')   # a 100 kB number
esc=$'\x1b[31mred\x01'                                  # control characters
latin1=$'caf\xe9'                                       # not UTF-8

# ---- input files ----
printf '1, 0.5, 0, -1\n0, 2, 1, 0\n1/3, 0, 1, 1\n' >"$tmp/A.csv"
printf '0.5\n2\n0\n' >"$tmp/y.csv"
: >"$tmp/empty.csv"
printf '# only a comment\n\n   \n' >"$tmp/blank.csv"
printf '1, nan\n' >"$tmp/nan.csv"
printf '1, -Inf\n' >"$tmp/inf.csv"
printf '1, 2\n3\n' >"$tmp/ragged.csv"
printf '1, two\n' >"$tmp/word.csv"
printf '1, 1/0\n' >"$tmp/zeroden.csv"
printf '1, 1e9999999\n' >"$tmp/hugeexp.csv"
printf '1, 1e-9999999\n' >"$tmp/tinyexp.csv"
printf '1, %s\n' "$long_digits" >"$tmp/longnum.csv"
printf '1, 2\x00, 3\n' >"$tmp/nul.csv"
printf '\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe\x01\x02' >"$tmp/binary.csv"
head -c 3000000 /dev/zero | tr '\0' '1' >"$tmp/longline.csv"   # one 3 MB line
mkdir "$tmp/dir.csv"
mkfifo "$tmp/fifo.csv"
mm() { printf '%%%%MatrixMarket %s\n' "$1"; shift; printf '%s\n' "$@"; }
mm "matrix coordinate real general" "2 2 1" "1 1 1" >"$tmp/coord.mtx"
mm "matrix array real symmetric" "2 2" 1 2 3 >"$tmp/sym.mtx"
mm "tensor array real general" "2 1" 1 2 >"$tmp/object.mtx"
mm "matrix array pattern general" "2 1" 1 2 >"$tmp/pattern.mtx"
mm "matrix array real general" "2 2" 1 2 3 >"$tmp/short.mtx"
mm "matrix array real general" >"$tmp/nosize.mtx"
mm "matrix array real general" "0 2" >"$tmp/zero.mtx"
mm "matrix array real general" "-2 1" 1 2 >"$tmp/negsize.mtx"
mm "matrix array real general" "2.5 1" 1 2 >"$tmp/fracsize.mtx"
mm "matrix array real general" "100000000 100000000" 1 2 >"$tmp/claimed.mtx"
mm "matrix array real general" "2 1" 1 nan >"$tmp/nan.mtx"
mm "matrix array complex general" "2 1" 1 2 3 >"$tmp/cshort.mtx"
printf '%%%%MatrixMarket\n1\n' >"$tmp/banner.mtx"

# Rational instance files (oracle --file / --other).
printf 'A 2 2\n1 0\n0 1\ny 2\n1 0\n' >"$tmp/ok.rat"
printf 'B 2 2\n1 0\n0 1\ny 2\n1 0\n' >"$tmp/nokey.rat"
printf 'A 2 2\n1 0\n0\ny 2\n1 0\n' >"$tmp/short.rat"
printf 'A 2 2\n1 0\n0 1\n' >"$tmp/noy.rat"
printf 'A 2 2\n1 0\n0 1\ny 3\n1 0 0\n' >"$tmp/ylen.rat"
printf 'A 0 2\ny 0\n' >"$tmp/zero.rat"
printf 'A -1 2\n' >"$tmp/neg.rat"
printf 'A 100000000 100000000\n1 2 3\n' >"$tmp/claimed.rat"
printf 'A 99999999999999999999999 1\n1\n' >"$tmp/overflow.rat"
printf 'A 1 1\nnan\ny 1\n1\n' >"$tmp/nan.rat"
printf 'A 1 1\n1e9999999\ny 1\n1\n' >"$tmp/hugeexp.rat"
printf 'A 1 1\n1/0\ny 1\n1\n' >"$tmp/zeroden.rat"
printf 'A 1 1\n1\ny 1\n1\nextra\n' >"$tmp/trailing.rat"
cp "$tmp/binary.csv" "$tmp/binary.rat"
: >"$tmp/empty.rat"
mkdir "$tmp/dir.rat"
mkfifo "$tmp/fifo.rat"
printf 'A 3 3\n1 0 0\n0 1 0\n0 0 1\ny 3\n1 0 0\n' >"$tmp/other3.rat"   # a different size from ok.rat

# --out targets that cannot be used.
printf 'x\n' >"$tmp/a_file"
mkdir -p "$tmp/outdir_with_dir/table1.csv" "$tmp/outdir_with_dir/answer.json" "$tmp/outdir_with_dir/solution.csv" \
  "$tmp/outdir_with_dir/sweep.csv" "$tmp/outdir_with_dir/theorem_part1.csv"

# ---- the command line itself ----
expect_rejected 2 "command"
expect_rejected 2 "command" ""
expect_rejected 2 "unknown command 'orcale'" orcale
expect_rejected 2 "unknown command" "$esc"
expect_rejected 2 "--bogus|subcommand" --bogus
for c in "oracle --instance dct --size 4" verify table1 adversary "solve --A $tmp/A.csv --y $tmp/y.csv" sweep theorem; do
  # shellcheck disable=SC2086
  expect_rejected 2 "--bogus" $c --bogus
  # shellcheck disable=SC2086
  expect_rejected 2 "extra" $c extra
done

# ---- oracle ----
O=(oracle --instance dct --size 4)
expect_rejected 2 "--instance" oracle
expect_rejected 2 "--instance" oracle --instance
expect_rejected 2 "instance" oracle --instance hadamard --size 4
expect_rejected 2 "instance" oracle --instance "" --size 4
expect_rejected 2 "instance" oracle --instance "$esc" --size 4
expect_rejected 2 "--size is required" oracle --instance dft
for v in 0 -1 1025 1e3 4.0 "" nan inf 0x10 99999999999999999999 "$long_digits" "$latin1"; do
  expect_rejected 2 "--size" oracle --instance dct --size "$v"
done
for v in -1 100001 nan inf -inf "" 1.5 1e3 0x10 " 10" "$long_digits" "$esc"; do
  expect_rejected 2 "--n|n = " "${O[@]}" --n "$v"
done
for v in best "" NEAREST "$esc"; do expect_rejected 2 "policy" "${O[@]}" --policy "$v"; done
for v in -1 4611686018427387905 abc ""; do expect_rejected 2 "--seed" "${O[@]}" --seed "$v" --policy random; done
for v in xml "" TEXT; do expect_rejected 2 "format" "${O[@]}" --format "$v"; done
expect_rejected 2 "--other" "${O[@]}" --other "$tmp/ok.rat"
expect_rejected 2 "--file" "${O[@]}" --file "$tmp/ok.rat"
expect_rejected 2 "--size" oracle --instance rational-file --file "$tmp/ok.rat" --size 4
expect_rejected 2 "--file" oracle --instance rational-file
for f in missing.rat empty.rat dir.rat fifo.rat nokey.rat short.rat noy.rat ylen.rat zero.rat neg.rat claimed.rat \
  overflow.rat nan.rat hugeexp.rat zeroden.rat trailing.rat binary.rat; do
  expect_rejected 2 "$f" oracle --instance rational-file --file "$tmp/$f"
done
expect_rejected 2 "/dev/zero" oracle --instance rational-file --file /dev/zero
expect_rejected 2 "/dev/null" oracle --instance rational-file --file /dev/null
expect_rejected 2 "empty.rat" oracle --instance dct --size 2 --policy adversarial --other "$tmp/empty.rat"
expect_rejected 2 "--other|second instance" oracle --instance rational-file --file "$tmp/ok.rat" --policy adversarial \
  --other "$tmp/other3.rat"
expect_rejected 2 "--out" "${O[@]}" --out "$tmp/a_file"
expect_rejected 2 "--out" "${O[@]}" --out "$tmp/a_file/sub"
expect_rejected 2 "--out" "${O[@]}" --out ""
expect_rejected 2 "answer.json" "${O[@]}" --out "$tmp/outdir_with_dir"
# An oracle --out refused late (bad --other file) must not leave files behind.
expect_rejected 2 "empty.rat" oracle --instance dct --size 2 --policy adversarial --other "$tmp/empty.rat" \
  --out "$tmp/o_late"
no_final_files "$tmp/o_late"
expect_rejected 2 "--size" oracle --instance dct --size 2000 --out "$tmp/o_size"
no_final_files "$tmp/o_size"

# ---- verify (and the family options shared with adversary, sweep, theorem) ----
for v in p4 "" P3 "$esc" "$latin1"; do expect_rejected 2 "problem" verify --problem "$v"; done
for v in 0 -1 101 1e2 nan "" 3.5 "$long_digits"; do expect_rejected 2 "--K|K = " verify --K "$v"; done
for v in -1 nan "" 1e400 99999999999999999999 "$long_digits"; do expect_rejected 2 "--n|n = " verify --n "$v"; done
for v in 0 1/4 1/2 -1 nan inf 1/0 "" abc 1e9999999 1e-9999999 "$long_digits"; do
  expect_rejected 2 "--delta|delta = " verify --delta "$v"
done
for v in 0 2 -1 nan 1/0 "" 1e9999999; do expect_rejected 2 "--lambda|lambda = " verify --lambda "$v"; done
for v in -1 1/2 nan ""; do expect_rejected 2 "--eta|eta = " verify --problem p1 --eta "$v"; done
expect_rejected 2 "--eta|eta = " verify --problem p3 --eta 0
expect_rejected 2 "--lambda|lambda = " verify --problem p1 --lambda 1/2
for v in 0 1 -3 1000001 nan ""; do expect_rejected 2 "--N1|N1 = " verify --N1 "$v"; done
for v in -3 1000001 nan ""; do expect_rejected 2 "--N2|N2 = " verify --N2 "$v"; done
expect_rejected 2 "N1 + N2" verify --N1 1000000 --N2 1000000
for v in xml ""; do expect_rejected 2 "format" verify --format "$v"; done

# ---- table1 ----
T=(table1 --K 1 --n 10 --samples 10 --validation 5 --epochs 1 --quiet)
for v in 0 101 -1 "" "1,,3" "1," a 1e1 "$long_digits"; do expect_rejected 2 "--K|K = " "${T[@]}" --K "$v"; done
for v in 0 -5 100001 "" "10;20" nan; do expect_rejected 2 "--n|n = " "${T[@]}" --n "$v"; done
for v in half "" DOUBLE "$esc"; do expect_rejected 2 "type" "${T[@]}" --type "$v"; done
for v in 1 0 -64 2097152 abc; do expect_rejected 2 "--bits" "${T[@]}" --type mpfr --bits "$v"; done
expect_rejected 2 "--bits" "${T[@]}" --bits 128
for v in fast ""; do expect_rejected 2 "--lr-rule|learning-rate rule" "${T[@]}" --lr-rule "$v"; done
for v in 0 -1 1000001 x; do expect_rejected 2 "--samples" "${T[@]}" --samples "$v"; done
for v in 0 100001; do expect_rejected 2 "--validation" "${T[@]}" --validation "$v"; done
for v in -1 1000001 1.5; do expect_rejected 2 "--epochs" "${T[@]}" --epochs "$v"; done
for v in 0 1000001; do expect_rejected 2 "--batch" "${T[@]}" --batch "$v"; done
for v in 0 1001; do expect_rejected 2 "--layers" "${T[@]}" --layers "$v"; done
for v in 0 100001; do expect_rejected 2 "--restarts" "${T[@]}" --restarts "$v"; done
for v in 0 100001; do expect_rejected 2 "--inner" "${T[@]}" --inner "$v"; done
for v in -1 x; do expect_rejected 2 "--seed" "${T[@]}" --seed "$v"; done
for v in 0 65 -2; do expect_rejected 2 "--threads" "${T[@]}" --threads "$v"; done
expect_rejected 2 "--delta|delta = " "${T[@]}" --delta 1/8
# Astronomical work is refused up front with a figure, not attempted.
expect_rejected 2 "" table1 --K 1 --n 10 --samples 1000000 --type mpfr --bits 1000000 --quiet
expect_rejected 2 "" table1 --K 100 --n 100000 --epochs 1000000 --samples 1000000 --quiet
expect_rejected 2 "--out" "${T[@]}" --out "$tmp/a_file"
expect_rejected 2 "--out" "${T[@]}" --out "$tmp/a_file/sub"
expect_rejected 2 "--out" "${T[@]}" --out ""
expect_rejected 2 "table1.csv" "${T[@]}" --out "$tmp/outdir_with_dir"
expect_rejected 2 "--K|K = " "${T[@]}" --K 0 --out "$tmp/t_bad"
no_final_files "$tmp/t_bad"

# ---- adversary ----
for v in newton "" PDHG "$esc"; do expect_rejected 2 "solver" adversary --solver "$v"; done
expect_rejected 2 "p2" adversary --solver fista --problem p3
expect_rejected 2 "p3" adversary --solver firenet --problem p1
expect_rejected 2 "p3" adversary --solver lista --problem p2
for v in half ""; do expect_rejected 2 "type" adversary --type "$v"; done
expect_rejected 2 "--bits" adversary --bits 100
for v in 1 0 2097152 x; do expect_rejected 2 "--bits" adversary --type mpfr --bits "$v"; done
for v in 0 -1 100000001 x; do expect_rejected 2 "--iterations" adversary --iterations "$v"; done
expect_rejected 2 "--iterations" adversary --solver firenet --iterations 10
expect_rejected 2 "--restarts" adversary --solver pdhg --restarts 10
expect_rejected 2 "--inner" adversary --solver pdhg --inner 10
for v in 0 100001; do expect_rejected 2 "--restarts" adversary --solver firenet --restarts "$v"; done
for v in 0 100001; do expect_rejected 2 "--inner" adversary --solver firenet --inner "$v"; done
for v in 1 -1 x; do expect_rejected 2 "--trials" adversary --trials "$v"; done
for v in -1 x; do expect_rejected 2 "--seed" adversary --seed "$v"; done
expect_rejected 2 "--K|K = " adversary --K 0
expect_rejected 2 "--n|n = " adversary --n -1
expect_rejected 2 "--delta|delta = " adversary --delta 1/2
expect_rejected 2 "--N2|N2 = " adversary --N2 -1

# ---- solve ----
S=(solve --A "$tmp/A.csv" --y "$tmp/y.csv")
expect_rejected 2 "--A" solve --y "$tmp/y.csv"
expect_rejected 2 "--y" solve --A "$tmp/A.csv"
expect_rejected 2 "--A|matrix file" solve --A "" --y "$tmp/y.csv"
for f in missing.csv empty.csv blank.csv nan.csv inf.csv ragged.csv word.csv zeroden.csv hugeexp.csv longnum.csv \
  nul.csv binary.csv longline.csv dir.csv fifo.csv coord.mtx sym.mtx object.mtx pattern.mtx short.mtx nosize.mtx \
  zero.mtx negsize.mtx fracsize.mtx claimed.mtx nan.mtx cshort.mtx banner.mtx; do
  expect_rejected 2 "$f" solve --A "$tmp/$f" --y "$tmp/y.csv"
done
expect_rejected 2 "/dev/zero" solve --A /dev/zero --y "$tmp/y.csv"
expect_rejected 2 "nan.csv" solve --A "$tmp/A.csv" --y "$tmp/nan.csv"
expect_rejected 2 "empty.csv" solve --A "$tmp/A.csv" --y "$tmp/empty.csv"
expect_rejected 2 "dir.csv" solve --A "$tmp/A.csv" --y "$tmp/y.csv" --reference "$tmp/dir.csv"
expect_rejected 2 "A.csv" solve --A "$tmp/A.csv" --y "$tmp/A.csv"
expect_rejected 2 "ragged.csv" solve --A "$tmp/A.csv" --y "$tmp/ragged.csv"
expect_rejected 2 "reference" "${S[@]}" --reference "$tmp/y.csv"
# A value finite as a rational but outside double's range is an input error (exit 2) naming its place.
expect_rejected 2 "tinyexp.csv" solve --A "$tmp/tinyexp.csv" --y "$tmp/y.csv"
printf '1, 1e400\n' >"$tmp/big.csv"
printf '1\n' >"$tmp/y1.csv"
expect_rejected 2 "big.csv': the entry at row 1, column 2" solve --A "$tmp/big.csv" --y "$tmp/y1.csv"
for v in p4 "" "$esc"; do expect_rejected 2 "problem" "${S[@]}" --problem "$v"; done
for v in cg "" "$latin1"; do expect_rejected 2 "solver" "${S[@]}" --solver "$v"; done
expect_rejected 2 "p2" "${S[@]}" --solver fista --problem p3
expect_rejected 2 "p1" "${S[@]}" --solver warpd --problem p3
for v in 0 -2 nan inf 1/0 "" abc 1e400 1e9999999 "$long_digits"; do expect_rejected 2 "--lambda|lambda = " "${S[@]}" --lambda "$v"; done
expect_rejected 2 "--lambda|lambda = " "${S[@]}" --problem p1 --lambda 1
expect_rejected 2 "--eta|eta = " "${S[@]}" --problem p3 --eta 0.1
for v in -1 nan ""; do expect_rejected 2 "--eta|eta = " "${S[@]}" --problem p1 --eta "$v"; done
expect_rejected 2 "--C1" "${S[@]}" --C1 2
expect_rejected 2 "--C2" "${S[@]}" --solver warpd-sr --C2 2
for v in 0 -1 nan; do expect_rejected 2 "--C1" "${S[@]}" --solver warpd-sr --C1 "$v"; done
for v in 0 -1 100000001 1e3 ""; do expect_rejected 2 "--iters" "${S[@]}" --iters "$v"; done
expect_rejected 2 "--iters" "${S[@]}" --solver firenet --iters 100
expect_rejected 2 "--restarts" "${S[@]}" --restarts 5
for v in 0 -1 1000001; do expect_rejected 2 "--restarts" "${S[@]}" --solver firenet --restarts "$v"; done
for v in -1 x; do expect_rejected 2 "--inner" "${S[@]}" --solver firenet --inner "$v"; done
for v in -1 nan 1e9999999; do expect_rejected 2 "--delta|delta = " "${S[@]}" --solver firenet --delta "$v"; done
expect_rejected 2 "--delta|delta = " "${S[@]}" --delta 1
for v in half "" "$esc"; do expect_rejected 2 "type" "${S[@]}" --type "$v"; done
expect_rejected 2 "--bits" "${S[@]}" --bits 100
for v in 1 0 -5 2097152 x; do expect_rejected 2 "--bits" "${S[@]}" --type mpfr --bits "$v"; done
for v in maybe ""; do expect_rejected 2 "--warm-dual" "${S[@]}" --solver warpd-sr --warm-dual "$v"; done
expect_rejected 2 "--warm-dual" "${S[@]}" --warm-dual no
expect_rejected 2 "--last-iterate" "${S[@]}" --solver fista --problem p2 --last-iterate
# A problem too large for memory at the requested precision is refused before any work.
{ printf '%%%%MatrixMarket matrix array real general\n400 400\n'; head -c 160000 /dev/zero | tr '\0' '\n' | sed 's/^$/1/'; } \
  >"$tmp/big400.mtx"
printf '1\n%.0s' $(seq 400) >"$tmp/y400.csv"
expect_rejected 2 "" solve --A "$tmp/big400.mtx" --y "$tmp/y400.csv" --type mpfr --bits 1048576
expect_rejected 2 "--out" "${S[@]}" --out "$tmp/a_file"
expect_rejected 2 "--out" "${S[@]}" --out "$tmp/a_file/sub"
expect_rejected 2 "--out" "${S[@]}" --out ""
expect_rejected 2 "solution.csv" "${S[@]}" --out "$tmp/outdir_with_dir"
expect_rejected 2 "nan.csv" solve --A "$tmp/nan.csv" --y "$tmp/y.csv" --out "$tmp/s_bad"
no_final_files "$tmp/s_bad"

# ---- sweep ----
W=(sweep --size 10x20 --sparsity 2 --n 10 --bits 53 --iters 10 --quiet)
for v in wavelet "" "$esc"; do expect_rejected 2 "instance" "${W[@]}" --instance "$v"; done
for v in abc "" x 10x 0x5 5x0 2001x10 10x2001 -3x4 10x20x30 1e1x2 "$long_digits"; do
  expect_rejected 2 "--size" "${W[@]}" --size "$v"
done
for v in 0 -1 2001 x; do expect_rejected 2 "--sparsity" "${W[@]}" --sparsity "$v"; done
expect_rejected 2 "--sparsity" "${W[@]}" --sparsity 21
for v in -1 x; do expect_rejected 2 "--seed" "${W[@]}" --seed "$v"; done
for v in 0 -1 nan inf "" 1e9999999; do expect_rejected 2 "--lambda-gaussian|lambda = " "${W[@]}" --lambda-gaussian "$v"; done
for v in cg fista ""; do expect_rejected 2 "solver" "${W[@]}" --solver "$v"; done
for v in 0 -1 1000001; do expect_rejected 2 "--inner" "${W[@]}" --inner "$v"; done
expect_rejected 2 "--inner" "${W[@]}" --solver pdhg --inner 10
for v in -1 100001 "" "10,,20" nan; do expect_rejected 2 "--n|n = " "${W[@]}" --n "$v"; done
for v in 1 0 100001 "" "53,x"; do expect_rejected 2 "--bits" "${W[@]}" --bits "$v"; done
for v in 0 -1 100000001 ""; do expect_rejected 2 "--iters" "${W[@]}" --iters "$v"; done
for o in "--K 3" "--problem p3" "--delta 1/8" "--lambda 1/2" "--N1 3" "--N2 3" "--no-dct"; do
  # shellcheck disable=SC2086
  expect_rejected 2 "${o%% *}" "${W[@]}" $o
done
for o in "--size 10x20" "--sparsity 2" "--seed 3" "--lambda-gaussian 1/2"; do
  # shellcheck disable=SC2086
  expect_rejected 2 "${o%% *}" sweep --instance family --K 1 --n 10 --bits 53 --iters 10 --quiet $o
done
expect_rejected 2 "--eta|eta = " sweep --instance family --K 1 --n 10 --bits 53 --iters 10 --quiet --eta 0
expect_rejected 2 "problem" sweep --instance family --problem p1 --K 1 --n 10 --bits 53 --iters 10 --quiet
expect_rejected 2 "--K|K = " sweep --instance family --K 0 --n 10 --bits 53 --iters 10 --quiet
expect_rejected 2 "--resume" "${W[@]}" --resume
# Astronomical work is refused up front with a figure, not attempted.
expect_rejected 2 "" sweep --size 2000x2000 --sparsity 10 --n 10 --bits 100000 --iters 10 --quiet
expect_rejected 2 "" sweep --size 2000x2000 --sparsity 10 --n 100000 --bits 53 --iters 100000000 --quiet
expect_rejected 2 "--out" "${W[@]}" --out "$tmp/a_file"
expect_rejected 2 "--out" "${W[@]}" --out "$tmp/a_file/sub"
expect_rejected 2 "--out" "${W[@]}" --out ""
expect_rejected 2 "sweep.csv" "${W[@]}" --out "$tmp/outdir_with_dir"
expect_rejected 2 "--bits" "${W[@]}" --bits 1 --out "$tmp/w_bad"
no_final_files "$tmp/w_bad"
# --resume from a directory whose saved files are damaged.
mkdir -p "$tmp/w_res"
"$bin" "${W[@]}" --out "$tmp/w_res" >/dev/null 2>&1 || bad "sweep for the resume cases failed"
cp -r "$tmp/w_res" "$tmp/w_res2"
printf 'garbage\n' >"$tmp/w_res/sweep.csv"
expect_rejected 2 "sweep.csv" "${W[@]}" --out "$tmp/w_res" --resume
printf 'n,bits,iterations,status,error_lo,error_hi,type,reference\n10,53,10,ok,abc,1,double,planted\n' \
  >"$tmp/w_res/sweep.csv"
expect_rejected 2 "sweep.csv" "${W[@]}" --out "$tmp/w_res" --resume
expect_rejected 2 "--resume" "${W[@]}" --seed 5 --out "$tmp/w_res2" --resume
rm "$tmp/w_res2/sweep_settings.txt"
expect_rejected 2 "sweep_settings.txt" "${W[@]}" --out "$tmp/w_res2" --resume
# Something other than a file where the saved cells belong is refused, not recomputed over or read.
mkdir "$tmp/w_res2/sweep_settings.txt"
expect_rejected 2 "sweep_settings.txt' is not a regular file" "${W[@]}" --out "$tmp/w_res2" --resume
rm "$tmp/w_res2/sweep.csv" && ln -s /dev/zero "$tmp/w_res2/sweep.csv"
expect_rejected 2 "sweep.csv' is not a regular file" "${W[@]}" --out "$tmp/w_res2" --resume

# ---- theorem ----
H=(theorem --K 3 --n-max 2 --budgets 4 --trials 0 --solvers none --quiet)
for v in 0 1 2 101 ""; do expect_rejected 2 "--K|K = " "${H[@]}" --K "$v"; done
for v in 0 -1 257 x ""; do expect_rejected 2 "--n-max" "${H[@]}" --n-max "$v"; done
for v in 3 2049 "" "4,,8" x; do expect_rejected 2 "--budgets" "${H[@]}" --budgets "$v"; done
for v in "" "," cg "pdhg,cg" "$esc"; do expect_rejected 2 "--solvers" "${H[@]}" --solvers "$v"; done
expect_rejected 2 "fista" theorem --K 3 --n-max 2 --budgets 4 --trials 0 --quiet --solvers fista
for v in 0 -1 100001 x; do expect_rejected 2 "--solver-bits" theorem --K 3 --quiet --solvers pdhg --solver-bits "$v"; done
expect_rejected 2 "--solver-bits" "${H[@]}" --solver-bits 20
expect_rejected 2 "type" "${H[@]}" --type double
expect_rejected 2 "type" theorem --K 3 --quiet --solvers pdhg --type half
expect_rejected 2 "--bits" theorem --K 3 --quiet --solvers pdhg --bits 100
for v in 1 2097152; do expect_rejected 2 "--bits" theorem --K 3 --quiet --solvers pdhg --type mpfr --bits "$v"; done
for v in -1 100001 x; do expect_rejected 2 "--trials" "${H[@]}" --trials "$v"; done
for v in -1 x; do expect_rejected 2 "--seed" "${H[@]}" --seed "$v"; done
expect_rejected 2 "--N2|N2 = " "${H[@]}" --N2 -1
expect_rejected 2 "--delta|delta = " "${H[@]}" --delta 1/2
expect_rejected 2 "--lambda|lambda = " "${H[@]}" --lambda 0
expect_rejected 2 "--out" "${H[@]}" --out "$tmp/a_file"
expect_rejected 2 "--out" "${H[@]}" --out "$tmp/a_file/sub"
expect_rejected 2 "--out" "${H[@]}" --out ""
expect_rejected 2 "theorem_part1.csv" "${H[@]}" --out "$tmp/outdir_with_dir"
expect_rejected 2 "--K|K = " "${H[@]}" --K 0 --out "$tmp/h_bad"
no_final_files "$tmp/h_bad"

# ---- an --out directory that cannot be written (read-only filesystem, as root in CI) ----
if mount_full_fs "$tmp/ro" 64 && mount -o remount,ro "$tmp/ro" 2>/dev/null; then
  expect_rejected 2 "--out" "${O[@]}" --out "$tmp/ro/o"
  expect_rejected 2 "--out" "${T[@]}" --out "$tmp/ro/t"
  expect_rejected 2 "--out" "${S[@]}" --out "$tmp/ro/s"
  expect_rejected 2 "--out" "${W[@]}" --out "$tmp/ro/w"
  expect_rejected 2 "--out" "${H[@]}" --out "$tmp/ro/h"
  expect_rejected 2 "--out" "${O[@]}" --out "$tmp/ro"
else
  echo "note: cannot mount a read-only tmpfs here (not root?); read-only --out cases skipped"
fi

finish
