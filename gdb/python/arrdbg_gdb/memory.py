"""Reading the inferior's memory: the only way the plugin looks at it.

Nothing here calls a function in the inferior, so everything works on a core
file and through Valgrind's gdbserver.  Reads are bounded (max_read) and go
through a small cache of exact (address, length) reads (a dict: O(1) per
lookup), used for descriptors; element spans are read uncached, once.  The cache is emptied whenever the
inferior may have changed (stop, continue, memory write, next prompt).
"""

import gdb

from . import layout

ADDRESS_MASK = (1 << 64) - 1


class ReadError(Exception):
    """Memory that cannot be read (unmapped, refused, or absurd)."""

    def __init__(self, address, length, why="unreadable"):
        Exception.__init__(self, "%s: %d bytes at 0x%x" % (why, length, address & ADDRESS_MASK))
        self.address = address
        self.length = length
        self.why = why


class Settings:
    """Values of `set arr ...` (kept here so every module sees them)."""
    max_read = 64 << 20      # bytes one command may read for elements
    read_orphans = False     # read elements of orphaned views anyway
    max_work = 1000000       # exact shares search nodes (-1: no limit)
    max_dump = 256 << 20     # bytes of elements one `arr dump` writes
    print_python = True      # `print NAME` in a Python process: the Python variable (printcmd.py)


_CACHE_LIMIT = 128 << 20
_cache = {}        # {(address, length): bytes}: O(1) per lookup
_cache_bytes = [0]


def clear_cache(*_args):
    _cache.clear()
    _cache_bytes[0] = 0


def _check_bounds(address, length):
    if length < 0 or length > max(Settings.max_read, 1 << 20) or address < 0 \
            or address + length > ADDRESS_MASK + 1:
        raise ReadError(address, length, "refused")


def read_buffer(address, length):
    """[address, address + length) of the inferior as a read-only buffer
    (gdb's own, not copied into bytes and not cached: for bulk reads that
    are unpacked once), or ReadError."""
    _check_bounds(address, length)
    try:
        return gdb.selected_inferior().read_memory(address, length)
    except (gdb.MemoryError, gdb.error, ValueError, OverflowError, RuntimeError):
        raise ReadError(address, length)


def read(address, length, cache=True):
    """Bytes [address, address + length) of the inferior, or ReadError."""
    _check_bounds(address, length)
    if length == 0:
        return b""
    if cache:
        data = _cache.get((address, length))
        if data is not None:
            return data
    try:
        data = gdb.selected_inferior().read_memory(address, length).tobytes()
    except (gdb.MemoryError, gdb.error, ValueError, OverflowError, RuntimeError):
        raise ReadError(address, length)
    if cache:
        if _cache_bytes[0] + length > _CACHE_LIMIT:
            clear_cache()
        _cache[(address, length)] = data
        _cache_bytes[0] += length
    return data


def pointer_size():
    try:
        return gdb.lookup_type("void").pointer().sizeof
    except gdb.error:
        return 8


def endian():
    """'<' or '>' for the current target."""
    try:
        text = gdb.execute("show endian", to_string=True)
    except gdb.error:
        return "<"
    return ">" if "big endian" in text else "<"


def _debug_offsets(tag, fields):
    """Field offsets and size of `struct tag` from debug info, or None."""
    try:
        t = gdb.lookup_type("struct " + tag).strip_typedefs()
    except gdb.error:
        return None
    offsets = {}
    for f in t.fields():
        if f.name and hasattr(f, "bitpos"):
            offsets[f.name] = f.bitpos // 8
    if any(name not in offsets for name, _k, _c in fields):
        return None  # a different struct of the same name: do not trust it
    return offsets, t.sizeof


class Target:
    """How to decode libarr's structs on the current target (recomputed
    when the objfiles change)."""

    _current = None

    def __init__(self):
        self.pointer_size = pointer_size()
        self.endian = endian()
        self.arr = self._decoder("arr", layout.ARR_FIELDS)
        self.registry = self._decoder("arr_registry", layout.REGISTRY_FIELDS)
        # arr_registry.stats: where it is and how to decode it.
        self.stats = self._decoder("arr_stats", layout.STATS_FIELDS)
        found = _debug_offsets("arr_registry", (("stats", "i64", 1),))
        if found is not None:
            self.stats_offset = found[0]["stats"]
        elif self.pointer_size == layout.POINTER_SIZE:
            self.stats_offset = layout.REGISTRY_STATS_OFFSET
        else:  # natural layout: right after the registry's scalars, 8-aligned
            end = layout.natural_layout(layout.REGISTRY_FIELDS, self.pointer_size)[1]
            self.stats_offset = (end + 7) // 8 * 8
        try:
            self.arr_type = gdb.lookup_type("struct arr")
            if self.arr_type.sizeof != self.arr.size:
                self.arr_type = None
        except gdb.error:
            self.arr_type = None

    def cached(self, name, make):
        """What make(self) gives, made once per Target (a Target lives as
        long as the objfiles it was made for)."""
        value = self.__dict__.get(name)
        if value is None:
            value = make(self)
            setattr(self, name, value)
        return value

    # Without debug info for a struct, its offsets come from the build the
    # plugin was generated with; layout_problem() says when the inferior's
    # libarr is not that layout.
    debug_info = True

    def _decoder(self, tag, fields):
        found = _debug_offsets(tag, fields)
        if found is None:
            self.debug_info = False
            offsets, size = layout.fallback_layout(tag, self.pointer_size)
        else:
            offsets, size = found
        return layout.StructDecoder(fields, offsets, size, self.pointer_size, self.endian)

    def layout_problem(self, version):
        """None when arr_registry.layout_version `version` is what the
        plugin decodes; else what to tell the user (raise it without debug
        info, where the offsets would be wrong)."""
        if version == layout.LAYOUT_VERSION:
            return None
        return ("libarr's layout_version is %d but this plugin was generated for %d%s"
                % (version, layout.LAYOUT_VERSION,
                   ": using the offsets of libarr's debug info" if self.debug_info else
                   "; without debug info its offsets would be wrong: load the arrdbg "
                   "plugin built with this libarr, or libarr's debug info"))

    @classmethod
    def get(cls):
        if cls._current is None:
            cls._current = Target()
        return cls._current

    @classmethod
    def forget(cls, *_args):
        cls._current = None


def connect_events():
    """Keeps the cache and the decoded layout honest as the session moves."""
    events = gdb.events
    for name in ("stop", "cont", "exited", "memory_changed", "inferior_call_post",
                 "before_prompt", "register_changed"):
        registry = getattr(events, name, None)
        if registry is not None:
            registry.connect(clear_cache)
    for name in ("new_objfile", "clear_objfiles"):
        registry = getattr(events, name, None)
        if registry is not None:
            registry.connect(Target.forget)
            registry.connect(clear_cache)


class _FaultingMemory:
    """The inferior's memory as the pure readers (numpy_layout, pyframe)
    want it: read(address, length) gives bytes (cached reads) or raises
    numpy_layout.Fault."""

    @staticmethod
    def read(address, length):
        from . import numpy_layout   # pure, and imports nothing of the plugin's gdb side
        try:
            return read(address & ADDRESS_MASK, length)
        except ReadError as exc:
            raise numpy_layout.Fault(str(exc))


FAULTING_MEMORY = _FaultingMemory()
