"""gdb -x script of the NumPy tests: compares the plugin's answers on NumPy's
own arrays with what NumPy printed for the same arrays (TRUTH.json).

Environment:
  ARRDBG_NP_MODE   live  - run arrays.py until it SIGTRAPs itself, check,
                           and (ARRDBG_NP_CORE set) write a core with gcore
                   core  - gdb was started on /usr/bin/python3 and that core
                   typed - stop at arrdbg_numpy_spot in the -g extension:
                           PyArrayObject * arguments, printers, DWARF offsets
  ARRDBG_NP_TRUTH  the JSON arrays.py wrote
  ARRDBG_NP_CORE   core file to write (live) or that is loaded (core)
Prints `numpy-MODE: ok N checks` or the failures, then `numpy-MODE: FAILED`.
"""

import decimal
import json
import os
import re
import sys
import time

import gdb

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gdbcheck import check, count, failures, run  # noqa: E402  (tests/gdb/numpy)

MODE = os.environ.get("ARRDBG_NP_MODE", "live")
TRUTH_PATH = os.environ["ARRDBG_NP_TRUTH"]
LD_TOLERANCE = decimal.Decimal("1e-19")  # relative; a double's digits miss by ~1e-17


def fmt(values):
    values = tuple(values)
    if len(values) == 1:
        return "(%d,)" % values[0]
    return "(" + ", ".join(str(v) for v in values) + ")"


def fields(text):
    """The `key: value` lines of arr info (and the summary as 'summary')."""
    lines = text.splitlines()
    out = {"summary": lines[0] if lines else ""}
    for line in lines[1:]:
        m = re.match(r"^  ([a-z ]+):\s+(.*)$", line)
        if m:
            out[m.group(1)] = m.group(2)
    return out


def check_info(name, t):
    out, err = run("arr info 0x%x" % t["address"])
    check(err is None, "%s: arr info failed: %s" % (name, err))
    if err:
        return
    f = fields(out)
    lead = "ndarray" if t["type"] == "numpy.ndarray" else "ndarray subclass %s" % t["type"]
    check(f["summary"].startswith(lead + " " + t["dtype"] + " shape "),
          "%s: summary %r, expected it to start with %r" % (name, f["summary"], lead + " " + t["dtype"]))
    check(f.get("dtype", "").startswith("%s, itemsize %d," % (t["dtype"], t["itemsize"])),
          "%s: dtype line %r" % (name, f.get("dtype")))
    want = "%s  strides %s" % (fmt(t["shape"]), fmt(t["strides"]))
    check(f.get("shape") == want, "%s: shape line %r, NumPy says %r" % (name, f.get("shape"), want))
    flags = sorted(f.get("flags", "").split())
    check(flags == t["flags"], "%s: flags %s, NumPy says %s" % (name, flags, t["flags"]))
    check(f.get("owndata") == ("yes" if t["owndata"] else "no"),
          "%s: owndata %r, NumPy says %s" % (name, f.get("owndata"), t["owndata"]))
    want = "0x%x (%s)" % (t["base"], t["base_type"]) if t["base"] else "none"
    check(f.get("base") == want, "%s: base %r, NumPy says %r" % (name, f.get("base"), want))
    chain = f.get("base chain", "")
    hops = re.findall(r"0x[0-9a-f]+", chain)
    check(hops and int(hops[-1], 16) == t["holder"],
          "%s: base chain %r ends elsewhere than NumPy's %#x" % (name, chain, t["holder"]))
    if t["holder"] != t["address"] and t["holder_type"] != "numpy.ndarray":
        check("(%s)" % t["holder_type"] in chain, "%s: base chain %r lacks (%s)" % (name, chain, t["holder_type"]))
    data = f.get("data", "")
    check(data.startswith("0x%x" % t["data"]), "%s: data %r, NumPy says %#x" % (name, data, t["data"]))
    if t["owner_offset"] is not None:
        check(data.endswith("+ %d" % t["owner_offset"]),
              "%s: data %r, NumPy says owner data + %d" % (name, data, t["owner_offset"]))
    check(f.get("fields") == t["fields"], "%s: fields %r, NumPy says %r" % (name, f.get("fields"), t["fields"]))
    if t.get("longdouble") is not None:
        check_long_double(name, f.get("elements", ""), t["longdouble"])
    elif t["elements"] is not None:
        check(f.get("elements") == t["elements"],
              "%s: elements %r, NumPy says %r" % (name, f.get("elements"), t["elements"]))
    else:
        check(f.get("elements", "").startswith("<elements of dtype object"),
              "%s: object elements %r" % (name, f.get("elements")))
    check("1.x and CPython 3.x" in f.get("layout", "") or "debug info" in f.get("layout", ""),
          "%s: layout line %r" % (name, f.get("layout")))


def check_long_double(name, elements, want):
    """Long double elements (gdb's digits) against NumPy's unique
    format_float_positional of each (both parts of a complex), within
    1e-19 relative: closer than a double's 17 digits can be."""
    got = [[part[:-1] if part.endswith("i") else part for part in item.split(" + ")]
           for item in elements.strip("{}").split(", ")] if elements.startswith("{") else []
    ok = len(got) == len(want) and all(len(g) == len(w) for g, w in zip(got, want))
    try:
        ok = ok and all(abs(decimal.Decimal(a) - decimal.Decimal(b)) <= abs(decimal.Decimal(b)) * LD_TOLERANCE
                        for g, w in zip(got, want) for a, b in zip(g, w))
    except decimal.InvalidOperation:
        ok = False
    check(ok, "%s: long double elements %r, NumPy says %r" % (name, elements, want))


def check_shares(truth):
    arrays = truth["arrays"]
    for p, q, shares, may in truth["shares"]:
        out, err = run("arr shares 0x%x 0x%x" % (arrays[p]["address"], arrays[q]["address"]))
        check(err is None, "shares %s %s failed: %s" % (p, q, err))
        bounds = re.search(r"\(bounds\): (yes|no)", out)
        exact = re.search(r"\(exact\): (yes|no|too hard)", out)
        check(bounds and bounds.group(1) == ("yes" if may else "no"),
              "may_share %s %s: %r, NumPy says %s" % (p, q, out, may))
        check(exact and exact.group(1) == ("yes" if shares else "no"),
              "shares %s %s: %r, NumPy says %s" % (p, q, out, shares))


def check_views(name, address, candidates, want):
    out, err = run("arr views 0x%x 0x%x" % (address, candidates))
    check(err is None, "views %s failed: %s" % (name, err))
    lines = out.splitlines()
    check(lines and ("at 0x%x" % want["holder"] in lines[0] or "by 0x%x" % want["holder"] in lines[0]),
          "views %s: head %r, NumPy's holder %#x" % (name, lines[:1], want["holder"]))
    tree = sorted(int(m.group(1), 16) for m in (re.match(r"^\s+(0x[0-9a-f]+) ", s) for s in lines[1:]) if m)
    check(tree == want["tree"], "views %s: tree %s, NumPy says %s" % (name, [hex(x) for x in tree],
                                                                     [hex(x) for x in want["tree"]]))
    others = sorted(int(x, 16) for x in re.findall(r"not a view of it: (0x[0-9a-f]+)", out))
    check(others == want["others"], "views %s: %d others, NumPy says %d" % (name, len(others), len(want["others"])))
    check(any(s.endswith("<- this one") and "0x%x" % address in s for s in lines) or address == want["holder"],
          "views %s: no '<- this one' line" % name)


def check_refusals(truth):
    for what, address in truth["not_arrays"].items():
        _out, err = run("arr info 0x%x" % address)
        check(err is not None and "not an ndarray" in err, "arr info on a %s: %r" % (what, err))
    corrupt = truth["corrupt"]
    _out, err = run("arr info 0x%x" % corrupt["ndim 1000"])
    check(err is not None and "invalid ndim 1000" in err, "corrupt ndim: %r" % err)
    _out, err = run("arr info 0x%x" % corrupt["unreadable dimensions"])
    check(err is not None and "invalid" in err, "unreadable dimensions: %r" % err)
    _out, err = run("arr info 0x%x" % corrupt["descr is a dict"])
    check(err is not None and "not a numpy.dtype" in err, "descr is a dict: %r" % err)
    out, err = run("arr info 0x%x" % corrupt["cycle a"])
    check(err is None and "cycle" in out, "base cycle: %r %r" % (out[-300:], err))
    out, err = run("arr views 0x%x" % corrupt["cycle a"])
    check(err is None and "cycle" in out, "views of a base cycle: %r %r" % (out[-300:], err))
    for address in (0x10, truth["arrays"]["a"]["data"], truth["arrays"]["owner"]["data"] + 3):
        _out, err = run("arr info 0x%x" % address)
        check(err is not None and "Traceback" not in err, "garbage 0x%x: %r" % (address, err))
    # Every word around the arrays: an ndarray, another object, or garbage;
    # always a short answer, never an internal error.
    start = min(t["address"] for t in truth["arrays"].values()) - 4096
    answers = {"ndarray": 0, "refused": 0}
    for address in range(start, start + 16384, 8):
        out, err = run("arr info 0x%x" % address)
        if err is None and out.startswith("ndarray"):
            answers["ndarray"] += 1
        else:
            answers["refused"] += 1
            check(err is not None and "internal error" not in err and len(err) < 400,
                  "garbage sweep 0x%x: %r %r" % (address, out[:200], err))
    known = sum(1 for t in truth["arrays"].values() if start <= t["address"] < start + 16384)
    check(answers["ndarray"] >= known, "garbage sweep: %d ndarrays found, %d known there" % (answers["ndarray"], known))
    print("garbage sweep: %(ndarray)d ndarrays, %(refused)d refused" % answers)
    _out, err = run("arr shares 0x%x 0x%x" % (truth["arrays"]["a"]["address"], truth["not_arrays"]["dict"]))
    check(err is not None and "not an ndarray" in err, "shares with a dict: %r" % err)


def check_speed(truth):
    """`arr info` of the big arrays at default settings: a few lines, fast
    (bench goal 50 ms; the bound here is loose for a loaded machine), and
    everything under `set print elements unlimited`."""
    for name in ("big", "image", "bigview"):
        t = truth["arrays"][name]
        start = time.monotonic()
        out, err = run("arr info 0x%x" % t["address"])
        took = time.monotonic() - start
        print("timing: arr info %s %s: %.1f ms, %d characters" % (name, fmt(t["shape"]), took * 1000, len(out)))
        check(err is None and len(out) < 4000 and took < 0.5,
              "arr info %s: %d characters in %.3f s" % (name, len(out), took))
    run("set print elements unlimited")
    t = truth["arrays"]["image"]
    out, err = run("arr info 0x%x" % t["address"])
    elements = fields(out).get("elements", "")
    check(err is None and elements.count("{") == t["shape"][0] + 1 and "..." not in elements
          and len(re.findall(r"\d+", elements)) == t["shape"][0] * t["shape"][1],
          "print elements unlimited: every element of image: %d characters" % len(elements))
    # The many-at-once decoding (NumpyElements.bulk_texts) gives the text of the per-element path.
    from arrdbg_gdb import numpy_support
    for name in ("a", "b", "be", "z", "u", "s", "flags", "half", "ld", "rec", "wide", "bigview"):
        fast, _ = run("arr info 0x%x" % truth["arrays"][name]["address"])
        saved, numpy_support.NumpyElements.bulk_texts = numpy_support.NumpyElements.bulk_texts, None
        try:
            slow, _ = run("arr info 0x%x" % truth["arrays"][name]["address"])
        finally:
            numpy_support.NumpyElements.bulk_texts = saved
        check(fast == slow, "unlimited %s: bulk text differs: %r / %r" % (name, fast[-200:], slow[-200:]))
    run("set print elements 200")


def check_dump(truth):
    """arr dump of NumPy arrays (strided, big-endian, str, bytes, float16,
    long double, 0-d, empty): numpy.load reads back what NumPy holds."""
    import numpy as np
    work = os.path.dirname(TRUTH_PATH)
    want = np.load(TRUTH_PATH + ".want.npz")
    for name in truth["dumped"]:
        path = os.path.join(work, "%s-%s.npy" % (MODE, name))
        out, err = run("arr dump 0x%x %s" % (truth["arrays"][name]["address"], path))
        check(err is None and out.startswith("wrote 0x%x " % truth["arrays"][name]["address"]),
              "arr dump %s: %r %r" % (name, out, err))
        if err is None:
            got = np.load(path)
            check(got.dtype == want[name].dtype and got.shape == want[name].shape
                  and np.array_equal(got, want[name]), "arr dump %s: %r, NumPy holds %r" % (name, got, want[name]))
    rec = truth["arrays"]["rec"]["address"]
    _out, err = run("arr dump 0x%x %s" % (rec, os.path.join(work, "rec.npy")))
    check(err is not None and "does not write" in err, "arr dump of a structured array: %r" % err)


def check_typed(truth):
    """At arrdbg_numpy_spot(a=v, b=a, other=dict) with DWARF from the extension."""
    v, a = truth["arrays"]["v"], truth["arrays"]["a"]
    gdb.execute("up 0", to_string=True)
    out, _ = run("print a")
    check(("shape %s strides %s" % (fmt(v["shape"]), fmt(v["strides"]))) in out and out.rstrip().endswith(
        "= " + v["elements"]), "print a (PyArrayObject *): %r" % out)
    check(out.startswith("c:a is a C argument of gdb frame #0 arrdbg_numpy_spot; py:a is the Python variable "
                         "of that name (a, a local of Python frame #0 main ("),
          "print a: the C argument, the Python a named: %r" % out)
    out, err = run("print py:a")
    check(err is None and out.startswith("py:a is a, a local of Python frame #0 main (")
          and ("shape %s strides %s" % (fmt(a["shape"]), fmt(a["strides"]))) in out, "print py:a: %r %r" % (out, err))
    out, _ = run("print *a")
    check(out.rstrip().endswith("= " + v["elements"]), "print *a (struct tagPyArrayObject): %r" % out)
    out, _ = run("print (PyObject *) b")
    check(("shape %s strides %s" % (fmt(a["shape"]), fmt(a["strides"]))) in out, "print (PyObject *) b: %r" % out)
    out, _ = run("print other")
    check("ndarray" not in out and "(PyObject *) 0x" in out, "print other (a dict): %r" % out)
    out, _ = run("print (PyArrayObject *) other")
    check("<ndarray:" not in out or "not" in out, "print (PyArrayObject *) dict: %r" % out)
    out, err = run("arr info a")
    f = fields(out)
    check(err is None and f.get("shape") == "%s  strides %s" % (fmt(v["shape"]), fmt(v["strides"])),
          "arr info a: %r %r" % (out, err))
    check(f.get("name", "").startswith("a, a C argument of gdb frame #0 arrdbg_numpy_spot; py:a is the "
                                        "Python variable of that name (a, a local of Python frame #0 main ("),
          "arr info a: C argument first, the Python a named: %r" % f.get("name"))
    out, err = run("arr info py:a")
    check(err is None and "  address:    0x%x," % a["address"] in out, "arr info py:a: %r %r" % (out[:300], err))
    check("debug info for PyObject, PyTypeObject, PyArrayObject_fields, PyArray_Descr" in f.get("layout", ""),
          "layout from DWARF: %r" % f.get("layout"))
    out, err = run("arr shares a b")
    check(err is None and "(exact): yes" in out, "arr shares a b: %r %r" % (out, err))
    out, _ = run("info pretty-printer")
    check(re.search(r"objfile \S*_multiarray_umath\S* pretty-printers:\n  arrdbg-numpy\n    ndarray", out),
          "info pretty-printer lists arrdbg-numpy under NumPy's module: %r" % out)
    run("disable pretty-printer .*_multiarray_umath.* arrdbg-numpy")
    out, _ = run("print a")
    check("ndarray" not in out, "disabled printer still prints: %r" % out)
    run("enable pretty-printer .*_multiarray_umath.* arrdbg-numpy")


def main():
    if MODE in ("live", "typed"):
        if MODE == "typed":
            gdb.execute("set breakpoint pending on")
            gdb.execute("break arrdbg_numpy_spot")
        gdb.execute("run")
    with open(TRUTH_PATH) as f:
        truth = json.load(f)
    check(truth["numpy"].startswith("1."), "NumPy %s: only 1.x is covered" % truth["numpy"])
    if MODE == "typed":
        check_typed(truth)
    else:
        for name, t in truth["arrays"].items():
            check_info(name, t)
        check_shares(truth)
        for name, want in truth["views"].items():
            check_views(name, truth["arrays"][name]["address"], truth["candidates"], want)
        check_views("a (tuple)", truth["arrays"]["a"]["address"], truth["candidates_tuple"], truth["views_tuple"])
        check_refusals(truth)
        check_speed(truth)
        check_dump(truth)
        out, _ = run("arr info 0x%x" % truth["arrays"]["a"]["address"])
        check("NumPy %s (from " % truth["numpy"] in out, "layout names NumPy %s: %r" % (truth["numpy"], out[-300:]))
    core = os.environ.get("ARRDBG_NP_CORE")
    if MODE == "live" and core:
        run("gcore %s" % core)
    print("numpy-%s: %s %d checks" % (MODE, "ok" if not failures else "FAILED", count[0]))
    if MODE != "core":
        run("kill")


try:
    main()
except Exception as exc:  # report, do not leave gdb half-way
    print("numpy-%s: FAILED: %s: %s" % (MODE, type(exc).__name__, exc))
