#!/usr/bin/python3
"""check_npy.py - .npy files between NumPy and libarr (run by `make check-npy`).

    /usr/bin/python3 tests/npy/check_npy.py build/tests/npy/npy_roundtrip

NumPy writes files (every libarr dtype, both byte orders, C and Fortran order,
0-d, empty and larger shapes, format versions 1.0/2.0/3.0, and hand-written
headers NumPy also reads); npy_roundtrip loads each with arr_load_npy in every
mode, optionally takes a view, and saves it with arr_save_npy.  Checked:

  * the file libarr wrote is byte for byte what np.save writes for the same
    array (header, padding, version, order, data), and NumPy loads it equal;
  * arr_sum and arr_chunked_sum (8 MiB and 40-byte blocks) equal
    float(np.sum(x).real) bit for bit;
  * flags: mmap read-only gives no WRITEABLE, Fortran files give F strides;
  * what libarr must refuse (big-endian or misaligned data under mmap, dtypes
    it lacks, truncated files) fails with the expected error code.
"""
import io
import os
import struct
import subprocess
import sys
import tempfile

import numpy as np

BIN = sys.argv[1] if len(sys.argv) > 1 else "build/tests/npy/npy_roundtrip"
TMP = tempfile.mkdtemp(prefix="arrdbg-npy-")
DTYPES = ["?", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "f4", "f8", "c8", "c16"]
SHAPES = [(), (0,), (7,), (3, 4), (2, 3, 4), (0, 3), (4, 1, 3), (300, 50)]
MODES = ["copy", "mmap-r", "mmap-c", "mmap-rw"]

passed = failed = 0
rng = np.random.default_rng(20240609)


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what)


def values(dtype, shape):
    """Random values of a dtype, with the special floats mixed in."""
    dt = np.dtype(dtype)
    native = dt.newbyteorder("=")
    n = int(np.prod(shape))
    if dt.kind == "b":
        flat = rng.integers(0, 2, n).astype(bool)
    elif dt.kind in "iu":
        info = np.iinfo(dt)
        flat = rng.integers(info.min, info.max, n, dtype=native, endpoint=True)
    else:
        flat = rng.standard_normal(n) * 1e3
        if dt.kind == "c":
            flat = flat + 1j * rng.standard_normal(n)
        flat = flat.astype(native)
        if n > 4:
            flat[1], flat[3] = -0.0, np.inf
    return flat.astype(dt).reshape(shape)


def run(mode, path, sl="-", transpose=False):
    out = os.path.join(TMP, "out.npy")
    if os.path.exists(out):
        os.unlink(out)
    args = [BIN, mode, path, out, sl] + (["T"] if transpose else [])
    p = subprocess.run(args, capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout.strip(), p.stderr.strip(), out


def saved_bytes(x):
    buf = io.BytesIO()
    np.save(buf, x)
    return buf.getvalue()


def expect_sum(x):
    s = np.sum(x)
    return float(s.real) if np.iscomplexobj(s) else float(s)


def check_roundtrip(label, path, expected, mode, sl="-", transpose=False, src_fortran=False):
    """Loads path (holding `expected` before slicing) and checks everything."""
    rc, out, err, out_path = run(mode, path, sl, transpose)
    if rc != 0:
        check(False, f"{label} {mode} {sl}: exit {rc}: {out} {err}")
        return
    fields = out.split()
    # To native byte order first (a C or F array stays so), then the view:
    # libarr's view has the same strides, so np.save picks the same order.
    native = expected.astype(expected.dtype.newbyteorder("="), order="K")
    if sl != "-":
        native = eval(f"native[{sl}]", {"native": native, "None": None})
    if transpose:
        native = native.T
    got_bytes = open(out_path, "rb").read()
    check(got_bytes == saved_bytes(native),
          f"{label} {mode} {sl} T={transpose}: file differs from np.save's")
    back = np.load(out_path)
    check(back.shape == native.shape and back.dtype == native.dtype
          and back.tobytes() == np.ascontiguousarray(native).tobytes(),
          f"{label} {mode}: NumPy loads other values")
    kv = dict(f.split("=", 1) for f in fields if "=" in f)
    s = expect_sum(native)
    for key in ("sum", "chunked", "chunked_small"):
        got = float.fromhex(kv[key])
        same = got == s or (np.isnan(got) and np.isnan(s))
        check(same, f"{label} {mode} {sl} T={transpose}: {key} {got!r} != np.sum {s!r}")
    flags = kv["flags"]
    check(("W" in flags) == (mode != "mmap-r"), f"{label} {mode}: WRITEABLE is {flags}")
    check("O" in flags, f"{label} {mode}: not an owner ({flags})")
    full = expected
    if src_fortran and full.ndim > 1 and not full.flags.c_contiguous:
        check("F" in flags, f"{label} {mode}: Fortran file without F strides ({flags})")


def check_error(label, path, mode, code, words=""):
    rc, out, err, _ = run(mode, path)
    check(rc == 2 and out.startswith("error " + code) and words in out,
          f"{label} {mode}: want {code} {words!r}, got exit {rc}: {out} {err}")


# ---- 1. every dtype, byte order, memory order, shape, load mode ---------------
for dtype in DTYPES:
    for order in "<>":
        dt = np.dtype(dtype).newbyteorder(order)
        for shape in SHAPES:
            for fortran in (False, True):
                x = values(dt, shape)
                if fortran:
                    x = np.asfortranarray(x)
                path = os.path.join(TMP, "in.npy")
                np.save(path, x)
                label = f"{dt.str}{shape}{'F' if fortran else 'C'}"
                for mode in MODES:
                    if mode != "copy" and order == ">" and dt.itemsize > 1:
                        check_error(label, path, mode, "ARR_ETYPE", "big-endian")
                        continue
                    check_roundtrip(label, path, x, mode, src_fortran=fortran)

# ---- 2. views of any strides written by libarr ---------------------------------
VIEWS = [("::-1", False), ("1:5, ::2, ::-3", False), (":, 3", False), ("..., None, 2:4", False),
         ("::2, ::-1", True), ("-", True), ("2", True), (":, :, 1:2", True), ("5:1", False),
         ("3, 4, 5", False)]
for dtype in ("f8", "c16", "f4", "i2", ">f8"):
    x = values(dtype, (6, 7, 8))
    for fortran in (False, True):
        src = np.asfortranarray(x) if fortran else x
        path = os.path.join(TMP, "views.npy")
        np.save(path, src)
        for sl, tr in VIEWS:
            check_roundtrip(f"view {dtype} {'F' if fortran else 'C'}", path, src, "copy", sl, tr)
            if not dtype.startswith(">"):
                check_roundtrip(f"view {dtype}", path, src, "mmap-r", sl, tr)

# A sum long enough for many 8192-element runs, through mmap and chunks.
big = values("f8", (97, 1031))
path = os.path.join(TMP, "big.npy")
np.save(path, np.asfortranarray(big))
for sl, tr in (("-", False), ("::-1, 3:", False), ("-", True), ("::3, ::2", True)):
    check_roundtrip("big F", path, np.asfortranarray(big), "mmap-r", sl, tr)

# ---- 3. format versions written by NumPy ---------------------------------------
for version in ((1, 0), (2, 0), (3, 0)):
    for dtype in ("f8", ">i4", "c8"):
        x = values(dtype, (5, 3))
        path = os.path.join(TMP, "ver.npy")
        with open(path, "wb") as f:
            np.lib.format.write_array(f, x, version=version)
        check(open(path, "rb").read()[6] == version[0], f"NumPy wrote version {version}")
        check_roundtrip(f"version {version} {dtype}", path, x, "copy")

# ---- 4. hand-written headers NumPy also reads ----------------------------------


def raw_file(header, data, version=1, align=64, pad_to=None):
    """A .npy file with a hand-made header text."""
    text = header.encode("utf-8" if version == 3 else "latin1")
    lsize = 2 if version == 1 else 4
    total = 8 + lsize + len(text) + 1
    target = pad_to if pad_to is not None else -(-total // align) * align
    text += b" " * (target - total) + b"\n"
    return (b"\x93NUMPY" + bytes([version, 0]) + struct.pack("<H" if lsize == 2 else "<I", len(text))
            + text + data)


def write(name, content):
    path = os.path.join(TMP, name)
    with open(path, "wb") as f:
        f.write(content)
    return path


x = values("f8", (4, 5))
cases = {
    # Python 2 NumPy: L suffixes, 16-byte alignment, no growth padding.
    "py2": raw_file("{'descr': '<f8', 'fortran_order': False, 'shape': (4L, 5L), }", x.tobytes(),
                    align=16),
    # Other key order and quotes, no trailing comma, tabs and newlines inside.
    "quotes": raw_file('{"shape": (4,\t5),\n "fortran_order": False, "descr": "<f8"}', x.tobytes()),
    # Version 2.0 with a header over 64 KiB (only 2.0/3.0 can say so).
    "huge2": raw_file("{'descr': '<f8', 'fortran_order': False, 'shape': (4, 5), }", x.tobytes(),
                      version=2, pad_to=70016),
    # Version 3.0 (UTF-8 header); a non-ASCII space-like char is not allowed,
    # so the header is plain, as every libarr-readable 3.0 header is.
    "utf8": raw_file("{'descr': '<f8', 'fortran_order': False, 'shape': (4, 5), }", x.tobytes(),
                     version=3),
    "fortran": raw_file("{'descr': '<f8', 'fortran_order': True, 'shape': (4, 5), }",
                        np.asfortranarray(x).T.tobytes()),
}
for name, content in cases.items():
    path = write(name + ".npy", content)
    try:
        # NumPy asks to be told that a header over 10000 bytes is trusted.
        ref = np.load(path, allow_pickle=False, max_header_size=100000)
    except Exception as e:  # NumPy must read every one of these
        check(False, f"NumPy cannot read hand-written {name}: {e}")
        continue
    check(np.array_equal(ref, x), f"NumPy reads hand-written {name} differently")
    check_roundtrip(f"hand-written {name}", path, ref, "copy")
    check_roundtrip(f"hand-written {name}", path, ref, "mmap-r", src_fortran=name == "fortran")

# ---- 5. what libarr refuses ------------------------------------------------------
path = os.path.join(TMP, "f2.npy")
np.save(path, np.arange(3, dtype="f2"))
check_error("float16", path, "copy", "ARR_ETYPE", "'<f2'")
np.save(path, np.array(["ab", "c"]))
check_error("unicode", path, "copy", "ARR_ETYPE", "<U2")
np.save(path, np.array([1, None], dtype=object), allow_pickle=True)
check_error("object", path, "copy", "ARR_ETYPE", "|O")
np.save(path, np.zeros(3, dtype="M8[s]"))
check_error("datetime", path, "copy", "ARR_ETYPE", "M8")
# A structured dtype with a non-latin-1 field name: NumPy writes version 3.0.
with open(path, "wb") as f:
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        np.save(f, np.zeros(2, dtype=[("\u03c0", "<f8")]))
check(open(path, "rb").read()[6] == 3, "NumPy wrote a structured unicode dtype as 3.0")
check_error("structured 3.0", path, "copy", "ARR_ETYPE", "structured")
# Data not aligned to the items: mapping refuses, reading works.
odd = raw_file("{'descr': '<f8', 'fortran_order': False, 'shape': (4, 5), }", x.tobytes(),
               pad_to=67)
path = write("odd.npy", odd)
check(np.array_equal(np.load(path), x), "NumPy reads the misaligned file")
check_error("misaligned", path, "mmap-r", "ARR_EINVAL", "not aligned")
check_roundtrip("misaligned", path, x, "copy")
# Truncated data: the header asks for more than the file holds.
full = saved_bytes(x)
path = write("short.npy", full[:-1])
for mode in MODES:
    check_error("truncated data", path, mode, "ARR_EINVAL", "truncated data")

print(f"npy: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
