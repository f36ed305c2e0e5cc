"""The command line's .npy and .mat readers and writers (cli/src/npy.cpp, matfile.cpp), cross-checked
against numpy and scipy: every double must come back bit for bit."""
import re
import struct
from fractions import Fraction

import numpy as np
import pytest

import barriers


def awkward_values(shape, seed=0):
    # Signs, subnormals, huge and tiny exponents, integers, exact zeros.
    rng = np.random.default_rng(seed)
    v = rng.standard_normal(shape) * 10.0 ** rng.integers(-300, 300, size=shape)
    flat = v.reshape(-1)
    flat[:4] = [5e-324, -0.0, 1.0, -2.5]
    return v


def exact(a):
    a = np.atleast_2d(a.T).T if a.ndim == 1 else a
    if np.iscomplexobj(a):
        return [[(Fraction(float(v.real)), Fraction(float(v.imag))) for v in row] for row in a]
    return [[Fraction(float(v)) for v in row] for row in a]


@pytest.mark.parametrize("make", [
    lambda: awkward_values((3, 5)),
    lambda: np.asfortranarray(awkward_values((4, 3), seed=1)),
    lambda: awkward_values((6,), seed=2),
    lambda: awkward_values((2, 3), seed=3) + 1j * awkward_values((2, 3), seed=4),
])
def test_npy_written_by_numpy_reads_exactly(tmp_path, make):
    a = make()
    path = tmp_path / "a.npy"
    np.save(path, a)
    assert barriers.read_matrix(str(path), exact=True) == exact(a)
    # format version 2.0 (4-byte header length)
    with open(tmp_path / "v2.npy", "wb") as f:
        np.lib.format.write_array(f, a, version=(2, 0))
    assert barriers.read_matrix(str(tmp_path / "v2.npy"), exact=True) == exact(a)


def test_npy_written_by_barriers_reads_in_numpy(tmp_path):
    for a in (awkward_values((3, 4)), awkward_values((2, 2)) - 1j * awkward_values((2, 2), seed=5)):
        path = str(tmp_path / "b.npy")
        barriers.write_matrix(path, a)
        b = np.load(path)
        assert b.dtype == a.dtype and b.shape == a.shape
        assert np.array_equal(b.view(np.uint64), a.view(np.uint64))  # bit for bit
        assert barriers.read_matrix(path, exact=True) == exact(a)


def test_npy_refusals_name_the_file_and_the_problem(tmp_path):
    def bad(a, message, **save):
        path = tmp_path / "bad.npy"
        np.save(path, a, **save)
        with pytest.raises(ValueError, match=message) as e:
            barriers.read_matrix(str(path))
        assert "bad.npy" in str(e.value)

    bad(np.ones((2, 2), dtype=">f8"), "big-endian")
    bad(np.ones((2, 2), dtype=np.float32), "dtype '<f4' is not supported")
    bad(np.ones((2, 2), dtype=np.int64), "dtype '<i8' is not supported")
    bad(np.ones((2, 2, 2)), "3 dimensions")
    bad(np.ones((0, 2)), "empty")
    bad(np.array([[1.0, np.nan]]), "entry 1 is not finite")
    bad(np.array([[np.inf]]), "not finite")
    bad(np.array([(1.0, 2)], dtype=[("a", "<f8"), ("b", "<i4")]), "structured")
    path = tmp_path / "cut.npy"
    np.save(path, np.ones((4, 4)))
    raw = path.read_bytes()
    for cut, message in ((raw[:-8], "needs 128 bytes of data, the file has 120"), (raw + b"\0", "the file has 129"),
                         (raw[:9], "ends inside the header length"), (b"\x93NUMPX" + raw[6:], "magic string"),
                         (raw[:6] + b"\x04\x00" + raw[8:], "version 4.0")):
        path.write_bytes(cut)
        with pytest.raises(ValueError, match=message):
            barriers.read_matrix(str(path))


def mat_element(kind, payload):
    pad = (-len(payload)) % 8
    return struct.pack("<II", kind, len(payload)) + payload + b"\0" * pad


def hand_made_mat(name, rows, cols, storage, values, flags=6):
    """A level 5 .mat file written here by hand: MATLAB stores integer-valued doubles as small integer types."""
    body = mat_element(6, struct.pack("<II", flags, 0)) + mat_element(5, struct.pack("<ii", rows, cols))
    body += mat_element(1, name.encode())
    fmt = {2: "B", 3: "h", 5: "i", 7: "f", 9: "d"}[storage]
    body += mat_element(storage, struct.pack("<%d%s" % (len(values), fmt), *values))
    header = b"MATLAB 5.0 MAT-file, hand made".ljust(116, b" ") + b"\0" * 8 + struct.pack("<H", 0x0100) + b"IM"
    return header + mat_element(14, body)


def test_mat_storage_types_read_exactly(tmp_path):
    path = tmp_path / "h.mat"
    # column-major [[1, 3], [2, 4]] stored as uint8, int16 (negative) and single
    for storage, vals, want in ((2, [1, 2, 3, 4], [[1, 3], [2, 4]]), (3, [-1, 2, -300, 4], [[-1, -300], [2, 4]]),
                                (7, [0.5, 0.25, 1.5, -2.0], [[0.5, 1.5], [0.25, -2.0]])):
        path.write_bytes(hand_made_mat("M", 2, 2, storage, vals))
        assert barriers.read_matrix(str(path), exact=True) == [[Fraction(v) for v in row] for row in want]
    # other classes are refused: int32 class (12), logical (uint8 class + flag)
    path.write_bytes(hand_made_mat("M", 1, 1, 5, [1], flags=12))
    with pytest.raises(ValueError, match="integer-class"):
        barriers.read_matrix(str(path))
    path.write_bytes(hand_made_mat("M", 1, 1, 2, [1], flags=6 | 0x200))
    with pytest.raises(ValueError, match="logical"):
        barriers.read_matrix(str(path))
    path.write_bytes(hand_made_mat("M", 1, 1, 9, [1.0])[:-4])
    with pytest.raises(ValueError, match="claims"):
        barriers.read_matrix(str(path))


def test_mat_written_by_barriers_reads_back(tmp_path):
    a = awkward_values((3, 4), seed=7)
    path = str(tmp_path / "w.mat")
    barriers.write_matrix(path, a, name="A")
    assert barriers.read_matrix(path, exact=True) == exact(a)
    assert barriers.read_matrix(path + ":A", exact=True) == exact(a)
    with pytest.raises(ValueError, match="no variable 'B'; the file holds 'A'"):
        barriers.read_matrix(path + ":B")


def scipy_io():
    return pytest.importorskip("scipy.io", reason="scipy (not a dependency) cross-checks the .mat files")


def test_mat_cross_check_with_scipy(tmp_path):
    sio = scipy_io()
    import scipy.sparse
    real = awkward_values((3, 5), seed=8)
    cplx = awkward_values((2, 2), seed=9) + 1j * awkward_values((2, 2), seed=10)
    path = str(tmp_path / "s.mat")
    sio.savemat(path, {"R": real, "C": cplx})
    assert barriers.read_matrix(path + ":R", exact=True) == exact(real)
    assert barriers.read_matrix(path + ":C", exact=True) == exact(cplx)
    with pytest.raises(ValueError, match="2 variables"):
        barriers.read_matrix(path)
    # barriers' file read by scipy, bit for bit
    out = str(tmp_path / "b.mat")
    barriers.write_matrix(out, cplx, name="Z")
    back = np.ascontiguousarray(sio.loadmat(out)["Z"])  # loadmat returns Fortran order
    assert back.dtype == np.complex128 and np.array_equal(back.view(np.uint64), cplx.view(np.uint64))
    for value, message in ((real, "compressed"), (scipy.sparse.csc_matrix(real), "sparse"),
                           ({"f": real}, "struct"), (np.array([real, cplx[0]], dtype=object), "cell"),
                           (np.ones((2, 2, 2)), "3 dimensions"), ("text", "char")):
        sio.savemat(path, {"V": value}, do_compression=message == "compressed")
        with pytest.raises(ValueError, match=message):
            barriers.read_matrix(path)


def test_mat_version_7_3_is_refused(tmp_path):
    # the 128-byte header of a v7.3 file (HDF5 follows it)
    path = tmp_path / "v.mat"
    path.write_bytes(b"MATLAB 7.3 MAT-file".ljust(116, b" ") + b"\0" * 8 + struct.pack("<H", 0x0200) + b"IM" + b"\0" * 512)
    with pytest.raises(ValueError, match="7.3"):
        barriers.read_matrix(str(path))


def test_mat_version_4_is_refused(tmp_path):
    path = tmp_path / "v4.mat"
    scipy_io().savemat(str(path), {"A": np.eye(2)}, format="4")
    with pytest.raises(ValueError, match="version 4"):
        barriers.read_matrix(str(path))


def test_write_matrix_refuses_what_the_readers_could_not_read_back(tmp_path):
    path = str(tmp_path / "w.npy")
    for values, name, message in (
            (np.array([[1.0, np.nan]]), "A", "values has a NaN or infinite entry at [0, 1]"),
            (np.array([1.0, 2.0, np.inf * 1j]), "A", "values has a NaN or infinite entry at [2, 0]"),
            (np.zeros((0, 2)), "A", "values is empty (0x2)"),
            (np.ones((2, 2, 2)), "A", "values must be a 1-D or 2-D array, got 3-D"),
            (np.array([["a"]]), "A", "values must be a numeric array, got dtype '<U1'"),
            (np.eye(2), "1x", "name '1x' is not a MATLAB variable name"),
            (np.eye(2), "a" * 64, "is not a MATLAB variable name")):
        with pytest.raises(ValueError, match=re.escape(message)):
            barriers.write_matrix(path, values, name=name)
    assert not (tmp_path / "w.npy").exists()
    with pytest.raises(ValueError, match=re.escape("writes .npy and .mat files, not '")):
        barriers.write_matrix(str(tmp_path / "w.csv"), np.eye(2))
    with pytest.raises(FileNotFoundError, match="no_such_dir"):
        barriers.write_matrix(str(tmp_path / "no_such_dir" / "w.npy"), np.eye(2))
    with pytest.raises(ValueError, match=re.escape("cannot open matrix file")):
        barriers.read_matrix(str(tmp_path / "missing.npy"))
