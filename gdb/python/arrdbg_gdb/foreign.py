"""Arrays of other C libraries: declare a struct's layout, get arrdbg in gdb.

An array library that is not libarr adopts the plugin with one call naming
its struct's fields (docs/ADOPTING.md), in a Python file gdb loads (e.g.
`source mylib-gdb.py`, or an objfile script):

    from arrdbg_gdb import foreign
    foreign.register("mat_t", data="data", shape="shape", strides="strides",
                     base="base", id="id", label="name", dtype="float64")

Then `print m` (m a mat_t or mat_t *) shows dtype, shape, strides, owner or
view, contiguity and the elements read through the strides; `arr info m`,
`arr views m [CANDIDATE...]` and `arr shares a b` work on it (a foreign
array may be compared with a libarr one).  Fields are read with gdb's own
knowledge of the struct (so the program needs debug info for it) and nothing
runs in the inferior.  A library keeps no registry gdb could read, so `arr
views` looks among the arrays named, or, with none named, among the selected
frame's variables of registered types.

Layouts that are not arrays of sizes (GSL's): shape and strides may each be
a list of scalar fields or numbers (shape=("size1", "size2"),
strides=("tda", 1), strides_in="elements"), owner_flag names an int field
that is nonzero in an owner (a view then shows as "view", with the field
named by shared, e.g. the block both point to), and member names the field
of a wrapper struct that is the array (gsl_matrix_view's "matrix").  The
GSL layouts (gsl_matrix, gsl_vector, their view and const view structs, of
every GSL element type) are declared at import: see GSL below.
"""

import gdb
import gdb.printing

from . import layout
from .memory import ADDRESS_MASK, ReadError
from .model import fmt_tuple
from .overlap import Operand, extent, report_mixed

MAX_CHAIN = 64

# Element types that are not libarr dtypes: name -> the C type gdb reads
# each element as (a cast of a literal: nothing runs in the inferior).
# NumPy's names for them on x86-64 Linux are float128 and complex256.
OTHER_DTYPES = {"longdouble": "(long double)0", "clongdouble": "(_Complex long double)0"}


class Invalid(Exception):
    """A struct whose fields do not make sense (short text)."""


class Layout:
    """What register() was told about one struct type."""

    def __init__(self, type_name, data, shape, strides, ndim, dtype, dtype_names, base, ident,
                 label, strides_in, owner_flag=None, shared=None, member=None):
        self.type_name = type_name
        self.data, self.shape, self.strides = data, shape, strides
        self.ndim = ndim
        self.dtype, self.dtype_names = dtype, dtype_names
        self.base, self.id, self.label = base, ident, label
        self.strides_in = strides_in
        self.owner_flag, self.shared, self.member = owner_flag, shared, member
        # What `print` and the commands call it: the type name without "_t".
        self.word = type_name[:-2] if type_name.endswith("_t") else type_name


_layouts = {}  # type name or struct tag -> Layout


def register(type_name, data, shape, strides, ndim=None, dtype="float64", dtype_names=None,
             base=None, id=None, label=None, strides_in="bytes", owner_flag=None, shared=None,
             member=None, install=True):
    """Declares an array struct.  type_name: a typedef ("mat_t") or struct
    tag ("mat").  data: the field pointing at element 0.  shape, strides:
    array fields (strides in bytes, or strides_in="elements").  ndim: a
    number, a field name, or None (the length of the shape array).  dtype: a
    libarr dtype name ("float64", "int32", ...) or one of OTHER_DTYPES
    ("longdouble", "clongdouble") for all arrays of the type,
    or a field name whose value indexes dtype_names (default: libarr's dtype
    order).  base: the field pointing at the array whose memory a view
    uses (NULL: it owns its memory).  id, label: optional fields shown as
    #id and "label".  shape and strides may also be lists of scalar fields
    or numbers; owner_flag: an int field, nonzero in an owner (instead of
    base); shared: a pointer field a view shares with its owner, shown;
    member: the field of type_name that is the array struct.  install=False
    declares it without installing the printer yet.  Registering a name
    again replaces it."""
    if strides_in not in ("bytes", "elements"):
        raise ValueError("strides_in is 'bytes' or 'elements'")
    for what, spec in (("shape", shape), ("strides", strides)):
        if isinstance(spec, (tuple, list)):
            if not all(isinstance(x, (str, int)) for x in spec) or len(spec) > layout.MAXDIMS:
                raise ValueError("%s: a field name, or a list of field names and numbers" % what)
    if isinstance(shape, (tuple, list)) != isinstance(strides, (tuple, list)) or \
            isinstance(shape, (tuple, list)) and len(shape) != len(strides):
        raise ValueError("shape and strides: two array fields or two lists of the same length")
    names = tuple(dtype_names) if dtype_names is not None else layout.DTYPES
    known = layout.DTYPES + tuple(OTHER_DTYPES)
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError("unknown dtype names %r (arrdbg knows %s)" % (unknown, ", ".join(known)))
    _layouts[type_name] = Layout(type_name, data, shape, strides, ndim, dtype, names, base, id,
                                 label, strides_in, owner_flag, shared, member)
    if install:
        _install_printer()


def registered():
    return dict(_layouts)


def _layout_of_type(t):
    """(Layout, is_pointer) for a gdb.Type that is a registered struct or a
    pointer to one, else None."""
    pointer = False
    if t.strip_typedefs().code == gdb.TYPE_CODE_PTR:
        t = t.strip_typedefs().target()
        pointer = True
    names = [t.name, t.strip_typedefs().tag]
    while t.code == gdb.TYPE_CODE_TYPEDEF:
        t = t.target()
        names.append(t.name)
    for name in names:
        if name and name in _layouts:
            if t.strip_typedefs().code != gdb.TYPE_CODE_STRUCT:
                return None
            return _layouts[name], pointer
    return None


# ---- one array, read ----------------------------------------------------------


class ForeignArray:
    """One array of a registered type, read from memory.  dtype is libarr's
    dtype number (for the element decoder), shape/strides tuples (strides in
    bytes), base the address of the array it views (0: an owner)."""

    def __init__(self, value, lay, address):
        self.layout = lay
        self.address = address
        try:
            self._read(value, lay)
        except gdb.MemoryError:
            raise Invalid("unreadable at 0x%x" % address)
        except gdb.error as exc:
            raise Invalid(str(exc))

    def _field(self, value, name):
        try:
            return value[name]
        except gdb.error:
            raise Invalid("%s has no field %r (see its foreign.register call)"
                          % (self.layout.type_name, name))

    def _scalars(self, value, spec):
        """A list spec of fields and numbers, read."""
        return tuple(x if isinstance(x, int) else int(self._field(value, x)) for x in spec)

    def _read(self, value, lay):
        if lay.member:
            value = self._field(value, lay.member)
        self.is_view = lay.owner_flag is not None and int(self._field(value, lay.owner_flag)) == 0
        self.shared = int(self._field(value, lay.shared)) & ADDRESS_MASK if lay.shared else 0
        listed = isinstance(lay.shape, (tuple, list))
        shape_v = self._scalars(value, lay.shape) if listed else self._field(value, lay.shape)
        if listed:
            ndim = len(lay.shape)
        elif isinstance(lay.ndim, int):
            ndim = lay.ndim
        elif lay.ndim is None:
            lo, hi = shape_v.type.strip_typedefs().range()
            ndim = hi - lo + 1
        else:
            ndim = int(self._field(value, lay.ndim))
        if not 0 <= ndim <= layout.MAXDIMS:
            raise Invalid("ndim %d" % ndim)
        self.ndim = ndim
        if lay.dtype in layout.DTYPES or lay.dtype in OTHER_DTYPES:
            name = lay.dtype
        else:
            k = int(self._field(value, lay.dtype))
            if not 0 <= k < len(lay.dtype_names):
                raise Invalid("dtype %d" % k)
            name = lay.dtype_names[k]
        self.dtype_name = name
        if name in OTHER_DTYPES:  # decoded by gdb (OtherElements): no libarr number
            self.dtype = None
            self.itemsize = gdb.parse_and_eval(OTHER_DTYPES[name]).type.sizeof
        else:
            self.dtype = layout.DTYPES.index(name)
            self.itemsize = layout.DTYPE_SIZES[self.dtype]
        self.shape = tuple(int(shape_v[k]) for k in range(ndim))
        strides_v = self._scalars(value, lay.strides) if listed else self._field(value, lay.strides)
        unit = self.itemsize if lay.strides_in == "elements" else 1
        self.strides = tuple(int(strides_v[k]) * unit for k in range(ndim))
        if any(d < 0 for d in self.shape):
            raise Invalid("shape %s" % fmt_tuple(self.shape))
        self.size = 1
        for d in self.shape:
            self.size *= d
        if self.size > 1 << 62:
            raise Invalid("element count (over 2**62)")
        self.nbytes = self.size * self.itemsize
        self.data = int(self._field(value, lay.data)) & ADDRESS_MASK
        if self.size and self.data == 0:
            raise Invalid("data NULL")
        self.base = int(self._field(value, lay.base)) & ADDRESS_MASK if lay.base else 0
        self.id = int(self._field(value, lay.id)) if lay.id else None
        self.label = ""
        if lay.label:
            field = self._field(value, lay.label)
            t = field.type.strip_typedefs()
            try:  # a char array: up to its NUL; a char *: up to LABEL_MAX bytes
                n = t.sizeof if t.code == gdb.TYPE_CODE_ARRAY else layout.LABEL_MAX
                self.label = field.string(encoding="latin-1", length=n).split("\0", 1)[0]
            except (gdb.error, UnicodeDecodeError):
                self.label = "?"
            self.label = "".join(c if c.isprintable() else "?" for c in self.label)

    # ---- words ----

    def name(self):
        return "#%d" % self.id if self.id is not None else "0x%x" % self.address

    def operand(self):
        return Operand(self.data, self.shape, self.strides, self.itemsize)

    def extent(self):
        return extent(self.shape, self.strides, self.itemsize)

    def flag_words(self):
        return layout.flag_words(*contiguity(self.shape, self.strides, self.itemsize))

    def relation(self, owner=None):
        if self.is_view:  # an owner flag of 0: the owner is not named
            return "view of block 0x%x" % self.shared if self.shared else "view"
        if not self.base:
            return "owner of block 0x%x" % self.shared if self.shared else "owner"
        if owner is not None and owner is not self:
            return "view of %s" % owner.name()
        return "view of 0x%x" % self.base

    def summary(self, owner=None):
        parts = ["%s %s" % (self.layout.word, self.name()), self.dtype_name,
                 "shape " + fmt_tuple(self.shape), "strides " + fmt_tuple(self.strides),
                 self.relation(owner)]
        if self.label:
            parts.append('"%s"' % self.label)
        return " ".join(parts + self.flag_words() + ["%d bytes" % self.nbytes])


def contiguity(shape, strides, itemsize):
    """NumPy's C/F contiguity: size-1 axes ignored, any 0-length axis makes
    both true."""
    if any(d == 0 for d in shape):
        return True, True

    def check(axes):
        expect = itemsize
        for k in axes:
            if shape[k] != 1:
                if strides[k] != expect:
                    return False
                expect *= shape[k]
        return True

    n = len(shape)
    return check(range(n - 1, -1, -1)), check(range(n))


def read_value(value):
    """ForeignArray for a value of a registered type (or a pointer to one),
    None when the type is not registered; raises Invalid."""
    found = _layout_of_type(value.type)
    if found is None:
        return None
    lay, pointer = found
    if pointer:
        address = int(value) & ADDRESS_MASK
        if address == 0:
            raise Invalid("NULL")
        value = value.dereference()
    else:
        address = int(value.address) & ADDRESS_MASK if value.address is not None else 0
    return ForeignArray(value, lay, address)


def _lookup(name):
    try:
        return gdb.lookup_type(name)
    except gdb.error:
        return gdb.lookup_type("struct " + name)


def read_at(address, lay):
    t = _lookup(lay.type_name)
    return ForeignArray(gdb.Value(address).cast(t.pointer()).dereference(), lay, address)


def owner_of(a):
    """(owner ForeignArray or None, chain of addresses, problem text)."""
    seen = {a.address}
    chain = []
    current = a
    while current.base:
        if current.base in seen or len(chain) >= MAX_CHAIN:
            return None, chain, "base loop at 0x%x" % current.base
        seen.add(current.base)
        chain.append(current.base)
        try:
            current = read_at(current.base, a.layout)
        except (Invalid, gdb.error) as exc:
            return None, chain, "base 0x%x: %s" % (chain[-1], exc)
    return current, chain, None


# ---- elements (libarr's decoder, through the strides) ---------------------------


_other_elements = []  # the class below, made once printers is imported


def _other_elements_class():
    """Elements (printers.py) for an OTHER_DTYPES element: gdb's C type
    formats each one (so long double shows every digit gdb reads, complex
    long double as gdb prints _Complex, like libarr's complex128)."""
    if _other_elements:
        return _other_elements[0]
    import struct
    from .printers import Elements

    class OtherElements(Elements):
        def __init__(self, desc):  # pylint: disable=super-init-not-called
            self.itemsize, self.data = desc.itemsize, desc.data
            self.dtype = desc.dtype_name  # not a libarr dtype number
            self.format = struct.Struct("%ds" % desc.itemsize)
            self.gdb_type = gdb.parse_and_eval(OTHER_DTYPES[desc.dtype_name]).type
            self.byte_type = None
            self.array_types = {}

        def value_of(self, raw, as_number=False):
            return gdb.Value(raw, self.gdb_type)

        def text_of(self, raw, gdb_format=False, fmt=None, as_number=False):
            try:
                return self.value_of(raw).format_string(**({"format": fmt} if fmt else {}))
            except (gdb.error, RuntimeError):
                return "<unreadable>"

        def number(self, offset):
            value = self.value(offset)
            if value.type.code == gdb.TYPE_CODE_COMPLEX:
                value = value.real  # as Elements.number: the real part
            return float(value)

    _other_elements.append(OtherElements)
    return OtherElements


def elements_text(a):
    from .printers import Elements, nested_text
    try:
        elements = Elements(a) if a.dtype is not None else _other_elements_class()(a)
        if a.ndim == 0:
            return elements.text(0)
        return nested_text(elements, a.shape, a.strides, 0)
    except ReadError as exc:
        return "<unreadable at 0x%x>" % (exc.address & ADDRESS_MASK)


# ---- the printer ------------------------------------------------------------------


class ForeignPrinter:
    def __init__(self, value):
        self.value = value

    def to_string(self):
        try:
            a = read_value(self.value)
            owner = owner_of(a)[0] if a.base else None
            return "%s = %s" % (a.summary(owner), elements_text(a))
        except Invalid as exc:
            return "<%s: invalid %s>" % (_word(self.value), exc)
        except Exception as exc:  # a printer must never raise into gdb
            return "<%s: invalid (%s)>" % (_word(self.value), exc)


def _word(value):
    found = _layout_of_type(value.type)
    return found[0].word if found else "array"


class ForeignPrettyPrinter(gdb.printing.PrettyPrinter):
    """`arrdbg-foreign`: the types declared with foreign.register."""

    def __init__(self):
        gdb.printing.PrettyPrinter.__init__(self, "arrdbg-foreign", [])

    def __call__(self, value):
        if not self.enabled:
            return None
        try:
            if _layout_of_type(value.type) is None:
                return None
        except Exception:  # an odd type: not ours
            return None
        return ForeignPrinter(value)


PRINTER = ForeignPrettyPrinter()


def _install_printer():
    if not any(getattr(p, "name", None) == PRINTER.name for p in gdb.pretty_printers):
        gdb.printing.register_pretty_printer(None, PRINTER)


# ---- the arr commands -----------------------------------------------------------


def find(text):
    """ForeignArray named by a command argument, None when the expression is
    not of a registered type; raises gdb.GdbError for a bad one."""
    if not _layouts or not text.strip() or text.strip().startswith("#"):
        return None
    try:
        value = gdb.parse_and_eval(text)
    except gdb.error:
        return None
    try:
        return read_value(value)
    except Invalid as exc:
        raise gdb.GdbError("%s: invalid %s" % (text, exc))


def _where_in(a, owner):
    lo, hi = a.extent()
    if owner is not None:
        start = a.data - owner.data
        return "bytes [%d, %d) of %s's data" % (start + lo, start + hi, owner.name())
    return "[0x%x, 0x%x)" % (a.data + lo, a.data + hi)


def info(arg):
    """`arr info EXPR` for a registered type; False when it is not one."""
    a = find(arg)
    if a is None:
        return False
    owner, chain, problem = owner_of(a)
    out = [a.summary(owner if a.base else None),
           "  address:    0x%x, type %s (declared with foreign.register)" % (a.address, a.layout.type_name),
           "  dtype:      %s, itemsize %d" % (a.dtype_name, a.itemsize),
           "  size:       %d elements, %d bytes" % (a.size, a.nbytes),
           "  shape:      %s  strides %s" % (fmt_tuple(a.shape), fmt_tuple(a.strides))]
    if a.is_view:
        out.append("  base:       not named (the struct says only that it is a view%s)"
                   % (" of block 0x%x" % a.shared if a.shared else ""))
    elif not a.base:
        out.append("  base:       none (owns its data)")
    elif owner is not None:
        out.append("  base:       %s at 0x%x" % (owner.summary(), owner.address))
        out.append("  data:       0x%x = data of %s + %d" % (a.data, owner.name(), a.data - owner.data))
    else:
        out.append("  base:       0x%x (%s)" % (a.base, problem))
    out.append("  extent:     %s" % _where_in(a, owner if a.base else None))
    out.append("  elements:   %s" % elements_text(a))
    gdb.write("\n".join(out) + "\n")
    return True


def _frame_candidates():
    """ForeignArrays of the selected frame's variables of registered types."""
    out = []
    try:
        block = gdb.selected_frame().block()
    except (gdb.error, RuntimeError):
        return out
    frame = gdb.selected_frame()
    names = set()
    while block is not None:
        for sym in block:
            if not sym.is_variable and not sym.is_argument or sym.name in names:
                continue
            names.add(sym.name)
            try:
                a = read_value(sym.value(frame))
            except (Invalid, gdb.error, RuntimeError):
                continue
            if a is not None:
                out.append((sym.name, a))
        if block.function is not None:
            break
        block = block.superblock
    return out


def views(arg):
    """`arr views EXPR [CANDIDATE...]` for a registered type."""
    argv = gdb.string_to_argv(arg)
    if not argv:
        return False
    a = find(argv[0])
    if a is None:
        return False
    owner, _chain, problem = owner_of(a)
    if owner is None:
        raise gdb.GdbError("arr views: %s: %s" % (argv[0], problem))
    if len(argv) > 1:
        named = [(t, find(t)) for t in argv[1:]]
        source = "the arrays named"
    else:
        named = _frame_candidates()
        source = "the selected frame's variables"
    lo, hi = owner.extent()
    out = ["%s\n  data 0x%x; elements span [%d, %d)" % (owner.summary(), owner.data, lo, hi)]
    members = {}
    for text, c in named:
        if c is None:
            out.append("  %s: not a registered array type" % text)
            continue
        if c.address == owner.address:
            continue
        c_owner = owner_of(c)[0]
        if c_owner is not None and c_owner.address == owner.address:
            members[c.address] = c
    if a.address != owner.address:
        members[a.address] = a
    for m in sorted(members.values(), key=lambda x: (x.id is None, x.id, x.address)):
        line = "  %s %s %s strides %s %s" % (m.name(), m.dtype_name, fmt_tuple(m.shape),
                                           fmt_tuple(m.strides), _where_in(m, owner))
        if m.address == a.address:
            line += "  <- this one"
        out.append(line)
    if not members:
        out.append("  no views of it among %s" % source)
    out.append("  (%s keeps no list of views: these are among %s)" % (a.layout.type_name, source))
    gdb.write("\n".join(out) + "\n")
    return True


def shares(arg, resolve_libarr, max_work):
    """`arr shares A B` when A or B is of a registered type (the other may
    be a libarr array)."""
    argv = gdb.string_to_argv(arg)
    if len(argv) != 2:
        return False
    found = [find(t) for t in argv]
    if all(f is None for f in found):
        return False
    def describe(f):
        return f.operand(), (f.name() if f.id is None else "%s %s" % (f.layout.word, f.name()))

    lines = report_mixed(argv, found, describe, resolve_libarr, max_work)
    gdb.write("\n".join(lines) + "\n")
    return True


# ---- GSL (the GNU Scientific Library): its matrices and vectors ---------------
# Sizes are scalar fields, a matrix's row stride is tda elements, ownership
# is an int flag; a view struct wraps the array (gsl_matrix_view.matrix).
# Shipped here, declared at import; the printer is installed once an
# objfile named libgsl* is loaded (so sessions without GSL see no change in
# `info pretty-printer`).  A GSL program needs only the plugin (gdb -iex
# 'source .../arrdbg.py') and its own debug info for GSL's types, which come
# from the GSL headers it was compiled with.

GSL_MATRIX = dict(data="data", shape=("size1", "size2"), strides=("tda", 1),
                  strides_in="elements", owner_flag="owner", shared="block")
GSL_VECTOR = dict(data="data", shape=("size",), strides=("stride",), strides_in="elements",
                  owner_flag="owner", shared="block")


# GSL's element types: the suffix of its type names (gsl_matrix_float,
# gsl_vector_complex_view...) and the dtype arrdbg names them with (the
# names arrcheck's GSL adapter reports, valgrind/gsl_adapter.c AG_TYPES).
# A complex element is two reals, so tda and stride still count elements.
GSL_TYPES = (("", "float64"), ("_float", "float32"), ("_long_double", "longdouble"),
             ("_int", "int32"), ("_uint", "uint32"), ("_long", "int64"), ("_ulong", "uint64"),
             ("_short", "int16"), ("_ushort", "uint16"), ("_char", "int8"), ("_uchar", "uint8"),
             ("_complex", "complex128"), ("_complex_float", "complex64"),
             ("_complex_long_double", "clongdouble"))


def register_gsl(install=True):
    for suffix, dtype in GSL_TYPES:
        for kind, fields in (("matrix", GSL_MATRIX), ("vector", GSL_VECTOR)):
            name = "gsl_%s%s" % (kind, suffix)
            register(name, dtype=dtype, install=install, **fields)
            for view in ("_view", "_const_view"):
                for tag in ("_" + name + view, name + view):
                    register(tag, member=kind, dtype=dtype, install=install, **fields)


def _is_gsl(objfile):
    name = getattr(objfile, "filename", None) or ""
    return name.rsplit("/", 1)[-1].startswith("libgsl")


def _on_new_objfile(event):
    try:
        if _is_gsl(event.new_objfile):
            _install_printer()
    except Exception:  # an event handler must never raise into gdb
        pass


register_gsl(install=False)
if any(_is_gsl(o) for o in gdb.objfiles()):
    _install_printer()
gdb.events.new_objfile.connect(_on_new_objfile)


# ---- arr list / arr leaks without libarr: arrcheck's records ------------------


def arrcheck_records(sub):
    """`arr list` / `arr leaks` in a program without libarr's registry (a
    GSL program, any adopting library): under Valgrind's gdbserver with
    arrcheck, the tool's own records, through `monitor arr list|leaks`.
    True when answered; False (nothing written) when libarr is loaded.
    Raises gdb.GdbError, saying how to get the records, otherwise."""
    from .model import registry_address
    if registry_address() is not None:
        return False
    try:
        text = gdb.execute("monitor arr %s" % sub, to_string=True)
    except gdb.error:
        text = ""
    if not text.strip() or "unknown command" in text.lower():
        raise gdb.GdbError("arr %s: cannot read libarr's registry: no arr_registry symbol: is "
                           "libarr loaded? (another library's arrays, GSL's: run the program "
                           "under valgrind --tool=arrcheck --vgdb=yes --vgdb-error=0 and "
                           "connect gdb; arr %s then reads arrcheck's records)" % (sub, sub))
    gdb.write("(no libarr in this program: arrcheck's records, from `monitor arr %s`)\n%s"
              % (sub, text if text.endswith("\n") else text + "\n"))
    return True
