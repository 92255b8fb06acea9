"""gdb -x script of the `pyvars` NumPy case: `arr info/views/shares NAME`
on Python variables of pyvars_prog.py (live, stopped by its own SIGTRAP, or
its core), compared with the same commands on the id() addresses and with
what NumPy said (TRUTH.json); `arr py-bt/py-up/py-down/py-frame`; hostile
names, and (live) corrupt interpreter state and a refused Python version.

Environment: ARRDBG_NP_MODE (live, core, or vgdb: ARRDBG_NP_TARGET is the
`target remote | vgdb ...` command), ARRDBG_NP_TRUTH, ARRDBG_NP_CORE (live:
the core to write after the checks).
Prints `numpy-pyvars-MODE: ok N checks` or the failures.
"""

import json
import os
import re
import sys
import struct

import gdb

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gdbcheck import check, count, failures, run  # noqa: E402  (tests/gdb/numpy)

MODE = os.environ.get("ARRDBG_NP_MODE", "live")


def one_line_error(command, want):
    out, err = run(command)
    check(err is not None and "\n" not in err and want in err and "Traceback" not in err
          and "internal error" not in err, "%s: %r (error %r), expected one line with %r" % (command, out, err, want))
    return err


def fmt(values):
    return "(%d,)" % values[0] if len(values) == 1 else "(" + ", ".join(str(v) for v in values) + ")"


def same_as_address(command, name, address):
    """`arr CMD NAME` prints exactly what `arr CMD 0xID` prints."""
    by_name, err = run("arr %s %s" % (command, name))
    by_id, err2 = run("arr %s 0x%x" % (command, address))
    if command == "info":  # by name, a line says which variable it was
        check(re.search(r"^  name:       %s, a (local|global) of Python frame #\d+ " % re.escape(name), by_name, re.M),
              "arr info %s: no name line: %r" % (name, by_name[:300]))
        by_name = re.sub(r"(?m)^  name: .*\n", "", by_name)
    check(err is None and err2 is None and by_name == by_id and by_name,
          "arr %s %s differs from arr %s 0x%x: %r / %r; %r %r" % (command, name, command, address,
                                                               by_name, by_id, err, err2))
    return by_name


def check_frame0(t):
    for name, a in t["frame0"].items():
        out = same_as_address("info", name, a["id"])
        check("  shape:      %s  strides %s\n" % (fmt(a["shape"]), fmt(a["strides"])) in out,
              "arr info %s: shape/strides %r, NumPy says %s %s" % (name, out[:400], a["shape"], a["strides"]))
        check(("  base:       0x%x (numpy.ndarray)" % a["base"] if a["base"] else "  base:       none") in out,
              "arr info %s: base, NumPy says 0x%x: %r" % (name, a["base"], out[:600]))
        check("  owndata:    %s\n" % ("yes" if a["owndata"] else "no") in out, "arr info %s: owndata" % name)
        same_as_address("views", name, a["id"])
    for p, q, shares in t["shares"]:
        out, err = run("arr shares %s %s" % (p, q))
        by_id, _ = run("arr shares 0x%x 0x%x" % (t["frame0"][p]["id"], t["frame0"][q]["id"]))
        check(err is None and "shares memory (exact): %s" % ("yes" if shares else "no") in out,
              "arr shares %s %s: %r %r, NumPy says %s" % (p, q, out, err, shares))
        for name in (p, q):  # the witness names what the user typed
            by_id = by_id.replace("(0x%x)[" % t["frame0"][name]["id"], name + "[")
        check(out == by_id, "arr shares %s %s differs from the id() form: %r / %r" % (p, q, out, by_id))
        if shares:
            check(re.search(r"yes, %s\[[0-9, ]*\] and %s\[" % (p, q), out),
                  "arr shares %s %s: witness names %s and %s: %r" % (p, q, p, q, out))
    # views with candidates named by Python names.
    fr = t["frame0"]
    out, err = run("arr views x x_view x_copy")
    check(err is None and "0x%x" % fr["x_view"]["id"] in out
          and "not a view of it: 0x%x" % fr["x_copy"]["id"] in out,
          "arr views x x_view x_copy: %r %r" % (out, err))


def check_frames(t):
    out, err = run("arr py-bt")
    lines = [l for l in out.splitlines() if re.match(r"^(=>|  ) #\d+ ", l)]
    want = ["%s #%d %s (%s:%d)" % ("=>" if k == 0 else "  ", k, name, t["file"], line)
            for k, (name, line) in enumerate(t["frames"])]
    check(err is None and lines == want, "arr py-bt: %r %r, expected %r" % (out, err, want))
    out, err = run("arr py-up")
    check(out == "#1 outer (%s:%d)\n" % (t["file"], t["frames"][1][1]), "arr py-up: %r %r" % (out, err))
    out, _ = run("arr info x")
    check("  address:    0x%x," % t["outer_x"] in out, "arr info x in outer(): %r" % out[:300])
    one_line_error("arr info x_view", "no Python variable 'x_view' in frame #1 outer")
    out, err = run("arr py-up")
    check(err is None and out.startswith("#2 <module>"), "arr py-up to <module>: %r %r" % (out, err))
    out, _ = run("arr info x")
    check("  address:    0x%x," % t["global_x"] in out, "arr info x at module level: %r" % out[:300])
    one_line_error("arr py-up", "no Python frame #3: #2 is the outermost")
    out, _ = run("arr py-bt")
    check("=> #2 <module>" in out, "arr py-bt marks the selected frame: %r" % out)
    out, err = run("arr py-down 2")
    check(out.startswith("#0 inner"), "arr py-down 2: %r %r" % (out, err))
    one_line_error("arr py-down", "no Python frame 1 in from #0: #0 is the innermost")
    out, err = run("arr py-frame 1")
    check(out.startswith("#1 outer"), "arr py-frame 1: %r %r" % (out, err))
    out, err = run("arr py-frame")
    check(out.startswith("#1 outer"), "arr py-frame: %r %r" % (out, err))
    run("arr py-frame 0")
    for command, want in (("arr py-frame 99", "no Python frame #99 (there are 3)"),
                          ("arr py-frame -1", "usage: arr py-frame [N]"),
                          ("arr py-up 1000000000000", "usage: arr py-up [N]"),
                          ("arr py-down x", "usage: arr py-down [N]"),
                          ("arr py-bt full", "usage: arr py-bt")):
        one_line_error(command, want)


def thread_number(lwp, what):
    """gdb's number of the thread with this LWP (checked: exactly one), or None."""
    num = [th.num for th in gdb.selected_inferior().threads() if th.ptid[1] == lwp]
    check(len(num) == 1, "a gdb thread with the %s's LWP %d: %r" % (what, lwp, num))
    return num[0] if len(num) == 1 else None


def check_threads(t):
    """The selected Python frame follows gdb's selected thread."""
    w = t["worker"]
    num = thread_number(w["lwp"], "worker")
    if num is None:
        return
    main_num = gdb.selected_thread().num
    run("arr py-up")
    run("thread %d" % num)
    out, err = run("arr py-bt")
    check(err is None and "=> #0 worker_fn (%s:%d)" % (t["file"], w["line"]) in out
          and "(LWP %d)" % w["lwp"] in out, "arr py-bt in the worker thread: %r %r" % (out, err))
    out, err = run("arr info wx")
    check(err is None and "  address:    0x%x," % w["wx"] in out, "arr info wx in the worker: %r %r" % (out, err))
    one_line_error("arr info x_view", "no Python variable 'x_view' in frame #0 worker_fn")
    run("thread %d" % main_num)
    out, err = run("arr py-frame")
    check(out.startswith("#0 inner"), "back in the main thread, frame #0 is selected again: %r %r" % (out, err))


def check_names(t):
    """NAME is the Python variable over a C symbol of that name (libc's
    environ), and says so; py:NAME and c:NAME choose; $ndarray(...) shows an
    ndarray in `print` without debug info for Python or NumPy."""
    e = t["environ"]
    out, err = run("arr info environ")
    check(err is None and "  address:    0x%x," % e["id"] in out and
          "  name:       environ, a global of Python frame #0 inner (" in out and
          "; c:environ is the C symbol of that name\n" in out, "arr info environ: %r %r" % (out[:500], err))
    out, err = run("arr info py:environ")
    check(err is None and "  address:    0x%x," % e["id"] in out and "c:environ" not in out,
          "arr info py:environ: %r %r" % (out[:300], err))
    one_line_error("arr info c:environ", "environ")
    one_line_error("arr info py:nosuch", "no Python variable 'nosuch'")
    one_line_error("arr info py:1+1", "py:1+1: not a Python name")
    # Decoded and summarised as in tests/gdb/numpy/check.py, here also under vgdb.
    out, err = run("arr info g_rec")
    check(err is None and "ndarray %s shape (1,)" % t["g_rec"] in out and "  elements:   {(1, 2.5, b'ab')}" in out
          and "  fields:     a <i4 at 0, f <f8 at 4, s S2 at 12" in out, "arr info g_rec: %r %r" % (out, err))
    out, err = run("arr info g_big")
    want = re.sub(r"\n\s*", " ", t["g_big"]).replace("[", "{").replace("]", "}")
    check(err is None and "  elements:   %s\n" % want in out and len(out) < 2000, "arr info g_big: %r %r" % (out, err))
    info, _ = run("arr info g_view")
    f = dict(re.findall(r"(?m)^  ([a-z ]+):\s+(.*)$", info))
    want = info.splitlines()[0] + " = " + f.get("elements", "?")
    for expr in ('$ndarray("g_view")', "$ndarray(0x%x)" % t["frame0"]["g_view"]["id"],
                 "$ndarray((long) 0x%x)" % t["frame0"]["g_view"]["id"]):
        out, err = run("print " + expr)
        check(err is None and re.sub(r"^\$\d+ = ", "", out.rstrip("\n")) == want,
              "print %s: %r %r, expected %r" % (expr, out, err, want))
    out, err = run('output $ndarray("g_view")')
    check(err is None and out == want, "output $ndarray: %r %r" % (out, err))
    for expr, words in (('$ndarray("nosuch")', "no Python variable 'nosuch'"), ("$ndarray(0x10)", "0x10"),
                        ('$ndarray("g_int")', "not an ndarray"), ("$ndarray()", "usage: $ndarray"),
                        ("$ndarray(1.5)", "not a double")):
        one_line_error("print " + expr, words)


def check_hostile(t):
    one_line_error("arr info nosuch", "no Python variable 'nosuch' in frame #0 inner (%s:%d)"
                   % (t["file"], t["frames"][0][1]))
    one_line_error("arr info g_int", "g_int, a global of Python frame #0 inner")
    one_line_error("arr info g_int", "0x%x is a Python 'int' object, not an ndarray" % t["g_int"])
    one_line_error("arr views nosuch", "no Python variable 'nosuch'")
    one_line_error("arr shares x nosuch", "no Python variable 'nosuch'")
    one_line_error("arr shares g_int x", "not an ndarray")
    one_line_error("arr views g_int", "not an ndarray")
    for command in ("arr list", "arr leaks", "arr mem"):  # a NumPy process without arrdbg's registry
        one_line_error(command, "this is a NumPy process without arrdbg's registry: NumPy keeps no list of "
                       "its arrays")
        one_line_error(command, "start the program as `python3 -m arrdbg run SCRIPT.py [ARGS]`")
    out, err = run("arr views x x_view nosuch g_int")
    check(err is None and "  nosuch: no Python variable 'nosuch'" in out
          and "  g_int: g_int, a global of Python frame #0" in out and "not an ndarray" in out,
          "arr views with a missing and an int candidate: %r %r" % (out, err))


def check_deep(t):
    """A thread 20,008 Python frames deep (a recursion): every frame is
    read and numbered (the walk stopped at 10,000 before)."""
    d = t["deep"]
    num = thread_number(d["lwp"], "deep thread")
    if num is None:
        return
    main_num = gdb.selected_thread().num
    run("thread %d" % num)
    last = d["frames"] - 1
    out, err = run("arr py-frame 19999")
    check(err is None and out == "#19999 deep_fn (%s:%d)\n" % (t["file"], d["rec"]),
          "arr py-frame 19999 in the deep thread: %r %r" % (out, err))
    out, err = run("arr py-frame %d" % last)
    check(err is None and out.startswith("#%d Thread._bootstrap (" % last),
          "arr py-frame %d (the outermost): %r %r" % (last, out, err))
    one_line_error("arr py-frame %d" % (last + 1), "no Python frame #%d (there are %d)"
                   % (last + 1, d["frames"]))
    out, err = run("arr py-bt")
    lines = [l for l in out.splitlines() if re.match(r"^(=>|  ) #\d+ ", l)]
    check(err is None and len(lines) == d["frames"] and "-- (" not in out
          and lines[0] == "   #0 deep_fn (%s:%d)" % (t["file"], d["line"]),
          "arr py-bt of the deep thread: %d frames, NumPy's Python says %d: %r %r"
          % (len(lines), d["frames"], out[:200], err))
    # A cap cuts the walk: py-bt says so, and py-frame names the cap.
    gdb.execute("python import arrdbg_gdb.pyframe as _pf; _pf.MAX_FRAMES, _pf._saved = 1000, _pf.MAX_FRAMES")
    out, err = run("arr py-bt")
    check(err is None and "-- (1000 Python frames read; walk stopped at arrdbg's cap of 1000 frames" in out,
          "arr py-bt cut by a cap of 1000: %r %r" % (out[-300:], err))
    one_line_error("arr py-frame 1000", "there are 1000; walk stopped at arrdbg's cap of 1000 frames")
    gdb.execute("python _pf.MAX_FRAMES = _pf._saved")
    run("arr py-frame 0")
    run("thread %d" % main_num)


SWEEP_COMMANDS = ["arr py-bt", "arr py-frame", "arr py-up", "arr py-down", "arr info", "arr views",
                  "arr shares"]
SWEEP_ARGS = ["", "0", "1", "-1", "99999999999999999999", "1.5", "x", "x x", "x x x", "nosuch",
              "g_int", "g_int g_int", "naïve", "\u00b2", "\u0660", "(", "#1", "$pc", "_", "__name__",
              "print", "len", "x_view x_copy nosuch g_int"]


def check_sweep():
    """Every command with odd arguments: a result or one line, never a traceback."""
    for command in SWEEP_COMMANDS:
        for arg in SWEEP_ARGS:
            text = ("%s %s" % (command, arg)).strip()
            out, err = run(text)
            bad = [w for w in ("Traceback", "Python Exception", "internal error") if w in out + (err or "")]
            check(not bad and (err is None or "\n" not in err.strip()), "%s: %r %r" % (text, out[:300], err))
    run("arr py-frame 0")


def check_corrupt():
    """Live only: break the interpreter's state in memory, one piece at a
    time; every command answers one line (and the state is put back)."""
    from arrdbg_gdb import memory, pyframe, pyvars
    inf = gdb.selected_inferior()
    frames, _thread, _problem = pyvars.python_frames()
    runtime = pyvars.Runtime.get().runtime
    version = int(gdb.parse_and_eval("(long) &'Py_Version'"))
    f0 = frames[0].address
    f1 = frames[1].address
    # A broken link after an intact innermost frame: py-bt prints the frames
    # before it and says where and why the chain breaks; names still resolve.
    for what, raw, want in (
            ("a cycle", struct.pack("<Q", f0), "points back to the frame at 0x%x (a cycle)" % f0),
            ("a bad pointer", struct.pack("<Q", 0x10), "0x10 is unreadable"),
            ("not a frame", struct.pack("<Q", frames[0].code), "is not a Python frame (f_code is a 'tuple', not a code)")):
        address = f1 + pyframe.OFFSETS["frame.previous"]
        saved = bytes(inf.read_memory(address, 8))
        inf.write_memory(address, raw)
        memory.Target.forget()
        memory.clear_cache()
        out, err = run("arr py-bt")
        lines = [l for l in out.splitlines() if re.match(r"^(=>|  ) #\d+ ", l)]
        check(err is None and len(lines) == 2 and lines[1].startswith("   #1 outer (")
              and "   -- (2 Python frames read; chain breaks at the link after #1: " in out and want in out,
              "%s after frame #1: arr py-bt %r %r, expected 2 frames and %r" % (what, out, err, want))
        out, err = run("arr info x_view")
        check(err is None and "ndarray int32" in out, "%s after frame #1: arr info x_view %r %r" % (what, out, err))
        one_line_error("arr py-frame 2", "no Python frame #2 (there are 2; chain breaks at the link after #1")
        inf.write_memory(address, saved)
        memory.Target.forget()
        memory.clear_cache()
    pokes = [
        ("frame cycle", f0 + pyframe.OFFSETS["frame.previous"], struct.pack("<Q", f0),
         "chain breaks at the link after #0: it points back to the frame at 0x%x (a cycle)" % f0),
        ("f_code garbage", f0 + pyframe.OFFSETS["frame.f_code"], struct.pack("<Q", 0x10), "cannot read Python's frames"),
        ("f_code a dict", f0 + pyframe.OFFSETS["frame.f_code"],
         struct.pack("<Q", frames[0].globals), "f_code is a 'dict', not a code"),
        ("interpreter list", runtime + pyframe.OFFSETS["runtime.interp_head"], struct.pack("<Q", runtime),
         "cannot read Python's frames"),
        ("globals garbage", f0 + pyframe.OFFSETS["frame.f_globals"], struct.pack("<Q", 0xdead0000), "g_base"),
        ("Python 3.12", version, struct.pack("<I", 0x030C02F0), "runs Python 3.12.2; arrdbg reads the frames of CPython 3.11 only"),
    ]
    for what, address, raw, want in pokes:
        saved = bytes(inf.read_memory(address, len(raw)))
        inf.write_memory(address, raw)
        memory.Target.forget()
        memory.clear_cache()
        for command in ("arr info g_base", "arr py-bt", "arr shares g_base x"):
            out, err = run(command)
            if command == "arr py-bt" and what == "globals garbage":
                check(err is None, "%s: arr py-bt: %r" % (what, err))
                continue
            if what == "frame cycle":  # frame #0 is intact: its names resolve
                check(err is None and (want in out if command == "arr py-bt" else "0x" in out),
                      "%s: %s: %r %r" % (what, command, out, err))
                continue
            check(err is not None and "\n" not in err and want in err and "internal error" not in err,
                  "%s: %s: %r %r, expected one line with %r" % (what, command, out, err, want))
        inf.write_memory(address, saved)
        memory.Target.forget()
        memory.clear_cache()
    out, err = run("arr info g_base")
    check(err is None and "ndarray float64 shape (6, 8)" in out, "after the repairs: %r %r" % (out, err))


def main():
    if MODE == "live":
        gdb.execute("run")
    elif MODE == "vgdb":  # under valgrind's gdbserver: memory reads only, no ptrace
        gdb.execute(os.environ["ARRDBG_NP_TARGET"])
        gdb.execute("continue")
    with open(os.environ["ARRDBG_NP_TRUTH"]) as f:
        t = json.load(f)
    check_frames(t)
    check_frame0(t)
    check_hostile(t)
    check_names(t)
    check_threads(t)
    if MODE != "vgdb":  # 20,008 frames over vgdb's protocol: minutes
        check_deep(t)
    check_sweep()
    core = os.environ.get("ARRDBG_NP_CORE")
    if MODE == "live":
        if core:
            run("gcore %s" % core)
        check_corrupt()
    print("numpy-pyvars-%s: %s %d checks" % (MODE, "ok" if not failures else "FAILED", count[0]))
    if MODE in ("live", "vgdb"):
        run("kill")


try:
    main()
except Exception as exc:  # report, do not leave gdb half-way
    print("numpy-pyvars-%s: FAILED: %s: %s" % (MODE, type(exc).__name__, exc))
