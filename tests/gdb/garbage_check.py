# garbage_check.py - runs inside `gdb -nx -batch -x garbage_check.py garbage`.
#
# At each arrdbg_spot of tests/gdb/progs/garbage.c, asks the plugin about the
# garbage there and checks every answer: the expected short <arr: ...> form,
# a bounded length, and a bounded time per command.  (Tracebacks are caught
# by the runner, which greps gdb's whole output; a hang by its `timeout`.)
# Last line: "garbage: ok (N checks)" or "garbage: FAILED (...)".
import re
import time

import gdb

MAX_SECONDS = 5.0
failures = []
checks = [0]


def run(command):
    try:
        return gdb.execute(command, to_string=True)
    except gdb.error as exc:
        return "error: %s\n" % exc


def expect(command, pattern, max_len=400):
    start = time.time()
    out = run(command)
    spent = time.time() - start
    checks[0] += 1
    problems = []
    if not re.search(pattern, out, re.S):
        problems.append("does not match %r" % pattern)
    if len(out) > max_len:
        problems.append("%d characters (max %d)" % (len(out), max_len))
    if spent > MAX_SECONDS:
        problems.append("took %.1f s" % spent)
    if problems:
        failures.append("%s: %s; output: %s" % (command, ", ".join(problems), out[:300]))
    return out


def stop_at(n):
    gdb.execute("frame 1", to_string=True)


INVALID_PRINT = r"^\$\d+ = <arr: [^\n]{1,120}>\n$"
INVALID_CMD = r"^error: arr \w+: <arr: [^\n]{1,120}>\n$"


def spot1():
    n = int(gdb.parse_and_eval("nfakes"))
    # What each kind of fake (garbage.c, i % 10) must be called.
    reasons = {0: r"invalid magic 0x", 2: r"invalid ndim ", 3: r"invalid shape\[[01]\] -",
               4: r"invalid data NULL", 5: r"invalid (dtype|itemsize) ", 7: r"invalid magic 0x524f5731",
               8: r"invalid is_view ", 9: r"invalid element count"}
    for i in range(n):
        if i % 10 == 6:
            expect("print fakes[%d]" % i, r"^\$\d+ = <arr: freed handle \(was #%d\) at 0x[0-9a-f]+>\n$" % i)
        elif i % 10 in reasons:
            expect("print fakes[%d]" % i, r"^\$\d+ = <arr: %s" % reasons[i % 10])
        expect("print fakes[%d]" % i, INVALID_PRINT)
        expect("print &fakes[%d]" % i, INVALID_PRINT)
        if i % 7 == 0:
            expect("arr info &fakes[%d]" % i, INVALID_CMD)
            expect("arr views &fakes[%d]" % i, INVALID_CMD)
            expect("print $arr_get(&fakes[%d], 0, 0)" % i, r"^error: \$arr_get: <arr: ")
            expect("arr shares &fakes[%d] fake_huge" % i, INVALID_CMD)
            expect("arr dump &fakes[%d] /tmp/arrdbg-never.npy" % i, INVALID_CMD)
    # Valid but dangerous: a 2**40-element array prints its first and last
    # elements quickly (the last lie beyond the heap: unreadable); unmapped
    # data says so; a cyclic views list is reported.
    expect("print fake_huge", r"^\$\d+ = arr #900001 float64 shape \(1099511627776,\) .*"
           r"= \{0, 0, 0, \.\.\., <unreadable at 0x[0-9a-f]+>\}\n$",
           max_len=2000)
    expect("print &fake_unmapped", r"unreadable at 0x10>", max_len=20000)
    expect("print $arr_get(&fake_unmapped, 5, 5)", r"^error: \$arr_get: .*unreadable", max_len=200)
    expect("arr dump &fake_huge /tmp/arrdbg-never.npy", r"^error: arr dump: #900001 has .* max-dump")
    expect("arr views &fake_cycle_owner", r"views list has a cycle", max_len=2000)
    expect("arr info &fake_cycle_owner", r"views list has a cycle", max_len=3000)
    expect("arr shares &fake_cycle_a &fake_huge", r"shares memory \(exact\): (yes|no)", max_len=1000)
    expect("arr list", r"3 arrays: 1 owners, 1 copies, 1 views", max_len=2000)


def registry_spot(n):
    # Whatever the corruption: short answers that say what is wrong.
    answers = {
        # a span read that fails: the readable handle in it is still listed
        2: r"#1 .*#900010 .*registry slot 2: <arr: unreadable at 0x",
        3: r"registry: slot 2 repeats slot 0 .*registry loop.*registry slot 1: <arr: invalid",
        4: r"count 1099511627776 is not plausible",
        5: r"count -5 is not plausible",
        6: r"cannot read libarr's registry: registry items \(unreadable",
        7: r"cannot read libarr's registry: registry magic 0xdeadbeef",
        8: r"cannot read libarr's registry",
    }
    expect("arr list", answers[n], max_len=3000)
    expect("arr leaks", answers[n], max_len=3000)
    mem_answers = {
        6: r"^array memory now: .*\nlargest live arrays: cannot read libarr's registry: registry items \(unreadable",
        7: r"^error: arr mem: cannot read libarr's registry: registry magic 0xdeadbeef\n$",
        8: r"^error: arr mem: cannot read libarr's registry: ",
    }
    # The counters are libarr's real ones; the listed owners are not: say so.
    expect("arr mem", mem_answers.get(n, r"^array memory now: .*\n(note|stats|registry)"), max_len=3000)
    expect("arr mem 1", mem_answers.get(n, r"^array memory now: .*(largest live arrays \(1 of |no live owners)"),
           max_len=3000)
    expect("print arr_registry", r"^\$\d+ = (<arr registry: [^\n]+>|arr registry: [^\n]+)\n$")
    expect("arr info #1", r"^(error: arr info: [^\n]+|arr #1 [^\n]+\n.*)$", max_len=3000)


def main():
    gdb.execute("set pagination off", to_string=True)
    gdb.execute("set confirm off", to_string=True)
    gdb.execute("break arrdbg_spot", to_string=True)
    gdb.execute("run", to_string=True)
    stop_at(1)
    spot1()
    for n in range(2, 9):
        gdb.execute("continue", to_string=True)
        stop_at(n)
        registry_spot(n)
    gdb.execute("kill", to_string=True)
    for line in failures[:40]:
        print("FAIL:", line)
    if failures:
        print("garbage: FAILED (%d of %d checks)" % (len(failures), checks[0]))
    else:
        print("garbage: ok (%d checks)" % checks[0])


main()
