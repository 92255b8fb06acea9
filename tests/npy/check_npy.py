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

# ---- 6. header text: libarr's parser against numpy.lib.format on the same bytes --
# Each descr (and a few whole headers) is written raw; NumPy reads the header
# with read_array_header_{1,2,3}_0 (ast.literal_eval + np.dtype), libarr with
# arr_npy_read_header.  NumPy fails => libarr fails; NumPy gives a dtype
# libarr has => libarr gives that dtype and byte order; a dtype libarr lacks
# => ARR_ETYPE.  (Not covered: \N{name} escapes, which libarr refuses.)
LIBARR_DTYPES = {np.dtype(d).newbyteorder("<").str: name for d, name in (
    ("?", "bool"), ("i1", "int8"), ("i2", "int16"), ("i4", "int32"), ("i8", "int64"),
    ("u1", "uint8"), ("u2", "uint16"), ("u4", "uint32"), ("u8", "uint64"), ("f4", "float32"),
    ("f8", "float64"), ("c8", "complex64"), ("c16", "complex128"))}
descr_literals = []
for bo in ["", "<", ">", "=", "|", "!", "@", " "]:
    for body in ["f8", "f4", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "b1", "c8", "c16",
                 "c32", "f16", "f2", "?", "b", "B", "h", "H", "i", "I", "l", "L", "q", "Q", "p",
                 "P", "f", "d", "F", "D", "e", "g", "G", "O", "U3", "S5", "V8", "M8", "m8[s]",
                 "f 8", "f\t8", "f+8", "f-8", "f08", "f0008", "f8 ", " f8", "f9", "i3", "b2",
                 "c", "a", "float64", "double", "int", "long", "uint", "bool", "bool_",
                 "complex", "single", "intp", "uintc", "Float64", "f8f", "ff8", "", "f1_6"]:
        descr_literals.append(repr(bo + body))
BS = "\\"
descr_literals += [
    "'<f8" + BS + "0'", "'<f8" + BS + "x00'", "'<f" + BS + "x38'", "'<f" + BS + "70'",
    "'" + BS + "u003cf8'", "b'<f8'", "B'<i4'", "u'<f8'",
    "r'<f8'", "rb'<u2'", "Rb'<u2'", "br'<f4'", "ur'<f8'", "'<f' '8'", "'<' \"i\" '4'",
    "'<f' b'8'", "'''<f8'''", '"""<c16"""', "'<f" + BS + "\n8'", "'<f8" + BS + "q'",
    "'" + BS + "<f8'", "r'<f" + BS + "8'", "f'<f8'", "'<f8", "<f8", "'<f8'[0]",
    "('<f8', (2,))", "[('a', '<f8')]", "'<f8' + ''", "'<f\u00e98'", "'<f" + BS + "u00e98'",
    "'<f" + BS + "xff'", "'<f8\n'", "'<f8\r'"]
headers = [("{'descr': %s, 'fortran_order': False, 'shape': (2, 3), }" % d) for d in descr_literals]
headers += [
    "{'descr': '<f8\x00', 'fortran_order': False, 'shape': (2, 3), }",   # a raw NUL byte
    "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }\x00",
    "{'descr': '<f8', 'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), }",
    "{'descr': '<f16', 'descr': '<u2', 'fortran_order': False, 'shape': (2, 3), }",
    "{'descr': '<f8', 'fortran_order': False, 'fortran_order': True, 'shape': (2, 3), }",
    "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), 'shape': (3, 2), }",
    "{b'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }",
    "{'de' 'scr': '<f8', 'fortran_order': False, 'shape': (2, 3), }",
    "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), 'x': 1}",
    "{u'descr': u'<f8', u'fortran_order': False, u'shape': (2, 3), }",
]
hdr_paths, expected = [], []
for i, text in enumerate(headers):
    for version in (1, 2, 3):
        path = write(f"hdr{i}_{version}.npy", raw_file(text, b"\0" * 96, version=version))
        try:
            import warnings
            with open(path, "rb") as f, warnings.catch_warnings():
                warnings.simplefilter("ignore")
                np.lib.format.read_magic(f)
                shape, fortran, dt = np.lib.format._read_array_header(f, (version, 0))
            want = ("ok", dt, shape, fortran)
        except Exception as e:  # whatever NumPy raises: libarr must refuse too
            want = ("error", type(e).__name__, None, None)
        hdr_paths.append(path)
        expected.append((text, version, want))
p = subprocess.run([BIN, "header"] + hdr_paths, capture_output=True, text=True, timeout=60)
got_lines = p.stdout.splitlines()
check(len(got_lines) == len(hdr_paths), f"header mode printed {len(got_lines)} lines")
for (text, version, want), got in zip(expected, got_lines):
    what = f"header {version}.0 {text!r}: NumPy {want[0]} {want[1]}, libarr {got}"
    if want[0] == "error":
        check(got.startswith("error"), what)
        continue
    dt, shape, fortran = want[1], want[2], want[3]
    name = LIBARR_DTYPES.get(dt.newbyteorder("<").str)
    if dt.fields is not None or dt.subdtype is not None or name is None:
        check(got == "error ARR_ETYPE", what)
        continue
    big = int(dt.byteorder == ">" and dt.itemsize > 1)
    check(got == f"ok {name} {big} {int(fortran)} " + " ".join(map(str, shape)), what)

# ---- 7. a file's identity through a save: arr_save_npy against np.save ---------
# Same starting state in two directories; np.save writes one, arr_save_npy
# (through npy_roundtrip) the other; what each leaves is compared.
def identity_case(name, setup, inspect):
    """setup(dir) builds the starting files and returns the path to save to;
    inspect(dir) returns what is compared."""
    results = {}
    src = os.path.join(TMP, "ident_src.npy")
    x = values("f8", (3, 4))
    np.save(src, x)
    for who in ("numpy", "libarr"):
        d = os.path.join(TMP, f"ident_{name}_{who}")
        os.mkdir(d)
        target = setup(d)
        if who == "numpy":
            np.save(target, x)
        else:
            p = subprocess.run([BIN, "copy", src, target], capture_output=True, text=True,
                               timeout=60)
            check(p.returncode == 0, f"identity {name}: arr_save_npy failed: {p.stderr}")
        results[who] = inspect(d)
        check(sorted(os.listdir(d)) == sorted(results[who]["names"]),
              f"identity {name} {who}: files {sorted(os.listdir(d))}")
    return results


def state(d, *names):
    out = {"names": list(names)}
    for n in names:
        p = os.path.join(d, n)
        st = os.lstat(p)
        out[n] = {"link": os.readlink(p) if os.path.islink(p) else None}
        if not os.path.islink(p):
            with open(p, "rb") as f:
                data = f.read()
            out[n].update(mode=oct(st.st_mode & 0o7777), uid=st.st_uid, gid=st.st_gid,
                          npy=data.startswith(b"\x93NUMPY"), data=data)
    return out


def old_file(path, mode=None, owner=None):
    with open(path, "wb") as f:
        f.write(b"old contents")
    if mode is not None:
        os.chmod(path, mode)
    if owner is not None:
        os.chown(path, *owner)


def same(name, results, what=None):
    a, b = results["numpy"], results["libarr"]
    check(a == b, f"identity {name}: np.save left {a}, arr_save_npy left {b}")


# A private file stays private (0600), an odd mode stays as it was.
for mode in (0o600, 0o640, 0o755, 0o444):
    r = identity_case(f"mode{mode:o}", lambda d, m=mode: (old_file(os.path.join(d, "f.npy"), m),
                                                           os.path.join(d, "f.npy"))[1],
                      lambda d: state(d, "f.npy"))
    same(f"mode {mode:o}", r)
    check(r["libarr"]["f.npy"]["npy"], "mode case wrote a .npy")
# A new file: 0666 less the umask, as open() gives np.save.
r = identity_case("new", lambda d: os.path.join(d, "f.npy"), lambda d: state(d, "f.npy"))
same("new file", r)
# A symlink (relative, absolute, a chain, into another directory) is written through.
def links(d):
    os.mkdir(os.path.join(d, "sub"))
    old_file(os.path.join(d, "sub", "t.npy"), 0o640)
    os.symlink("sub/t.npy", os.path.join(d, "rel.npy"))
    os.symlink(os.path.join(d, "rel.npy"), os.path.join(d, "abs.npy"))
    return os.path.join(d, "abs.npy")
def links_state(d):
    s = state(d, "rel.npy", "abs.npy")
    s["names"].append("sub")
    s["t"] = state(os.path.join(d, "sub"), "t.npy")
    s["abs.npy"]["link"] = os.path.basename(s["abs.npy"]["link"])
    return s
r = identity_case("symlink", links, links_state)
same("symlink chain", r)
check(r["libarr"]["t"]["t.npy"]["npy"], "the symlink's target got the array")
# A dangling symlink: its target is created.
r = identity_case("dangling", lambda d: (os.symlink("t.npy", os.path.join(d, "l.npy")),
                                         os.path.join(d, "l.npy"))[1],
                  lambda d: state(d, "l.npy", "t.npy"))
same("dangling symlink", r)
# Owner and group are kept where the process may set them (root here or not).
if os.geteuid() == 0:
    r = identity_case("owner", lambda d: (old_file(os.path.join(d, "f.npy"), 0o600, (4321, 4322)),
                                          os.path.join(d, "f.npy"))[1],
                      lambda d: state(d, "f.npy"))
    same("owner", r)
    check(r["libarr"]["f.npy"]["uid"] == 4321, "owner kept")
# Hard links: np.save rewrites the shared inode in place; arr_save_npy replaces
# the name it was given atomically, so the other name keeps the old contents
# (documented in arr.h).  Both behaviours are pinned here.
def hard(d):
    old_file(os.path.join(d, "a.npy"), 0o644)
    os.link(os.path.join(d, "a.npy"), os.path.join(d, "b.npy"))
    return os.path.join(d, "a.npy")
r = identity_case("hardlink", hard, lambda d: state(d, "a.npy", "b.npy"))
check(r["numpy"]["a.npy"] == r["numpy"]["b.npy"], "np.save wrote both hard-linked names")
check(r["libarr"]["a.npy"] == r["numpy"]["a.npy"], "arr_save_npy wrote the name given")
check(r["libarr"]["b.npy"]["data"] == b"old contents", "the other hard link keeps the old data")

print(f"npy: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
