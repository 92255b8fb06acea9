# hostile_check.py - runs inside `gdb -nx -batch -x hostile_check.py views`.
#
# Drives every arr command, setting and $arr_* function with wrong arity,
# wrong types, huge and odd numbers and odd characters: first with no
# process, then at arrdbg_spot(1) (live arrays), then at arrdbg_spot(3)
# (every array freed).  Every answer must be a result or a one-line error:
# no traceback, no "Python Exception", no "internal error", no "Error
# occurred in Python" (the runner also greps gdb's whole output).
# Last line: "hostile: ok (N checks)" or "hostile: FAILED (...)".
import gdb

failures = []
checks = [0]
BAD = ("Traceback", "Python Exception", "internal error", "Error occurred in Python")

ARGS = ["", "m", "m m", "m m m", "#1", "#0", "#-1", "#", "#x", "#99999999999999999999999999",
        "1.5", "-1", "0", "99999999999999999999999999", "\"str\"", "'c'", "main", "$pc",
        "*m", "&m", "\u00b2", "\u0660", "#\u00b2", "#\u0663", "#1 #2", "nosuch", "(", "m)", "1 2 3 4 5", "m /dev/null",
        "m \"\"", "$_siginfo", "$nonexistent", "(char)1", "scalar", "null_arr", "*null_arr"]
COMMANDS = ["arr", "arr list", "arr info", "arr views", "arr shares", "arr leaks", "arr mem",
            "arr dump"]
SETTINGS = ["set arr max-read", "set arr max-work", "set arr read-orphans", "set arr max-dump",
            "show arr max-read", "show arr max-work", "show arr read-orphans", "show arr max-dump"]
SETTING_VALUES = ["", "-1", "0", "unlimited", "99999999999999999999999999", "foo", "on", "1.5",
                  "\u00b2"]
FUNCTIONS = ["$arr_get", "$arr_size", "$arr_id", "$arr_shares"]
FUNCTION_ARGS = ["", "1", "1, 2", "m", "m, m", "m, m, m", "m, 0", "m, 0, 0", "m, 0, 0, 0",
                 "m, 99999999999999999999", "m, -99999999999999999999", "m, 1e300, 0",
                 "m, 0.5, 0", "m, \"x\", 0", "\"str\"", "1.5", "main", "$pc", "*m", "scalar",
                 "scalar, 0", "null_arr", "null_arr, null_arr", "z, 1", "bcast, 2, 3",
                 "m, (char)1, 1", "0x10", "-1"]


def check(command):
    checks[0] += 1
    try:
        out = gdb.execute(command, to_string=True)
    except gdb.error as exc:
        out = "error: %s\n" % exc
        if "\n" in str(exc).strip():
            failures.append("%s: a multi-line error: %r" % (command, str(exc)[:300]))
    except Exception as exc:  # anything else escaping gdb.execute is a bug
        failures.append("%s: %s: %s" % (command, type(exc).__name__, exc))
        return
    for word in BAD:
        if word in out:
            failures.append("%s: %r" % (command, out[:300]))
            break


def expect(command, fragment):
    """command's answer (output or error) contains fragment."""
    checks[0] += 1
    try:
        out = gdb.execute(command, to_string=True)
    except gdb.error as exc:
        out = "error: %s" % exc
    if fragment not in out:
        failures.append("%s: expected %r in %r" % (command, fragment, out[:300]))


def exact_answers():
    """Answers that are right, not only one line, at arrdbg_spot(1)."""
    # '#\u0663' (an Arabic-Indic 3) is not #3, '#\u00b2' not an error from int().
    for text in ("#\u0663", "#\u00b2", "#-1", "#1x"):
        expect("arr info " + text, "is not an array id")
    # A float index is refused as NumPy refuses it, not truncated (1.9 -> 1).
    expect("print $arr_get(m, 1.9, 0)", "not an integer")
    expect("print $arr_get(m, 1e300, 0)", "not an integer")
    expect("print $arr_get(m, (char)1, 1)", "= 5")


def sweep(where):
    for command in COMMANDS:
        for arg in ARGS:
            if command == "arr dump" and arg.count(" ") == 1 and "/dev/null" not in arg:
                continue  # a real file name would be written
            check(("%s %s" % (command, arg)).strip())
    for setting in SETTINGS:
        for value in SETTING_VALUES:
            check(("%s %s" % (setting, value)).strip())
    for setting, value in (("max-read", "67108864"), ("max-work", "1000000"),
                           ("read-orphans", "off"), ("max-dump", "268435456")):
        check("set arr %s %s" % (setting, value))
    for function in FUNCTIONS:
        for args in FUNCTION_ARGS:
            check("print %s(%s)" % (function, args))
        check("print %s" % function)
        check("print %s(" % function)
    for command in ("arr list owners", "arr list views", "arr list leaks", "arr mem all",
                    "arr mem 0", "arr mem 99999999999999999999", "arr dump m /dev/full",
                    "arr dump #1 /dev/full", "arr views m m m m", "arr shares m t",
                    "arr shares \"m\" \"(", "arr info $_", "arr info $_exitcode",
                    "help arr", "help arr dump", "print m", "print *m", "print arr_registry",
                    "info locals", "print -elements 0 -- *m", "print -repeats 1 -- *m"):
        check(command)


def main():
    for setup in ("set pagination off", "set confirm off", "set width 0"):
        gdb.execute(setup, to_string=True)
    sweep("no process")
    gdb.execute("break arrdbg_spot", to_string=True)
    gdb.execute("run", to_string=True)
    gdb.execute("frame 1", to_string=True)
    sweep("live")
    exact_answers()
    gdb.execute("delete", to_string=True)
    gdb.execute("break arrdbg_spot if n == 3", to_string=True)
    gdb.execute("continue", to_string=True)
    gdb.execute("frame 1", to_string=True)
    sweep("all freed")
    gdb.execute("kill", to_string=True)
    for line in failures[:60]:
        print("FAIL:", line)
    if failures:
        print("hostile: FAILED (%d of %d checks)" % (len(failures), checks[0]))
    else:
        print("hostile: ok (%d checks)" % checks[0])


main()
