"""Python variables by name in gdb: `arr info b`, `arr views b`, `arr
shares a b` in a python3 process (live, a core, or under vgdb), and the
commands that choose the Python frame the names are looked up in.

The selected Python frame is a frame of the Python thread that runs on
gdb's selected thread (PyThreadState.native_thread_id == the thread's LWP):
the innermost one (#0) after every stop or thread switch, moved with `arr
py-up`, `arr py-down` and `arr py-frame N`, listed by `arr py-bt`.

A name is looked up as Python does: the frame's locals (fast locals, cell
and free variables; the namespace dict of module and class code), then its
module's globals (builtins are not searched).  NAME is the Python variable
first, over a C global or an extension's symbol of the same name; only a C
local or argument of gdb's selected frame (stopped in C code with debug
info) comes before it.  numpy_support.resolve_text says which one was used
when both exist; `py:NAME` and `c:NAME` choose.  Everything is read from
memory (pyframe.py): no call into the process.
"""

import re

import gdb

from . import numpy_layout as nl
from . import pyframe
from .memory import FAULTING_MEMORY, ADDRESS_MASK, ReadError, Target

IDENTIFIER = re.compile(r"^[^\W\d]\w*$")


MEM = FAULTING_MEMORY


def _symbol_address(name):
    """Address of a (minimal) symbol, from the symbol tables only."""
    try:
        return int(gdb.parse_and_eval("&'%s'" % name)) & ADDRESS_MASK
    except (gdb.error, RuntimeError, ValueError, OverflowError):
        return None


class Runtime:
    """CPython in the inferior: present (_PyRuntime is a symbol), its
    version, or why its frames are not read.  One per memory.Target."""

    def __init__(self, target):
        self.layout = nl.Layout(target.pointer_size, target.endian)
        self.runtime = _symbol_address("_PyRuntime")
        self.present = self.runtime is not None
        self.problem = self.version = None
        if not self.present:
            return
        version = _symbol_address("Py_Version")
        if version is None:
            self.problem = ("this process runs a Python older than 3.11 (no Py_Version); arrdbg reads "
                            "the frames of CPython 3.11 only (name the array by its id() address)")
            return
        try:
            self.version = pyframe.check_version(MEM, self.layout, version)
        except (nl.Fault, nl.Invalid) as exc:
            self.problem = str(exc)

    @classmethod
    def get(cls):
        return Target.get().cached("python_runtime", cls)


class _Selection:
    thread = None   # (inferior number, LWP) the level belongs to
    level = 0


def _forget_selection(*_args):
    _Selection.thread = None
    _Selection.level = 0


def _gdb_thread():
    thread = gdb.selected_thread()
    if thread is None or not thread.is_valid():
        raise gdb.GdbError("no thread selected (no process or core)")
    return thread


def python_frames():
    """(frames innermost first, gdb thread, problem) of the selected
    thread's Python thread: every frame that can be read, and problem (or
    None) says where and why the chain broke or that a cap cut it; one-line
    GdbError when there are none."""
    rt = Runtime.get()
    if not rt.present:
        raise gdb.GdbError("this process runs no Python (no _PyRuntime symbol)")
    if rt.problem:
        raise gdb.GdbError(rt.problem)
    thread = _gdb_thread()
    lwp = thread.ptid[1] or thread.ptid[0]
    reader = pyframe.Reader(MEM, rt.layout)
    try:
        states = pyframe.thread_states(reader, rt.runtime)
        mine = [ts for ts, native in states if native == lwp]
        if not mine:
            raise gdb.GdbError("gdb thread %d (LWP %d) runs no Python code (none of the %d Python "
                               "thread states is its): select another with `thread N`"
                               % (thread.num, lwp, len(states)))
        walk = pyframe.frames(reader, mine[0])
    except (nl.Fault, nl.Invalid) as exc:
        raise gdb.GdbError("cannot read Python's frames: %s" % exc)
    frames = walk.frames
    if not frames:
        if walk.problem:
            raise gdb.GdbError("cannot read Python's frames: %s" % walk.problem)
        raise gdb.GdbError("gdb thread %d (LWP %d) has no Python frame" % (thread.num, lwp))
    key = (thread.inferior.num, lwp)
    if _Selection.thread != key:
        _Selection.thread, _Selection.level = key, 0
    _Selection.level = min(_Selection.level, len(frames) - 1)
    return frames, thread, walk.problem


def selected():
    frames, _thread, _problem = python_frames()
    return _Selection.level, frames[_Selection.level]


def _problem_text(frames, problem):
    """The line that says where the walk of frames ended early."""
    return "(%d Python frames read; %s)" % (len(frames), problem)


def c_local(name):
    """A description of the C local or argument called name in gdb's
    selected frame (code with debug info), or None."""
    try:
        frame = gdb.selected_frame()
        block = frame.block()
    except (gdb.error, RuntimeError):
        return None
    while block is not None and not block.is_global and not block.is_static:
        for symbol in block:
            if symbol.name == name and (symbol.is_variable or symbol.is_argument):
                return "a C %s of gdb frame #%d %s" % ("argument" if symbol.is_argument else "local",
                                                       frame.level(), frame.name() or "??")
        block = block.superblock
    return None


def c_symbol(name):
    """True when name is a C global or static variable (with debug info),
    or a symbol of the symbol tables (an extension's constant)."""
    try:
        symbol = gdb.lookup_global_symbol(name) or gdb.lookup_static_symbol(name)
    except (gdb.error, RuntimeError, ValueError):
        symbol = None
    return symbol is not None or _symbol_address(name) is not None


class NotFound(Exception):
    """A Python process, and no Python variable of that name: str() says where it was looked for."""


def python_process():
    try:
        return Runtime.get().present
    except gdb.error:
        return False


def lookup(name):
    """(object address, words) for the Python variable `name` of the
    selected Python frame; None when name is not an identifier or this
    process runs no Python; NotFound when not bound; gdb.GdbError when
    Python's frames cannot be read."""
    if not IDENTIFIER.match(name) or not python_process():
        return None
    level, frame = selected()
    try:
        hit = frame.lookup(name)
    except (nl.Fault, nl.Invalid) as exc:
        raise gdb.GdbError("%s: cannot read Python frame #%d %s: %s" % (name, level, frame.where(), exc))
    if hit is None:
        raise NotFound("no Python variable %r in frame #%d %s (its locals, then its module's globals)"
                       % (name, level, frame.where()))
    address, scope = hit
    if address == 0:
        raise NotFound("%s: the local %r of frame #%d %s is not bound yet"
                       % (name, name, level, frame.where()))
    return address, "%s, a %s of Python frame #%d %s" % (name, scope, level, frame.where())


# ---- commands ----------------------------------------------------------------


def _guard(name, fn, arg):
    try:
        fn(arg)
    except gdb.GdbError as exc:
        raise gdb.GdbError("%s: %s" % (name, exc))
    except (gdb.error, nl.Fault, nl.Invalid, ReadError) as exc:
        raise gdb.GdbError("%s: %s" % (name, exc))
    except Exception as exc:  # a bug here: still one line, no traceback
        raise gdb.GdbError("%s: internal error: %s: %s" % (name, type(exc).__name__, exc))


def _count(arg, name, default):
    text = arg.strip()
    if not text:
        return default
    if not re.match(r"^\d{1,9}$", text):
        raise gdb.GdbError("usage: arr %s [N]  (N: a frame number or count, not %r)" % (name, text))
    return int(text)


def _show(level, frame, marker=""):
    gdb.write("%s#%d %s\n" % (marker, level, frame.where()))


class PyBt(gdb.Command):
    """The Python frames of the selected thread, innermost first.
Usage: arr py-bt
Read from memory (CPython 3.11).  `=>` marks the selected Python frame,
where `arr info NAME`, `arr views NAME` and `arr shares A B` look names up."""

    def __init__(self):
        gdb.Command.__init__(self, "arr py-bt", gdb.COMMAND_STACK)

    def invoke(self, arg, from_tty):
        _guard("arr py-bt", self._run, arg)

    def _run(self, arg):
        if arg.strip():
            raise gdb.GdbError("usage: arr py-bt")
        frames, thread, problem = python_frames()
        rt = Runtime.get()
        gdb.write("Python %s frames of gdb thread %d (LWP %d), innermost first:\n"
                  % (rt.version, thread.num, thread.ptid[1]))
        lines = []
        for level, frame in enumerate(frames):
            lines.append("%s#%d %s" % ("=> " if level == _Selection.level else "   ", level,
                                       frame.where()))
            if len(lines) >= 1000:
                gdb.write("\n".join(lines) + "\n")
                lines = []
        if problem:
            lines.append("   -- " + _problem_text(frames, problem))
        if lines:
            gdb.write("\n".join(lines) + "\n")


class PyFrame(gdb.Command):
    """Select a Python frame, or show the selected one.
Usage: arr py-frame [N]   (N as numbered by `arr py-bt`; #0 is the innermost)"""

    def __init__(self):
        gdb.Command.__init__(self, "arr py-frame", gdb.COMMAND_STACK)

    def invoke(self, arg, from_tty):
        _guard("arr py-frame", self._run, arg)

    def _run(self, arg):
        frames, _thread, problem = python_frames()
        level = _count(arg, "py-frame", _Selection.level)
        if level >= len(frames):
            raise gdb.GdbError("no Python frame #%d (there are %d%s)" % (
                level, len(frames), "; " + problem if problem else ""))
        _Selection.level = level
        _show(level, frames[level])


class _PyMove(gdb.Command):
    step = 0
    name = ""

    def invoke(self, arg, from_tty):
        _guard("arr " + self.name, self._run, arg)

    def _run(self, arg):
        frames, _thread, problem = python_frames()
        n = _count(arg, self.name, 1)
        level = _Selection.level + self.step * n
        if level < 0:
            raise gdb.GdbError("no Python frame %d in from #%d: #0 is the innermost"
                               % (n, _Selection.level))
        if level >= len(frames):
            raise gdb.GdbError("no Python frame #%d: #%d is the outermost%s" % (
                level, len(frames) - 1, " read (%s)" % problem if problem else ""))
        _Selection.level = level
        _show(level, frames[level])


class PyUp(_PyMove):
    """Select the Python frame N (default 1) levels out (toward the caller).
Usage: arr py-up [N]"""
    step, name = 1, "py-up"

    def __init__(self):
        gdb.Command.__init__(self, "arr py-up", gdb.COMMAND_STACK)


class PyDown(_PyMove):
    """Select the Python frame N (default 1) levels in (toward the innermost).
Usage: arr py-down [N]"""
    step, name = -1, "py-down"

    def __init__(self):
        gdb.Command.__init__(self, "arr py-down", gdb.COMMAND_STACK)


def register():
    PyBt()
    PyFrame()
    PyUp()
    PyDown()
    for name in ("stop", "exited"):
        registry = getattr(gdb.events, name, None)
        if registry is not None:
            registry.connect(_forget_selection)
