"""Array descriptors and libarr's registry, read and validated from memory.

Every pointer may be NULL or garbage and every count may be absurd: reads go
through memory.read (bounded), counts are capped, lists are walked with a
visited set, and a descriptor that fails a check gets a short reason that the
printers show as `<arr: invalid REASON at 0x...>`.
"""

import contextlib
import gc
import struct

import gdb

from . import layout
from .memory import ADDRESS_MASK, ReadError, Settings, Target, read, read_buffer
from .overlap import Operand, element_count, extent

MAX_REGISTRY = 10000000   # registry entries the plugin is willing to read
MAX_VIEWS_WALK = 10000000
# Module-level copies for validate(), which runs once per live array.
_MAGIC_LIVE = layout.MAGIC_LIVE
_MAXDIMS = layout.MAXDIMS
_NDTYPES = len(layout.DTYPES)
_DTYPE_SIZES = layout.DTYPE_SIZES
_NOPS = len(layout.OPS)


class Invalid(Exception):
    """A descriptor or registry that does not make sense; str() is short."""


def _label_text(raw):
    """A label's C string as printable text (anything else becomes '?')."""
    label = raw.split(b"\0", 1)[0]
    return "".join(c if c.isprintable() else "?" for c in label.decode("utf-8", "replace"))


_FIELD_NAMES = tuple(name for name, _kind, _count in layout.ARR_FIELDS)
_COUNTED = ("shape", "strides")
_fillers = {}


def _filler(names):
    """fill(obj, values): obj.<names[i]> = values[i] for all i, compiled as
    one tuple assignment, the cheapest way CPython sets two dozen slots (the
    registry walk does it for every live array)."""
    fill = _fillers.get(names)
    if fill is None:
        if not all(n in _FIELD_NAMES for n in names):
            raise ValueError("unknown field in %r" % (names,))
        namespace = {}
        exec("def fill(obj, values):\n    %s, = values\n"
             % ", ".join("obj." + n for n in names), namespace)
        fill = _fillers[names] = namespace["fill"]
    return fill


class ArrDesc:
    """One arr_t as read from the inferior (or a synthetic row of one).
    Attributes: the struct's fields (label as text, shape and strides as
    tuples of ndim entries), address, raw (its bytes, when kept), and after
    validate() size, nbytes and category (what kind() returns)."""

    __slots__ = _FIELD_NAMES + ("address", "raw", "size", "nbytes", "category")

    def __init__(self, address, fields, raw=None):
        for name in _FIELD_NAMES:
            setattr(self, name, fields[name])
        self._finish(address, raw, fields["shape"], fields["strides"])

    def _finish(self, address, raw, shape, strides):
        self.address = address
        self.raw = raw
        label = self.label
        self.label = _label_text(label) if label[:1] != b"\0" else ""
        ndim = self.ndim
        if 0 <= ndim <= layout.MAXDIMS:
            self.shape = tuple(shape[:ndim])
            self.strides = tuple(strides[:ndim])
        else:  # validate() rejects it; these only keep the object whole
            self.shape = self.strides = ()

    @classmethod
    def read(cls, address, synthetic_raw=None):
        """Reads and validates the arr_t at address; raises ReadError or
        Invalid.  synthetic_raw: bytes of a descriptor gdb already holds."""
        target = Target.get()
        decoder = target.arr
        if synthetic_raw is not None:
            raw = synthetic_raw
        else:
            if address == 0:
                raise Invalid("NULL")
            raw = read(address, decoder.size)
        desc = cls(address, decoder.decode(raw), raw)
        desc.validate(synthetic_raw is not None)
        return desc

    def validate(self, synthetic):
        """Raises Invalid unless the fields make sense; sets size, nbytes."""
        magic = self.magic
        if magic != _MAGIC_LIVE and not (synthetic and magic == layout.MAGIC_ROW):
            if magic == layout.MAGIC_FREED:
                raise Invalid("freed handle (was #%d)" % self.id)
            raise Invalid("magic 0x%08x" % magic)
        ndim = self.ndim
        if not 0 <= ndim <= _MAXDIMS:
            raise Invalid("ndim %d" % ndim)
        dtype = self.dtype
        if not 0 <= dtype < _NDTYPES:
            raise Invalid("dtype %d" % dtype)
        itemsize = self.itemsize
        if itemsize != _DTYPE_SIZES[dtype]:
            raise Invalid("itemsize %d for %s" % (itemsize, layout.DTYPES[dtype]))
        is_view = self.is_view
        orphaned = self.orphaned
        if is_view not in (0, 1) or orphaned not in (0, 1):
            raise Invalid("is_view %d orphaned %d" % (is_view, orphaned))
        if orphaned and not is_view:
            raise Invalid("orphaned owner")
        try:
            size = element_count(self.shape)
        except ValueError as e:
            raise Invalid(str(e))
        self.size = size
        self.nbytes = size * itemsize
        if size and self.data == 0:
            raise Invalid("data NULL")
        op = self.op
        if not 0 <= op < _NOPS:
            raise Invalid("op %d" % op)
        if is_view:
            self.category = "orphan" if orphaned else "view"
        else:
            self.category = "copy" if layout.is_copy_op(op) else "owner"

    # ---- derived facts ---------------------------------------------------

    @property
    def dtype_name(self):
        return layout.DTYPES[self.dtype]

    @property
    def op_name(self):
        return layout.OPS[self.op]

    def is_copy(self):
        return not self.is_view and layout.is_copy_op(self.op)

    def kind(self):
        """owner / copy / view / orphan: the category arr list shows (set by
        validate(), which every descriptor in use has passed)."""
        return self.category

    def extent(self):
        """Byte range [lo, hi) relative to data."""
        return extent(self.shape, self.strides, self.itemsize)

    def operand(self):
        return Operand(self.data, self.shape, self.strides, self.itemsize)

    def readable(self):
        return not self.orphaned or Settings.read_orphans

    def flag_words(self):
        flags = self.flags
        return layout.flag_words(flags & layout.FLAG_C_CONTIGUOUS, flags & layout.FLAG_F_CONTIGUOUS,
                                 flags & layout.FLAG_WRITEABLE,
                                 not self.is_view and not flags & layout.FLAG_OWNDATA)

    def relation(self):
        if self.is_view and self.orphaned:
            return "orphaned view of freed #%d" % self.base_id
        if self.is_view:
            return "view of #%d" % self.base_id
        if self.is_copy():
            how = "" if self.op_name == "copy" else " (%s)" % self.op_name
            return "copy of #%d%s" % (self.source_id, how)
        return "owner"

    def summary(self):
        parts = ["arr #%d" % self.id, self.dtype_name,
                 "shape " + fmt_tuple(self.shape),
                 "strides " + fmt_tuple(self.strides), self.relation()]
        if self.label:
            parts.append('"%s"' % self.label)
        parts.extend(self.flag_words())
        parts.append("%d bytes" % self.nbytes)
        return " ".join(parts)


def fmt_tuple(values):
    """NumPy's way: (), (3,), (3, 4)."""
    values = tuple(values)
    if len(values) == 1:
        return "(%d,)" % values[0]
    return "(" + ", ".join(str(v) for v in values) + ")"


def invalid_text(reason, address):
    return "<arr: invalid %s at 0x%x>" % (reason, address & ADDRESS_MASK)


def describe_failure(exc, address):
    if isinstance(exc, ReadError):
        if exc.address == address:
            return "<arr: unreadable at 0x%x>" % (address & ADDRESS_MASK)
        return "<arr: invalid (%s) at 0x%x>" % (exc, address & ADDRESS_MASK)
    text = str(exc)
    if text == "NULL" and address == 0:
        return "<arr: NULL>"
    if text.startswith("freed handle"):
        return "<arr: %s at 0x%x>" % (text, address & ADDRESS_MASK)
    return invalid_text(text, address)


# ---- the registry -------------------------------------------------------


def registry_address():
    """Address of libarr's arr_registry, or None when not loaded."""
    try:
        sym = gdb.lookup_global_symbol("arr_registry")
        if sym is not None:
            return int(sym.value().address)
    except (gdb.error, RuntimeError):
        pass
    try:
        return int(gdb.parse_and_eval("&arr_registry"))
    except (gdb.error, RuntimeError):
        return None


class Registry:
    """libarr's list of live handles.  problems: what did not make sense
    (the entries that did are still listed)."""

    def __init__(self):
        self.problems = []
        self._by_id = None
        self.entries = []  # ArrDesc, in registry order
        self.bad = []      # (slot, address, text) of entries that fail checks
        self._by_id = None
        self.address = registry_address()
        if self.address is None:
            raise Invalid("no arr_registry symbol: is libarr loaded?")
        target = Target.get()
        fields = target.registry.decode(read(self.address, target.registry.size))
        self.__dict__.update(fields)
        if self.magic == 0 and self.count == 0:
            return  # libarr not initialised yet: nothing live
        if self.magic != layout.REGISTRY_MAGIC:
            raise Invalid("registry magic 0x%08x" % self.magic)
        _check_layout(target, self.layout_version, self.problems)
        count = self.count
        if count < 0 or count > self.capacity or count > MAX_REGISTRY:
            usable = min(max(count, 0), MAX_REGISTRY, max(self.capacity, 0))
            self.problems.append("count %d is not plausible (capacity %d): reading %d entries"
                                 % (count, self.capacity, usable))
            count = usable
        if count == 0:
            return
        psize = target.pointer_size
        try:
            raw = read(self.items, count * psize, cache=False)
        except ReadError as exc:
            raise Invalid("registry items (%s)" % exc)
        fmt = "%s%d%s" % (target.endian, count, "Q" if psize == 8 else "I")
        pointers = struct.unpack(fmt, raw)
        seen = {}
        self.entries = _decode_all(pointers, target.arr, seen, self.problems, self.bad)
        self._by_id = None

    def by_id(self, ident):
        if self._by_id is None:
            self._by_id = {d.id: d for d in self.entries}
        return self._by_id.get(ident)


def _check_layout(target, version, problems):
    """arr_registry.layout_version against the plugin's: a note in problems
    with debug info, Invalid without (the offsets would be wrong)."""
    problem = target.layout_problem(version)
    if problem is not None:
        if not target.debug_info:
            raise Invalid(problem)
        problems.append(problem)


MAX_PLAUSIBLE_BYTES = 1 << 62


def read_stats():
    """libarr's counters (arr_registry.stats) as {field: int}, with a list
    of what in them is not plausible; raises Invalid or ReadError when the
    registry cannot be read or its magic is wrong (then the counters are
    garbage too).  All zero before libarr made its first array."""
    address = registry_address()
    if address is None:
        raise Invalid("no arr_registry symbol: is libarr loaded?")
    target = Target.get()
    head = target.registry.decode(read(address, target.registry.size))
    stats = target.stats.decode(read(address + target.stats_offset, target.stats.size))
    if head["magic"] == 0 and head["count"] == 0:
        return stats, []
    if head["magic"] != layout.REGISTRY_MAGIC:
        raise Invalid("registry magic 0x%08x" % head["magic"])
    layout_notes = []
    _check_layout(target, head["layout_version"], layout_notes)
    problems = layout_notes + ["%s %d is not plausible" % (name, value) for name, value in
                sorted(stats.items()) if not 0 <= value < MAX_PLAUSIBLE_BYTES]
    if not problems:
        if stats["live_copy_bytes"] > stats["live_bytes"]:
            problems.append("live_copy_bytes %d is more than live_bytes %d"
                            % (stats["live_copy_bytes"], stats["live_bytes"]))
        if stats["peak_bytes"] < stats["live_bytes"]:
            problems.append("peak_bytes %d is less than live_bytes %d"
                            % (stats["peak_bytes"], stats["live_bytes"]))
    return stats, problems


@contextlib.contextmanager
def gc_paused():
    """No cyclic garbage collection inside: building 100,000s of objects
    that all stay alive makes the collector rescan them again and again
    (a third of `arr list`'s time).  Nothing here makes cycles; whatever
    does is collected after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _decode_all(pointers, decoder, seen, problems, bad):
    """The valid descriptors the registry's pointers lead to, in registry
    order; bad gets (slot, address, text) for the others, problems the
    repeated entries.  This is the hot loop of `arr list` and `arr leaks`
    (100,000s of arrays): everything it looks up is hoisted, and only the
    ndim entries of shape and strides are decoded."""
    entries = []
    with gc_paused():
        spans = _read_clustered(pointers, decoder.size)
        _decode_into(entries, pointers, spans, decoder, seen, problems, bad)
    return entries


def _decode_into(entries, pointers, spans, decoder, seen, problems, bad):
    """_decode_all's loop (entries, problems and bad are appended to)."""
    size = decoder.size
    fill = _filler(decoder.split(_COUNTED))
    unpack_scalars = decoder.scalars_at
    shape_offset, shape_readers = decoder.array_readers("shape")
    strides_offset, strides_readers = decoder.array_readers("strides")
    maxdims = min(layout.MAXDIMS, len(shape_readers) - 1, len(strides_readers) - 1)
    new_desc = object.__new__
    # Repeated entries are rare: look for them per slot only if there are any.
    repeats = len(set(pointers)) != len(pointers)
    for slot, ptr in enumerate(pointers):
        if repeats:
            if ptr in seen:
                problems.append("slot %d repeats slot %d (0x%x): registry loop"
                                % (slot, seen[ptr], ptr))
                continue
            seen[ptr] = slot
        try:
            if ptr == 0:
                raise Invalid("NULL")
            found = spans.get(ptr)
            if found is None:  # isolated, or its span was unreadable
                block, pos = read(ptr, size, cache=False), 0
            else:
                block, pos = found
            desc = new_desc(ArrDesc)
            fill(desc, unpack_scalars(block, pos))
            ndim = desc.ndim
            if 0 <= ndim <= maxdims:
                desc.shape = shape_readers[ndim](block, pos + shape_offset)
                desc.strides = strides_readers[ndim](block, pos + strides_offset)
            else:  # validate() rejects it
                desc.shape = desc.strides = ()
            desc.address = ptr
            desc.raw = None
            label = desc.label
            desc.label = _label_text(label) if label[:1] != b"\0" else ""
            desc.validate(False)
        except (ReadError, Invalid) as exc:
            bad.append((slot, ptr, describe_failure(exc, ptr)))
            continue
        entries.append(desc)


CLUSTER_GAP = 4096          # bytes between descriptors still read together
CLUSTER_MAX = 1 << 20       # bytes per clustered read


def _read_clustered(pointers, size):
    """{pointer: (block, offset of the descriptor in block)} for descriptors
    that lie close together in memory (handles are malloc'd, so usually
    adjacent): one read per span of at most CLUSTER_MAX bytes instead of one
    per descriptor.  Pointers of a span that cannot be read are left out, so
    the caller reads them one by one."""
    found = {}
    ordered = sorted(set(pointers))
    if ordered and ordered[0] == 0:
        del ordered[0]
    count = len(ordered)
    i = 0
    while i < count:
        start = ordered[i]
        j = i
        while (j + 1 < count and ordered[j + 1] - ordered[j] <= CLUSTER_GAP
               and ordered[j + 1] + size - start <= CLUSTER_MAX):
            j += 1
        if j > i:
            try:
                block = read_buffer(start, ordered[j] + size - start)
            except ReadError:
                block = None
            if block is not None:
                for p in ordered[i:j + 1]:
                    found[p] = (block, p - start)
        i = j + 1
    return found


# ---- finding arrays from expressions ------------------------------------


def address_of(value):
    """The arr_t address a gdb.Value denotes (pointer, struct, or integer),
    or raises gdb.GdbError."""
    t = value.type.strip_typedefs()
    if t.code == gdb.TYPE_CODE_PTR:
        return int(value) & ADDRESS_MASK
    if t.code == gdb.TYPE_CODE_STRUCT:
        if value.address is None:
            raise gdb.GdbError("the value has no address in the inferior")
        return int(value.address)
    if t.code in (gdb.TYPE_CODE_INT, gdb.TYPE_CODE_ENUM):
        return int(value) & ADDRESS_MASK
    raise gdb.GdbError("expected an arr_t * (or #ID), got a value of type %s" % value.type)


def resolve(text, evaluate=None):
    """An ArrDesc for a command argument: an expression or #ID.
    evaluate(text) gives the expression's gdb.Value (default: evaluate it
    now); a command passes one that evaluates each expression once."""
    text = text.strip()
    if text.startswith("#") and text[1:].isdigit():
        ident = int(text[1:])
        try:
            desc = Registry().by_id(ident)
        except (Invalid, ReadError) as exc:
            raise gdb.GdbError("cannot read libarr's registry: %s" % exc)
        if desc is None:
            raise gdb.GdbError("no live array #%d in libarr's registry" % ident)
        return desc
    if evaluate is not None:
        return desc_of_value(evaluate(text))
    try:
        value = gdb.parse_and_eval(text)
    except gdb.error as exc:
        raise gdb.GdbError(str(exc))
    return desc_of_value(value)


def desc_of_value(value):
    address = address_of(value)
    try:
        return ArrDesc.read(address)
    except (ReadError, Invalid) as exc:
        raise gdb.GdbError(describe_failure(exc, address))


FREE_LOG_MAGIC = 0x46524531  # "FRE1"
MAX_FREE_LOG = 1 << 16


def read_free_log():
    """{owner id: return address of its arr_free} for the owners libarr
    freed while views lived, from libarr's ring arr__owner_free_log (the
    last `size` of them; libarr/arr_free.c).  {} when there is none or it
    does not make sense.  Layout: u32 magic, u32 size, u64 count, then size
    entries of (u64 id, pointer freed_at), natural alignment."""
    try:
        sym = gdb.lookup_global_symbol("arr__owner_free_log") or \
            gdb.lookup_static_symbol("arr__owner_free_log")
        address = int(sym.value().address) if sym is not None else \
            int(gdb.parse_and_eval("&arr__owner_free_log"))
    except (gdb.error, RuntimeError):
        return {}
    target = Target.get()
    psize = target.pointer_size
    try:
        magic, size, count = struct.unpack(target.endian + "IIQ", read(address, 16, cache=False))
        if magic != FREE_LOG_MAGIC or not 0 < size <= MAX_FREE_LOG:
            return {}
        entry = 8 + psize
        entry += -entry % 8
        raw = read(address + 16, size * entry, cache=False)
    except ReadError:
        return {}
    fmt = struct.Struct(target.endian + ("QQ" if psize == 8 else "QI"))
    found = {}
    for k in range(min(count, size)):
        ident, pc = fmt.unpack_from(raw, k * entry)
        if ident:
            found[ident] = pc
    return found


_where_cache = {}


def where(pc):
    """'function at file:line' for a made_at return address."""
    if not pc:
        return "?"
    if pc in _where_cache:
        return _where_cache[pc]
    text = "0x%x" % pc
    try:
        call = pc - 1  # the call instruction ends just before the return address
        sal = gdb.find_pc_line(call)
        name = None
        try:
            block = gdb.block_for_pc(call)
            while block is not None and block.function is None:
                block = block.superblock
            if block is not None:
                name = block.function.print_name
        except RuntimeError:
            pass
        if sal.symtab is not None and sal.line:
            location = "%s:%d" % (sal.symtab.filename.rsplit("/", 1)[-1], sal.line)
            text = "%s at %s" % (name, location) if name else location
        elif name:
            text = "%s (0x%x)" % (name, pc)
    except (gdb.error, RuntimeError, ValueError, OverflowError):
        pass
    _where_cache[pc] = text
    return text


def forget_where(*_args):
    _where_cache.clear()
