"""gdb -x script of tests/gdb/print: `print NAME` in a Python frame of
print_prog.py (live, stopped by its own SIGTRAP, or its core), checked
against what Python said (TRUTH.json) and against the plugin's own $ndarray
printer; py:NAME, c:NAME, `set arr print-python off`, `arr py-up`, the p
and inspect aliases, help print, corrupt objects (live); and `arr info #N`
in a NumPy process without libarr: with arrdbg's registry (MODE=registry)
the owner of NumPy buffer #N, without it a one-line message worded for a
NumPy process.

Environment: ARRDBG_PRINT_MODE (live, core, registry), ARRDBG_PRINT_TRUTH,
ARRDBG_PRINT_CORE (live: the core to write before the corruption checks).
Prints `print-MODE: ok N checks` or the failures.
"""

import json
import os
import re
import struct
import sys

import gdb

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "numpy"))
from gdbcheck import check, count, failures, run, value_text  # noqa: E402  (tests/gdb/numpy)

MODE = os.environ.get("ARRDBG_PRINT_MODE", "live")


def check_names(t):
    where = r"Python frame #0 inner \(%s:%d\)" % (re.escape(t["file"]), t["stop"])
    for name, shape in t["shapes"].items():
        address = t["ids"][name]
        out, err = run("print %s" % name)
        ref, err2 = run("print $ndarray(0x%x)" % address)
        kind = "global" if name == "environ" else "local"
        other = "; c:environ is the C symbol of that name" if name == "environ" else None
        lines = out.splitlines()
        check(err is None and len(lines) == 2
              and re.fullmatch(r"py:%s is %s, a %s of %s%s" % (name, name, kind, where, re.escape(other) if other
                                                             else "(; c:%s is the C symbol of that name)?" % name),
                               lines[0])
              and value_text(out) == value_text(ref) and value_text(ref)
              and ("shape (%s)" % ", ".join(map(str, shape)) if len(shape) > 1 else "shape (%d,)" % shape[0])
              in value_text(out),
              "print %s: %r %r; $ndarray(0x%x): %r %r" % (name, out, err, address, ref, err2))
        p_out, _ = run("p %s" % name)
        i_out, _ = run("inspect %s" % name)
        check(value_text(p_out) == value_text(out) == value_text(i_out), "p / inspect %s: %r %r" % (name, p_out, i_out))
    for name, (text, address) in t["scalars"].items():
        out, err = run("print %s" % name)
        check(err is None and out.splitlines()[1:] == ["py:%s = %s  (at 0x%x)" % (name, text, address)],
              "print %s: %r %r, Python says %s at 0x%x" % (name, out, err, text, address))
    out, err = run("print g_list")
    check(err is None and "py:g_list = <list object>  (at 0x%x)" % t["g_list"] in out, "print g_list: %r %r" % (out, err))
    # py: and c:
    py, err = run("print py:environ")
    check(err is None and py.splitlines()[0].endswith(where.replace("\\", "").split(" inner")[0][-2:] + " inner (%s:%d)"
                                                       % (t["file"], t["stop"]))
          and "c:environ" not in py and value_text(py) == value_text(run("print environ")[0]),
          "print py:environ: %r %r" % (py, err))
    c_out, err = run("print c:environ")
    gdb.execute("set arr print-python off")
    off, err2 = run("print environ")
    off_x, err3 = run("print x")
    gdb.execute("set arr print-python on")
    check(err is None and err2 is None and re.fullmatch(r"\$\d+ = \(char \*\*\) 0x[0-9a-f]+\n", c_out)
          and value_text(c_out) == value_text(off), "print c:environ %r %r / off: %r %r" % (c_out, err, off, err2))
    check(err3 == 'No symbol "x" in current context.', "print-python off: print x: %r %r" % (off_x, err3))
    for command, want in (("print nosuch", 'No symbol "nosuch" in current context; no Python variable '
                                           "'nosuch' in frame #0 inner"),
                          ("print py:nosuch", "py:nosuch: no Python variable 'nosuch' in frame #0 inner"),
                          ("print py:1x", "py:1x: not a name"), ("print c:", "c:: not a name"),
                          ("print py:", "py:: not a name")):
        out, err = run(command)
        check(err is not None and err.startswith(want) and "\n" not in err and "internal error" not in err,
              "%s: %r %r, expected %r" % (command, out, err, want))
    out, err = run("print -elements 4 -- /x x")
    full = value_text(run("print x")[0]) or ""
    check(err is None and out.startswith("py:x is x") and "..." in (value_text(out) or "")
          and "..." not in full and len(value_text(out)) < len(full), "print -elements 4 -- /x x: %r %r" % (out, err))
    # the module frame: x is not there, environ is
    run("arr py-up")
    out, err = run("print x")
    check(err is not None and "no Python variable 'x' in frame #1 <module>" in err, "py-up; print x: %r %r" % (out, err))
    out, err = run("print environ")
    check(err is None and "global of Python frame #1 <module> (%s:%d)" % (t["file"], t["module"]) in out,
          "py-up; print environ: %r %r" % (out, err))
    run("arr py-frame 0")
    out, err = run("help print")
    check("Usage: print [[OPTION]... --] [/FMT] [EXP]" in out and "py:NAME" in out
          and "set arr print-python off" in out, "help print: %r" % out[:300])


def check_corrupt(t):
    """Garbage in the objects named: one line each, quickly, no traceback."""
    inf = gdb.selected_inferior()
    for name, field, garbage in (("environ", 8, 0x10), ("x", 8, 0), ("environ", 24, 0xdead0000),
                                 ("g_str", 16, 1 << 60)):
        address = t["ids"].get(name) or t["scalars"][name][1]
        saved = bytes(inf.read_memory(address + field, 8))
        inf.write_memory(address + field, struct.pack("<Q", garbage))
        from arrdbg_gdb import memory
        memory.Target.forget()
        memory.clear_cache()
        out, err = run("print %s" % name)
        inf.write_memory(address + field, saved)
        memory.Target.forget()
        memory.clear_cache()
        text = (out or "") + (err or "")
        check("Traceback" not in text and "internal error" not in text and len(text.splitlines()) <= 2,
              "garbage at %s+%d: %r" % (name, field, text))


def check_ids(t):
    """arr info #N without libarr: registry mode, the owner of buffer #N."""
    out, err = run("arr info #1")
    if MODE == "registry":
        listing, _ = run("arr list")
        rows = [l for l in listing.splitlines() if "%s:%d " % (t["file"], t["base_line"]) in l]
        check(len(rows) == 1, "arr list: one buffer made at the @base line: %r" % listing)
        n = rows[0].split()[0] if rows else "#0"
        by_n, err = run("arr info %s" % n)
        by_id, err2 = run("arr info 0x%x" % t["ids"]["base"])
        name_line = "  name:       %s, the ndarray that owns NumPy buffer %s" % (n, n)
        check(err is None and err2 is None and name_line in by_n
              and re.sub(r"(?m)^  name: .*\n", "", by_n) == by_id,
              "arr info %s: %r %r / 0x%x: %r" % (n, by_n[:300], err, t["ids"]["base"], by_id[:200]))
        out, err = run("arr info #999999")
        check(err == "arr info: #999999: no live NumPy buffer #999999 in arrdbg's registry "
              "(`arr list` shows the live ones)", "arr info #999999: %r %r" % (out, err))
        views, err = run("arr views %s" % n)
        check(err is None and "0x%x" % t["ids"]["environ"] in views, "arr views %s: %r %r" % (n, views, err))
        return
    for command in ("arr info #1", "arr views #1", "arr shares #1 #2", "arr dump #1 /dev/null", "arr info #x"):
        out, err = run(command)
        check(err is not None and "\n" not in err and "this is a NumPy process" in err
              and "python3 -m arrdbg run" in err and "is libarr loaded" not in err,
              "%s in a NumPy process: %r %r" % (command, out, err))


def main():
    if MODE in ("live", "registry"):
        gdb.execute("run")
    with open(os.environ["ARRDBG_PRINT_TRUTH"]) as f:
        t = json.load(f)
    check_names(t)
    check_ids(t)
    core = os.environ.get("ARRDBG_PRINT_CORE")
    if MODE == "live":
        if core:
            run("gcore %s" % core)
        check_corrupt(t)
    print("print-%s: %s %d checks" % (MODE, "ok" if not failures else "FAILED", count[0]))
    if MODE != "core":
        run("kill")


try:
    main()
except Exception as exc:  # report, do not leave gdb half-way
    print("print-%s: FAILED: %s: %s" % (MODE, type(exc).__name__, exc))
