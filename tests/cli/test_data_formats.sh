#!/usr/bin/env bash
# .npy and .mat data files in `barriers solve` (cli/src/npy.cpp, matfile.cpp):
# the same numbers as CSV / Matrix Market give byte-identical results, and
# bad files are refused with one line naming the file. The .npy files are
# written by numpy (python3-numpy, installed by scripts/install-deps); the
# .mat files by hand with Python's struct module, in the layout MATLAB's
# `save -v6` and scipy.io.savemat use.
# Usage: test_data_formats.sh path/to/barriers
set -u
bin="$1"
source "$(dirname "$0")/cli_test_lib.bash"
py=/usr/bin/python3
[ -x "$py" ] || py=python3
if ! "$py" -c "import numpy" 2>/dev/null; then
  echo "FAIL: numpy is needed (scripts/install-deps installs python3-numpy)"
  exit 1
fi

# A 3x4 system with dyadic entries (exact in every format) and a 1-sparse
# solution; the CSV files are the reference.
cat >"$tmp/A.csv" <<'CSV'
1, 0.5, 0, -1
0, 2, 1, 0
0.25, 0, 1, 1
CSV
printf '0.5\n2\n0\n' >"$tmp/y.csv"
printf '%%%%MatrixMarket matrix array complex general\n2 2\n1 0.5\n0 0\n0 0\n2 -1\n' >"$tmp/Z.mtx"
printf '%%%%MatrixMarket matrix array complex general\n2 1\n1 0.5\n0 -2\n' >"$tmp/z.mtx"

"$py" - "$tmp" <<'PY'
import struct, sys
import numpy as np
d = sys.argv[1]
A = np.array([[1, 0.5, 0, -1], [0, 2, 1, 0], [0.25, 0, 1, 1]])
y = np.array([0.5, 2, 0])
np.save(d + "/A.npy", A)
np.save(d + "/A_fortran.npy", np.asfortranarray(A))
np.save(d + "/y.npy", y)                      # 1-D: a column
np.save(d + "/y_row.npy", y.reshape(3, 1))
with open(d + "/A_v2.npy", "wb") as f:
    np.lib.format.write_array(f, A, version=(2, 0))
np.save(d + "/Z.npy", np.array([[1 + 0.5j, 0], [0, 2 - 1j]]))
np.save(d + "/z.npy", np.array([1 + 0.5j, -2j]))

def element(kind, payload):
    return struct.pack("<II", kind, len(payload)) + payload + b"\0" * ((-len(payload)) % 8)
def variable(name, M, storage="d", kind=9):
    rows, cols = M.shape
    body = element(6, struct.pack("<II", 6, 0)) + element(5, struct.pack("<ii", rows, cols)) + element(1, name.encode())
    values = M.T.reshape(-1)                  # column-major
    return element(14, body + element(kind, struct.pack("<%d%s" % (values.size, storage), *values)))
header = b"MATLAB 5.0 MAT-file, test".ljust(116, b" ") + b"\0" * 8 + struct.pack("<H", 0x0100) + b"IM"
open(d + "/A.mat", "wb").write(header + variable("A", A))
open(d + "/both.mat", "wb").write(header + variable("A", A) + variable("y", y.reshape(3, 1)))
# MATLAB saves integer-valued doubles as small integers: y * 4 as int16
open(d + "/y4_int16.mat", "wb").write(header + variable("y4", (4 * y).reshape(3, 1).astype(np.int16), "h", 3))
open(d + "/compressed.mat", "wb").write(header + element(15, b"x\x9c\x03\x00\x00\x00\x00\x01"))
open(d + "/v73.mat", "wb").write(b"MATLAB 7.3 MAT-file".ljust(116, b" ") + b"\0" * 8 + struct.pack("<H", 0x0200) + b"IM")
open(d + "/v4.mat", "wb").write(struct.pack("<5i", 0, 1, 1, 0, 2) + b"x\0" + struct.pack("<d", 1.0) + b"\0" * 200)
np.save(d + "/big_endian.npy", A.astype(">f8"))
np.save(d + "/single.npy", A.astype(np.float32))
np.save(d + "/nan.npy", np.array([[1.0, np.nan]]))
np.save(d + "/cube.npy", np.ones((2, 2, 2)))
raw = open(d + "/A.npy", "rb").read()
open(d + "/truncated.npy", "wb").write(raw[:-8])
PY
[ -s "$tmp/A.npy" ] && ok || bad "numpy did not write the test files"
printf '%s\n' 2 8 0 >"$tmp/y4.csv"

# solve OUTDIR args...: runs barriers solve writing OUTDIR/solution.csv.
solve() {
  local dir="$1"; shift
  "$bin" solve --solver fista --problem p2 --lambda 0.01 --iters 200 "$@" --out "$tmp/$dir" >/dev/null 2>"$tmp/err" ||
    bad "solve $* failed: $(cat "$tmp/err")"
}
same() {  # same DIR1 DIR2: identical solutions
  cmp -s "$tmp/$1/solution.csv" "$tmp/$2/solution.csv" && ok || bad "$2 differs from $1"
}
for type in "--type double" "--type mpfr --bits 128"; do
  # shellcheck disable=SC2086
  solve csv --A "$tmp/A.csv" --y "$tmp/y.csv" $type
  for pair in "A.npy y.npy npy" "A_fortran.npy y_row.npy fortran" "A_v2.npy y.npy v2" "A.mat y.csv mat" \
    "both.mat:A both.mat:y mat_named"; do
    set -- $pair
    # shellcheck disable=SC2086
    solve "$3" --A "$tmp/$1" --y "$tmp/$2" $type
    same csv "$3"
  done
done
# integer storage in a .mat file reads the exact values
solve y4_csv --A "$tmp/A.csv" --y "$tmp/y4.csv"
solve y4_mat --A "$tmp/A.csv" --y "$tmp/y4_int16.mat"
same y4_csv y4_mat
# complex data: .npy complex128 against Matrix Market complex
"$bin" solve --A "$tmp/Z.mtx" --y "$tmp/z.mtx" --solver pdhg --problem p3 --lambda 0.1 --iters 100 --out "$tmp/zm" \
  >/dev/null 2>&1 || bad "complex Matrix Market solve failed"
"$bin" solve --A "$tmp/Z.npy" --y "$tmp/z.npy" --solver pdhg --problem p3 --lambda 0.1 --iters 100 --out "$tmp/zn" \
  >/dev/null 2>&1 || bad "complex .npy solve failed"
same zm zn

# Refusals: exit 2, one line naming the file and what is wrong.
y="$tmp/y.csv"
expect_rejected 2 "big_endian.npy: not a readable .npy file: big-endian data '>f8'" solve --A "$tmp/big_endian.npy" --y "$y"
expect_rejected 2 "single.npy: not a readable .npy file: dtype '<f4' is not supported" solve --A "$tmp/single.npy" --y "$y"
expect_rejected 2 "nan.npy: not a readable .npy file: entry 1 is not finite" solve --A "$tmp/nan.npy" --y "$y"
expect_rejected 2 "cube.npy: not a readable .npy file: the array has 3 dimensions" solve --A "$tmp/cube.npy" --y "$y"
expect_rejected 2 "truncated.npy: not a readable .npy file: the shape needs 96 bytes of data, the file has 88" \
  solve --A "$tmp/truncated.npy" --y "$y"
expect_rejected 2 "cannot open matrix file" solve --A "$tmp/missing.npy" --y "$y"
expect_rejected 2 "compressed.mat: not a readable .mat file: compressed variables (miCOMPRESSED" \
  solve --A "$tmp/compressed.mat" --y "$y"
expect_rejected 2 "v73.mat: not a readable .mat file: version 7.3 (HDF5)" solve --A "$tmp/v73.mat" --y "$y"
expect_rejected 2 "v4.mat: not a readable .mat file: no MATLAB level 5 header" solve --A "$tmp/v4.mat" --y "$y"
expect_rejected 2 "both.mat: not a readable .mat file: it holds 2 variables ('A', 'y'): choose one as FILE.mat:NAME" \
  solve --A "$tmp/both.mat" --y "$y"
expect_rejected 2 "no variable 'B'; the file holds 'A', 'y'" solve --A "$tmp/both.mat:B" --y "$y"
expect_rejected 2 "cannot open matrix file" solve --A "$tmp/none.mat:A" --y "$y"
mkdir "$tmp/dir.npy"
expect_rejected 2 "it is a directory" solve --A "$tmp/dir.npy" --y "$y"
finish
