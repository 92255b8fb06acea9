# vgdb_check.py - the plugin through Valgrind's gdbserver, run inside
# `gdb -nx -batch -x vgdb_check.py build/tests/gdb/vgdb` while valgrind
# (arrcheck or memcheck, --vgdb=yes --vgdb-error=0) waits for gdb.
#
# Environment:
#   ARRDBG_VGDB_TARGET  the connect command: target remote | vgdb ... --pid=N
#   ARRDBG_VGDB_TOOL    arrcheck or memcheck
#   ARRDBG_OUT          where to write the transcript ("(gdb) CMD" + output)
#
# Stops at arrdbg_spot(1) in tests/gdb/progs/vgdb.c, runs print, arr list,
# arr leaks, arr info and the monitor commands, and checks what must hold
# whatever the addresses: the plugin answers through vgdb (memory reads
# only), and under arrcheck its ids agree with the tool's.  Prints one
# "vgdb: FAIL ..." line per failed check and ends with "vgdb: ok (N checks)"
# or "vgdb: N of M checks failed".
import os
import re

import gdb

TOOL = os.environ.get("ARRDBG_VGDB_TOOL", "arrcheck")
checks = [0]
failures = []


def check(cond, what):
    checks[0] += 1
    if not cond:
        failures.append(what)
        print("vgdb: FAIL %s" % what)


def run(command, transcript):
    """Output of a gdb command (errors as 'error: ...'), logged."""
    try:
        out = gdb.execute(command, to_string=True)
    except gdb.error as exc:
        out = "error: %s\n" % exc
    transcript.append("(gdb) %s\n%s" % (command, out))
    return out


def ids(pattern, text):
    return sorted(int(m) for m in re.findall(pattern, text, re.M))


def main():
    for setup in ("set pagination off", "set width 0", "set height 0", "set confirm off"):
        gdb.execute(setup, to_string=True)
    gdb.execute(os.environ["ARRDBG_VGDB_TARGET"], to_string=True)
    # Stop at the breakpoint only: with --vgdb-error=0 valgrind would also
    # stop at every error it reports (arrcheck reports the free of an owner
    # whose view lives on), and at exit wait for a gdb that has gone.
    gdb.execute("monitor v.set vgdb-error 1000000", to_string=True)
    gdb.execute("break arrdbg_spot if n == 1", to_string=True)
    gdb.execute("continue", to_string=True)
    gdb.execute("frame 1", to_string=True)
    frame = gdb.selected_frame()
    check(frame.name() == "main", "stopped in %s, not main's call of arrdbg_spot" % frame.name())

    transcript = []
    grid = run("print grid", transcript)
    check(grid.startswith("$1 = arr #2 float64 shape (3, 4) strides (32, 8) view of #1")
          and grid.rstrip().endswith("= {{0, 1, 2, 3}, {4, 5, 6, 7}, {8, 9, 10, 11}}"),
          "print grid through vgdb: %r" % grid)
    flipped = run("print flipped", transcript)
    check("strides (32, -8)" in flipped and "{{3, 2, 1, 0}, {7, 6, 5, 4}, {11, 10, 9, 8}}" in flipped,
          "print flipped through vgdb: %r" % flipped)
    ints = run("print *ints", transcript)
    check("int32 shape (3, 4)" in ints and "{3, 2, 1, 0}" in ints, "print *ints: %r" % ints)
    orphan = run("print orphan", transcript)
    check("orphaned view of freed #5" in orphan and "<orphaned: buffer of #5 was freed>" in orphan,
          "print orphan: %r" % orphan)
    run("print $arr_get(flipped, 2, -1)", transcript)
    listing = run("arr list", transcript)
    leaks = run("arr leaks", transcript)
    info = run("arr info #6", transcript)
    check("orphaned view of freed #5" in info and "made by:    slice of #5, at main at vgdb.c:" in info,
          "arr info #6: %r" % info)
    plugin_ids = ids(r"^ *#(\d+) ", listing)
    check(plugin_ids == [1, 2, 3, 4, 6, 7], "arr list ids %r" % plugin_ids)
    plugin_leak_ids = ids(r"^[a-z ():]+: #(\d+)", leaks)
    check(plugin_leak_ids == plugin_ids, "arr leaks ids %r, arr list ids %r"
          % (plugin_leak_ids, plugin_ids))

    if TOOL == "arrcheck":
        tool_list = run("monitor arr list", transcript)
        tool_leaks = run("monitor arr leaks", transcript)
        tool_info = run("monitor arr info 2", transcript)
        run("monitor arr info 5", transcript)
        tool_ids = ids(r"^  #(\d+) ", tool_list)
        check(tool_ids == plugin_ids, "monitor arr list ids %r, arr list ids %r"
              % (tool_ids, plugin_ids))
        # One loss record per array here (each made on its own line): the
        # record's example is the array.
        tool_leak_ids = ids(r"loss record \d+ of \d+\): e\.g\. #(\d+) ", tool_leaks)
        check(tool_leak_ids == plugin_leak_ids, "monitor arr leaks ids %r, arr leaks ids %r"
              % (tool_leak_ids, plugin_leak_ids))
        check("#2 view float64[3, 4] of #1 (reshape)" in tool_info,
              "monitor arr info 2: %r" % tool_info)
        counts = re.search(r"^(\d+) live arrays \((\d+) owners, (\d+) views, (\d+) orphaned views\)",
                           tool_list, re.M)
        check(counts is not None and counts.groups() == ("6", "3", "3", "1"),
              "monitor arr list counts: %r" % (counts and counts.group(0)))
        summary = re.search(r"^arr leaks: (\d+) lost, (\d+) still reachable, (\d+) orphaned views",
                            tool_leaks, re.M)
        check(summary is not None and int(summary.group(1)) + int(summary.group(2)) == 6
              and summary.group(3) == "1", "monitor arr leaks summary: %r"
              % (summary and summary.group(0)))
    else:
        # memcheck has no arr monitor commands: its answer is a message, and
        # the plugin above worked all the same.
        missing = run("monitor arr leaks", transcript)
        check("arr leaks" in missing and "#" not in missing,
              "monitor arr leaks under memcheck: %r" % missing)
        # memcheck's own view of the same moment (its byte counts follow
        # libarr's handle size, so they stay out of the transcript).
        summary = gdb.execute("monitor leak_check summary", to_string=True)
        check("definitely lost:" in summary, "monitor leak_check summary: %r" % summary)

    with open(os.environ["ARRDBG_OUT"], "w") as out:
        out.write("".join(transcript))
    gdb.execute("delete", to_string=True)
    gdb.execute("continue", to_string=True)  # to the end: valgrind exits
    if failures:
        print("vgdb: %d of %d checks failed" % (len(failures), checks[0]))
    else:
        print("vgdb: ok (%d checks)" % checks[0])


try:
    main()
except Exception as exc:  # the runner sees this and fails the case
    print("vgdb: driver failed: %s: %s" % (type(exc).__name__, exc))
