#!/usr/bin/env bash
# Every Markdown table in README.md, docs/*.md and a generated table1
# report.md has the same number of columns in each row as in its header: an
# unescaped '|' (as in ||x||) inside a cell would split it.
# Usage: test_markdown_tables.sh path/to/barriers
set -u
bin="$1"
source "$(dirname "$0")/cli_test_lib.bash"
root="$(cd "$(dirname "$0")/../.." && pwd)"

# Prints "file:line: expected H columns, found C" for every bad row. A table
# is a header row starting with '|' followed by a |---| delimiter row; it
# ends at the first line not starting with '|'. Escaped pipes (\|) are not
# delimiters. Lines inside ``` fences are not tables.
check_tables() {
  awk '
    function cells(line,   t, n) {
      t = line
      gsub(/\\\|/, "", t)                 # escaped pipes are cell content
      sub(/^[ \t]*\|/, "", t); sub(/\|[ \t]*$/, "", t)
      n = gsub(/\|/, "|", t)
      return n + 1
    }
    /^[ \t]*```/ { fence = !fence; next }
    fence { next }
    {
      if ($0 ~ /^[ \t]*\|/) {
        if (!intable && prev ~ /^[ \t]*\|/ && $0 ~ /^[ \t]*\|[ \t:|-]*-[ \t:|-]*$/) {
          intable = 1; want = cells(prev)
          if (cells($0) != want) printf "%s:%d: delimiter has %d columns, header %d\n", FILENAME, FNR, cells($0), want
        } else if (intable && cells($0) != want) {
          printf "%s:%d: expected %d columns, found %d: %s\n", FILENAME, FNR, want, cells($0), $0
        }
      } else {
        intable = 0
      }
      prev = $0
    }
    ENDFILE { intable = 0; fence = 0; prev = "" }
  ' "$@"
}

# The checker itself must catch an unescaped || and accept an escaped one.
printf '| a | b |\n|---|---|\n| ||x|| | 1 |\n' >"$tmp/bad.md"
printf '| a | b |\n|---|---|\n| \\|\\|x\\|\\| | 1 |\n' >"$tmp/good.md"
[ -n "$(check_tables "$tmp/bad.md")" ] && ok || bad "the checker missed an unescaped || in a cell"
[ -z "$(check_tables "$tmp/good.md")" ] && ok || bad "the checker rejected an escaped \\|\\|: $(check_tables "$tmp/good.md")"

for f in "$root/README.md" "$root"/docs/*.md; do
  out=$(check_tables "$f")
  [ -z "$out" ] && ok || bad "$out"
done

"$bin" table1 --K 1 --n 10 --samples 20 --validation 5 --epochs 1 --quiet --out "$tmp/t" >/dev/null 2>&1 ||
  bad "table1 for report.md failed"
grep -q '^|' "$tmp/t/report.md" && ok || bad "report.md has no table"
out=$(check_tables "$tmp/t/report.md")
[ -z "$out" ] && ok || bad "$out"

# The convergence report's table has norm bars in its header (once unescaped).
"$bin" convergence --sampling walsh --size 16 --type double --noise 0 --restarts 5 --quiet \
  --out "$tmp/c" >/dev/null 2>&1 || bad "convergence for report.md failed"
grep -q '^|' "$tmp/c/report.md" && ok || bad "the convergence report.md has no table"
out=$(check_tables "$tmp/c/report.md")
[ -z "$out" ] && ok || bad "$out"

finish
