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

# expect_rejected CODE "<substring>" args...: a bad run refused cleanly. Exit
# CODE (2 usage, 1 failure) within 20 s (no hang), no signal or core dump,
# nothing on stdout, and exactly one stderr line "barriers: error: ..."
# containing the substring, short (<= 1000 bytes, so a 100 kB value is not
# echoed in full) and free of control characters. Outside sanitizer builds the
# address space is capped at 4 GB, so a value that is not refused up front
# fails (bad_alloc or abort) instead of exhausting the shared machine; under
# ASan (which reserves terabytes of shadow) its hard RSS limit does the same.
expect_rejected() {
  local code="$1" want="$2"; shift 2
  (
    ulimit -c 0
    if [ -n "${ASAN_OPTIONS:-}" ]; then
      export ASAN_OPTIONS="$ASAN_OPTIONS:hard_rss_limit_mb=4000"
    else
      ulimit -v 4000000
    fi
    exec timeout -k 5 20 "$bin" "$@"
  ) >"$tmp/out" 2>"$tmp/err" </dev/null
  local rc=$?
  local what
  what="'$(printf '%q ' "$@" | cut -c1-200)'"
  if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then bad "$what hung (killed after 20 s)"; return; fi
  if [ "$rc" -ne "$code" ]; then bad "$what exited $rc, expected $code: $(head -c 400 "$tmp/err")"; return; fi
  if [ "$(wc -l <"$tmp/err")" -ne 1 ]; then bad "$what: not exactly one stderr line: $(head -c 400 "$tmp/err")"; return; fi
  if ! head -c 17 "$tmp/err" | grep -qx 'barriers: error: '; then bad "$what: stderr is not 'barriers: error: ...': $(head -c 400 "$tmp/err")"; return; fi
  if [ "$(wc -c <"$tmp/err")" -gt 1000 ]; then bad "$what: error line of $(wc -c <"$tmp/err") bytes"; return; fi
  if tr -d '\n' <"$tmp/err" | LC_ALL=C grep -q '[[:cntrl:]]'; then bad "$what: control characters in the error line"; return; fi
  local alternatives=()
  IFS='|' read -r -a alternatives <<<"$want"
  [ ${#alternatives[@]} -gt 0 ] || alternatives=("")
  local pattern args=()
  for pattern in "${alternatives[@]}"; do args+=(-e "$pattern"); done
  if ! grep -qF "${args[@]}" "$tmp/err"; then bad "$what: error lacks '$want': $(head -c 400 "$tmp/err")"; return; fi
  if [ -s "$tmp/out" ]; then bad "$what printed on stdout: $(head -c 200 "$tmp/out")"; return; fi
  ok
}

# no_final_files DIR: DIR is absent or holds nothing but the INCOMPLETE marker
# (no output file, no temporary file left behind by a failed run).
no_final_files() {
  local dir="$1" left
  [ -e "$dir" ] || { ok; return; }
  left=$(cd "$dir" && find . -mindepth 1 ! -name INCOMPLETE | head -5 | tr '\n' ' ')
  [ -z "$left" ] && ok || bad "files left in $dir after a failed run: $left"
}

# mount_full_fs DIR KB: mounts a KB-sized tmpfs on DIR (needs root, as in CI);
# returns non-zero, and mounts nothing, where that is not possible. Mounts
# are undone before the temporary directory is removed.
mounts=()
mount_full_fs() {
  mkdir -p "$1"
  mount -t tmpfs -o "size=${2}k" tmpfs "$1" 2>/dev/null || return 1
  mounts+=("$1")
  trap 'for m in "${mounts[@]}"; do umount "$m" 2>/dev/null; done; rm -rf "$tmp"' EXIT
}
