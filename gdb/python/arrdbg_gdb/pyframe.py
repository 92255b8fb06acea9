"""CPython 3.11's threads, frames and variables, decoded from raw memory.

Pure Python (no gdb import), like numpy_layout: `mem.read` gives bytes or
raises numpy_layout.Fault, and numpy_layout.Layout gives pointer reads and
the object-type check.  Nothing here calls into the process, so it works on
a core file and under vgdb.

Debian's python3.11 ships no DWARF, so the offsets are those of CPython
3.11's headers (Include/cpython/*.h and Include/internal/pycore_*.h) for a
64-bit release build, checked against the installed headers by
tests/gdb/numpy/pyoffsets.c (run by tests/gdb/numpy/run.sh):

  _PyRuntime.interpreters.head -> PyInterpreterState (next, threads.head)
  PyThreadState: next, cframe, native_thread_id (the thread's LWP)
  _PyCFrame.current_frame -> _PyInterpreterFrame: f_globals, f_locals,
      f_code, previous, prev_instr, owner, localsplus[]
  PyCodeObject: co_flags, co_firstlineno, co_nlocalsplus,
      co_localsplusnames (tuple of str), co_localspluskinds (bytes),
      co_filename, co_name, co_qualname, co_linetable (bytes),
      _co_firsttraceable, co_code_adaptive (the instructions, inline)
  str: PyASCIIObject (length, state bits) then the characters, inline
      after the header for compact strings (48 bytes ASCII, 72 otherwise)
  dict: ma_keys, ma_values; PyDictKeysObject: dk_log2_size,
      dk_log2_index_bytes, dk_kind, dk_nentries, dk_indices[] then entries

Any other Python version is refused (Py_Version is read first), and every
pointer may be garbage: counts are capped, chains are bounded and checked
for cycles, and whatever does not make sense raises numpy_layout.Invalid
with a short reason.
"""

import struct

from . import numpy_layout as nl

VERSION = (3, 11)
OFFSETS = {
    "runtime.interp_head": 40,
    "interp.next": 0, "interp.threads_head": 16,
    "tstate.next": 8, "tstate.cframe": 56, "tstate.native_thread_id": 160,
    "cframe.current_frame": 8,
    "frame.f_globals": 8, "frame.f_locals": 24, "frame.f_code": 32,
    "frame.previous": 48, "frame.prev_instr": 56, "frame.owner": 69, "frame.localsplus": 72,
    "code.co_flags": 48, "code.co_firstlineno": 72, "code.co_nlocalsplus": 76,
    "code.co_localsplusnames": 96, "code.co_localspluskinds": 104,
    "code.co_filename": 112, "code.co_name": 120, "code.co_qualname": 128,
    "code.co_linetable": 136, "code._co_firsttraceable": 168, "code.co_code_adaptive": 184,
    "ascii.length": 16, "ascii.state": 32, "sizeof.ascii": 48, "sizeof.compact": 72,
    "dict.ma_keys": 32, "dict.ma_values": 40,
    "keys.dk_log2_size": 8, "keys.dk_log2_index_bytes": 9, "keys.dk_kind": 10,
    "keys.dk_nentries": 24, "keys.dk_indices": 32,
    "sizeof.keyentry": 24, "sizeof.unicodeentry": 16,
    "cell.ob_ref": 16, "bytes.ob_sval": 32, "tuple.ob_item": 24, "var.ob_size": 16,
}

CO_OPTIMIZED = 0x0001          # co_flags: locals live in localsplus only
CO_FAST_CELL = 0x40            # co_localspluskinds: a cell variable
CO_FAST_FREE = 0x80            # ... a free variable (a cell of an outer function)
FRAME_OWNED_BY_GENERATOR = 1

MAX_INTERPRETERS = 64
MAX_THREADS = 4096
MAX_FRAMES = 1000000        # frames walked (a 20,005-deep recursion is read whole)
MAX_LOCALS = 65536
MAX_NAME_CHARS = 4096
MAX_OBJECT_BYTES = 1 << 47     # a str or bytes of a length past it is garbage (user address space)
MAX_DICT_ENTRIES = 1 << 20
MAX_LINETABLE = 1 << 20
DICT_CHUNK = 4096              # entries read per memory read


def check_version(mem, lay, py_version_address):
    """Py_Version (PY_VERSION_HEX of the running interpreter) as text
    ('3.11.2'); Invalid unless it is 3.11 on a 64-bit target."""
    if lay.pointer_size != 8 or lay.endian != "<":
        raise nl.Invalid("arrdbg reads CPython frames on 64-bit little-endian targets only")
    hexv = struct.unpack("<I", mem.read(py_version_address, 4))[0]
    major, minor, micro = hexv >> 24, (hexv >> 16) & 0xff, (hexv >> 8) & 0xff
    text = "%d.%d.%d" % (major, minor, micro)
    if (major, minor) != VERSION:
        raise nl.Invalid("this process runs Python %s; arrdbg reads the frames of CPython %d.%d only "
                         "(name the array by its id() address instead)" % ((text,) + VERSION))
    return text


def _u8(mem, address):
    return mem.read(address, 1)[0]


def _u32(mem, address):
    return struct.unpack("<I", mem.read(address, 4))[0]


def _i32(mem, address):
    return struct.unpack("<i", mem.read(address, 4))[0]


class Reader:
    """Reads CPython 3.11 objects; remembers the str/dict/... type objects
    once checked, so that a dict scan costs one read per key."""

    def __init__(self, mem, lay):
        self.mem = mem
        self.lay = lay
        self.known_types = {}   # type address -> tp_name, checked once
        self.linetables = {}    # code address -> (co_linetable, co_firstlineno)

    def ptr(self, address):
        return self.lay.ptr(self.mem, address)

    def type_name(self, address):
        """tp_name of the object at address (its type checked once)."""
        if address == 0:
            raise nl.Invalid("NULL object")
        tp = self.ptr(address + self.lay.offsets["ob_type"])
        name = self.known_types.get(tp)
        if name is None:
            name = nl.object_type(self.mem, self.lay, address)[1]
            self.known_types[tp] = name
        return name

    def expect(self, address, name, what):
        got = self.type_name(address)
        if got != name:
            raise nl.Invalid("%s is a %r, not a %s" % (what, got, name))

    def str(self, address, limit=MAX_NAME_CHARS):
        """The Python str at address (compact strings only: all names are)."""
        text, length = self.str_prefix(address, limit)
        if length > limit:
            raise nl.Invalid("str of length %d" % length)
        return text

    def str_prefix(self, address, limit):
        """(the first `limit` characters, the length) of the compact str at
        address; only those characters are read."""
        self.expect(address, "str", "name")
        head = self.mem.read(address, OFFSETS["sizeof.ascii"])
        length = struct.unpack_from("<q", head, OFFSETS["ascii.length"])[0]
        state = struct.unpack_from("<I", head, OFFSETS["ascii.state"])[0]
        kind, compact, ascii_ = (state >> 2) & 7, (state >> 5) & 1, (state >> 6) & 1
        if not 0 <= length < MAX_OBJECT_BYTES:
            raise nl.Invalid("str of length %d" % length)
        if not compact or kind not in (1, 2, 4) or (ascii_ and kind != 1):
            raise nl.Invalid("str with state 0x%x" % state)
        data = address + OFFSETS["sizeof.ascii" if ascii_ else "sizeof.compact"]
        n = min(length, limit)
        raw = self.mem.read(data, n * kind)
        if kind == 1:
            return raw.decode("ascii" if ascii_ else "latin-1", "replace"), length
        chars = struct.unpack("<%d%s" % (n, "H" if kind == 2 else "I"), raw)
        return "".join(chr(c) if c < 0x110000 else "?" for c in chars), length

    def bytes_(self, address, limit):
        raw, size = self.bytes_prefix(address, limit)
        if size > limit:
            raise nl.Invalid("bytes of size %d" % size)
        return raw

    def bytes_prefix(self, address, limit):
        """(the first `limit` bytes, the size) of the bytes object at address."""
        self.expect(address, "bytes", "table")
        size = self.lay.ssize(self.mem, address + OFFSETS["var.ob_size"])
        if not 0 <= size < MAX_OBJECT_BYTES:
            raise nl.Invalid("bytes of size %d" % size)
        return self.mem.read(address + OFFSETS["bytes.ob_sval"], min(size, limit)), size

    def tuple_items(self, address, limit):
        self.expect(address, "tuple", "names")
        size = self.lay.ssize(self.mem, address + OFFSETS["var.ob_size"])
        if not 0 <= size <= limit:
            raise nl.Invalid("tuple of size %d" % size)
        return self.lay.pointers(self.mem, address + OFFSETS["tuple.ob_item"], size)

    def dict_get(self, address, name):
        """The value bound to the str key `name` in the dict at address, or
        None.  A linear scan of the entries (at most MAX_DICT_ENTRIES): one
        read per key, plus its characters when the length matches."""
        self.expect(address, "dict", "namespace")
        keys = self.ptr(address + OFFSETS["dict.ma_keys"])
        values = self.ptr(address + OFFSETS["dict.ma_values"])
        if keys == 0:
            raise nl.Invalid("dict without keys")
        head = self.mem.read(keys, OFFSETS["keys.dk_indices"])
        log2_size = head[OFFSETS["keys.dk_log2_size"]]
        log2_index = head[OFFSETS["keys.dk_log2_index_bytes"]]
        kind = head[OFFSETS["keys.dk_kind"]]
        nentries = struct.unpack_from("<q", head, OFFSETS["keys.dk_nentries"])[0]
        if log2_size > 40 or log2_index > 43 or kind > 2 or not 0 <= nentries <= (1 << log2_size) \
                or nentries > MAX_DICT_ENTRIES:
            raise nl.Invalid("dict keys with log2 size %d, %d entries" % (log2_size, nentries))
        size = OFFSETS["sizeof.keyentry" if kind == 0 else "sizeof.unicodeentry"]
        key_at = 8 if kind == 0 else 0   # PyDictKeyEntry: me_hash, me_key, me_value
        entries = keys + OFFSETS["keys.dk_indices"] + (1 << log2_index)
        want = len(name)
        for start in range(0, nentries, DICT_CHUNK):
            count = min(DICT_CHUNK, nentries - start)
            words = self.lay.pointers(self.mem, entries + start * size, count * size // 8)
            step = size // 8
            for k in range(count):
                key = words[k * step + key_at // 8]
                if key == 0:
                    continue
                try:
                    length = self.lay.ssize(self.mem, key + OFFSETS["ascii.length"])
                    if length != want or self.str(key) != name:
                        continue
                except (nl.Fault, nl.Invalid):
                    continue   # a key that is not a str cannot be this name
                if values:
                    return self.ptr(values + 8 * (start + k))
                return words[k * step + key_at // 8 + 1]
        return None


class Frame:
    """One Python frame (a complete _PyInterpreterFrame)."""

    def __init__(self, reader, address, head=None, codes=None):
        """head: the frame's bytes up to localsplus, when already read;
        codes: a dict shared by the frames of one walk, code address ->
        (co_flags, co_nlocalsplus, first traceable instruction address),
        so that a deep recursion checks its code object once."""
        r = reader
        self.reader = r
        self.address = address
        if head is None:
            head = r.mem.read(address, OFFSETS["frame.localsplus"])
        word = struct.Struct("<Q")
        self.code = word.unpack_from(head, OFFSETS["frame.f_code"])[0]
        self.globals = word.unpack_from(head, OFFSETS["frame.f_globals"])[0]
        self.locals_dict = word.unpack_from(head, OFFSETS["frame.f_locals"])[0]
        self.prev_instr = word.unpack_from(head, OFFSETS["frame.prev_instr"])[0]
        self.previous = word.unpack_from(head, OFFSETS["frame.previous"])[0]
        self.owner = head[OFFSETS["frame.owner"]]
        info = codes.get(self.code) if codes is not None else None
        if info is None:
            r.expect(self.code, "code", "f_code")
            flags = _i32(r.mem, self.code + OFFSETS["code.co_flags"])
            nlocalsplus = _i32(r.mem, self.code + OFFSETS["code.co_nlocalsplus"])
            if not 0 <= nlocalsplus <= MAX_LOCALS:
                raise nl.Invalid("co_nlocalsplus %d" % nlocalsplus)
            first = self.code + OFFSETS["code.co_code_adaptive"] + 2 * _i32(
                r.mem, self.code + OFFSETS["code._co_firsttraceable"])
            info = (flags, nlocalsplus, first)
            if codes is not None:
                codes[self.code] = info
        self.flags, self.nlocalsplus, self.first_traceable = info
        self._name = self._file = self._line = None

    def complete(self):
        """Has the frame started running its code (so it has a line and
        its variables)?  Generator frames always have."""
        return self.owner == FRAME_OWNED_BY_GENERATOR or self.prev_instr >= self.first_traceable

    def _text(self, field):
        try:
            return self.reader.str(self.reader.ptr(self.code + OFFSETS[field]))
        except (nl.Fault, nl.Invalid) as exc:
            return "<%s>" % exc

    @property
    def name(self):
        if self._name is None:
            self._name = self._text("code.co_qualname")
        return self._name

    @property
    def filename(self):
        if self._file is None:
            self._file = self._text("code.co_filename")
        return self._file

    @property
    def line(self):
        """The line being run (None when unknown)."""
        if self._line is None:
            try:
                self._line = self._find_line()
            except (nl.Fault, nl.Invalid):
                self._line = -1
        return self._line if self._line >= 0 else None

    def _find_line(self):
        r = self.reader
        prev = self.prev_instr
        start = self.code + OFFSETS["code.co_code_adaptive"]
        index = (prev - start) // 2        # _Py_CODEUNIT: 2 bytes
        if prev < start or index > MAX_LINETABLE * 8:
            return -1
        known = r.linetables.get(self.code)
        if known is None:
            known = r.linetables[self.code] = (
                r.bytes_(r.ptr(self.code + OFFSETS["code.co_linetable"]), MAX_LINETABLE),
                _i32(r.mem, self.code + OFFSETS["code.co_firstlineno"]))
        return line_of(known[0], known[1], index)

    def where(self):
        line = self.line
        return "%s (%s%s)" % (self.name, self.filename, ":%d" % line if line else "")

    def lookup(self, name):
        """(object address, 'local'|'global') bound to name here: a local
        (fast local, cell or free variable; the f_locals dict of module and
        class code), else a global.  (0, 'local') for a local not bound yet
        (Python would not look further either); None when unbound anywhere."""
        r = self.reader
        k = self._local_index(name)
        if k is not None:
            value = r.ptr(self.address + OFFSETS["frame.localsplus"] + 8 * k)
            kinds = r.bytes_(r.ptr(self.code + OFFSETS["code.co_localspluskinds"]), MAX_LOCALS)
            if value and k < len(kinds) and kinds[k] & (CO_FAST_CELL | CO_FAST_FREE) \
                    and r.type_name(value) == "cell":
                value = r.ptr(value + OFFSETS["cell.ob_ref"])
            if value or self.flags & CO_OPTIMIZED:
                return value, "local"
        if not self.flags & CO_OPTIMIZED and self.locals_dict:
            value = r.dict_get(self.locals_dict, name)
            if value:
                return value, "local" if self.locals_dict != self.globals else "global"
        return self._global(name)

    def _local_index(self, name):
        """Index in localsplus of the local called name, or None."""
        if not self.nlocalsplus:
            return None
        r = self.reader
        names = r.tuple_items(r.ptr(self.code + OFFSETS["code.co_localsplusnames"]), MAX_LOCALS)
        for k, p in enumerate(names[:self.nlocalsplus]):
            try:
                if r.str(p) == name:
                    return k
            except (nl.Fault, nl.Invalid):
                continue
        return None

    def _global(self, name):
        if not self.globals:
            return None
        value = self.reader.dict_get(self.globals, name)
        return (value, "global") if value else None


def line_of(table, first_line, index):
    """The line of code unit `index` from a 3.11 co_linetable (the
    location table of CPython's Objects/locations.md), or -1."""
    pos, line, addr = 0, first_line, 0
    n = len(table)

    def varint():
        nonlocal pos
        value = shift = 0
        while pos < n:
            b = table[pos]
            pos += 1
            value |= (b & 63) << shift
            shift += 6
            if not b & 64:
                break
        return value

    def svarint():
        v = varint()
        return -(v >> 1) if v & 1 else v >> 1

    while pos < n:
        head = table[pos]
        pos += 1
        if not head & 0x80:
            return -1      # out of step with the table: garbage
        code, length = (head >> 3) & 15, (head & 7) + 1
        here = line
        if code == 15:
            here = -1
        elif code == 14:
            line += svarint()
            here = line
            varint()
            varint()
            varint()
        elif code == 13:
            line += svarint()
            here = line
        elif code >= 10:
            line += code - 10
            here = line
            pos += 2
        else:
            pos += 1
        if addr <= index < addr + length:
            return here
        addr += length
    return -1


def _chain(reader, first, next_field, limit, seen, what):
    """The addresses along a NULL-terminated list, at most limit of them;
    an address already in seen (a cycle, or a node in two lists) raises."""
    node = first
    for _ in range(limit):
        if node == 0:
            return
        if node in seen:
            raise nl.Invalid("%s list has a cycle" % what)
        seen.add(node)
        yield node
        node = reader.ptr(node + OFFSETS[next_field])


def thread_states(reader, runtime_address):
    """[(PyThreadState address, native_thread_id)] of every interpreter
    (bounded, cycle-checked)."""
    r = reader
    seen = set()
    return [(ts, r.ptr(ts + OFFSETS["tstate.native_thread_id"]))
            for interp in _chain(r, r.ptr(runtime_address + OFFSETS["runtime.interp_head"]),
                                 "interp.next", MAX_INTERPRETERS, seen, "interpreter")
            for ts in _chain(r, r.ptr(interp + OFFSETS["interp.threads_head"]),
                             "tstate.next", MAX_THREADS, seen, "thread")]


class Walk:
    """The complete Python frames of a thread, innermost first (frames
    still being set up, which hold no variables yet, are skipped), and why
    the walk ended early: `problem` says where the chain breaks (a cycle, a
    link to unreadable memory or to something that is not a frame) or that
    MAX_FRAMES cut it; None when it reached the outermost frame."""

    def __init__(self, frames, problem=None):
        self.frames = frames
        self.problem = problem


def frames(reader, tstate, limit=None):
    """A Walk of the thread state's frames: every frame that can be read,
    up to where the chain breaks (never an exception for a bad link), at
    most limit (None: MAX_FRAMES) of them."""
    limit = MAX_FRAMES if limit is None else limit
    r = reader
    cframe = r.ptr(tstate + OFFSETS["tstate.cframe"])
    if cframe == 0:
        return Walk([])
    address = r.ptr(cframe + OFFSETS["cframe.current_frame"])
    out, seen, codes = [], set(), {}
    while address:
        where = "the link after #%d" % (len(out) - 1) if out else "the current frame"
        if len(seen) >= limit:
            return Walk(out, "walk stopped at arrdbg's cap of %d frames (pyframe.MAX_FRAMES): "
                             "older frames are not shown" % limit)
        if address in seen:
            return Walk(out, "chain breaks at %s: it points back to the frame at 0x%x "
                             "(a cycle)" % (where, address))
        seen.add(address)
        try:
            frame = Frame(r, address, codes=codes)
        except nl.Fault as exc:
            return Walk(out, "chain breaks at %s: 0x%x is unreadable (%s)" % (where, address, exc))
        except nl.Invalid as exc:
            return Walk(out, "chain breaks at %s: 0x%x is not a Python frame (%s)"
                        % (where, address, exc))
        if frame.complete():
            out.append(frame)
        address = frame.previous
    return Walk(out)
