"""NumPy's own arrays in gdb: `arr info`, `arr views`, `arr shares` and a
printer for ndarrays in a Python process (a NumPy C extension, or any
program embedding Python).

An argument is an ndarray when it is a PyObject * / PyArrayObject *
expression, a plain address (`arr info 0x7ffff7a0b2d0`, the value of
id(x) in Python), or a Python variable's name (pyvars.py), whose object's
type is numpy.ndarray or a subclass of it.
The fields are read from memory only (no call into the process), with the
offsets from debug info when the process has it and otherwise from NumPy's
and CPython's public headers (numpy_layout).  NumPy keeps no registry of its
arrays, so `arr views` shows an array's base chain and, among candidates
named on the command line (arrays, or lists and tuples of them), which ones
view the same memory.
"""

import os
import re

import gdb
import gdb.printing

from . import foreign, layout, npy, numpy_registry, overlap, pyvars
from . import numpy_layout as nl
from .memory import FAULTING_MEMORY, ADDRESS_MASK, ReadError, Settings, Target
from .model import fmt_tuple, registry_address
from .printers import Elements, nested_text

PYTHON_TAGS = ("_object", "tagPyArrayObject_fields", "tagPyArrayObject")
LIBARR_TAGS = ("arr", "arr_registry")
MAX_CANDIDATES = 1000


MEM = FAULTING_MEMORY


# ---- the layout in use ----------------------------------------------------


def _struct_offsets(tag):
    try:
        t = gdb.lookup_type("struct " + tag).strip_typedefs()
    except gdb.error:
        return None
    return {f.name: f.bitpos // 8 for f in t.fields() if f.name and hasattr(f, "bitpos")}


def _debug_overrides():
    """Offsets from DWARF, for the structs the inferior describes (a C
    extension built with -g has NumPy's; python3-dbg has CPython's)."""
    offsets = {}
    sources = []
    obj = _struct_offsets("_object")
    if obj and "ob_type" in obj:
        offsets["ob_type"] = obj["ob_type"]
        sources.append("PyObject")
    tp = _struct_offsets("_typeobject")
    if tp and "tp_name" in tp and "tp_base" in tp:
        offsets["tp_name"], offsets["tp_base"] = tp["tp_name"], tp["tp_base"]
        sources.append("PyTypeObject")
    arr = _struct_offsets("tagPyArrayObject_fields")
    names = ("data", "nd", "dimensions", "strides", "base", "descr", "flags")
    if arr and all(n in arr for n in names):
        offsets.update({n: arr[n] for n in names})
        sources.append("PyArrayObject_fields")
    elsize_bytes = 4
    descr = _struct_offsets("_PyArray_Descr")
    if descr and all(n in descr for n in ("kind", "type", "byteorder", "type_num", "elsize")):
        offsets.update({"d_kind": descr["kind"], "d_type": descr["type"],
                        "d_byteorder": descr["byteorder"], "d_type_num": descr["type_num"],
                        "d_elsize": descr["elsize"]})
        try:
            elsize_bytes = gdb.lookup_type("struct _PyArray_Descr")["elsize"].type.sizeof
        except (gdb.error, KeyError):
            pass
        sources.append("PyArray_Descr")
    return offsets, elsize_bytes, sources


# `version = "1.24.2"` (version.py of most releases) or `"version": "1.24.2"`
# (the versioneer JSON in _version.py that Debian's 1.24 has).
_VERSION_RE = re.compile(r"""^\s*['"]?version['"]?\s*(?::\s*str\s*)?[=:]\s*['"]([0-9][^'"]*)['"]""", re.M)
_DIST_RE = re.compile(r"^numpy-([0-9][^-]*?)\.(?:dist-info|egg-info)$")


def numpy_version():
    """(version text, where it came from) of the NumPy loaded in the
    inferior, from the files of the package that holds the loaded
    _multiarray_umath module (on this host: right for a live process and for
    a core read on the machine that made it).  (None, why) when unknown."""
    for objfile in gdb.objfiles():
        name = objfile.filename or ""
        if "_multiarray_umath" not in os.path.basename(name):
            continue
        package = os.path.dirname(os.path.dirname(name))  # numpy/core/x.so -> numpy
        for leaf in ("version.py", "_version.py"):
            path = os.path.join(package, leaf)
            try:
                with open(path) as f:
                    found = _VERSION_RE.search(f.read(1 << 16))
            except (OSError, UnicodeDecodeError):
                continue
            if found:
                return found.group(1), path
        parent = os.path.dirname(package)
        try:
            for entry in sorted(os.listdir(parent)):
                found = _DIST_RE.match(entry)
                if found:
                    return found.group(1), os.path.join(parent, entry)
        except OSError:
            pass
        return None, "no version found beside %s" % name
    return None, "no _multiarray_umath module loaded"


class Context:
    """The layout in use and how it was chosen.  One per memory.Target (kept
    on it), so it is recomputed exactly when the Target is: when the
    objfiles change."""

    def __init__(self, target):
        offsets, elsize_bytes, sources = _debug_overrides()
        self.version, self.version_source = numpy_version()
        major = int(self.version.split(".")[0]) if self.version else None
        self.refused = None
        if major is not None and major != 1 and "PyArray_Descr" not in sources:
            self.refused = ("NumPy %s: its PyArray_Descr layout differs from 1.x and the process "
                            "has no debug info for it" % self.version)
        if sources:
            source = "debug info for %s; the rest from NumPy 1.x/CPython 3.x headers" % ", ".join(sources)
        else:
            source = "NumPy 1.x and CPython 3.x public headers (no debug info for these structs)"
        self.layout = nl.Layout(target.pointer_size, target.endian,
                                {"offsets": offsets, "elsize_bytes": elsize_bytes, "source": source})

    def describe(self):
        version = ("NumPy %s (from %s)" % (self.version, self.version_source) if self.version
                   else "NumPy version unknown (%s), 1.x assumed" % self.version_source)
        return "%s; offsets: %s" % (version, self.layout.source)

    @classmethod
    def get(cls):
        return Target.get().cached("numpy_context", cls)


def _read(address):
    """The NdArray at address, or raises nl.Invalid / nl.Fault."""
    ctx = Context.get()
    if ctx.refused:
        raise nl.Invalid(ctx.refused)
    return nl.read_ndarray(MEM, ctx.layout, address)


# ---- arguments -----------------------------------------------------------


class Found:
    """What an argument denotes: kind is 'ndarray' (array set), 'object'
    (another Python object: text says which), or 'invalid' (text)."""

    def __init__(self, kind, address, array=None, text=""):
        self.kind = kind
        self.address = address
        self.array = array
        self.text = text
        self.name = None   # for a name: which variable it was, and the other of that name


def _address_and_typed(value):
    """(address, typed) for a value that may denote a Python object: typed
    when gdb's type says it is one.  None for libarr's types and values that
    cannot be addresses."""
    t = value.type.strip_typedefs()
    code = t.code
    if code == gdb.TYPE_CODE_PTR:
        target = t.target().strip_typedefs()
        tag = target.tag if target.code == gdb.TYPE_CODE_STRUCT else None
        if tag in LIBARR_TAGS:
            return None
        return int(value) & ADDRESS_MASK, tag in PYTHON_TAGS
    if code == gdb.TYPE_CODE_STRUCT:
        if t.tag in PYTHON_TAGS and value.address is not None:
            return int(value.address), True
        return None
    if code in (gdb.TYPE_CODE_INT, gdb.TYPE_CODE_ENUM):
        return int(value) & ADDRESS_MASK, False
    return None


def find_value(value):
    """A Found for a gdb.Value, or None when it is not a Python object (so
    the libarr side answers)."""
    at = _address_and_typed(value)
    if at is None:
        return None
    address, typed = at
    return find_address(address, typed)


def find_address(address, typed=False):
    ctx = Context.get()
    try:
        _tp, name = nl.object_type(MEM, ctx.layout, address)
    except (nl.Fault, nl.Invalid) as exc:
        if not typed:
            return None
        if address == 0:
            return Found("invalid", 0, text="<ndarray: NULL>")
        return Found("invalid", address, text="<ndarray: not a Python object (%s) at 0x%x>" % (exc, address))
    try:
        return Found("ndarray", address, array=_read(address))
    except nl.NotAnArray as exc:
        return Found("object", address, text="0x%x is %s" % (address, exc))
    except (nl.Fault, nl.Invalid) as exc:
        return Found("invalid", address, text="<ndarray: invalid %s at 0x%x>" % (exc, address))


def find_text(text):
    """A Found for a command argument, or None (not a Python object)."""
    return resolve_text(text, gdb.parse_and_eval)


def resolve_text(text, evaluate):
    """A Found for a command argument, or None (not a Python object).
    evaluate(text) gives its gdb.Value (raising gdb.error or gdb.GdbError).
    In a Python process a plain NAME is the selected Python frame's
    variable (pyvars.lookup), unless it is a C local or argument of gdb's
    selected frame; Found.name says which was used and names the other
    when both exist.  `py:NAME` is the Python variable only, `c:NAME` the
    C expression only."""
    text = text.strip()
    if text.startswith("#"):
        return _by_number(text)
    if not text:
        return None
    scope = None
    m = re.match(r"^(py|c):\s*(.*)$", text, re.S)
    if m:
        scope, text = m.group(1), m.group(2).strip()
        if not text:
            raise gdb.GdbError("%s: what name?  (py:NAME, c:NAME)" % scope)
    if scope == "c":
        found = find_value(evaluate(text))
        if found is None:
            raise gdb.GdbError("c:%s is not a Python object (a PyObject * or an address)" % text)
        return found
    if scope == "py" and not pyvars.IDENTIFIER.match(text):
        raise gdb.GdbError("py:%s: not a Python name" % text)
    c_local = pyvars.c_local(text) if scope is None and pyvars.IDENTIFIER.match(text) else None
    hit = missing = None
    try:
        hit = pyvars.lookup(text)
    except pyvars.NotFound as exc:
        missing = str(exc)
    except gdb.GdbError:
        if not c_local:
            raise
    if scope == "py" and hit is None:
        raise gdb.GdbError(missing or "py:%s: this process runs no Python (no _PyRuntime symbol)" % text)
    if hit is not None and c_local is None:
        address, words = hit
        found = find_address(address, typed=True)
        other = "; c:%s is the C symbol of that name" % text if scope is None and pyvars.c_symbol(text) else ""
        if found.kind != "ndarray":
            found.text = "%s: %s%s" % (words, found.text, other)
        found.name = words + other
        return found
    try:
        value = evaluate(text)
    except (gdb.error, gdb.GdbError):
        if missing:  # a Python process: say where the name was looked for
            raise gdb.GdbError(missing)
        return None
    found = find_value(value)
    if found is not None and c_local is not None:
        found.name = "%s, %s%s" % (text, c_local, "; py:%s is the Python variable of that name (%s)"
                                   % (text, hit[1]) if hit is not None else "")
    return found


def _by_number(text):
    """#N in a Python process without libarr: the live ndarray that owns
    NumPy buffer #N of arrdbg's registry (`arr list` numbers them), or a
    one-line error worded for the process.  None where #N is libarr's
    (libarr is loaded, or no Python runs)."""
    if registry_address() is not None:
        return None
    words = numpy_registry.no_libarr_words()
    if words is None:
        return None
    digits = text[1:]
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 19:
        raise gdb.GdbError("%r is not a number #N (# and decimal digits): %s" % (text, words))
    event = int(digits)
    hit = numpy_registry.buffer(event)
    if hit is None:
        raise gdb.GdbError("%s: %s" % (text, words))
    record, objects = hit
    if record is None:
        raise gdb.GdbError("%s: no live NumPy buffer #%d in arrdbg's registry (`arr list` shows the live "
                           "ones)" % (text, event))
    lay = Context.get().layout
    made = "%d bytes, made at %s" % (record["bytes"], numpy_registry.where(record["site"]))
    for address in objects or ():
        try:
            if lay.ptr(MEM, address + lay.offsets["data"]) != record["ptr"]:
                continue
            a = _read(address)
        except (nl.Fault, nl.Invalid):
            continue   # being made or freed
        if a.owns_data:
            found = Found("ndarray", address, array=a)
            found.name = "%s, the ndarray that owns NumPy buffer #%d (%s)" % (text, event, made)
            return found
    raise gdb.GdbError("%s: NumPy buffer #%d at 0x%x (%s) has no live ndarray that owns it%s"
                       % (text, event, record["ptr"], made, "" if objects is not None else
                          " listed (this arrdbg's registry keeps no list of ndarrays)"))


def _need_array(found, command):
    if found.kind != "ndarray":
        raise gdb.GdbError("%s: %s" % (command, found.text))
    return found.array


# ---- words -----------------------------------------------------------------


def type_words(a):
    if a.subclass_depth == 0:
        return "ndarray"
    return "ndarray subclass %s" % a.type_name


def relation(a):
    if a.base:
        if a.base_type == "numpy.ndarray" or (a.base_type or "").startswith("<"):
            return "view of 0x%x" % a.base
        return "view of 0x%x (%s)" % (a.base, a.base_type)
    return "owner" if a.owns_data else "wraps external memory"


def flag_words(a):
    return layout.flag_words(a.flags & nl.FLAG_C_CONTIGUOUS, a.flags & nl.FLAG_F_CONTIGUOUS,
                             a.flags & nl.FLAG_WRITEABLE)


def summary(a):
    return " ".join([type_words(a), a.dtype.name, "shape " + fmt_tuple(a.shape),
                     "strides " + fmt_tuple(a.strides), relation(a)] + flag_words(a)
                    + ["%d bytes" % a.nbytes])


class NumpyElements(Elements):
    """An ndarray's elements for printers.nested_text, the one printing
    path of libarr's arrays too (summarised as NumPy's arrayprint at
    `print elements`, runs of equal elements and rows folded as gdb folds
    them, everything under `set print elements unlimited`): the spans are
    read by printers.Elements; each element's text is numpy_layout's
    decoding of its dtype (byte order, float16, long double, str, bytes,
    structured records)."""

    def __init__(self, a, reader):  # pylint: disable=super-init-not-called
        self.itemsize = a.itemsize
        self.data = a.data
        self.dtype = None
        self.gdb_type = self.byte_type = None   # text only: no gdb value per element
        self.array_types = {}
        self.decoder = reader

    def text_of(self, raw, gdb_format=False, fmt=None, as_number=False):
        return self.decoder.text(raw, 0)

    def value_of(self, raw, as_number=False):
        return self.text_of(raw)

    def bulk_texts(self, raws):
        """The texts of many elements (their bytes, one entry each)."""
        return self.decoder.texts(raws)


def long_double_text():
    """A function from one long double's bytes to its text as gdb prints
    a C long double (gdb's own type, the one foreign.py's GSL layouts use:
    memory only, no inferior call; works on a core), or None without it.
    The function returns None for bytes of another size."""
    try:
        gdb_type = gdb.parse_and_eval(foreign.OTHER_DTYPES["longdouble"]).type
    except gdb.error:
        return None

    def text(raw):
        if len(raw) != gdb_type.sizeof:
            return None
        try:
            return gdb.Value(raw, gdb_type).format_string()
        except (gdb.error, RuntimeError):
            return None
    return text


def elements_text(a):
    """The elements, nested per axis and summarised as libarr's are (one
    printing path: printers.nested_text), read through the real strides;
    or a short reason why not."""
    ctx = Context.get()
    reader = nl.ElementReader(a, ctx.layout.endian, long_double_text())
    if not reader.decodable():
        return "<elements of dtype %s are not decoded>" % a.dtype.name
    elements = NumpyElements(a, reader)
    try:
        if not a.shape:
            return elements.text(0)
        return nested_text(elements, a.shape, a.strides, 0)
    except ReadError as exc:
        return "<elements unreadable at 0x%x>" % (exc.address & ADDRESS_MASK)


def owner_of(a):
    """(owner address, owner NdArray or None, chain, problem)."""
    chain, problem = nl.base_chain(MEM, Context.get().layout, a)
    if not chain:
        return a.address, a, chain, problem
    address, arr, _name = chain[-1]
    return address, arr, chain, problem


def chain_text(a, chain, problem):
    parts = ["0x%x" % a.address]
    for address, arr, name in chain:
        if arr is None:
            parts.append("0x%x (%s)" % (address, name))
        else:
            parts.append("0x%x (%s%s)" % (address, type_words(arr),
                                          ", owns its data" if arr.owns_data else ""))
    text = " -> ".join(parts)
    return text + (" (%s)" % problem if problem else "")


def where_in_owner(a, owner):
    """'bytes [x, y) of 0xOWNER's data' when the owner is an ndarray that
    owns its data, else the absolute range."""
    lo, hi = a.extent()
    if owner is not None and owner is not a and owner.owns_data:
        start = a.data - owner.data
        return "bytes [%d, %d) of 0x%x's data" % (start + lo, start + hi, owner.address)
    if owner is a:
        return "bytes [%d, %d) of its own data" % (lo, hi)
    return "[0x%x, 0x%x)" % ((a.data + lo) & ADDRESS_MASK, (a.data + hi) & ADDRESS_MASK)


# ---- arr info ----------------------------------------------------------------


def info(arg):
    """`arr info` for an ndarray argument; False when arg is not a Python
    object (the libarr side answers)."""
    found = find_text(arg)
    if found is None:
        return False
    a = _need_array(found, "arr info")
    owner_address, owner, chain, problem = owner_of(a)
    dt = a.dtype
    out = [summary(a)]
    if found.name:
        out.append("  name:       %s" % found.name)
    out.append("  address:    0x%x, type %s" % (a.address, a.type_name))
    out.append("  dtype:      %s, itemsize %d, byteorder '%s', type_num %d"
               % (dt.name, dt.elsize, dt.byteorder, dt.type_num))
    if dt.fields is not None:
        out.append("  fields:     %s" % ", ".join("%s %s at %d" % (name, f.short(), offset)
                                                  for name, offset, f in dt.fields))
    out.append("  size:       %d elements, %d bytes" % (a.size, a.nbytes))
    out.append("  shape:      %s  strides %s" % (fmt_tuple(a.shape), fmt_tuple(a.strides)))
    out.append("  flags:      %s" % (" ".join(a.flag_names()) or "none"))
    out.append("  owndata:    %s" % ("yes" if a.owns_data else "no"))
    if a.base:
        out.append("  base:       0x%x (%s)" % (a.base, a.base_type))
    else:
        out.append("  base:       none")
    out.append("  base chain: %s" % chain_text(a, chain, problem))
    if owner is not None and owner is not a and owner.owns_data:
        out.append("  data:       0x%x = data of 0x%x + %d" % (a.data, owner_address, a.data - owner.data))
    else:
        out.append("  data:       0x%x" % a.data)
    out.append("  extent:     %s" % where_in_owner(a, owner))
    out.append("  layout:     %s" % Context.get().describe())
    out.append("  elements:   %s" % elements_text(a))
    gdb.write("\n".join(out) + "\n")
    return True


# ---- arr views -----------------------------------------------------------------


def _candidates(texts):
    """NdArrays named by the candidate arguments (lists and tuples opened
    one level), with lines about the arguments that were none of them."""
    ctx = Context.get()
    arrays, notes = [], []
    for text in texts:
        try:
            found = find_text(text)
        except gdb.GdbError as exc:  # e.g. no Python variable of that name
            notes.append("  %s: %s" % (text, exc))
            continue
        if found is None:
            notes.append("  %s: not a Python object" % text)
            continue
        if found.kind == "ndarray":
            arrays.append(found.array)
            continue
        if found.kind == "object":
            try:
                items = nl.sequence_items(MEM, ctx.layout, found.address)
            except (nl.Fault, nl.Invalid) as exc:
                items, found.text = None, "%s (%s)" % (found.text, exc)
            if items is not None:
                for k, ptr in enumerate(items[:MAX_CANDIDATES]):
                    item = find_address(ptr)
                    if item is not None and item.kind == "ndarray":
                        arrays.append(item.array)
                    else:
                        notes.append("  %s[%d] 0x%x: not an ndarray" % (text, k, ptr))
                continue
        notes.append("  %s: %s" % (text, found.text))
    return arrays, notes


def views(arg):
    """`arr views EXPR [CANDIDATE...]` for an ndarray; False when EXPR is not
    a Python object."""
    found = find_text(arg)
    rest = []
    if found is None or found.kind != "ndarray":
        argv = gdb.string_to_argv(arg)
        if len(argv) > 1:
            first = find_text(argv[0])
            if first is not None:
                found, rest = first, argv[1:]
    if found is None:
        return False
    a = _need_array(found, "arr views")
    owner_address, owner, chain, problem = owner_of(a)
    arrays, notes = _candidates(rest)
    live = _registry_arrays(owner_address)
    if live is not None:
        arrays.extend(v for v in live if v.address != a.address
                      and (v.base == owner_address or owner_of(v)[0] == owner_address))
    if owner is not None:
        lo, hi = owner.extent()
        head = "%s at 0x%x\n  data 0x%x; elements span [%d, %d)" % (summary(owner), owner_address,
                                                                  owner.data, lo, hi)
    else:
        head = "memory held by 0x%x (%s), not an ndarray" % (owner_address, chain[-1][2])
    members = {}  # address -> NdArray: a, its chain, and candidates that share its owner
    for address, arr, _name in chain:
        if arr is not None:
            members[address] = arr
    members[a.address] = a
    others = []
    for c in arrays:
        if c.base == owner_address and owner is not None:   # a direct view: its chain is known
            c_owner, c_chain = owner_address, ()
        else:
            c_owner, _o, c_chain, _p = owner_of(c)
        if c_owner == owner_address:
            members[c.address] = c
            for address, arr, _name in c_chain:
                if arr is not None:
                    members[address] = arr
        elif c.address not in members:
            others.append(c)
    children = {}
    for m in members.values():
        if m.address != owner_address:
            parent = m.base if m.base in members or m.base == owner_address else owner_address
            children.setdefault(parent, []).append(m)
    out = [head]

    def emit(parent, indent, depth):
        for m in sorted(children.get(parent, []), key=lambda x: x.address):
            line = "%s0x%x %s %s strides %s %s" % (indent, m.address, m.dtype.name, fmt_tuple(m.shape),
                                                   fmt_tuple(m.strides), where_in_owner(m, owner))
            if m.address == a.address:
                line += "  <- this one"
            out.append(line)
            if depth < nl.MAX_BASE_CHAIN:
                emit(m.address, indent + "  ", depth + 1)

    emit(owner_address, "  ", 0)
    if not children:
        out.append("  no live views" if live is not None else "  no views among the arrays named")
    if problem:
        out.append("  (%s)" % problem)
    for c in others:
        answer, _w = overlap.shares(_operand(a), _operand(c), Settings.max_work)
        out.append("  not a view of it: 0x%x %s %s (holder 0x%x); shares memory with 0x%x: %s"
                   % (c.address, c.dtype.name, fmt_tuple(c.shape), owner_of(c)[0], a.address, answer))
    out.extend(notes)
    if live is not None:
        out.append("  (every live view of it, from arrdbg's registry of live ndarrays)")
    else:
        out.append("  (NumPy keeps no list of views: these are the base chain and the candidates named; "
                   "under `python3 -m arrdbg run` arrdbg's registry lists them all)")
    gdb.write("\n".join(out) + "\n")
    return True


def _registry_arrays(owner_address):
    """The live ndarrays of arrdbg's registry that may be views of the
    object at owner_address (their base is set: one read of each header
    first, then the candidates read in full), or None without a registry
    that lists them."""
    addresses = numpy_registry.live_objects()
    if addresses is None:
        return None
    lay = Context.get().layout
    base_at = lay.offsets["base"]
    out = []
    seen = nl.Seen()
    for address in addresses:
        try:
            if address == owner_address or not lay.ptr(MEM, address + base_at):
                continue   # the owner itself, or an array with no base: no view
            out.append(nl.read_ndarray(MEM, lay, address, seen))
        except (nl.Fault, nl.Invalid):
            continue   # being made or freed: not a view to list
    return out


# ---- arr dump ------------------------------------------------------------------


def dump_parts(expr, read_c_order):
    """For `arr dump EXPR FILE.npy` on an ndarray: (.npy header, element
    chunks in C order, words for it, element bytes); None when EXPR is not
    a Python object (the libarr side answers).  read_c_order(a, name) is
    arr dump's own (commands.py), with its bounds (max-read, max-dump)."""
    found = find_text(expr)
    if found is None:
        return None
    a = _need_array(found, "arr dump")
    descr = a.dtype.str()
    if descr is None or a.dtype.kind in "OMm":
        raise gdb.GdbError("arr dump: 0x%x has dtype %s, which arr dump does not write (numeric, bool, "
                           "str and bytes dtypes only)" % (a.address, a.dtype.name))
    return (npy.header(descr, a.shape), read_c_order(a, "0x%x" % a.address),
            "0x%x %s %s" % (a.address, a.dtype.name, fmt_tuple(a.shape)), a.nbytes)


# ---- arr shares ---------------------------------------------------------------


def _operand(a):
    return overlap.Operand(a.data, a.shape, a.strides, a.itemsize)


def shares(arg, resolve_libarr):
    """`arr shares A B` when A or B is a Python object (the other may be an
    arr_t: resolve_libarr gives its descriptor); False otherwise."""
    argv = gdb.string_to_argv(arg)
    if len(argv) != 2:
        return False
    found = [find_text(t) for t in argv]
    if all(f is None for f in found):
        return False

    def describe(f):
        a = _need_array(f, "arr shares")
        return _operand(a), "0x%x" % a.address

    lines = overlap.report_mixed(argv, found, describe, resolve_libarr, Settings.max_work)
    gdb.write("\n".join(lines) + "\n")
    return True


# ---- the printer ----------------------------------------------------------------


class NdArrayPrinter:
    def __init__(self, a=None, error=None):
        self.array = a
        self.error = error

    def to_string(self):
        if self.error is not None:
            return self.error
        try:
            return "%s = %s" % (summary(self.array), elements_text(self.array))
        except Exception as exc:  # a printer must never raise into gdb
            return "<ndarray: invalid (%s) at 0x%x>" % (exc, self.array.address)


# ---- $ndarray(ADDRESS | "NAME"): an ndarray for `print`, without Python's debug info --------

MARK = b"\x7farrdbg-ndarray\x00"   # a $ndarray value: MARK, then the address (8 bytes)


def _marked(value):
    """The address a $ndarray value stands for, or None for any other value."""
    t = value.type.strip_typedefs()
    if t.code != gdb.TYPE_CODE_ARRAY or t.sizeof != len(MARK) + 8:
        return None
    try:
        raw = bytes(value.bytes) if hasattr(value, "bytes") else \
            bytes(int(value[k]) & 0xff for k in range(t.sizeof))
    except (gdb.error, RuntimeError, ValueError):
        return None
    if raw[:len(MARK)] != MARK:
        return None
    return int.from_bytes(raw[len(MARK):], "little")


class NdarrayFunction(gdb.Function):
    """$ndarray(ADDRESS) or $ndarray("NAME"): the NumPy array at an address
    (id(x)) or bound to a Python variable of the selected Python frame, for
    `print`: shown as `arr info` summarises it, with its elements (`print
    elements` applies).  Works without debug info for Python or NumPy,
    where `print (PyObject *) ADDRESS` cannot."""

    def __init__(self):
        gdb.Function.__init__(self, "ndarray")

    def invoke(self, *args):
        if len(args) != 1:
            raise gdb.GdbError('usage: $ndarray(ADDRESS) or $ndarray("NAME")')
        arg = args[0]
        t = arg.type.strip_typedefs()
        if t.code == gdb.TYPE_CODE_ARRAY and t.target().sizeof == 1:
            try:
                name = arg.string()
            except (gdb.error, UnicodeDecodeError) as exc:
                raise gdb.GdbError("$ndarray: %s" % exc)
            try:
                found = resolve_text(name, gdb.parse_and_eval)
            except (gdb.GdbError, gdb.error) as exc:
                raise gdb.GdbError("$ndarray: %s" % exc)
            if found is None:
                raise gdb.GdbError("$ndarray: %r is not a Python object" % name)
        else:
            at = _address_and_typed(arg)
            if at is None:
                raise gdb.GdbError("$ndarray: an address (id(x), a PyObject *) or a \"NAME\", not a %s"
                                   % arg.type)
            found = find_address(at[0], typed=True)
        if found.kind != "ndarray":
            raise gdb.GdbError("$ndarray: %s" % found.text)
        if not any(p is PRINTER for o in gdb.objfiles() for p in o.pretty_printers):
            raise gdb.GdbError("$ndarray: NumPy's module is not loaded (the printer lives on it)")
        raw = MARK + (found.address & ADDRESS_MASK).to_bytes(8, "little")
        return gdb.Value(raw, gdb.lookup_type("unsigned char").array(len(raw) - 1))


class NumpyPrettyPrinter(gdb.printing.PrettyPrinter):
    """`arrdbg-numpy`: PyObject * / PyArrayObject * that point to ndarrays.
    Other Python objects are left to gdb (or to CPython's own printers)."""

    def __init__(self):
        gdb.printing.PrettyPrinter.__init__(self, "arrdbg-numpy", [])
        self.subprinters.append(gdb.printing.SubPrettyPrinter("ndarray"))

    def __call__(self, value):
        if not self.subprinters[0].enabled:
            return None
        try:
            t = value.type.strip_typedefs()
            if t.code == gdb.TYPE_CODE_ARRAY:   # a $ndarray(...) value, else none of ours
                address = _marked(value)
                if address is None:
                    return None
                found = find_address(address, typed=True)
                return NdArrayPrinter(found.array) if found.kind == "ndarray" else \
                    NdArrayPrinter(error=found.text)
            target = t.target().strip_typedefs() if t.code == gdb.TYPE_CODE_PTR else t
            if target.code != gdb.TYPE_CODE_STRUCT or target.tag not in PYTHON_TAGS:
                return None
            found = find_value(value)
            if found is None or found.kind == "object":
                return None
            if found.kind == "invalid":
                # A PyObject * that is garbage prints as a plain pointer.
                return NdArrayPrinter(error=found.text) if target.tag != "_object" else None
            return NdArrayPrinter(found.array)
        except Exception as exc:
            return NdArrayPrinter(error="<ndarray: invalid (%s)>" % exc)


PRINTER = NumpyPrettyPrinter()


def _is_numpy_core(objfile):
    return "_multiarray_umath" in os.path.basename(getattr(objfile, "filename", None) or "")


def _attach(objfile):
    """Adds the printer collection to NumPy's core module objfile, once: it
    only matters in processes that loaded NumPy, and stays out of `info
    pretty-printer` everywhere else."""
    if _is_numpy_core(objfile) and not any(getattr(p, "name", None) == PRINTER.name
                                            for p in objfile.pretty_printers):
        gdb.printing.register_pretty_printer(objfile, PRINTER)


def _on_new_objfile(event):
    objfile = getattr(event, "new_objfile", None)
    if objfile is not None:
        _attach(objfile)


def register():
    """Attaches the printer to NumPy's objfile (now or when it is loaded).
    The layout goes with memory.Target when the objfiles change."""
    for objfile in gdb.objfiles():
        _attach(objfile)
    gdb.events.new_objfile.connect(_on_new_objfile)
    NdarrayFunction()
    pyvars.register()
    from . import printcmd   # noqa: E402 (it imports this module)
    printcmd.register()
