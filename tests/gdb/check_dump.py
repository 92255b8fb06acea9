"""check_dump.py DIR NAME...: each DIR/NAME.npy (written by `arr dump`) must
load with numpy and equal DIR/NAME.txt (the values the test program computed
through libarr, C order; "re im" lines for complex).  Run with /usr/bin/python3."""
import sys

import numpy as np

EXPECTED_DTYPES = {"flags": "|b1", "ints": "<i2", "z": "<c16", "f32": "<f4"}


def main():
    folder, names = sys.argv[1], sys.argv[2:]
    bad = []
    for name in names:
        try:
            got = np.load("%s/%s.npy" % (folder, name))
        except Exception as exc:  # the file is missing or malformed
            bad.append("%s: numpy.load failed: %s" % (name, exc))
            continue
        path = "%s/%s.txt" % (folder, name)
        with open(path) as f:
            shape = tuple(int(v) for v in f.readline().split()[2:])
        if got.shape != shape:
            bad.append("%s: shape %r, the program's array has %r" % (name, got.shape, shape))
            continue
        want = np.loadtxt(path, ndmin=2)
        if got.dtype.kind == "c":
            want = want[:, 0] + 1j * want[:, 1]
        want = want.reshape(got.shape) if want.size == got.size else None
        if want is None or not np.array_equal(got.astype(want.dtype), want):
            bad.append("%s: values differ: got %r, program computed %r"
                       % (name, got, np.loadtxt(path)))
        expected_dtype = EXPECTED_DTYPES.get(name, "<f8")
        if got.dtype.str != expected_dtype:
            bad.append("%s: dtype %s, expected %s" % (name, got.dtype.str, expected_dtype))
        if not got.flags.c_contiguous:
            bad.append("%s: not C order" % name)
    for line in bad:
        print(line)
    if bad:
        return 1
    print("%d arrays read back equal" % len(names))
    return 0


sys.exit(main())
