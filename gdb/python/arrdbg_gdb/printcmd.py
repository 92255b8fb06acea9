"""`print NAME` in a Python process: the selected Python frame's variable.

gdb's expression grammar has no hook for names, so this module replaces the
`print` command (its aliases `p` and `inspect` follow) with one that looks
at its argument first:

- `NAME` (a bare identifier, after optional print options and /FMT) in a
  process that runs Python: the variable of the selected Python frame (`arr
  py-frame`; locals, then the module's globals), as `arr info NAME` resolves
  it (numpy_support.resolve_text's rule: a C local or argument of gdb's
  selected frame comes first).  A line says which one was used, and names
  the other one of the same name (a C symbol, or the Python variable that
  a C local hides) when there is one.
- `py:NAME`: the Python variable only; `c:NAME`: gdb's own print of NAME.
- anything else, and everything under `set arr print-python off`: gdb's own
  print, reached through `call` (same parser, /FMT, options, value history);
  a void value prints `$N = void` as print does.

The Python path reads memory only (no code runs in the inferior): an
ndarray prints through $ndarray (numpy_support), so it is recorded in the
value history and summarised like `arr info`; other objects as their type
and, for int, float, bool, None, str and bytes, their value.
"""

import re
import struct

import gdb

from . import numpy_layout as nl
from . import numpy_support, pyframe, pyvars
from .memory import FAULTING_MEMORY, ADDRESS_MASK, ReadError, Settings

MEM = FAULTING_MEMORY
MAX_TEXT = 200          # characters of a str or bytes value shown
MAX_INT_DIGITS = 64     # 30-bit digits of an int shown (larger: its size only)

# A print option: -NAME, then a value when one follows (on/off/unlimited/N).
_OPTION = re.compile(r"-[A-Za-z][\w-]*(?:\s+(?:on|off|unlimited|-?\d+))?\s+")


def split(arg):
    """(options and /FMT text, expression) of a print argument; the
    options end at `--` or at the first word that is not one."""
    text = arg.strip()
    head = ""
    if text.startswith("-"):
        m = re.match(r"^(.*?\s)?--(\s+|$)", text, re.S)
        if m:
            head, text = text[:m.end()], text[m.end():]
        else:
            while True:
                o = _OPTION.match(text)
                if o is None:
                    break
                head, text = head + text[:o.end()], text[o.end():]
    f = re.match(r"^/\w*\s*", text)
    if f:
        head, text = head + text[:f.end()], text[f.end():]
    return head, text.strip()


def _is_void(expr):
    """Whether EXP (the last history value when empty) has type void, asked
    of `whatis`, which evaluates without side effects; False when it cannot
    say (then `call` reports the error itself)."""
    try:
        out = gdb.execute("whatis " + (expr or "$"), to_string=True)
    except gdb.error:
        return False
    return out.strip() == "type = void"


def _gdb_print(arg, hint=None, from_tty=False):
    """gdb's own print of arg, through `call`: its output goes straight to
    gdb's pager, styled.  `call` prints nothing for a void value, so that
    one case is run captured and then says `$N = void` as print does.
    hint: a line added to gdb's error (where a Python name was looked for)."""
    try:
        if not _is_void(split(arg)[1]):
            gdb.execute("call " + arg, from_tty)
            return
        out = gdb.execute("call " + arg, from_tty, to_string=True)
    except gdb.error as exc:
        text = str(exc)
        raise gdb.GdbError("%s; %s" % (text.rstrip("."), hint) if hint else text)
    if out:
        gdb.write(out)
        return
    index = gdb.add_history(gdb.parse_and_eval("(void) 0"))
    gdb.write("$%d = void\n" % index)


def choose(name, scope):
    """(address, words) of the Python variable to print for NAME, or
    (None, hint) for gdb's print (hint: why no Python variable, or a line
    naming the Python variable the C local hides, or None).
    scope: 'py', 'c' or None (a bare NAME)."""
    if scope == "c" or not Settings.print_python:
        return None, None
    if not pyvars.python_process():
        if scope == "py":
            raise gdb.GdbError("py:%s: this process runs no Python (no _PyRuntime symbol)" % name)
        return None, None
    if scope is None:
        c_local = pyvars.c_local(name)
        if c_local is not None:   # gdb's selected C frame has it: C first, as arr info NAME
            try:
                hit = pyvars.lookup(name)
            except (pyvars.NotFound, gdb.GdbError):
                hit = None
            return None, ("c:%s is %s; py:%s is the Python variable of that name (%s)"
                          % (name, c_local, name, hit[1]) if hit else None)
    try:
        return pyvars.lookup(name)
    except pyvars.NotFound as exc:
        if scope == "py":
            raise gdb.GdbError("py:%s: %s" % (name, exc))
        return None, str(exc)
    except gdb.GdbError as exc:   # no Python frame on this thread, unreadable frames
        if scope == "py":
            raise gdb.GdbError("py:%s: %s" % (name, exc))
        return None, str(exc)


def _int_text(address):
    lay = numpy_support.Context.get().layout
    size = lay.ssize(MEM, address + lay.offsets["ob_size"])
    digits = abs(size)
    if digits > MAX_INT_DIGITS:
        return "<int of %d digits (base 2**30)>" % digits
    raw = MEM.read(address + 3 * lay.pointer_size, 4 * digits)
    value = 0
    for k, d in enumerate(struct.unpack(lay.endian + "%dI" % digits, raw)):
        value |= (d & 0x3FFFFFFF) << (30 * k)
    return str(-value if size < 0 else value)


def object_text(address):
    """What the Python object at address is, read from memory: its value
    for int, float, bool, None, str and bytes, else its type."""
    lay = numpy_support.Context.get().layout
    _tp, name = nl.object_type(MEM, lay, address)
    reader = pyframe.Reader(MEM, lay)
    if name == "int":
        return _int_text(address)
    if name == "bool":
        return "True" if _int_text(address) != "0" else "False"
    if name == "NoneType":
        return "None"
    if name == "float":
        return repr(struct.unpack(lay.endian + "d", MEM.read(address + 2 * lay.pointer_size, 8))[0])
    if name in ("str", "bytes"):
        try:
            if name == "str":
                prefix, length = reader.str_prefix(address, MAX_TEXT)
            else:
                prefix, length = reader.bytes_prefix(address, MAX_TEXT)
        except nl.Invalid as exc:  # garbage, or a str that is not compact
            return "<%s not readable: %s>" % (name, exc)
        return _cut_text(prefix, length, "characters" if name == "str" else "bytes")
    return "<%s object>" % name


def _cut_text(prefix, length, unit):
    """repr of a str or bytes; of its first MAX_TEXT items, with `...`
    before the closing quote and its length, when it is longer:
    'abc...' (5000 characters)."""
    text = repr(prefix)
    if length <= len(prefix):
        return text
    return "%s...%s (%d %s)" % (text[:-1], text[-1], length, unit)


def print_python(head, name, address, words, scope):
    """Prints the Python object bound to name (at address)."""
    other = ""
    if scope is None and pyvars.c_symbol(name):
        other = "; c:%s is the C symbol of that name" % name
    found = numpy_support.find_address(address, typed=True)
    gdb.write("py:%s is %s%s\n" % (name, words, other))
    if found.kind == "ndarray":
        _gdb_print("%s$ndarray(0x%x)" % (_head_for_call(head), address))
        return
    if found.kind == "invalid":
        gdb.write("py:%s = %s\n" % (name, found.text))
        return
    try:
        text = object_text(address)
    except (nl.Fault, nl.Invalid, ReadError) as exc:
        text = "<unreadable: %s>" % exc
    gdb.write("py:%s = %s  (at 0x%x)\n" % (name, text, address & ADDRESS_MASK))


def _head_for_call(head):
    """The options and /FMT for `call`, ending so an expression can follow."""
    if head.lstrip().startswith("-") and not re.search(r"(^|\s)--(\s|$)", head):
        fmt = re.search(r"/\w*\s*$", head)
        opts = head[:fmt.start()] if fmt else head
        return opts + "-- " + (fmt.group(0) if fmt else "")
    return head


def run(arg, from_tty=False):
    head, expr = split(arg)
    m = re.match(r"^(py|c):\s*(.*)$", expr, re.S)
    scope, name = (m.group(1), m.group(2).strip()) if m else (None, expr)
    if scope is None and not pyvars.IDENTIFIER.match(name):
        _gdb_print(arg, from_tty=from_tty)   # not a name: gdb's own print, unchanged
        return
    if scope is not None and not pyvars.IDENTIFIER.match(name):
        if scope == "c" and name:
            _gdb_print(head + name, from_tty=from_tty)
            return
        raise gdb.GdbError("%s:%s: not a name (py:NAME is a Python variable, c:NAME gdb's own print)"
                           % (scope, name))
    address, text = choose(name, scope)   # text: the variable's words, or why none
    if address is None:
        if text and text.startswith("c:"):
            gdb.write(text + "\n")   # a C local first, and a Python variable of that name
            text = None
        _gdb_print(head + name if scope == "c" else arg, text if scope is None else None, from_tty)
        return
    print_python(head, name, address, text, scope)


class PrintCommand(gdb.Command):
    """Print the value of an expression; in a Python process, NAME is the
selected Python frame's variable.
Usage: print [[OPTION]... --] [/FMT] [EXP]
       print [[OPTION]... --] [/FMT] py:NAME | c:NAME
Without EXP, the last value of the value history again.

gdb's own print: EXP is evaluated in the language of the selected frame,
shown with the `set print` settings (OPTIONs such as -pretty or -elements N
change them for this command: see `help set print`), in the format /FMT
(letters as for the `x` command: x, d, u, o, t, a, c, f, s, z), and
recorded in the value history as $N (a void value too).  `call EXP` is the
same without recording void values.

Python names (arrdbg): in a process that runs Python (CPython 3.11), a bare
NAME is the variable of the selected Python frame (`arr py-frame`, `arr
py-up`, `arr py-bt`): its locals, then its module's globals; a C local or
argument of gdb's selected frame of that name comes first.  A line says
which variable was used, and names the other one when both exist.
An ndarray prints as `arr info` summarises it (through $ndarray, recorded
as $N; `set print elements` applies); other objects show their type, and
their value for int, float, bool, None, str and bytes.  Everything is read
from memory: no code runs in the program.
py:NAME is the Python variable only; c:NAME is gdb's own print of NAME.
`set arr print-python off` makes print gdb's own for every EXP."""

    def __init__(self):
        gdb.Command.__init__(self, "print", gdb.COMMAND_DATA, gdb.COMPLETE_EXPRESSION)

    def invoke(self, arg, from_tty):
        try:
            if not Settings.print_python:
                _gdb_print(arg, from_tty=from_tty)
            else:
                run(arg, from_tty)
        except gdb.GdbError:
            raise
        except (gdb.error, nl.Fault, nl.Invalid, ReadError) as exc:
            raise gdb.GdbError(str(exc))
        except KeyboardInterrupt:
            raise
        except Exception as exc:  # a bug here: still one line, no traceback
            raise gdb.GdbError("print: internal error: %s: %s" % (type(exc).__name__, exc))


def register():
    PrintCommand()
