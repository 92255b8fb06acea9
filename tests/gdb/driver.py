# driver.py - runs one gdb test case inside `gdb -nx -batch -x driver.py PROG`.
#
# Environment:
#   ARRDBG_CASE   the .cmds file: header lines "#: key value", then one gdb
#                 command a line ("#" lines are comments)
#   ARRDBG_OUT    where to write the transcript: "(gdb) CMD" and its output
#   ARRDBG_MODE   live (run to the spot), gcore (run, save ARRDBG_CORE, quit)
#                 or core (gdb was started on PROG and a core file)
#   ARRDBG_ARGS   program arguments for `run`
# Header keys: stop N (the arrdbg_spot(N) to stop at).
import os

import gdb


def main():
    case = os.environ["ARRDBG_CASE"]
    mode = os.environ.get("ARRDBG_MODE", "live")
    stop = 1
    commands = []
    with open(case) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("#:"):
                key, _, value = line[2:].strip().partition(" ")
                if key == "stop":
                    stop = int(value)
            elif line.strip() and not line.startswith("#"):
                commands.append(line)
    for setup in ("set pagination off", "set width 0", "set height 0", "set confirm off"):
        gdb.execute(setup, to_string=True)
    if mode in ("live", "gcore"):
        gdb.execute("break arrdbg_spot if n == %d" % stop, to_string=True)
        gdb.execute("run %s" % os.environ.get("ARRDBG_ARGS", ""), to_string=True)
    gdb.execute("frame 1", to_string=True)  # the caller of arrdbg_spot
    if mode == "gcore":
        gdb.execute("gcore %s" % os.environ["ARRDBG_CORE"], to_string=True)
        gdb.execute("kill", to_string=True)
        return
    with open(os.environ["ARRDBG_OUT"], "w") as out:
        for command in commands:
            out.write("(gdb) %s\n" % command)
            try:
                out.write(gdb.execute(command, to_string=True))
            except gdb.error as exc:
                out.write("error: %s\n" % exc)
    if mode == "live":
        gdb.execute("kill", to_string=True)


try:
    main()
except Exception as exc:  # the runner sees this in stderr and fails the case
    import sys
    sys.stderr.write("driver failed: %s: %s\n" % (type(exc).__name__, exc))
