"""`arr vgdb`: connect gdb to a program running under Valgrind's gdbserver
(valgrind --vgdb=yes, the default; arrgrind, valgrind --tool=arrcheck),
waiting until that gdbserver is ready.

Right after valgrind starts, its gdbserver is not there yet: a plain
`target remote | vgdb --pid=N` then ends with gdb's "Remote communication
error.  Target disconnected.: Broken pipe.", which says nothing of why.
This command runs the same connection with vgdb's --wait (vgdb polls for
the gdbserver), retries while the connection is refused or cut before the
deadline, and otherwise fails with one line that says what to check.
"""

import os
import shlex
import shutil
import time

import gdb

DEFAULT_WAIT = 10
# What gdb says when vgdb exits or the pipe closes before gdbserver answers.
_NOT_READY = ("Broken pipe", "Remote connection closed", "Connection reset",
              "Target disconnected", "Remote communication error")


def parse(arg):
    """(pid or None, wait seconds, vgdb prefix or None) from the arguments;
    gdb.GdbError with a one-line usage on anything else."""
    usage = "usage: arr vgdb [PID] [--wait SECONDS] [--vgdb-prefix PREFIX]"
    try:
        words = shlex.split(arg or "")
    except ValueError as exc:
        raise gdb.GdbError("arr vgdb: %s; %s" % (exc, usage))
    pid, wait, prefix = None, DEFAULT_WAIT, None
    while words:
        word = words.pop(0)
        if word.startswith("--wait") or word.startswith("--vgdb-prefix"):
            name, _, value = word.partition("=")
            if not value:
                if not words:
                    raise gdb.GdbError("arr vgdb: %s needs a value; %s" % (name, usage))
                value = words.pop(0)
            if name == "--wait":
                if not value.isdigit() or not 0 < int(value) <= 3600:
                    raise gdb.GdbError("arr vgdb: --wait %s: seconds from 1 to 3600; %s" % (value, usage))
                wait = int(value)
            elif name == "--vgdb-prefix":
                prefix = value
            else:
                raise gdb.GdbError("arr vgdb: unknown option %s; %s" % (word, usage))
        elif word.isdigit() and pid is None and 0 < int(word) < 1 << 31:
            pid = int(word)
        else:
            raise gdb.GdbError("arr vgdb: %r is not a process id; %s" % (word, usage))
    return pid, wait, prefix


def vgdb_command(pid, wait, prefix, vgdb="vgdb"):
    parts = [vgdb, "--wait=%d" % wait]
    if prefix:
        parts.append("--vgdb-prefix=" + prefix)
    if pid:
        parts.append("--pid=%d" % pid)
    return "target remote | " + " ".join(shlex.quote(p) for p in parts)


class ArrVgdb(gdb.Command):
    """Connect to a program under Valgrind's gdbserver, waiting until it is ready.
Usage: arr vgdb [PID] [--wait SECONDS] [--vgdb-prefix PREFIX]
Runs `target remote | vgdb --wait=SECONDS [--pid=PID]` and retries until
SECONDS (default 10) have passed: right after valgrind starts, its
gdbserver is not ready and a plain `target remote | vgdb` fails with
"Broken pipe".  PID is needed when several programs run under valgrind;
--vgdb-prefix as given to valgrind, if it was."""

    def __init__(self):
        gdb.Command.__init__(self, "arr vgdb", gdb.COMMAND_RUNNING, gdb.COMPLETE_NONE)

    def invoke(self, arg, from_tty):
        pid, wait, prefix = parse(arg)
        vgdb = shutil.which("vgdb")
        if vgdb is None:
            raise gdb.GdbError("arr vgdb: vgdb is not on PATH (Debian: apt-get install valgrind)")
        if pid and not os.path.exists("/proc/%d" % pid):
            raise gdb.GdbError("arr vgdb: no process %d" % pid)
        command = vgdb_command(pid, wait, prefix, vgdb)
        deadline = time.monotonic() + wait
        while True:
            try:
                gdb.execute(command, from_tty)
                return
            except gdb.error as exc:
                text = str(exc)
                if not any(s in text for s in _NOT_READY):
                    raise
                if time.monotonic() >= deadline:
                    raise gdb.GdbError(
                        "arr vgdb: no Valgrind gdbserver%s answered within %d s: is it running under "
                        "valgrind with --vgdb=yes%s? (gdb said: %s)"
                        % (" for process %d" % pid if pid else "", wait,
                           ", --vgdb-prefix=" + prefix if prefix else " and the default --vgdb-prefix",
                           text.strip().splitlines()[-1] if text.strip() else "nothing"))
                time.sleep(0.5)


def register():
    ArrVgdb()
