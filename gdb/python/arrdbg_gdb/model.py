"""Array descriptors and libarr's registry, read and validated from memory.

Every pointer may be NULL or garbage and every count may be absurd: reads go
through memory.read (bounded), counts are capped, lists are walked with a
visited set, and a descriptor that fails a check gets a short reason that the
printers show as `<arr: invalid REASON at 0x...>`.
"""

import contextlib
import gc
import struct
from bisect import bisect_right
from itertools import compress, repeat
from operator import add, itemgetter, mul, ne, not_, sub

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
        # The same rule as the registry walk's (which checks the fields
        # above per distinct combination): the category, or None.
        # (A synthetic row's magic was checked above.)
        category = _key_category(_MAGIC_LIVE, ndim, dtype, itemsize, is_view, orphaned, op)
        if category is None:
            raise Invalid("fields")  # cannot happen: every case is checked above
        self.category = category

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


def no_registry_words():
    """Why there is no libarr registry to read, worded for the process (a
    NumPy process: what #N means there and how to start it to have one)."""
    from . import numpy_registry   # noqa: E402 (it reads Python's state)
    return numpy_registry.no_libarr_words() or "no arr_registry symbol: is libarr loaded?"


class Registry:
    """libarr's list of live handles.  Made, it has read the registry's
    header and its items (or raised Invalid/ReadError); the handles are
    walked on first use of table, problems or bad.  problems: what did
    not make sense (the entries that did are still listed); bad: (slot,
    address, text) of the entries that fail checks."""

    def __init__(self):
        self._problems = []
        self._bad = []
        self._table = None
        self._entries = None
        self._pointers = ()
        self._by_id = None
        self.address = registry_address()
        if self.address is None:
            raise Invalid(no_registry_words())
        target = Target.get()
        fields = target.registry.decode(read(self.address, target.registry.size))
        self.__dict__.update(fields)
        if self.magic == 0 and self.count == 0:
            return  # libarr not initialised yet: nothing live
        if self.magic != layout.REGISTRY_MAGIC:
            raise Invalid("registry magic 0x%08x" % self.magic)
        _check_layout(target, self.layout_version, self._problems)
        count = self.count
        if count < 0 or count > self.capacity or count > MAX_REGISTRY:
            usable = min(max(count, 0), MAX_REGISTRY, max(self.capacity, 0))
            self._problems.append("count %d is not plausible (capacity %d): reading %d entries"
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
        self._pointers = struct.unpack(fmt, raw)

    @property
    def table(self):
        """The valid descriptors, in registry order: the walk (O(n)),
        made on first use."""
        if self._table is None:
            if self._pointers:
                with gc_paused():
                    self._table = _walk(self._pointers, Target.get().arr, self._problems, self._bad)
            else:
                self._table = Table.empty()
        return self._table

    @property
    def problems(self):
        self.table   # the walk adds the registry loops it finds
        return self._problems

    @property
    def bad(self):
        self.table
        return self._bad

    @property
    def entries(self):
        """The valid descriptors as ArrDesc objects with every field, in
        registry order: a second, full walk, made on first use (O(n))."""
        if self._entries is None:
            if not self._pointers:
                self._entries = []
            else:
                with gc_paused():
                    self._entries = _walk(self._pointers, Target.get().arr, [], [], full=True).descs()
        return self._entries

    def by_id(self, ident):
        """The live descriptor with this id, or None: O(n) the first time."""
        if self._by_id is None:
            self._by_id = dict(zip(self.table.column("id"), range(len(self.table))))
        k = self._by_id.get(ident)
        return None if k is None else self.table.desc(k)


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
        raise Invalid(no_registry_words())
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


# ---- the registry walk ------------------------------------------------
#
# `arr list`, `arr leaks` and `arr mem` read every live descriptor: 100,000s
# of them.  The walk works on columns, with C-level loops (map, zip, set,
# compress, struct's unpack_from) instead of Python statements per array:
#
#   1. the registry is cut into runs of entries whose handles lie close
#      together and in increasing address order (each step up to
#      CLUSTER_GAP bytes, at most CLUSTER_MAX bytes in all): libarr's
#      handles are malloc'd one after the other, so runs are long.  Each
#      run is one read_memory.  Entries in no run (a registry in another
#      order) are sorted by address and read in clusters the same way;
#      a run or cluster that cannot be read is read handle by handle, so
#      one bad handle costs only its own line;
#   2. handles at one constant step in a run are decoded a column at a
#      time (a strided memoryview per field: layout.column_picker); others
#      with one unpack_from each (only WALK_FIELDS), the shape with one
#      more (only the ndim entries);
#   3. every row gets a KIND (_KIND_FIELDS: what validate() checks, shape,
#      label, made_at); only the other fields are kept per row.  A run
#      whose kind fields are the same throughout is one kind at once
#      (layout.Same).  validate()'s checks, the category, size and label
#      text are worked out once per kind; only the arrays they flag go
#      through validate() itself, which gives their exact reason.
#
# Time: O(n) for a registry in address order, O(n log n) in the worst
# case (the sort of entries in no run); the memory read is the handles'
# own bytes plus the small gaps between them.  ArrDesc objects are made
# only when asked for (Table.desc, Registry.entries).

# The fields of struct arr the walk decodes: what validate() checks and
# what `arr list` and `arr leaks` show.  Table.desc gives every field.
WALK_FIELDS = ("magic", "ndim", "id", "dtype", "itemsize", "op", "base_id", "is_view",
               "orphaned", "data", "buffer_bytes", "made_at", "label")


class Table:
    """The valid descriptors of a registry walk, in registry order, as
    columns.  column(name) gives a list: a decoded field, shape (and
    strides, in a full walk) as tuples, address, kind, label (as text),
    size, nbytes, category.  The fields a row's kind fixes (_BY_KIND)
    are kept per kind and made into a column on first use.
    Columns, not objects: a column is one C-level pass.  kinds() gives
    the fields of each kind (few: rows made alike are one kind)."""

    def __init__(self, names, columns, kinds):
        self.names = tuple(names)        # the struct fields decoded
        self._columns = columns
        self._kinds = kinds              # kind id: {field: value}

    @classmethod
    def empty(cls):
        return cls(WALK_FIELDS, {name: [] for name in WALK_FIELDS + ("address", "kind")
                                 if name not in _BY_KIND}, {})

    def __len__(self):
        return len(self._columns["address"])

    def kinds(self):
        """{kind id: {field: value}} for the kinds of this table's rows
        (label, size, nbytes, category and the fields of _KIND_FIELDS)."""
        return self._kinds

    def column(self, name):
        col = self._columns.get(name)
        if col is None and name in _BY_KIND:
            per_kind = {k: (f["size"] * f["itemsize"] if name == "nbytes" and f["size"] is not None
                            else f.get(name)) for k, f in self._kinds.items()}
            col = self._columns[name] = list(map(per_kind.__getitem__, self._columns["kind"]))
        return col

    def subset(self, indices):
        """The rows at `indices` (a list of positions), as a new Table."""
        return Table(self.names, {n: list(map(c.__getitem__, indices))
                                  for n, c in self._columns.items() if n not in _BY_KIND},
                     self._kinds)

    def desc(self, k):
        """Row k as an ArrDesc with every field (one more read of its
        handle, cached): raises ReadError or Invalid if it changed."""
        return ArrDesc.read(self._columns["address"][k])

    def descs(self):
        """Every row as an ArrDesc (a full walk's table): O(n)."""
        names = tuple(n for n in self.names if n != "label")
        fill = _filler(names)
        new_desc = object.__new__
        out = []
        extra = ("shape", "strides", "address", "label", "size", "nbytes", "category")
        for values, more in zip(zip(*map(self.column, names)), zip(*map(self.column, extra))):
            d = new_desc(ArrDesc)
            fill(d, values)
            d.shape, d.strides, d.address, d.label, d.size, d.nbytes, d.category = more
            d.raw = None
            out.append(d)
        return out


# A row's kind: these fields, then shape, label (raw bytes) and made_at.
_KIND_FIELDS = ("magic", "ndim", "dtype", "itemsize", "is_view", "orphaned", "op",
                "shape", "label", "made_at")
_BY_KIND = frozenset(_KIND_FIELDS + ("size", "nbytes", "category"))  # Table: columns by kind


def _runs(pointers, size, count):
    """(start, end) index ranges of pointers[:count]: each a run whose
    handles are read together (addresses increasing by 1..CLUSTER_GAP
    bytes per step, at most CLUSTER_MAX bytes in all); a lone entry is a
    run of one.  O(n) plus O(log n) per run."""
    step_ok = range(1, CLUSTER_GAP + 1).__contains__   # O(1) for an int
    breaks = list(compress(range(1, count), map(not_, map(step_ok, map(
        sub, pointers[1:count], pointers)))))
    breaks.append(count)
    runs = []
    i = 0
    for end in breaks:
        while i < end:  # increasing inside: bisect finds the CLUSTER_MAX cut
            cut = max(i + 1, bisect_right(pointers, pointers[i] + CLUSTER_MAX - size, i, end))
            runs.append((i, cut))
            i = cut
    return runs


def _read_runs(pointers, size, runs):
    """{run start index: block} for the runs of two or more that could be
    read in one piece."""
    blocks = {}
    for i, end in runs:
        if end - i > 1:
            try:
                blocks[i] = read_buffer(pointers[i], pointers[end - 1] + size - pointers[i])
            except ReadError:
                pass
    return blocks


def _constant_step(offsets):
    """The step of offsets (offsets[0] is 0) when there are two or more at
    one constant positive step, else 0: the structs column_picker and
    _array_column read a column at a time.  O(n), C-level."""
    n = len(offsets)
    if n < 2:
        return 0
    step = offsets[1]
    if step <= 0 or offsets[-1] != (n - 1) * step or offsets != list(range(0, n * step, step)):
        return 0
    return step


def _array_column(block, step, n, spec, ndim, maxdims, same=False):
    """The first ndim entries of a counted array (shape, strides) of the n
    structs at block[0], block[step], ..., as one tuple per struct: one
    strided column per entry, zipped (C-level passes); None when spec is
    None (see StructDecoder.array_columns), step is not a multiple of the
    entry size or ndim is not 0..maxdims.  same: a layout.Same when
    every struct has the same entries."""
    if spec is None or not 0 <= ndim <= maxdims:
        return None
    offset, letter, size, _length = spec
    if step % size:
        return None
    view = memoryview(block)
    cols = [layout.strided_column(view, offset + d * size, letter, size, step, n, same)
            for d in range(ndim)]
    if all(isinstance(c, layout.Same) for c in cols):
        return layout.Same(tuple(c.value for c in cols), n)
    return list(zip(*map(layout.values_of, cols)))


def _walk(pointers, decoder, problems, bad, full=False):
    """The Table of the registry's valid descriptors; bad gets (slot,
    address, text) of the others, in slot order, and problems the repeated
    entries (a registry loop).  full: every field and the strides (for
    ArrDesc objects), not only WALK_FIELDS.  See the comment above."""
    decoder.split(_COUNTED)
    # The label's first byte only (most arrays have none); the whole label
    # of those that have one is read from the same bytes below.
    names, unpack = decoder.picker(decoder.scalar_names if full else WALK_FIELDS,
                                   first_byte=("label",))
    label_at = names.index("label")
    label_offset, label_of = decoder.char_array("label")
    size = decoder.size
    shape_offset, shape_readers = decoder.array_readers("shape")
    strides_offset, strides_readers = decoder.array_readers("strides")
    maxdims = min(layout.MAXDIMS, len(shape_readers) - 1, len(strides_readers) - 1)
    ndim_at = names.index("ndim")
    # Handles malloc'ed one after another sit at a constant step: such a
    # group is decoded a column at a time (strided memoryviews) instead
    # of one tuple per handle.
    columns_of = decoder.column_picker(decoder.scalar_names if full else WALK_FIELDS,
                                       first_byte=("label",))
    shape_cols = decoder.array_columns("shape")
    strides_cols = decoder.array_columns("strides") if full else None
    count = len(pointers)
    pointers = list(pointers)

    # Repeated entries (a corrupt registry) become 0 here, and are skipped.
    skip = set()
    ordered = sorted(pointers)   # O(n) for a registry in address order
    if 0 in map(sub, ordered[1:], ordered):
        seen = {}
        for slot, ptr in enumerate(pointers):
            if ptr in seen:
                problems.append("slot %d repeats slot %d (0x%x): registry loop"
                                % (slot, seen[ptr], ptr))
                skip.add(slot)
                pointers[slot] = 0
            else:
                seen[ptr] = slot

    runs = _runs(pointers, size, count)
    # A run of two or more is read as one block when the loop below comes
    # to it, and dropped after: one block alive at a time, so its memory
    # is reused (reading them all first made 70 MiB of fresh pages for
    # 100,000 handles).  Entries in runs of one: sorted by address, read
    # in clusters.  A run whose read fails is read handle by handle.
    alone = []
    for i, end in runs:
        if end - i == 1:
            alone.append(pointers[i])
    found = {}   # address: (block, offset of the handle in it)
    if len(alone) > 1:
        alone = sorted(set(alone))
        clusters = _runs(alone, size, len(alone))
        blocks_alone = _read_runs(alone, size, clusters)
        for i, end in clusters:
            block = blocks_alone.get(i)
            if block is not None:
                found.update(zip(alone[i:end], zip(repeat(block), map(sub, alone[i:end], repeat(alone[i])))))

    # Per row, only the fields a kind does not fix are kept (row_names:
    # id, base id, data, buffer bytes, and in a full walk the rest); the
    # others, with shape and label, make the row's KIND: the index of the
    # first row of its kind, found per part (a run of handles, or one).
    # validate()'s checks, the category, size and label text are then
    # worked out once per kind (below), not per row.  In a run at a
    # constant step whose kind fields are each the same throughout (arrays
    # made alike, one after the other), the run is one kind at once: no
    # object per row for them.
    row_names = tuple(n for n in names if n not in _KIND_FIELDS)
    row_at = [names.index(n) for n in row_names]
    kind_at = [names.index(n) for n in _KIND_FIELDS if n in names]  # shape: apart
    columns = [[] for _ in row_names]
    first = {}   # kind key: kind id
    kind, strides, addresses, slots = [], [], [], []
    for i, end in runs:
        block = None
        if end - i > 1:
            try:
                block = read_buffer(pointers[i], pointers[end - 1] + size - pointers[i])
            except ReadError:
                pass
        if block is not None:
            group = pointers[i:end]
            parts = [(block, group, list(map(sub, group, repeat(group[0]))), range(i, end))]
        else:
            parts = []
            for slot in range(i, end):
                ptr = pointers[slot]
                if slot in skip:
                    continue
                if ptr == 0:
                    bad.append((slot, ptr, describe_failure(Invalid("NULL"), ptr)))
                    continue
                spot = found.get(ptr)
                if spot is None:
                    try:
                        spot = (read(ptr, size, cache=False), 0)
                    except ReadError as exc:
                        bad.append((slot, ptr, describe_failure(exc, ptr)))
                        continue
                parts.append((spot[0], [ptr], [spot[1]], (slot,)))
        for block, group, offsets, places in parts:
            n = len(offsets)
            step = _constant_step(offsets) if columns_of is not None else 0
            got = columns_of(block, step, n, kind_at) if step else None
            if got is not None:   # first label bytes as ints (or a Same)
                firsts = got[label_at]
                if isinstance(firsts, layout.Same) and not firsts.value:
                    got[label_at] = layout.Same(b"\0", n)   # no labels
                elif isinstance(firsts, layout.Same):   # labels alike, perhaps one label
                    labels = [label_of(block, pos + label_offset)[0] for pos in offsets]
                    got[label_at] = layout.Same(labels[0], n) if labels.count(labels[0]) == n \
                        else labels
                else:
                    got[label_at] = [label_of(block, pos + label_offset)[0] if first else b"\0"
                                     for first, pos in zip(firsts, offsets)]
            else:
                got = list(zip(*map(unpack, repeat(block), offsets)))   # one tuple per field
                firsts = got[label_at]
                if firsts.count(b"\0") != len(firsts):  # some labels: read them whole
                    labels = list(firsts)
                    for j in compress(range(len(labels)), map(ne, labels, repeat(b"\0"))):
                        labels[j] = label_of(block, offsets[j] + label_offset)[0]
                    got[label_at] = labels
            for column, at in zip(columns, row_at):
                column += got[at]
            ndims = got[ndim_at]
            if isinstance(ndims, layout.Same):
                ndim = ndims.value
            else:
                ndims = set(ndims)
                ndim = ndims.pop() if len(ndims) == 1 else -1
            shapes = more = None
            if step:
                shapes = _array_column(block, step, n, shape_cols, ndim, maxdims, same=True)
                more = _array_column(block, step, n, strides_cols, ndim, maxdims) if full else ()
            if shapes is None or more is None:
                if 0 <= ndim <= maxdims:
                    shapes = list(map(shape_readers[ndim], repeat(block),
                                      map(add, offsets, repeat(shape_offset))))
                    if full:
                        more = map(strides_readers[ndim], repeat(block),
                                   map(add, offsets, repeat(strides_offset)))
                else:
                    shapes, more = [], []
                    for nd, pos in zip(layout.values_of(got[ndim_at]), offsets):
                        ok = 0 <= nd <= maxdims
                        shapes.append(shape_readers[nd](block, pos + shape_offset) if ok else ())
                        if full:
                            more.append(strides_readers[nd](block, pos + strides_offset)
                                        if ok else ())
            if full:
                strides += more
            keyed = [got[at] for at in kind_at]
            keyed.insert(_KIND_FIELDS.index("shape"), shapes)
            base = len(addresses)
            if all(isinstance(c, layout.Same) for c in keyed):
                kind += [first.setdefault(tuple(c.value for c in keyed), base)] * n
            else:
                kind += map(first.setdefault, zip(*map(layout.values_of, keyed)),
                            range(base, base + n))
            addresses += group
            slots += places
    col = dict(zip(row_names, columns))

    fields = {}
    bad_kinds = set()
    for key, k in first.items():
        category = _key_category(*key[:7])
        try:
            size = element_count(key[7])
        except ValueError:
            size = None
        raw = key[8]
        fields[k] = dict(zip(_KIND_FIELDS, key), category=category, size=size,
                         label=_label_text(raw) if raw[:1] != b"\0" else "")
        if category is None or size is None:
            bad_kinds.add(k)
    flagged = list(compress(range(len(kind)), map(bad_kinds.__contains__, kind))) \
        if bad_kinds else []
    data = col["data"]
    if 0 in data:   # data NULL is wrong unless the array is empty
        empty = {k for k, f in fields.items() if not f["size"]}
        flagged = sorted(set(flagged).union(compress(range(len(kind)), map(
            lambda d, k: d == 0 and k not in empty, data, kind))))
    col.update(address=addresses, kind=kind)
    if full:
        col["strides"] = strides
    table = Table(names, col, fields)
    if flagged:  # validate() gives the reason, exactly as for one array
        drop = set()
        for k in flagged:
            try:
                desc = ArrDesc.read(addresses[k])
            except (Invalid, ReadError) as exc:
                bad.append((slots[k], addresses[k], describe_failure(exc, addresses[k])))
                drop.add(k)
                continue
            kind[k] = -1 - k   # a kind of its own, as validate() saw it
            fields[kind[k]] = dict({f: getattr(desc, f) for f in _KIND_FIELDS},
                                   category=desc.category, size=desc.size)
        if drop:
            table = table.subset([k for k in range(len(addresses)) if k not in drop])
    bad.sort(key=itemgetter(0))
    return table


# validate()'s rules on the fields alone (not the shape), which the
# registry walk checks once per kind (_key_category).

def _head_ok(magic, ndim):
    return magic == _MAGIC_LIVE and 0 <= ndim <= _MAXDIMS


def _dtype_ok(dtype, itemsize):
    return 0 <= dtype < _NDTYPES and itemsize == _DTYPE_SIZES[dtype]


def _relation_category(is_view, orphaned, op):
    """owner, copy, view or orphan; None when validate() rejects these."""
    if is_view not in (0, 1) or orphaned not in (0, 1) or (orphaned and not is_view) \
            or not 0 <= op < _NOPS:
        return None
    if is_view:
        return "orphan" if orphaned else "view"
    return "copy" if layout.is_copy_op(op) else "owner"


def _key_category(magic, ndim, dtype, itemsize, is_view, orphaned, op):
    """The category of a descriptor with these fields, or None when
    validate() would reject them (whatever its shape)."""
    if not (_head_ok(magic, ndim) and _dtype_ok(dtype, itemsize)):
        return None
    return _relation_category(is_view, orphaned, op)


CLUSTER_GAP = 4096          # bytes between descriptors still read together
CLUSTER_MAX = 1 << 20       # bytes per clustered read


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


def resolve(text, evaluate=None, registry=None):
    """An ArrDesc for a command argument: an expression or #ID.
    evaluate(text) gives the expression's gdb.Value (default: evaluate it
    now); a command passes one that evaluates each expression once.
    registry() gives the Registry to find #ID in (default: a new walk); a
    command passes one that walks it once for all its uses."""
    text = text.strip()
    if text.startswith("#"):
        # ASCII digits only: str.isdigit() also takes '²' (int() refuses
        # it) and int() takes '٣' (an id nobody typed).
        digits = text[1:]
        if not (digits.isascii() and digits.isdigit()):
            raise gdb.GdbError("%r is not an array id: #ID is # and decimal digits (arr list shows them)"
                               % text)
        ident = int(digits)
        try:
            desc = (registry or Registry)().by_id(ident)
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
