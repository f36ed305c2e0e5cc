#!/usr/bin/env bash
# End-to-end checks of `barriers verify`. Usage: test_verify_cli.sh path/to/barriers
set -u
bin="$1"
source "$(dirname "$0")/cli_test_lib.bash"

for p in p1 p2 p3; do
  for K in 1 3 6; do
    "$bin" verify --problem $p --K $K --n 20 >"$tmp/out" 2>&1
    rc=$?
    [ $rc -eq 0 ] && ok || bad "verify $p K=$K exited $rc"
    [ "$(grep -c '^PASS' "$tmp/out")" -eq 10 ] && ok || bad "verify $p K=$K: expected 10 PASS lines"
    ! grep -q '^FAIL' "$tmp/out" && ok || bad "verify $p K=$K printed FAIL"
  done
done
"$bin" verify --problem p3 --K 3 --n 30 --format json | python3 -c "
import json,sys
j=json.load(sys.stdin)
assert j['all_pass'] and len(j['checks'])==10
" && ok || bad "verify json"
"$bin" verify --no-dct --K 2 --N1 3 --N2 4 | grep -q "unmixed" && ok || bad "--no-dct not reported"

expect_error "K = 0" verify --K 0
expect_error "n = 0" verify --n 0
expect_error "delta = 1/4" verify --delta 1/4
expect_error "delta = 3/10" verify --delta 0.3
expect_error "lambda = 0" verify --lambda 0
expect_error "lambda = -1" verify --lambda -1
expect_error "N1 = 1" verify --N1 1
expect_error "N2 = 0" verify --N2 0
expect_error "unknown problem 'p4'" verify --problem p4
expect_error "--delta: 'x' is not a rational" verify --delta x
expect_error "--K 'three' is not a whole number" verify --K three

finish
