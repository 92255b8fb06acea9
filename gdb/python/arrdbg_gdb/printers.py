"""Pretty-printers for arr_t, arr_t * and struct arr_registry.

`print a` shows one summary line, then the elements nested per axis as lazy
children with display_hint('array').  What is shown is bounded the way
NumPy's arrayprint bounds it, with gdb's own settings as the knobs:

- an array of at most `print elements` elements is shown whole; a bigger
  one is summarised: along every axis longer than 2 * EDGEITEMS only the
  first and last EDGEITEMS entries are shown, with `...` between them;
- in any case at most `print elements` elements are shown in total (a
  `...` marks where the budget ran out): a (2,)*32 broadcast view has no
  axis to summarise but prints 200 numbers, not 2**32;
- a run of more than `print repeats` equal elements, or equal rows of any
  dimension, is shown once as `V <repeats N times>`, as gdb does for C
  arrays (an element run counts as `print repeats` elements);
- with `print elements` L, a level shows at most L - 1 children (gdb
  adds its own `...` after L), so L = 3 shows `{0, ...}` and L = 1
  `{...}`;
- `set print elements unlimited` shows everything.

The descriptor is read once per print (one read of the struct).  An N-d
array's children are its rows: synthetic `struct arr` values (magic ROW1,
never in the inferior) that carry a token; the token finds the row's shape,
strides and the print's budget in a dict, so a row costs no field reads.
Elements are read per row, only the spans that are shown, in reads of at
most CHUNK_BYTES.  The cost is linear in the number of elements shown.

Where the value is printed decides what a pointer shows.  `print p` (and
MI -data-evaluate-expression) shows the summary and the elements.  `info
locals`, frame arguments and MI -stack-list-variables/-locals/-arguments
print with deref-refs on: there an `arr_t *` is its one-line summary.
MI variable objects (-var-create/-var-list-children, the variables pane of
an IDE) never call to_string when a printer has children: there the
children are dtype, shape, strides, base and flags, then the elements.
"""

import math
import struct
from itertools import chain, compress, repeat
from operator import eq, gt, ne, not_, sub

import gdb
import gdb.printing

from . import layout
from .memory import ADDRESS_MASK, ReadError, Settings, Target, read, read_buffer
from .model import ArrDesc, Invalid, Registry, describe_failure, fmt_tuple
from .npy import gather_c_order
from .overlap import extent

EDGEITEMS = 3             # NumPy's default edgeitems
CHUNK_BYTES = 1 << 16     # most bytes read at once when listing a row
GAP = None                # marks the summarised middle of an axis
MAX_ROW_TOKENS = 1 << 20  # live row tokens kept (older rows decode their fields)


def _print_options():
    """gdb's value-print options in effect (those of the current print
    inside a printer), or {} on a gdb without gdb.print_options."""
    try:
        return gdb.print_options()
    except (AttributeError, gdb.error, RuntimeError):
        return {}


def _limit(value):
    """A count setting as an int, None for unlimited."""
    if value is None:
        return None
    value = int(value)
    return None if value <= 0 or value >= 0xffffffff else value


def _output_radix():
    try:
        return int(gdb.parameter("output-radix"))
    except (gdb.error, RuntimeError, TypeError, ValueError):
        return 10


def print_limit():
    """`set print elements` (or `print -elements`), None for unlimited."""
    options = _print_options()
    if "max_elements" in options:
        return _limit(options["max_elements"])
    try:
        return _limit(gdb.parameter("print elements"))
    except (gdb.error, RuntimeError):
        return 200


def repeat_limit():
    options = _print_options()
    if "repeat_threshold" in options:
        return _limit(options["repeat_threshold"])
    try:
        return _limit(gdb.parameter("print repeats"))
    except (gdb.error, RuntimeError):
        return 10


class ScalarTypes:
    """gdb types for elements, so gdb formats them (and /x shows the real
    width).  8-bit integers stay Python ints: gdb would print them as chars
    (65 'A'); their char types (bytes) serve only a print with /FMT or
    another output-radix, where gdb prints a char as a number."""

    BYTES = ((layout.DTYPES.index("int8"), "(signed char)0"),
             (layout.DTYPES.index("uint8"), "(unsigned char)0"))

    CASTS = ((layout.DTYPES.index("bool"), "(_Bool)0"),
             (layout.DTYPES.index("int16"), "(short)0"),
             (layout.DTYPES.index("int32"), "(int)0"),
             (layout.DTYPES.index("int64"), "(long long)0"),
             (layout.DTYPES.index("uint16"), "(unsigned short)0"),
             (layout.DTYPES.index("uint32"), "(unsigned int)0"),
             (layout.DTYPES.index("uint64"), "(unsigned long long)0"),
             (layout.DTYPES.index("float32"), "(float)0"),
             (layout.DTYPES.index("float64"), "(double)0"),
             (layout.DTYPES.index("complex64"), "(_Complex float)0"),
             (layout.DTYPES.index("complex128"), "(_Complex double)0"))

    def __init__(self):
        self.types = self._types(self.CASTS)
        self.bytes = self._types(self.BYTES)

    @staticmethod
    def _types(casts):
        types = {}
        for dtype, expr in casts:
            try:
                t = gdb.parse_and_eval(expr).type
            except (gdb.error, RuntimeError):
                continue
            if t.sizeof == layout.DTYPE_SIZES[dtype]:
                types[dtype] = t
        return types


# IEEE 754 binary formats by size: the bits of the significand, the
# implicit leading one included (libarr's float dtypes are IEEE).
_SIGNIFICAND_BITS = {4: 24, 8: 53}
_LOG10_2 = 0.30102999566398119521


def _decimal_digits(size):
    """The precision gdb prints a float of this size with when no /FMT is
    given: DECIMAL_DIG, ceil(1 + p * log10 2) for p significand bits
    (gdb/target-float.c, floatformat_printf_format): 9 for float, 17 for
    double.  Printed with %.<digits>g, every float reads back exactly, so
    distinct values give distinct text."""
    d = 1 + _SIGNIFICAND_BITS[size] * _LOG10_2
    return int(d) + (int(d) < d)


class GdbText:
    """The text of elements of one dtype exactly as gdb prints its C type
    (C or C++ language, no /FMT), made in Python from the bytes: C-level
    maps over a chunk, no Python statement per element.  Finite floats
    are %.<DECIMAL_DIG>g (Python's %g is correctly rounded as glibc's
    printf is); a NaN or an infinity is formatted by gdb itself (once per
    bit pattern); integers are decimal, or with /d, /u, /x (and
    output-radix 16, which gdb applies to integers as /x) signed,
    unsigned or 0x-hex of the bytes; bool is false/true (other bytes:
    their number).  int8/uint8 are numbers, as the plugin shows them
    everywhere (gdb's char types would add 'A'), the text of gdb's
    print/d and /u.  Equal bytes give equal text and (the formats read
    back exactly, gdb's nan(0x...) shows sign and payload) unequal bytes
    unequal text, so runs of equal elements are found on the text.  Made
    only for a dtype and format whose probe values gdb prints the same
    way (make() checks), else None: gdb's own formatting is used."""

    # The dtypes whose text does not depend on `set output-radix` (gdb 13
    # applies it to integers and bool, not to floats): checked by the
    # tests with output-radix 16.
    RADIX_FREE = ("float32", "float64", "complex64", "complex128")
    SPECIAL_MAX = 4096  # NaN/inf bit patterns whose gdb text is kept
    INT_FORMATS = ("d", "u", "x")  # /FMT made for integers

    def __init__(self, dtype, gdb_type, endian, fmt=None):
        self.name = layout.DTYPES[dtype]
        self.size = layout.DTYPE_SIZES[dtype]
        self.gdb_type = gdb_type
        self.endian = endian
        self.letter = layout.DTYPE_FORMATS[dtype][0]
        self.special = {}
        if self.name == "bool":
            self.texts = self._byte_texts
            self.table = ("false", "true") + tuple(map(str, range(2, 256)))
        elif self.size == 1:  # int8, uint8: their numbers, by byte value
            self.texts = self._byte_texts
            signed = self.letter == "b" if fmt is None else fmt == "d"
            pattern = "0x%x" if fmt == "x" else "%d"
            self.table = tuple(pattern % (b - 256 if signed and b >= 128 else b)
                               for b in range(256))
        elif self.name.startswith("complex"):
            self.texts = self._complex_texts
            digits = _decimal_digits(self.size // 2)
            self.pattern = "%%.%dg + %%.%dgi" % (digits, digits)
        elif self.letter in "fd":
            self.texts = self._float_texts
            self.pattern = "%%.%dg" % _decimal_digits(self.size)
        else:  # /d reads the bytes as signed, /u and /x as unsigned
            self.texts = self._int_texts
            if fmt == "d":
                self.letter = self.letter.lower()
            elif fmt in ("u", "x"):
                self.letter = self.letter.upper()
            self.pattern = "0x%x" if fmt == "x" else "%d"

    @classmethod
    def make(cls, dtype, gdb_type, endian, print_format=None):
        """A GdbText for the dtype and /FMT (None: none), or None if gdb
        prints a probe value differently (another gdb's formats) or the
        dtype or format is not known."""
        name = layout.DTYPES[dtype]
        size = layout.DTYPE_SIZES[dtype]
        fmt = layout.DTYPE_FORMATS[dtype]
        if print_format is not None and (
                print_format not in cls.INT_FORMATS or fmt not in "bhiqBHIQ" or len(fmt) != 1):
            return None
        if name in ("int8", "uint8") and print_format is None:
            # Not gdb's char types (65 'A'): the plugin shows numbers, as
            # its general path does (and gdb's print/d).  With a /FMT,
            # gdb_type is the char type, checked below.
            return cls(dtype, None, endian)
        if gdb_type is None:
            return None
        if fmt[0] in "fd":
            probes = [0.0, -0.0, 0.1, -1 / 3, 1.5, 100.0, 1e16, 1e17, 123456789.0, 2.0 ** -1074,
                      2.0 ** -149, 1.17549435e-38, 3.4028234e38, 1e-5, 1e-4, 2.0 ** 70]
            if size // len(fmt) == 8:
                probes += [2.2250738585072014e-308, 1.7976931348623157e308, 0.30000000000000004]
            if len(fmt) == 2:
                probes = [x for p in zip(probes, reversed(probes)) for x in p]
        elif name == "bool":
            probes = [0, 1, 2, 255]
        elif fmt in ("b", "h", "i", "q"):
            probes = [0, 1, -1, 7, -(1 << (8 * size - 1)), (1 << (8 * size - 1)) - 1]
        elif fmt in ("B", "H", "I", "Q"):
            probes = [0, 1, 7, (1 << (8 * size)) - 1]
        else:
            return None
        try:
            text = cls(dtype, gdb_type, endian, print_format)
            letter = "B" if name == "bool" else fmt[0]
            raw = struct.pack("%s%d%s" % (endian, len(probes), letter), *probes)
            count = len(raw) // size
            ours = text.texts(raw, count)
            options = {"format": print_format} if print_format else {}
            theirs = [gdb.Value(raw[i * size:(i + 1) * size], gdb_type).format_string(**options)
                      for i in range(count)]
        except (gdb.error, RuntimeError, struct.error, OverflowError, ValueError):
            return None
        return text if ours == theirs else None

    def _int_texts(self, buf, count):
        values = struct.unpack_from("%s%d%s" % (self.endian, count, self.letter), buf)
        return list(map(self.pattern.__mod__, values))

    def _byte_texts(self, buf, count):
        return list(map(self.table.__getitem__, buf[:count]))

    def _float_texts(self, buf, count):
        values = struct.unpack_from("%s%d%s" % (self.endian, count, self.letter), buf)
        texts = list(map(self.pattern.__mod__, values))
        if not all(map(math.isfinite, values)):
            bad = compress(range(count), map(not_, map(math.isfinite, values)))
            self._gdb_texts(texts, buf, bad)
        return texts

    def _complex_texts(self, buf, count):
        values = struct.unpack_from("%s%d%s" % (self.endian, 2 * count, self.letter), buf)
        texts = list(map(self.pattern.__mod__, zip(values[0::2], values[1::2])))
        if not all(map(math.isfinite, values)):
            bad = compress(range(2 * count), map(not_, map(math.isfinite, values)))
            self._gdb_texts(texts, buf, sorted(set(i >> 1 for i in bad)))
        return texts

    def _gdb_texts(self, texts, buf, indexes):
        """NaN and infinities: gdb's own text (nan(0x8000000000000), -inf),
        asked once per bit pattern (kept for the next prints)."""
        size = self.size
        known = self.special
        for i in indexes:
            raw = bytes(buf[i * size:(i + 1) * size])
            text = known.get(raw)
            if text is None:
                if len(known) >= self.SPECIAL_MAX:
                    known.clear()
                text = known[raw] = gdb.Value(raw, self.gdb_type).format_string()
            texts[i] = text


def _gdb_text(elements, budget):
    """The GdbText that may format this print's elements, or None (then
    gdb formats them): C or C++, no print option that changes a scalar's
    text, no /FMT or one GdbText makes, output-radix 10 (16 for integers:
    /x) unless the dtype ignores it."""
    if _print_options().get("summary"):
        return None
    fmt = budget.format
    try:
        language = gdb.current_language()
        if language not in ("c", "c++"):
            return None
        if fmt is None and layout.DTYPES[elements.dtype] not in GdbText.RADIX_FREE:
            # gdb 13 prints integers and bool at output-radix 16 as with
            # /x.  Checked before make(): its probes are printed at the
            # current output-radix.
            radix = _output_radix()
            if radix == 16:
                fmt = "x"
            elif radix != 10:
                return None
        texts = Target.get().cached("gdb_texts", lambda _: {})
        key = (elements.dtype, fmt, language)  # probes checked per language
        if key not in texts:
            gdb_type = elements.gdb_type if elements.gdb_type is not None or fmt is None else \
                elements.byte_type  # int8, uint8 with /FMT: as value_of shows them
            texts[key] = GdbText.make(elements.dtype, gdb_type, elements.format.format[0], fmt)
        return texts[key]
    except (AttributeError, gdb.error, RuntimeError, TypeError, ValueError):
        return None


def _fold(items, repeats):
    """items (texts) joined with ", " as gdb writes array elements: a run
    of more than `repeats` equal ones as `X <repeats N times>`.  O(len)
    C-level passes, one Python statement per folded run (each covers more
    than `repeats` items)."""
    m = len(items)
    # A run of more than `repeats` has equal items `repeats` apart: with
    # none (most data), no run folds.
    if not repeats or m <= repeats or not any(map(eq, items, items[repeats:])):
        return ", ".join(items)
    bounds = list(compress(range(1, m), map(ne, items[1:], items)))  # run starts
    bounds.insert(0, 0)
    bounds.append(m)
    lengths = list(map(sub, bounds[1:], bounds))
    long_runs = list(compress(range(len(lengths)), map(gt, lengths, repeat(repeats))))
    if not long_runs:
        return ", ".join(items)
    out = []
    pos = 0
    for r in long_runs:
        at = bounds[r]
        if at > pos:
            out.append(", ".join(items[pos:at]))
        out.append("%s <repeats %d times>" % (items[at], lengths[r]))
        pos = bounds[r + 1]
    if pos < m:
        out.append(", ".join(items[pos:]))
    return ", ".join(out)


def _nest(texts, shape, repeats):
    """The texts of sub-arrays of this shape, from the texts of their
    elements in C order, as gdb writes a C array: `{a, b}` per innermost
    row, each level folding equal runs.  Per level, C-level maps when a
    row is too short to fold (at most `repeats` entries), else one _fold
    per row (more than `repeats` entries each).  O(elements)."""
    for d in reversed(shape):
        total = len(texts)
        starts = range(0, total, d)
        if not repeats or d <= repeats:
            rows = map(texts.__getitem__, map(slice, starts, range(d, total + 1, d)))
            texts = list(map("{%s}".__mod__, map(", ".join, rows)))
        else:
            texts = ["{%s}" % _fold(texts[j:j + d], repeats) for j in starts]
    return texts


class Elements:
    """Decodes elements of one dtype at addresses in the inferior."""

    def __init__(self, desc):
        target = Target.get()
        self.itemsize = desc.itemsize
        self.dtype = desc.dtype
        self.data = desc.data
        self.format = struct.Struct(target.endian + layout.DTYPE_FORMATS[desc.dtype])
        scalar_types = target.cached("scalar_types", lambda _: ScalarTypes())
        self.gdb_type = scalar_types.types.get(desc.dtype)
        self.byte_type = scalar_types.bytes.get(desc.dtype)  # int8, uint8: a char type
        self.array_types = {}  # n: gdb_type[n], one per row length of a print

    def raw(self, offset):
        return read(self.data + offset, self.itemsize, cache=False)

    def value_of(self, raw, as_number=False):
        """A child value for the element's bytes: a gdb.Value when gdb has
        the C type (so /x works), else text; with as_number (a print with
        /FMT or another output-radix) an 8-bit integer as its char type
        (/x of -1 is 0xff, not 0xffffffffffffffff)."""
        if self.gdb_type is not None:
            return gdb.Value(raw, self.gdb_type)
        if as_number and self.byte_type is not None:
            return gdb.Value(raw, self.byte_type)
        values = self.format.unpack(raw)
        if len(values) == 2:
            return "%r + %ri" % values
        return values[0]

    def value(self, offset):
        return self.value_of(self.raw(offset))

    def number(self, offset):
        """The element as a Python number (complex: its real part)."""
        return self.format.unpack(self.raw(offset))[0]

    def text_of(self, raw, gdb_format=False, fmt=None, as_number=False):
        """The element as text: Python's repr (0.0, 1.5, -3), or with
        gdb_format as gdb prints its C type (0, 1.5, -3) with /fmt (an
        8-bit integer too with as_number, as value_of)."""
        values = self.format.unpack(raw)
        if len(values) == 2:
            return "%r + %ri" % values
        gdb_type = self.gdb_type if self.gdb_type is not None else \
            self.byte_type if as_number else None
        if gdb_format and gdb_type is not None:
            try:
                return gdb.Value(raw, gdb_type).format_string(**({"format": fmt} if fmt else {}))
            except (gdb.error, RuntimeError):
                pass
        return repr(values[0])

    def text(self, offset):
        """The element as text (0-d arrays, rows without debug info)."""
        return self.text_of(self.raw(offset))

    def span(self, address, start, stop, stride):
        """The raw bytes of elements start..stop-1 of the row at address
        (element k at address + k * stride), one list entry each, read in
        spans of at most CHUNK_BYTES.  Raises ReadError at the first
        unreadable span (the list so far is in exc.partial)."""
        size = self.itemsize
        out = []
        if start >= stop:
            return out
        step = abs(stride)
        per_chunk = max(1, CHUNK_BYTES // max(step, size)) if step else stop - start
        k = start
        while k < stop:
            count = min(per_chunk, stop - k)
            first = address + k * stride
            last = first + (count - 1) * stride
            lo = min(first, last)
            try:
                buf = read_buffer(lo, max(first, last) + size - lo).tobytes()
            except ReadError as exc:
                exc.partial = out
                raise
            pos = first - lo
            if stride == 0:
                out.extend([buf[0:size]] * count)
            else:  # one slice per element, made by map (C-level)
                starts = range(pos, pos + count * stride, stride)
                out.extend(map(buf.__getitem__, map(slice, starts, map(size.__add__, starts))))
            k += count
        return out


class Budget:
    """What one print may still show, shared by its rows (CLI printing);
    or no bound at all (MI variable objects, which page through children
    themselves)."""

    __slots__ = ("left", "edge", "summarize", "repeats", "bounded", "max_depth", "printing",
                 "as_text", "cap", "format", "as_number")

    def __init__(self, size, bounded=True):
        limit = print_limit() if bounded else None
        self.printing = bounded  # a print (CLI), not an MI varobj
        self.as_text = False     # elements as Python text (nested_text), not gdb values
        self.bounded = limit is not None
        self.left = limit if limit is not None else -1
        # Summarised from `print elements` elements up (NumPy: above its
        # threshold): then no axis shows exactly `print elements` children,
        # after which gdb 13 always prints `...`.
        self.summarize = limit is not None and size >= limit
        # gdb 13 prints its own `...` after `print elements` children of a
        # printer, whether or not more follow (py-prettyprint.c counts the
        # children it printed, it does not ask for one more): a level shows
        # at most cap = `print elements` - 1 children, so the edges and the
        # `...` between them must fit in cap (_capped enforces it).
        self.cap = None if limit is None else limit - 1
        self.edge = EDGEITEMS if limit is None else max(0, min(EDGEITEMS, (limit - 2) // 2))
        self.repeats = repeat_limit() if bounded else None
        # Rows nested deeper than `print max-depth` print as {...}: each
        # counts as one element, so a (2,)*32 view stops at the budget.
        options = _print_options()
        depth = options.get("max_depth", 20) if bounded else None
        self.max_depth = None if depth is None or depth < 0 else depth
        self.format = options.get("format") or None   # print/x: elements shown as text too
        # /FMT or another output-radix: 8-bit integers as their char
        # types, which gdb then prints as numbers (/x of -1: 0xff).
        self.as_number = self.format is not None or _output_radix() != 10

    def parts(self, n):
        """The index ranges shown along an axis of length n, GAP between.
        With `print elements` 3 or less there is no room for both edges:
        the first entry and `...` (3), `...` alone (2)."""
        edge = self.edge
        if self.summarize and n > 2 * edge:
            if edge:
                return ((0, edge), GAP, (n - edge, n))
            if n > self.cap:
                return ((0, 1), GAP) if self.cap >= 2 else (GAP,)
        return ((0, n),)

    def spent(self):
        return self.bounded and self.left <= 0


class Row:
    """One row of an N-d array being printed: where it is, its shape and
    strides, and the print it belongs to."""

    __slots__ = ("data", "shape", "strides", "elements", "budget", "template", "depth")

    def __init__(self, data, shape, strides, elements, budget, template, depth=0):
        self.depth = depth
        self.data = data
        self.shape = shape
        self.strides = strides
        self.elements = elements
        self.budget = budget
        self.template = template


_rows = {}
_next_token = [1]


def forget_rows(*_args):
    _rows.clear()


def _row_value(row):
    """A child for a row: a synthetic struct arr gdb.Value carrying a
    token (when gdb has the struct's type), else the row as text."""
    target = Target.get()
    if target.arr_type is not None and row.template is not None:
        if len(_rows) >= MAX_ROW_TOKENS:
            _rows.clear()
        token = _next_token[0]
        _next_token[0] += 1
        _rows[token] = row
        raw = target.arr.patched(row.template, magic=layout.MAGIC_ROW, id=token,
                                 ndim=len(row.shape), data=row.data & ADDRESS_MASK,
                                 shape=row.shape, strides=row.strides)
        return gdb.Value(raw, target.arr_type)
    return nested_text(row)


def _text_value(text):
    """A child that MI shows as text with no children of its own (a
    Python string child would be a char array an IDE can open): a
    synthetic struct arr whose token stands for the text."""
    target = Target.get()
    if target.arr_type is None:
        return text
    if len(_rows) >= MAX_ROW_TOKENS:
        _rows.clear()
    token = _next_token[0]
    _next_token[0] += 1
    _rows[token] = text
    raw = target.arr.patched(bytes(target.arr.size), magic=layout.MAGIC_ROW, id=token)
    return gdb.Value(raw, target.arr_type)


def _capped(children, cap):
    """At most cap children of one level (None: all): when more follow,
    the last one shown is `...` (decided by looking one child ahead), so
    gdb never adds its own.  cap 0 shows nothing."""
    if cap is None:
        yield from children
        return
    if cap <= 0:
        return
    children = iter(children)
    shown = 0
    for child in children:
        if shown < cap - 1:
            yield child
            shown += 1
            continue
        # The last child that fits: itself if nothing follows, else `...`.
        if child[0] == "..." or next(children, None) is None:
            yield child
        else:
            yield "...", "..."
        return


FOLD_MAX_BYTES = 1 << 20   # rows compared for `print repeats` up to this size
FOLD_READ_BYTES = 4 << 20  # rows read at once to compare them


def _row_runs(row, start, stop):
    """(i, run, raw) for the sub-rows start..stop-1 of row, a run of more
    than `print repeats` equal sub-rows (equal elements, in C order) as
    one entry (as gdb folds elements), every other sub-row as (i, 1, raw)
    with raw its elements in C order when they were read (else None).  A stride-0 axis is one run
    without reading; otherwise each sub-row is read once (those over
    FOLD_MAX_BYTES, or unreadable, equal nothing).  O(bytes of the
    sub-rows), only when the part is longer than `print repeats`."""
    repeats = row.budget.repeats
    if not repeats or stop - start <= repeats or len(row.shape) < 2:
        for i in range(start, stop):
            yield i, 1, None
        return
    stride = row.strides[0]
    if stride == 0:
        yield start, stop - start, None
        return
    sub_shape, sub_strides = row.shape[1:], row.strides[1:]
    itemsize = row.elements.itemsize
    lo, hi = extent(sub_shape, sub_strides, itemsize)
    size = 1
    for d in sub_shape:
        size *= d
    foldable = size * itemsize <= FOLD_MAX_BYTES and hi - lo <= Settings.max_read

    # Rows are read FOLD_READ_BYTES at a time (one read for the rows of a
    # 1000x1000 float64 array, as gdb reads its own arrays), then each
    # row's elements are gathered from the block.
    span = hi - lo
    per_read = max(1, min(FOLD_READ_BYTES, max(Settings.max_read, 1 << 20))
                   // max(abs(stride), span, 1))
    block = [None, 0, 0, 0]  # buffer, its first row, its end row, its address

    def key(i):
        if not foldable:
            return i  # unique: never equal to another row's key
        if not block[1] <= i < block[2]:
            end = min(stop, i + per_read)
            first, last = row.data + i * stride + lo, row.data + (end - 1) * stride + lo
            base = min(first, last)
            try:
                buf = read_buffer(base, abs(last - first) + span) if span else b""
            except ReadError:
                buf = None
            block[:] = [buf, i, end, base]
        if block[0] is None:
            return i  # unreadable: the row's own printing says where
        return gather_c_order(block[0], row.data + i * stride - block[3], sub_shape,
                              sub_strides, itemsize)

    # Only the current run's first key and the row before are kept.
    first, first_key = start, key(start)
    keys = [first_key]   # the keys of the current run's rows up to repeats + 1
    for i in range(start + 1, stop + 1):
        k = key(i) if i < stop else None
        if i < stop and k == first_key and not isinstance(k, int):
            if len(keys) <= repeats:
                keys.append(k)
            continue
        if i - first > repeats:
            yield first, i - first, None
        else:
            for j, raw in zip(range(first, i), keys):
                yield j, 1, None if isinstance(raw, int) else raw
        first, first_key, keys = i, k, [k]


def _element_children(row):
    """(name, value) children of a 1-d row: the shown elements, `...` at
    the summarised middle and where the budget ran out, runs of more than
    `print repeats` equal elements folded into one."""
    budget = row.budget
    elements = row.elements
    n, stride = row.shape[0], row.strides[0]
    per_chunk = max(1, CHUNK_BYTES // max(abs(stride), elements.itemsize, 1))
    if _all_shown(row):
        for block in _all_element_blocks(row):
            yield from block
        return
    gap = False
    for part in budget.parts(n):
        if budget.spent():
            if not gap:
                yield "...", "..."
            return
        if part is GAP:
            gap = True
            yield "...", "..."
            continue
        gap = False
        start, stop = part
        pending = None  # [raw, first index, run length]
        failed = None
        k = start
        while k < stop and failed is None:
            try:
                raws = elements.span(row.data, k, min(stop, k + per_chunk), stride)
            except ReadError as exc:
                raws, failed = exc.partial, exc
            if stride == 0 and raws:  # the whole part is one element: O(1)
                raws, k, pending = (), stop, [raws[0], k, stop - k]
            for j, raw in enumerate(raws):
                if pending is not None and raw == pending[0]:
                    pending[2] += 1
                    continue
                if pending is not None:
                    for child in _emit(elements, budget, pending):
                        yield child
                    if pending[2] < 0:  # cut short by the budget
                        return
                pending = [raw, k + j, 1]
            k += len(raws)
        if pending is not None:
            for child in _emit(elements, budget, pending):
                yield child
            if pending[2] < 0:
                return
        if failed is not None:
            yield "[%d]" % k, "<unreadable at 0x%x>" % (failed.address & ADDRESS_MASK)
            return


def _all_shown(row):
    """Is every element of this 1-d row shown as a gdb value (no element
    budget: `print elements unlimited`, MI)?  Then _all_element_blocks
    gives its children."""
    budget = row.budget
    return (not budget.bounded and not budget.as_text and len(row.shape) == 1
            and row.strides[0] != 0 and row.elements.gdb_type is not None)


def _all_element_blocks(row, named=True):
    """The children of an _all_shown row, as iterables of (name, value)
    to chain: the same children as _element_children's loop, found with
    C-level passes per chunk (run boundaries by comparing neighbours;
    names and values made by map) instead of Python statements per
    element.  A print of 1,000,000 elements then costs about what gdb's
    own print of them costs.  O(n); a run that spans chunks is carried to
    the next.  Never raises: an error ends the children with one line."""
    elements = row.elements
    gdb_type = elements.gdb_type
    n, stride = row.shape[0], row.strides[0]
    per_chunk = max(1, CHUNK_BYTES // max(abs(stride), elements.itemsize, 1))
    repeats = row.budget.repeats  # None: nothing folds
    value = gdb.Value
    # `print` does not show the names of an 'array' printer's children
    # (it counts them itself): named=False gives them all one name.
    names = (lambda first, stop: map("[%d]".__mod__, range(first, stop))) if named else \
        (lambda first, stop: repeat("[]", stop - first))

    def run_children(raw, first, length):  # a complete run of one value
        if repeats and length > repeats:
            return (("[%d]" % first, "%s <repeats %d times>" % (
                elements.text_of(raw, gdb_format=True, fmt=row.budget.format), length)),)
        return zip(names(first, first + length), repeat(value(raw, gdb_type), length))

    def values(raws, base, lo, hi):  # elements base+lo..base+hi-1, one by one
        return zip(names(base + lo, base + hi), map(value, raws[lo:hi], repeat(gdb_type)))

    try:
        carry, carry_first, carry_len = None, 0, 0  # the run that ends the last chunk
        k = 0
        failed = None
        while k < n:
            try:
                raws = elements.span(row.data, k, min(n, k + per_chunk), stride)
            except ReadError as exc:
                raws, failed = exc.partial, exc
            m = len(raws)
            if m:
                bounds = list(compress(range(1, m), map(ne, raws[1:], raws)))  # run starts
                head = bounds[0] if bounds else m
                if carry_len and raws[0] == carry:
                    carry_len += head
                else:
                    if carry_len:
                        yield run_children(carry, carry_first, carry_len)
                    carry, carry_first, carry_len = raws[0], k, head
                if bounds:
                    yield run_children(carry, carry_first, carry_len)
                    lengths = list(map(sub, bounds[1:], bounds))
                    pos = bounds[0]
                    if repeats:
                        for r in compress(range(len(lengths)), map(gt, lengths, repeat(repeats))):
                            at = bounds[r]
                            yield values(raws, k, pos, at)
                            yield run_children(raws[at], k + at, lengths[r])
                            pos = at + lengths[r]
                    last = bounds[-1]
                    yield values(raws, k, pos, last)
                    carry, carry_first, carry_len = raws[last], k + last, m - last
            k += m
            if failed is not None:
                break
        if carry_len:
            yield run_children(carry, carry_first, carry_len)
        if failed is not None:
            yield (("[%d]" % k, "<unreadable at 0x%x>" % (failed.address & ADDRESS_MASK)),)
    except Exception as exc:  # never a traceback from inside gdb
        yield (("[?]", "<arr: cannot list elements: %s>" % exc),)


def _run_length(buf, size, x, start, stop, backwards=False):
    """How many elements equal to x (bytes of one element) buf holds in a
    row from element start onwards (backwards: from element stop - 1
    down), within [start, stop): a binary search over C-level
    comparisons, O(m log m) bytes compared for m elements."""
    lo, hi = 0, stop - start  # lo elements are known equal, more than hi are not
    while lo < hi:
        mid = (lo + hi + 1) // 2
        piece = buf[(stop - mid) * size:stop * size] if backwards else \
            buf[start * size:(start + mid) * size]
        if piece == x * mid:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _all_text_row(desc, elements, budget):
    """A Row for _all_text when a `print` shows every element of this
    array and gdb or GdbText can format them as C arrays, else None:
    no element budget (`print elements unlimited`) or fewer elements
    than `print elements` (then no axis is summarised, the budget never
    runs out and no level reaches the cap: the general path would show
    the same text), gdb has the element type or GdbText applies (8-bit
    integers), no
    array-indexes/pretty-arrays/nibbles, every level within max-depth,
    axis 0 not stride 0 (the general path folds that in O(1)), a
    sub-array of axis 0 at most FOLD_MAX_BYTES and a chunk's extent
    readable in one read."""
    if budget.as_text or (budget.bounded and desc.size >= budget.left):
        return None
    if elements.gdb_type is None and _gdb_text(elements, budget) is None:
        return None
    options = _print_options()
    if any(options.get(name) for name in ("array_indexes", "pretty_arrays", "nibbles")):
        return None
    shape, strides = desc.shape, desc.strides
    if not shape or min(shape) <= 0 or strides[0] == 0 or (
            budget.max_depth is not None and len(shape) - 1 >= budget.max_depth):
        return None
    item = elements.itemsize
    for d in shape[1:]:
        item *= d
    if item > FOLD_MAX_BYTES:
        return None
    count = max(2, CHUNK_BYTES // max(item, abs(strides[0]), 1))
    lo, hi = extent((count,) + tuple(shape[1:]), strides, elements.itemsize)
    if hi - lo > max(Settings.max_read, 1 << 20):
        return None
    return Row(desc.data, shape, strides, elements, budget, desc.raw)


def _c_strides(shape, itemsize):
    """The strides of a C-contiguous array of this shape."""
    strides = []
    step = itemsize
    for d in reversed(shape):
        strides.append(step)
        step *= d
    return strides[::-1]


def _all_text(row):
    """The children of a _all_text_row print with no Python per element:
    axis 0 is read a chunk of sub-arrays at a time (their elements
    gathered in C order), and the sub-arrays between the first and the
    last run of equal ones in the chunk are one string child, the text
    gdb makes of them as one C array (its folding of more than `print
    repeats` equal elements or rows, without the braces), which gdb
    writes as it is.  The runs at the chunk edges may go on in the next
    chunk: they are carried and become children when they end (a run of
    more than `print repeats` as `V <repeats N times>`, as gdb writes
    it).  The text is the same as gdb's own print of the same elements.
    It is made by GdbText (_fold, _nest) when GdbText applies: about a
    tenth of gdb's own time for 1,000,000 float64 (measured with
    tests/gdb/bench.py); else by gdb (format_string of the chunk as a C
    array: about gdb's own time).  O(n) either way."""
    elements, budget = row.elements, row.budget
    shape, strides = tuple(row.shape), tuple(row.strides)
    n, stride = shape[0], strides[0]
    item_type = elements.gdb_type
    item = elements.itemsize
    for d in reversed(shape[1:]):
        item_type = item_type.array(d - 1) if item_type is not None else None
        item *= d
    per_chunk = max(2, CHUNK_BYTES // max(item, abs(stride), 1))
    # Sub-arrays of axis 0 whose elements are C-contiguous: gathered with
    # one slice each (gather_c_order takes one per inner row).
    packed = strides[1:] == tuple(_c_strides(shape[1:], elements.itemsize))
    repeats = budget.repeats
    options = {"max_elements": 0, "repeat_threshold": repeats or 0}
    if budget.format:
        options["format"] = budget.format

    fast = _gdb_text(elements, budget)
    sub_shape = shape[1:]
    per_item = item // elements.itemsize

    def text_of(buf, count):
        """count sub-arrays (their elements in C order in buf) as gdb
        writes them in a C array, without its braces."""
        if fast is not None:
            return _fold(_nest(fast.texts(buf, count * per_item), sub_shape, repeats), repeats)
        return gdb.Value(buf, item_type.array(count - 1)).format_string(**options)[1:-1]

    def one(raw):  # a child for one sub-array
        return text_of(raw, 1) if fast is not None else gdb.Value(raw, item_type)

    def run_children(raw, first, length):
        if repeats and length > repeats:
            return (("[%d]" % first, "%s <repeats %d times>" % (text_of(raw, 1), length)),)
        return repeat(("[%d]" % first, one(raw)), length)

    try:
        carry, carry_first, carry_len = None, 0, 0
        k = 0
        while k < n:
            count = min(per_chunk, n - k)
            first = row.data + k * stride
            block = (count,) + shape[1:]
            lo, hi = extent(block, strides, elements.itemsize)
            try:
                memory = read_buffer(first + lo, hi - lo)
                if not packed:
                    buf = gather_c_order(memory, -lo, block, strides, elements.itemsize)
                elif stride == item:  # C-contiguous: the bytes as they are
                    buf = memory.tobytes()
                else:  # one slice per sub-array (C-level), not per inner row
                    starts = range(-lo, -lo + count * stride, stride)
                    buf = b"".join(map(memory.__getitem__,
                                       map(slice, starts, map(item.__add__, starts))))
            except ReadError as exc:
                if carry_len:
                    yield run_children(carry, carry_first, carry_len)
                yield (("[%d]" % k, "<unreadable at 0x%x>" % (exc.address & ADDRESS_MASK)),)
                return
            lead = 0
            if carry_len and buf[:item] == carry:
                lead = _run_length(buf, item, carry, 0, count)
                carry_len += lead
                if lead == count:
                    k += count
                    continue
            if carry_len:
                yield run_children(carry, carry_first, carry_len)
            last = buf[(count - 1) * item:count * item]
            tail = _run_length(buf, item, last, lead, count, backwards=True)
            if count - tail - lead == 1:
                yield (("[%d]" % (k + lead), one(buf[lead * item:(lead + 1) * item])),)
            elif count - tail > lead:
                yield (("[%d]" % (k + lead),
                        text_of(buf[lead * item:(count - tail) * item], count - tail - lead)),)
            carry, carry_first, carry_len = last, k + count - tail, tail
            k += count
        if carry_len:
            yield run_children(carry, carry_first, carry_len)
    except Exception as exc:  # never a traceback from inside gdb
        yield (("[?]", "<arr: cannot list elements: %s>" % exc),)


def _emit(elements, budget, pending):
    """Children for a run of equal elements [raw, first index, length];
    a run the budget cuts short ends with `...` and gets length -1."""
    raw, first, run = pending
    repeats = budget.repeats
    if repeats and run > repeats:  # gdb folds more than `print repeats`
        if budget.spent():
            pending[2] = -1
            yield "...", "..."
            return
        budget.left -= repeats
        yield "[%d]" % first, "%s <repeats %d times>" % (
            elements.text_of(raw, gdb_format=not budget.as_text, fmt=budget.format,
                             as_number=budget.as_number), run)
        return
    for j in range(run):
        if budget.spent():
            pending[2] = -1
            yield "...", "..."
            return
        budget.left -= 1
        yield "[%d]" % (first + j), elements.text_of(raw) if budget.as_text else \
            elements.value_of(raw, budget.as_number)


def _row_children(row):
    """Children of a row: elements for 1-d, sub-rows otherwise."""
    if len(row.shape) == 1:
        yield from _element_children(row)
        return
    budget = row.budget
    n, stride = row.shape[0], row.strides[0]
    sub_shape, sub_strides = row.shape[1:], row.strides[1:]
    # A print shows a whole 1-d sub-row as one C array value that gdb
    # formats itself (its own repeats, /x, limits): one value per row, not
    # one per element.
    native = (budget.printing and len(sub_shape) == 1 and row.elements.gdb_type is not None
              and len(budget.parts(sub_shape[0])) == 1 and sub_shape[0] > 0)
    gap = False
    deep = budget.max_depth is not None and row.depth + 1 >= budget.max_depth
    for part in budget.parts(n):
        if part is GAP:
            gap = True
            yield "...", "..."
            continue
        runs = ((i, 1, None) for i in range(part[0], part[1])) if deep else _row_runs(row, *part)
        for i, run, raw in runs:
            if budget.spent():
                if not gap:  # one `...` for the gap and the rest
                    yield "...", "..."
                return
            gap = False
            sub = Row(row.data + i * stride, sub_shape, sub_strides, row.elements, budget,
                      row.template, row.depth + 1)
            if run > 1:  # equal sub-rows, folded as gdb folds equal elements
                yield "[%d]" % i, "%s <repeats %d times>" % (nested_text(sub), run)
                continue
            if deep or (budget.max_depth is not None and row.depth + 1 >= budget.max_depth):
                budget.left -= 1  # gdb shows it as {...} (max_depth may drop: _cut_by_gdb)
            elif native and (not budget.bounded or budget.left >= sub_shape[0]):
                value = _native_row(sub, raw)
                if value is not None:
                    budget.left -= sub_shape[0]
                    yield "[%d]" % i, value
                    continue
            yield "[%d]" % i, _row_value(sub)


def _native_row(row, raw=None):
    """A 1-d row as a gdb array value of its element type (None when it
    cannot be read: the per-element path then says where).  raw: its
    elements, when _row_runs read them already."""
    elements = row.elements
    n, stride = row.shape[0], row.strides[0]
    size = elements.itemsize
    lo, hi = extent((n,), (stride,), size)
    array_type = elements.array_types.get(n)
    if array_type is None:
        array_type = elements.array_types[n] = elements.gdb_type.array(n - 1)
    if raw is not None:
        return gdb.Value(raw, array_type)
    try:
        if hi - lo <= max(n * size, CHUNK_BYTES):
            # One read of the row's extent; the elements gathered with one
            # extended slice per byte of an element (C-level), not one
            # slice per element: this is the whole cost of `print
            # elements unlimited` besides gdb's own formatting.
            buf = read_buffer(row.data + lo, hi - lo)
            raw = gather_c_order(buf, -lo, (n,), (stride,), size)
        else:  # elements far apart: read them, not the gaps
            raw = b"".join(elements.span(row.data, 0, n, stride))
    except ReadError:
        return None
    return gdb.Value(raw, array_type)


def nested_text(row, shape=None, strides=None, offset=0):
    """A row as text, `{..., ...}` per axis, within the row's budget (for
    targets without the struct's type).  Iterative: no recursion.  Also
    nested_text(elements, shape, strides, offset), the earlier API
    (foreign.py): the array at elements.data + offset, bounded as a print."""
    if not isinstance(row, Row):
        elements = row
        size = 1
        for d in shape:
            size *= d
        if not shape:
            return elements.text(offset)
        row = Row(elements.data + offset, tuple(shape), tuple(strides), elements, Budget(size), None)
        row.budget.as_text = True
    out = []
    stack = [_row_children_text(row)]
    out.append("{")
    first = [True]
    while stack:
        try:
            name, value = next(stack[-1])
        except StopIteration:
            stack.pop()
            first.pop()
            out.append("}")
            continue
        if not first[-1]:
            out.append(", ")
        first[-1] = False
        if isinstance(value, Row):
            stack.append(_row_children_text(value))
            first.append(True)
            out.append("{")
        else:
            out.append(str(value))
    return "".join(out)


def _row_children_text(row):
    budget = row.budget
    if len(row.shape) == 1:
        bulk = getattr(row.elements, "bulk_texts", None)
        if bulk is not None and not budget.bounded and row.shape[0]:
            # Everything shown (print elements unlimited) and the elements
            # decode many at once (NumPy's: numpy_support.NumpyElements):
            # one child, the row's text folded as gdb folds runs.
            try:
                raws = row.elements.span(row.data, 0, row.shape[0], row.strides[0])
            except ReadError:
                raws = None   # the per-element path says where it stops
            if raws is not None:
                yield "[0]", _fold(bulk(raws), budget.repeats)
                return
        fmt = {"format": budget.format} if budget.format else {}
        for name, value in _capped(_element_children(row), budget.cap):
            if isinstance(value, gdb.Value):
                value = value.format_string(**fmt)
            yield name, value
        return
    n, stride = row.shape[0], row.strides[0]
    for child in _capped(_row_children_text_rows(row, n, stride), budget.cap):
        yield child


def _row_children_text_rows(row, n, stride):
    budget = row.budget
    for part in budget.parts(n):
        if part is GAP:
            yield "...", "..."
            continue
        for i, run, _raw in _row_runs(row, *part):
            if budget.spent():
                yield "...", "..."
                return
            sub = Row(row.data + i * stride, row.shape[1:], row.strides[1:],
                      row.elements, budget, None, row.depth + 1)
            if run > 1:
                yield "[%d]" % i, "%s <repeats %d times>" % (nested_text(sub), run)
            else:
                yield "[%d]" % i, sub


class ArrSummaryPrinter:
    """Printer for an array without elements to list: invalid, orphaned or
    0-d.  It has no children() method on purpose: gdb's MI shows "{...}" as
    the value of any printer that has one."""

    def __init__(self, desc=None, error=None):
        self.desc = desc
        self.error = error

    def to_string(self):
        try:
            return self._to_string()
        except Exception as exc:  # never a traceback from inside gdb
            return "<arr: invalid (%s)>" % exc

    def _to_string(self):
        if self.error is not None:
            return self.error
        desc = self.desc
        text = desc.summary()
        if not desc.readable():
            return text + " <orphaned: buffer of #%d was freed>" % desc.base_id
        if desc.ndim == 0:
            try:
                return text + " = %s" % Elements(desc).text(0)
            except ReadError as exc:
                return text + " <unreadable at 0x%x>" % (exc.address & ADDRESS_MASK)
        return text


def summary_fields(desc):
    """The (name, text) children an IDE's variables pane shows before the
    elements."""
    if desc.is_view and desc.orphaned:
        base = "orphaned: #%d was freed" % desc.base_id
    elif desc.is_view:
        base = "view of #%d (+%d bytes)" % (desc.base_id, desc.offset)
    else:
        base = desc.relation()
    return (("id", "#%d" % desc.id), ("dtype", desc.dtype_name),
            ("shape", fmt_tuple(desc.shape)), ("strides", fmt_tuple(desc.strides)),
            ("base", base), ("flags", " ".join(desc.flag_words()) or "none"),
            ("bytes", str(desc.nbytes)))


class ArrPrinter(ArrSummaryPrinter):
    """Printer for an array whose elements are listed as children."""

    def __init__(self, desc, pointer=False):
        ArrSummaryPrinter.__init__(self, desc)
        self.pointer = pointer
        self.printing = False  # to_string was called: a print, not an MI varobj

    def display_hint(self):
        return "array"

    def to_string(self):
        self.printing = True
        text = ArrSummaryPrinter.to_string(self)
        # `print elements` 1 leaves no room for a child (gdb would print
        # `...` after it): the elements are only `{...}`, written here.
        if print_limit() == 1 and self.desc.size and not (
                self.pointer and _print_options().get("deref_refs")):
            text += " = {...}"
        return text

    def children(self):
        row = self._all_text_row()
        if row is not None:  # every element: gdb formats them in chunks
            return chain.from_iterable(_all_text(row))
        return self._guarded_children()

    def _all_text_row(self):
        desc = self.desc
        if not self.printing or (self.pointer and _print_options().get("deref_refs")):
            return None
        try:
            elements = Elements(desc)
            return _all_text_row(desc, elements, Budget(desc.size))
        except Exception:  # the general path says what is wrong
            return None

    def _guarded_children(self):
        try:
            yield from self._children()
        except Exception as exc:  # never a traceback from inside gdb
            yield "[?]", "<arr: cannot list elements: %s>" % exc

    def _children(self):
        desc = self.desc
        if not self.printing:  # an MI variable object: the summary first
            for name, text in summary_fields(desc):
                yield name, _text_value(text)
        elif self.pointer and _print_options().get("deref_refs"):
            return  # info locals, frame arguments, MI stack lists: one line
        try:
            elements = Elements(desc)
        except (gdb.error, RuntimeError, struct.error):
            return
        budget = Budget(desc.size, bounded=self.printing)
        row = Row(desc.data, desc.shape, desc.strides, elements, budget, desc.raw)
        yield from _capped(_row_children(row), budget.cap)


class TextPrinter:
    """A summary field of an array in an MI variables pane."""

    def __init__(self, text):
        self.text = text

    def to_string(self):
        return self.text


class RowPrinter:
    """A row of an array being printed (a synthetic struct arr)."""

    def __init__(self, row):
        self.row = row
        self.printing = False  # to_string was called: printed as a value

    def display_hint(self):
        return "array"

    def to_string(self):
        self.printing = True
        return None

    def children(self):
        row = self.row
        if self.printing and not row.budget.printing:
            # A row of an MI variable object that gdb prints as a value
            # (it does when it makes the child's varobj): bounded as a
            # print, not the whole unbounded sub-array (2**31 elements of
            # a (2,)*32 view).
            size = 1
            for d in row.shape:
                size *= d
            row = Row(row.data, row.shape, row.strides, row.elements, Budget(size), row.template)
        shown = 0
        try:
            for child in _capped(_row_children(row), row.budget.cap):
                shown += 1
                yield child
        except GeneratorExit:
            _cut_by_gdb(row, shown)
            raise
        except Exception as exc:  # never a traceback from inside gdb
            yield "[?]", "<arr: cannot list elements: %s>" % exc


def _cut_by_gdb(row, shown):
    """gdb took one child of this row and stopped: it was past `print
    max-depth` (gdb takes the first child, then prints {...}).  The array
    sits inside a struct or an array, so gdb's depth is ahead of the
    rows' own: the row's siblings and cousins at this depth are {...}
    too, and each counts as one element, as the rows past the depth the
    printer knows of do (else a (2,)*32 view in a struct printed 2**18
    of them)."""
    budget = row.budget
    if shown == 1 and budget.bounded and (budget.max_depth is None or row.depth < budget.max_depth):
        budget.max_depth = row.depth
        budget.left -= 1


def _row_from_value(value):
    """The Row a synthetic struct arr value stands for: from its token, or
    (a token forgotten since) decoded from the value's own fields."""
    if int(value["magic"]) != layout.MAGIC_ROW:
        return None
    row = _rows.get(int(value["id"]))
    if row is not None:
        return row
    ndim = int(value["ndim"])
    if not 1 <= ndim <= layout.MAXDIMS:
        return None
    shape = tuple(int(value["shape"][k]) for k in range(ndim))
    strides = tuple(int(value["strides"][k]) for k in range(ndim))
    dtype, itemsize = int(value["dtype"]), int(value["itemsize"])
    if not 0 <= dtype < len(layout.DTYPES) or itemsize != layout.DTYPE_SIZES[dtype] \
            or any(d < 0 for d in shape):
        return None
    desc = ArrDesc.__new__(ArrDesc)
    desc.dtype, desc.itemsize = dtype, itemsize
    desc.data = int(value["data"]) & ADDRESS_MASK
    size = 1
    for d in shape:
        size *= d
    return Row(desc.data, shape, strides, Elements(desc), Budget(size, bounded=False), None)


def make_printer(desc=None, error=None, pointer=False):
    if error is None and desc.ndim > 0 and desc.readable():
        return ArrPrinter(desc, pointer)
    return ArrSummaryPrinter(desc, error)


class RegistryPrinter:
    def __init__(self, value):
        self.value = value

    def to_string(self):
        try:
            reg = Registry()
        except (Invalid, ReadError) as exc:
            return "<arr registry: %s>" % exc
        categories = reg.table.column("category")
        text = "arr registry: %d live arrays (%s), next id %d" % (
            len(categories),
            ", ".join("%d %s" % (categories.count(k), k) for k in ("owner", "copy", "view", "orphan")),
            reg.next_id)
        if reg.bad or reg.problems:
            text += " <%d invalid entries, %d problems: see arr list>" % (len(reg.bad), len(reg.problems))
        return text


class _SubPrinter(gdb.printing.SubPrettyPrinter):
    def __init__(self, name, make):
        gdb.printing.SubPrettyPrinter.__init__(self, name)
        self.make = make


def _struct_printer(value):
    address = value.address
    if address is None:  # a row this plugin made, or a struct in a register
        row = _row_from_value(value)
        if isinstance(row, str):
            return TextPrinter(row)
        if row is not None:
            return RowPrinter(row)
        return ArrSummaryPrinter(error="<arr: a struct arr with no address>")
    address = int(address)
    try:
        return make_printer(ArrDesc.read(address))
    except (ReadError, Invalid) as exc:
        return ArrSummaryPrinter(error=describe_failure(exc, address))


def _pointer_printer(value):
    address = int(value) & ADDRESS_MASK
    if address == 0:
        return ArrSummaryPrinter(error="<arr: NULL>")
    try:
        return make_printer(ArrDesc.read(address), pointer=True)
    except (ReadError, Invalid) as exc:
        return ArrSummaryPrinter(error=describe_failure(exc, address))


_MAYBE_OURS = frozenset((gdb.TYPE_CODE_STRUCT, gdb.TYPE_CODE_PTR, gdb.TYPE_CODE_TYPEDEF))


class ArrPrettyPrinter(gdb.printing.PrettyPrinter):
    """The `arrdbg` collection: keyed on the struct tag, not on regexes."""

    def __init__(self):
        gdb.printing.PrettyPrinter.__init__(self, "arrdbg", [])
        self.by_tag = {}
        for name, tag, pointer, make in (("arr", "arr", False, _struct_printer),
                                         ("arr-pointer", "arr", True, _pointer_printer),
                                         ("arr_registry", "arr_registry", False, RegistryPrinter)):
            sub = _SubPrinter(name, make)
            self.subprinters.append(sub)
            self.by_tag[(tag, pointer)] = sub

    def __call__(self, value):
        try:
            # gdb asks every collection about every value it prints (each
            # element of a big array): anything but a struct, a pointer or
            # a typedef is not ours, decided from the type code alone.
            t = value.type
            if t.code not in _MAYBE_OURS:
                return None
            t = t.strip_typedefs()
            pointer = t.code == gdb.TYPE_CODE_PTR
            if pointer:
                t = t.target().strip_typedefs()
            if t.code != gdb.TYPE_CODE_STRUCT or t.tag is None:
                return None
            sub = self.by_tag.get((t.tag, pointer))
            if sub is None or not sub.enabled:
                return None
            return sub.make(value)
        except Exception as exc:  # a printer must never raise into gdb
            return ArrSummaryPrinter(error="<arr: invalid (%s)>" % exc)


PRINTER = ArrPrettyPrinter()


def register(objfile):
    """Adds the collection to objfile (None: globally), once."""
    holder = gdb if objfile is None else objfile
    if any(getattr(p, "name", None) == PRINTER.name for p in holder.pretty_printers):
        return
    gdb.printing.register_pretty_printer(objfile, PRINTER)
