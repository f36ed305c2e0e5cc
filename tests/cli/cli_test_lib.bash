# Shared helpers for the CLI test scripts (sourced, not run; no test of its own).
# Each script sets bin="$1" and then sources this file.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
pass=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

# expect_error "<substring>" args...: exit 2 and exactly one line on stderr containing it.
expect_error() {
  local want="$1"; shift
  "$bin" "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  if [ "$rc" -ne 2 ]; then bad "'$*' exited $rc, expected 2: $(cat "$tmp/err")"; return; fi
  if [ "$(wc -l <"$tmp/err")" -ne 1 ]; then bad "'$*' did not print exactly one error line: $(cat "$tmp/err")"; return; fi
  grep -qF -- "$want" "$tmp/err" || { bad "'$*' error lacks '$want': $(cat "$tmp/err")"; return; }
  if [ -s "$tmp/out" ]; then bad "'$*' printed on stdout"; return; fi
  ok
}

# Prints the closing count and sets the exit status.
finish() {
  echo "$pass passed, $fails failed"
  [ "$fails" -eq 0 ]
}
