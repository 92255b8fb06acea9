"""The `arr` commands, `set/show arr` settings and $arr_* functions.

All of them read memory only (no inferior calls).  Errors come out as gdb
errors with a short message, never as a Python traceback.
"""

import contextlib
import errno
import heapq
import os
import stat
import tempfile
from collections import Counter, defaultdict
from itertools import chain, compress, islice, product, repeat
from operator import mod, mul, neg, not_

import gdb

from . import layout, npy, overlap
from . import foreign, numpy_support
from . import numpy_registry
from .memory import ADDRESS_MASK, ReadError, Settings, Target, read
from .model import (ArrDesc, Invalid, Registry, desc_of_value, fmt_tuple,
                    gc_paused, read_free_log, read_stats, resolve, where)
from .printers import Elements

MAX_SOURCE_CHAIN = 64
INFO_VIEWS_SHOWN = 20  # arr info lists this many of the owner's views (and the one asked about)
MAX_INDENT = 32  # arr views: deeper levels say their depth instead of indenting


class Evaluated:
    """The values of one command's expressions, each evaluated once: the
    NumPy probe and the libarr path share them, so `arr info (counter++,
    a)` adds 1 and `arr info f()` calls f once.  The same text twice in
    one command is one evaluation."""

    def __init__(self):
        self.values = {}

    def __call__(self, text):
        text = text.strip()
        if text not in self.values:
            try:
                self.values[text] = gdb.parse_and_eval(text)
            except gdb.error as exc:
                self.values[text] = gdb.GdbError(str(exc))
            except (RuntimeError, ValueError, OverflowError) as exc:
                self.values[text] = gdb.GdbError("cannot evaluate %r: %s" % (text, exc))
        value = self.values[text]
        if isinstance(value, Exception):
            raise value
        return value

    def find_foreign(self, text):
        """foreign.find over these values."""
        text = text.strip()
        if not foreign.registered() or not text or text.startswith("#"):
            return None
        try:
            value = self(text)
        except gdb.GdbError:
            return None
        try:
            return foreign.read_value(value)
        except foreign.Invalid as exc:
            raise gdb.GdbError("%s: invalid %s" % (text, exc))

    def find_text(self, text):
        """numpy_support.find_text over these values."""
        return numpy_support.resolve_text(text, self)


@contextlib.contextmanager
def evaluated_once():
    """Evaluated for one command, also used by numpy_support's probes."""
    values = Evaluated()
    hooks = [(module, name, getattr(module, name, None), replacement)
             for module, name, replacement in ((numpy_support, "find_text", values.find_text),
                                               (foreign, "find", values.find_foreign))]
    for module, name, saved, replacement in hooks:
        if saved is not None:
            setattr(module, name, replacement)
    try:
        yield values
    finally:
        for module, name, saved, _replacement in hooks:
            if saved is not None:
                setattr(module, name, saved)


def _guard(name, fn, *args):
    """Runs a command body; anything unexpected becomes a one-line error."""
    try:
        return fn(*args)
    except gdb.GdbError as exc:
        text = str(exc)
        if text.startswith((name, "usage:")):
            raise
        raise gdb.GdbError("%s: %s" % (name, text))
    except (Invalid, ReadError) as exc:
        raise gdb.GdbError("%s: %s" % (name, exc))
    except gdb.error as exc:
        raise gdb.GdbError("%s: %s" % (name, exc))
    except Exception as exc:  # a bug in the plugin: still no traceback
        raise gdb.GdbError("%s: internal error: %s: %s" % (name, type(exc).__name__, exc))


def _numpy_first(name, arg):
    """arrdbg's NumPy buffers (numpy_registry.py) first; True: no libarr registry follows."""
    return numpy_registry.command(name, arg, lambda: _optional_registry() is not None)


def _registry(name, registries=None):
    try:
        return registries.get() if registries is not None else Registry()
    except (Invalid, ReadError) as exc:
        raise gdb.GdbError("%s: cannot read libarr's registry: %s" % (name, exc))


class Registries:
    """libarr's registry for one command: walked on first use (O(live
    arrays)), then shared by its #IDs, its source chain and its orphans,
    so `arr info #5` walks it once and `arr info a` (no source to look
    up) not at all."""

    def __init__(self):
        self._reg = self._error = None
        self._walked = False

    def get(self):
        """The Registry; raises Invalid or ReadError."""
        if not self._walked:
            self._walked = True
            try:
                self._reg = Registry()
            except (Invalid, ReadError) as exc:
                self._error = exc
        if self._error is not None:
            raise self._error
        return self._reg

    def optional(self):
        """The Registry, or None when it cannot be read."""
        try:
            return self.get()
        except (Invalid, ReadError):
            return None


def _args(arg, name, count, usage):
    argv = gdb.string_to_argv(arg)
    if len(argv) != count:
        raise gdb.GdbError("usage: %s" % usage)
    return argv


WRITE_CHUNK_LINES = 4096   # lines per gdb.write: few calls, and the pager can stop a long list


def _write_lines(lines):
    """Writes lines (without newlines; a list or any iterable, made as
    they are written) in chunks."""
    lines = iter(lines)
    while True:
        chunk = list(islice(lines, WRITE_CHUNK_LINES))
        if not chunk:
            return
        gdb.write("\n".join(chunk) + "\n")


MAX_COLUMN = 40  # a longer cell (a 32-d shape) overflows its row, not every row


def _width(col):
    """The width of a column: its longest cell up to MAX_COLUMN.  C-level
    passes (max over map, then a filter only when a cell is longer)."""
    widest = max(map(len, col), default=0)
    if widest <= MAX_COLUMN:
        return widest
    return max([n for n in map(len, set(col)) if n <= MAX_COLUMN] or [0])


def _table(columns, right_aligned=(0, 4)):
    """Lines of aligned columns (each a list of strings, the header first);
    the columns in right_aligned are right-aligned, the last is left as is.
    One %-format per line with the widths in the format (`arr list` formats
    100,000s of rows): O(rows x columns), in C-level maps."""
    fmt = "  ".join(("%%%ds" if k in right_aligned else "%%-%ds") % _width(col)
                    for k, col in enumerate(columns[:-1]))
    fmt += "  %s"
    return list(map(str.rstrip, map(fmt.__mod__, zip(*columns))))


LEAK_ORDER = ("copy", "owner", "view", "orphan")
LEAK_WORDS = layout.LEAK_WORDS  # arrcheck.h's words, as libarr's ARR_CHECK=1 prints them
LEAK_GROUP_WORDS = {"copy": "copies never freed", "owner": "arrays never freed",
                    "view": "views never freed", "orphan": "orphaned views (their base was freed first)"}
LEAK_IDS_SHOWN = 8


def _list_lines(table):
    """The lines of `arr list` (header first), aligned as _table aligns
    them, as an iterator: made as _write_lines writes them, so 100,000s
    of strings are not all alive at once.  Most rows are alike: every
    cell but the id and the base id is fixed by the row's kind
    (model.Table), so each kind
    gets its own %-format with those cells written in (shape, place and
    bytes formatted once per kind), and a line is that format applied to
    (id, base id).  Widths come from the kinds or the largest number.
    O(rows), in C-level maps; when most rows are of a kind of their own
    it formats all eight cells per line (the same output)."""
    ids, is_view = table.column("id"), table.column("is_view")
    id_text = map("#%d".__mod__, ids)
    base_ids, kinds = table.column("base_id"), table.column("kind")
    fields = table.kinds()
    used = {k: fields[k] for k in set(kinds)}
    places = {pc: where(pc) for pc in {f["made_at"] for f in used.values()}}  # a few call sites
    cells = {k: (f["category"], layout.DTYPES[f["dtype"]], fmt_tuple(f["shape"]),
                 "%d" % (f["size"] * f["itemsize"]), '"%s"' % f["label"] if f["label"] else "",
                 places[f["made_at"]])
             for k, f in used.items()}
    header = ("id", "kind", "dtype", "shape", "bytes", "base", "label", "made at")
    w_id = max(len("#%d" % max(ids)), len(header[0]))   # ids are unsigned: the largest is widest
    w_base = max(len(header[5]), len("#%d" % max(compress(base_ids, is_view), default=0)))
    w = [_width([name] + [row[c] for row in cells.values()])     # the cells' widths
         for c, name in enumerate(("kind", "dtype", "shape", "bytes", "label"))]
    head = ("%%%ds  %%-%ds  %%-%ds  %%-%ds  %%%ds  %%-%ds  %%-%ds  %%s" % (
        w_id, w[0], w[1], w[2], w[3], w_base, w[4])) % header
    base_owner = "%.0s" + "-".ljust(w_base)          # the base id unused
    base_view = "#%%-%dd" % (w_base - 1)
    if len(cells) * 4 <= len(kinds):
        text = lambda cell: cell.replace("%", "%%")   # a cell written into a format
        formats = {k: "  ".join((
            "%%%ds" % w_id, text(row[0].ljust(w[0])), text(row[1].ljust(w[1])),
            text(row[2].ljust(w[2])), text(row[3].rjust(w[3])),
            base_owner if row[0] in ("owner", "copy") else base_view,
            text(row[4].ljust(w[4])), text(row[5])))
            for k, row in cells.items()}
        lines = map(mod, map(formats.__getitem__, kinds), zip(id_text, base_ids))
    else:
        rows = map(cells.__getitem__, kinds)
        fmt = ("%%%ds  %%-%ds  %%-%ds  %%-%ds  %%%ds  %%s  %%-%ds  %%s"
               % (w_id, w[0], w[1], w[2], w[3], w[4]))
        bases = map(mod, map((base_owner, base_view).__getitem__, is_view), base_ids)
        lines = map(mod, repeat(fmt), ((i, r[0], r[1], r[2], r[3], b, r[4], r[5])
                                       for i, r, b in zip(id_text, rows, bases)))
    if any(not text or text[-1].isspace() for text in places.values()):
        lines = map(str.rstrip, lines)  # as _table does
    return chain((head.rstrip(),), lines)


def _footer(reg, table):
    per_kind = Counter(table.column("kind"))   # C-level count, then O(kinds)
    fields = table.kinds()
    counts = Counter()
    for k, n in per_kind.items():
        counts[fields[k]["category"]] += n
    owner_bytes = sum(compress(table.column("buffer_bytes"), map(not_, table.column("is_view"))))
    if min(table.column("buffer_bytes"), default=0) < 0:   # garbage: counted as 0
        owner_bytes = sum(compress(map(max, table.column("buffer_bytes"), repeat(0)),
                                   map(not_, table.column("is_view"))))
    text = "%d arrays: %d owners, %d copies, %d views, %d orphans; %d bytes in their owners' buffers\n" % (
        len(table), counts["owner"], counts["copy"], counts["view"], counts["orphan"], owner_bytes)
    return text + _registry_problems(reg)


MAX_PROBLEM_LINES = 10


def _registry_problems(reg):
    lines = ["registry: %s\n" % p for p in reg.problems[:MAX_PROBLEM_LINES]]
    lines += ["registry slot %d: %s\n" % (slot, text)
              for slot, _addr, text in reg.bad[:MAX_PROBLEM_LINES]]
    hidden = max(len(reg.problems) - MAX_PROBLEM_LINES, 0) + max(len(reg.bad) - MAX_PROBLEM_LINES, 0)
    if hidden:
        lines.append("registry: %d more problems not shown\n" % hidden)
    return "".join(lines)


class ArrPrefix(gdb.Command):
    """Inspect libarr arrays: shapes, strides, and who shares memory with whom.

Subcommands: arr list, arr info, arr views, arr shares, arr leaks, arr mem,
arr dump, arr vgdb; in a Python process arr py-bt, arr py-up, arr py-down,
arr py-frame.
An array argument is any expression giving an arr_t * (or an arr_t), or #ID
for the live array with that id in libarr's registry.
Settings: set arr max-read, set arr max-dump, set arr read-orphans,
set arr max-work, set arr print-python.
Functions: $arr_get(a, i, ...), $arr_shares(a, b), $arr_size(a), $arr_id(a);
for NumPy: $ndarray(ADDRESS) or $ndarray("NAME") (print an ndarray)."""

    def __init__(self):
        gdb.Command.__init__(self, "arr", gdb.COMMAND_DATA, gdb.COMPLETE_NONE, True)


class ArrList(gdb.Command):
    """List live arrays from libarr's registry.
Usage: arr list [owners|views|leaks]
Columns: id, kind (owner, copy, view, orphan), dtype, shape, bytes of its
elements, base id of a view, label, where it was made (the libarr call's
caller).  `owners` lists owners and copies, `views` views and orphans,
`leaks` everything grouped as `arr leaks` counts it."""

    def __init__(self):
        gdb.Command.__init__(self, "arr list", gdb.COMMAND_DATA)

    def complete(self, text, word):
        return [w for w in ("owners", "views", "leaks") if w.startswith(word or "")]

    def invoke(self, arg, from_tty):
        with gc_paused():
            _guard("arr list", self._run, arg.strip())

    def _run(self, what):
        if what not in ("", "owners", "views", "leaks"):
            raise gdb.GdbError("usage: arr list [owners|views|leaks]")
        if _numpy_first("list", what):
            return
        if not what and foreign.arrcheck_records("list"):
            return
        reg = _registry("arr list")
        table = reg.table
        if what in ("owners", "views"):
            want = what == "views"
            table = table.subset([k for k, view in enumerate(table.column("is_view")) if view == want])
        elif what == "leaks":
            rank = {kind: k for k, kind in enumerate(LEAK_ORDER)}
            categories = table.column("category")
            table = table.subset(sorted(range(len(table)), key=lambda k: rank[categories[k]]))
        if len(table):
            _write_lines(_list_lines(table))
        else:
            gdb.write("no live arrays\n" if not what else "no live arrays of that kind\n")
        gdb.write(_footer(reg, table))


def _source_chain(desc, registries):
    parts = ["#%d (%s)" % (desc.id, desc.op_name)]
    seen = {desc.id}
    ident = desc.source_id
    reg = registries.optional() if ident else None
    while ident and len(parts) < MAX_SOURCE_CHAIN:
        if ident in seen:
            parts.append("#%d (cycle!)" % ident)
            break
        seen.add(ident)
        src = reg.by_id(ident) if reg is not None else None
        if src is None:
            parts.append("#%d (freed)" % ident)
            break
        parts.append("#%d (%s)" % (src.id, src.op_name))
        ident = src.source_id
    return " <- ".join(parts)


def walk_views(owner):
    """The owner's live views from its views_head list: (views, problem)."""
    views = []
    seen = set()
    ptr = owner.views_head
    limit = min(max(owner.nviews, 0), 10000000) + 1
    while ptr:
        if ptr in seen:
            return views, "views list has a cycle at 0x%x" % ptr
        if len(views) >= limit:
            return views, "views list is longer than nviews %d" % owner.nviews
        seen.add(ptr)
        try:
            view = ArrDesc.read(ptr)
        except (ReadError, Invalid) as exc:
            return views, "views list entry 0x%x: %s" % (ptr, exc)
        if not view.is_view or view.base_id != owner.id:
            return views, "views list entry #%d is not a view of #%d" % (view.id, owner.id)
        views.append(view)
        ptr = view.view_next
    if len(views) != owner.nviews:
        return views, "nviews says %d, the list has %d" % (owner.nviews, len(views))
    return views, None


def _optional_registry():
    try:
        return Registry()
    except (Invalid, ReadError):
        return None


class ArrInfo(gdb.Command):
    """Everything about one array.
Usage: arr info EXPR      (EXPR: an arr_t *, an arr_t, or #ID)
Shows its summary, address, how and where it was made, dtype, size, flags,
data pointer and extent in its owner's buffer, its base, the chain of arrays
it was made from, and the live views of its owner (the first 20 and this
one; arr views lists them all).
In a Python process EXPR may also be a NumPy array: a PyArrayObject *, an
address such as id(x), or a Python variable of the selected Python frame
(its locals, then its module's globals; see arr py-bt)."""

    def __init__(self):
        gdb.Command.__init__(self, "arr info", gdb.COMMAND_DATA, gdb.COMPLETE_EXPRESSION)

    def invoke(self, arg, from_tty):
        _guard("arr info", self._run, arg)

    def _run(self, arg):
        if not arg.strip():
            raise gdb.GdbError("usage: arr info EXPR")
        with evaluated_once() as evaluate:
            if foreign.info(arg) or numpy_support.info(arg):  # another library's array, NumPy's
                return
            registries = Registries()
            d = resolve(arg, evaluate, registries.get)
        out = [d.summary()]
        out.append("  address:    0x%x" % d.address)
        out.append("  made by:    %s%s, at %s" % (
            d.op_name, " of #%d" % d.source_id if d.source_id else "", where(d.made_at)))
        out.append("  dtype:      %s, itemsize %d" % (d.dtype_name, d.itemsize))
        out.append("  size:       %d elements, %d bytes" % (d.size, d.nbytes))
        out.append("  shape:      %s  strides %s" % (fmt_tuple(d.shape), fmt_tuple(d.strides)))
        out.append("  flags:      %s" % (" ".join(n for bit, n in layout.FLAG_NAMES if d.flags & bit) or "none"))
        lo, hi = d.extent()
        if d.is_view:
            out.append("  data:       0x%x = data of #%d + %d" % (d.data, d.base_id, d.offset))
            out.append("  extent:     bytes [%d, %d) of #%d's data" % (d.offset + lo, d.offset + hi, d.base_id))
        else:
            out.append("  data:       0x%x  buffer 0x%x, %d bytes" % (d.data, d.buffer, d.buffer_bytes))
            out.append("  extent:     bytes [%d, %d) of its own data" % (lo, hi))
        if d.label:
            out.append('  label:      "%s"' % d.label)
        owner = None
        if d.is_view and d.orphaned:
            out.append("  base:       none: #%d was freed while this view lived (orphaned);"
                       " its elements are not read" % d.base_id)
            freed_at = read_free_log().get(d.base_id)
            if freed_at:
                out.append("  freed:      #%d by arr_free, at %s" % (d.base_id, where(freed_at)))
        elif d.is_view:
            try:
                owner = ArrDesc.read(d.base)
                if owner.id != d.base_id or owner.is_view:
                    out.append("  base:       0x%x is #%d, expected owner #%d" % (d.base, owner.id, d.base_id))
                    owner = None
                else:
                    out.append("  base:       %s at 0x%x" % (owner.summary(), owner.address))
            except (ReadError, Invalid) as exc:
                out.append("  base:       0x%x: %s" % (d.base, exc))
        else:
            owner = d
            out.append("  base:       none (owns its data)" if d.flags & layout.FLAG_OWNDATA
                       else "  base:       none (wraps memory it does not own)")
        out.append("  made from:  %s" % _source_chain(d, registries))
        if owner is not None:
            views, problem = walk_views(owner)
            out.append("  views of #%d: %d live%s" % (owner.id, len(views), ":" if views else ""))
            # The first INFO_VIEWS_SHOWN and this one: `arr views` lists
            # them all (an owner may have 100,000s).
            shown = [k for k, v in enumerate(views) if k < INFO_VIEWS_SHOWN or v.id == d.id]
            for k in shown:
                v = views[k]
                marker = "  <- this one" if v.id == d.id else ""
                if k >= INFO_VIEWS_SHOWN:
                    out.append("    ...")
                out.append("    #%d %s %s strides %s%s" % (v.id, v.op_name, fmt_tuple(v.shape),
                                                       fmt_tuple(v.strides), marker))
            if len(views) > len(shown):
                out.append("    (%d more: arr views #%d lists them all)" % (len(views) - len(shown), owner.id))
            if problem:
                out.append("    (%s)" % problem)
        gdb.write("\n".join(out) + "\n")


class ArrViews(gdb.Command):
    """The sharing tree of an owner: its live views and their extents.
Usage: arr views EXPR     (an owner, or a view: then its owner is shown)
Views are nested under the array they were made from; extents are byte
ranges relative to the owner's data.  For an orphaned view, lists the
registry's views of the same freed owner.
In a Python process EXPR may also be a NumPy array: a PyArrayObject *, an
address such as id(x), or a Python variable of the selected Python frame
(its locals, then its module's globals; see arr py-bt)."""

    def __init__(self):
        gdb.Command.__init__(self, "arr views", gdb.COMMAND_DATA, gdb.COMPLETE_EXPRESSION)

    def invoke(self, arg, from_tty):
        _guard("arr views", self._run, arg)

    def _run(self, arg):
        if not arg.strip():
            raise gdb.GdbError("usage: arr views EXPR")
        with evaluated_once() as evaluate:
            if foreign.views(arg) or numpy_support.views(arg):  # another library's, NumPy's
                return
            registries = Registries()
            d = resolve(arg, evaluate, registries.get)
        problem = None
        if d.is_view and d.orphaned:
            head = "#%d (freed; these views are orphaned)" % d.base_id
            views = _views_of_freed(_registry("arr views", registries), d.base_id)
            root_id = d.base_id
        else:
            owner = d
            if d.is_view:
                owner = ArrDesc.read(d.base)
                if owner.id != d.base_id:
                    raise gdb.GdbError("arr views: base 0x%x of #%d is #%d, not #%d"
                                       % (d.base, d.id, owner.id, d.base_id))
            views, problem = walk_views(owner)
            lo, hi = owner.extent()
            head = "%s\n  buffer 0x%x, %d bytes; elements span [%d, %d)" % (
                owner.summary(), owner.buffer, owner.buffer_bytes, lo, hi)
            root_id = owner.id
        out = [head]
        children = {}
        ids = {v.id for v in views}
        for v in views:
            parent = v.source_id if v.source_id in ids else root_id
            children.setdefault(parent, []).append(v)

        # Depth-first with an explicit stack: a chain of 1,000s of views
        # (each made from the previous) nests that deep.
        stack = [(root_id, 0)]
        pending = {root_id: list(reversed(children.get(root_id, [])))}
        while stack:
            parent, depth = stack[-1]
            todo = pending.get(parent)
            if not todo:
                stack.pop()
                continue
            v = todo.pop()
            lo, hi = v.extent()
            level = depth + 1
            indent = "  " * min(level, MAX_INDENT) + ("(depth %d) " % level if level > MAX_INDENT else "")
            out.append("%s#%d %s %s %s strides %s bytes [%d, %d)%s%s%s" % (
                indent, v.id, v.op_name, v.dtype_name, fmt_tuple(v.shape),
                fmt_tuple(v.strides), v.offset + lo, v.offset + hi,
                ' "%s"' % v.label if v.label else "",
                "" if not v.source_id or v.source_id in ids or v.source_id == root_id
                else " (made from freed #%d)" % v.source_id,
                "  <- this one" if v.id == d.id else ""))
            if v.id in children and v.id not in pending:  # each id opened once (no cycle)
                pending[v.id] = list(reversed(children[v.id]))
                stack.append((v.id, depth + 1))
        if not views:
            out.append("  no live views")
        if problem:
            out.append("  (%s)" % problem)
        gdb.write("\n".join(out) + "\n")


def _views_of_freed(reg, base_id):
    """The registry's views of the freed owner base_id: a pass over two
    columns, then a descriptor read per match (O(live arrays + matches));
    a view that changed since the walk is left out."""
    table = reg.table
    rows = [k for k, (view, base) in enumerate(zip(table.column("is_view"), table.column("base_id")))
            if view and base == base_id]
    views = []
    for k in rows:
        try:
            views.append(table.desc(k))
        except (Invalid, ReadError):
            continue
    return views


def _owner_data(d):
    """Address of the data of d's owner (d's own for an owner)."""
    return d.data - d.offset if d.is_view else d.data


def _relative(a, b, lo, hi):
    """' (bytes [x, y) of #N's data)' when both arrays have the same owner."""
    if a.base_id != b.base_id:
        return ""
    start = _owner_data(a)
    return " (bytes [%d, %d) of #%d's data)" % (lo - start, hi - start, a.base_id)


def shares_report(a, b, max_work, exprs=("a", "b")):
    """Lines answering may-share and shares for two descriptors; exprs:
    what the user called them (names the witness elements)."""
    return overlap.report("#%d and #%d" % (a.id, b.id), a.operand(), b.operand(), max_work,
                          exprs, lambda lo, hi: _relative(a, b, lo, hi))


class ArrShares(gdb.Command):
    """Do two arrays share memory?
Usage: arr shares EXPR EXPR
Prints NumPy's two answers, computed in the plugin from data, shapes and
strides (no call into the program): may_share_memory (do the memory bounds
overlap; with the overlapping byte range) and shares_memory (is there a
byte both use: exact, by the bounded Diophantine search NumPy uses; with
one element of each that share bytes).  `set arr max-work` bounds the search.
Quote an expression that contains spaces.
In a Python process EXPR may also be a NumPy array: a PyArrayObject *, an
address such as id(x), or a Python variable of the selected Python frame
(its locals, then its module's globals; see arr py-bt)."""

    def __init__(self):
        gdb.Command.__init__(self, "arr shares", gdb.COMMAND_DATA, gdb.COMPLETE_EXPRESSION)

    def invoke(self, arg, from_tty):
        _guard("arr shares", self._run, arg)

    def _run(self, arg):
        with evaluated_once() as evaluate:
            registries = Registries()

            def resolve_once(text):
                return resolve(text, evaluate, registries.get)
            if foreign.shares(arg, resolve_once, Settings.max_work) or \
                    numpy_support.shares(arg, resolve_once):
                return
            first, second = _args(arg, "arr shares", 2, "arr shares EXPR EXPR")
            a, b = resolve_once(first), resolve_once(second)
        gdb.write("\n".join(shares_report(a, b, Settings.max_work, (first, second))) + "\n")


class ArrLeaks(gdb.Command):
    """What would be reported as leaks if the program ended here.
Usage: arr leaks
One line per creation site and kind, the most bytes first (as arrcheck's
loss records), with the ids of the arrays made there.  Reads libarr's
registry: copies never freed (owners made by copy, astype,
ascontiguous/asfortran/reshape copies), arrays never freed (other owners),
views never freed, and orphaned views (views whose owner was freed first),
the same categories as libarr's ARR_CHECK=1 report.  Under Valgrind,
`monitor arr leaks` asks the arrcheck tool instead, which tracks the
buffers themselves; at exit the tool's report is the authoritative one."""

    def __init__(self):
        gdb.Command.__init__(self, "arr leaks", gdb.COMMAND_DATA, gdb.COMPLETE_NONE)

    def invoke(self, arg, from_tty):
        with gc_paused():
            _guard("arr leaks", self._run, arg)

    def _run(self, arg):
        if arg.strip():
            raise gdb.GdbError("usage: arr leaks")
        if _numpy_first("leaks", arg):
            return
        if foreign.arrcheck_records("leaks"):
            return
        reg = _registry("arr leaks")
        table = reg.table
        ids, categories = table.column("id"), table.column("category")
        made_at, buffer_bytes = table.column("made_at"), table.column("buffer_bytes")
        # One line per creation site and kind (arrcheck's loss records),
        # the most bytes first, then the most arrays: O(n log n).
        sites = defaultdict(list)
        for k, key in enumerate(zip(categories, made_at)):
            sites[key].append(k)
        rank = {kind: k for k, kind in enumerate(LEAK_ORDER)}
        records = []
        buffer_total = 0
        for (kind, site), rows in sites.items():
            rows.sort(key=ids.__getitem__)
            nbytes = 0 if kind in ("view", "orphan") else \
                sum(map(max, map(buffer_bytes.__getitem__, rows), repeat(0)))
            buffer_total += nbytes
            records.append((-nbytes, -len(rows), rank[kind], ids[rows[0]], kind, site, rows, nbytes))
        records.sort(key=lambda r: r[:4])
        out = []
        for _b, _n, _r, _i, kind, site, rows, nbytes in records:
            d = table.desc(rows[0])
            extra = " of freed #%d" % d.base_id if kind == "orphan" else (
                " of #%d" % d.base_id if kind == "view" else "")
            first = "#%d%s %s %s%s" % (d.id, extra, d.dtype_name, fmt_tuple(d.shape),
                                       ' "%s"' % d.label if d.label else "")
            if len(rows) == 1:
                out.append("%s: %s, %d bytes, made at %s" % (LEAK_WORDS[kind], first, nbytes, where(site)))
                continue
            shown = ", ".join("#%d" % ids[k] for k in rows[:LEAK_IDS_SHOWN])
            if len(rows) > LEAK_IDS_SHOWN:
                shown += " and %d more" % (len(rows) - LEAK_IDS_SHOWN)
            out.append("%s: %d arrays, %d bytes, made at %s: e.g. %s (ids %s)" % (
                LEAK_GROUP_WORDS[kind], len(rows), nbytes, where(site), first, shown))
        out.append(layout.LEAK_SUMMARY_FORMAT % (
            len(table), categories.count("copy"), categories.count("owner"), buffer_total,
            categories.count("view"), categories.count("orphan")))
        _write_lines(out)
        gdb.write(_registry_problems(reg))


MEM_DEFAULT_TOP = 10
MEM_READS_MAX = 256  # arr mem N: up to this many rows, one read each; more, one full walk


def _bytes_text(n, whole=None):
    """'282 bytes', '8400000 bytes (8.0 MiB)' from 1 KiB up, and with
    whole, the share of it: '102 bytes (36.2%)'."""
    notes = []
    if n >= 1024:
        size, unit = float(n), "B"
        for unit in ("KiB", "MiB", "GiB", "TiB", "PiB", "EiB"):
            size /= 1024.0
            if size < 1024:
                break
        notes.append("%.1f %s" % (size, unit))
    if whole:
        notes.append("%.1f%%" % (100.0 * n / whole))
    return "%d bytes" % n + (" (%s)" % ", ".join(notes) if notes else "")


class ArrMem(gdb.Command):
    """Array memory now: live and peak bytes, copies vs originals, largest arrays.
Usage: arr mem [N|all]     (N: how many of the largest arrays to list, 10 by default)
The totals are libarr's own counters (arr_registry.stats): bytes in the
buffers of live owners now, split into copies (owners made by copy, astype,
ascontiguous/asfortran/reshape copies) and originals (every other owner),
and the peak of that total since the program started.  Views hold no
memory of their own and are only counted.  Then the N live owners with the
largest buffers, largest first: id, bytes, copy or original, the op that
made it (and its source), label, and where it was made (the libarr call's
caller).  Reads memory only; a registry that does not add up to the
counters is reported below the totals."""

    def __init__(self):
        gdb.Command.__init__(self, "arr mem", gdb.COMMAND_DATA, gdb.COMPLETE_NONE)

    def complete(self, text, word):
        return [w for w in ("all",) if w.startswith(word or "")]

    def invoke(self, arg, from_tty):
        with gc_paused():
            _guard("arr mem", self._run, arg)

    def _run(self, arg):
        argv = gdb.string_to_argv(arg)
        if not argv:
            top = MEM_DEFAULT_TOP
        elif len(argv) == 1 and argv[0] == "all":
            top = None
        elif len(argv) == 1 and argv[0].isascii() and argv[0].isdigit():
            top = int(argv[0])
        else:
            raise gdb.GdbError("usage: arr mem [N|all]  (N: a count, 0 or more)")
        if _numpy_first("mem", arg):
            return
        try:
            stats, problems = read_stats()
        except (Invalid, ReadError) as exc:
            raise gdb.GdbError("arr mem: cannot read libarr's registry: %s" % exc)
        out = self._totals(stats)
        out += ["stats: %s" % p for p in problems]
        try:
            reg = Registry()
        except (Invalid, ReadError) as exc:
            out.append("largest live arrays: cannot read libarr's registry: %s" % exc)
            _write_lines(out)
            return
        table = reg.table
        owners = [k for k, view in enumerate(table.column("is_view")) if not view]
        out += self._cross_check(stats, table, owners, problems)
        out += self._largest(reg, owners, top)
        _write_lines(out)
        gdb.write(_registry_problems(reg))

    @staticmethod
    def _totals(st):
        live, copies = st["live_bytes"], st["live_copy_bytes"]
        originals = live - copies
        return [
            "array memory now: %s in the buffers of %d live owners" % (_bytes_text(live), st["live_owners"]),
            "  copies:    %s" % _bytes_text(copies, live),
            "  originals: %s" % _bytes_text(originals, live),
            "  peak:      %s, the most live owners' buffers held so far" % _bytes_text(st["peak_bytes"]),
            "  views:     %d live (%d orphaned), no memory of their own" % (st["live_views"], st["live_orphans"]),
        ]

    @staticmethod
    def _cross_check(st, table, owners, problems):
        """A note when the registry's live owners (rows of the walk's
        table) do not add up to the counters (a corrupt registry, or a
        stop inside libarr between the two updates).  Column passes: O(n)."""
        if problems:
            return []
        sizes = list(map(max, map(table.column("buffer_bytes").__getitem__, owners), repeat(0)))
        categories = map(table.column("category").__getitem__, owners)
        total = sum(sizes)
        copies = sum(compress(sizes, map("copy".__eq__, categories)))
        if (total, copies, len(owners)) == (st["live_bytes"], st["live_copy_bytes"], st["live_owners"]):
            return []
        return ["note: the registry lists %d live owners with %d bytes (%d in copies); "
                "the counters say %d owners, %d bytes (%d in copies)"
                % (len(owners), total, copies, st["live_owners"], st["live_bytes"], st["live_copy_bytes"])]

    @staticmethod
    def _largest(reg, owners, top):
        """The top owners (rows of the walk's table), largest buffer
        first, ties by id: ranked on two columns (O(n log top), or
        O(n log n) for all), then every field of the rows shown: a read
        per row for a few, the registry's one full walk for many."""
        if not owners:
            return ["no live owners"]
        table = reg.table
        sizes, ids = table.column("buffer_bytes"), table.column("id")
        keys = zip(map(neg, map(max, map(sizes.__getitem__, owners), repeat(0))),
                   map(ids.__getitem__, owners), owners)
        ranked = sorted(keys) if top is None else heapq.nsmallest(top, keys)
        shown = []
        entries = reg.entries if len(ranked) > MEM_READS_MAX else None
        if entries is not None and len(entries) == len(table):
            shown = [entries[k] for _size, _id, k in ranked]
        else:
            for _size, _id, k in ranked:
                try:
                    shown.append(table.desc(k))
                except (Invalid, ReadError):
                    continue  # changed since the walk
        head = "largest live arrays (%d of %d owners):" % (len(shown), len(owners))
        if not shown:
            return [head]
        columns = [
            ["id"] + ["#%d" % d.id for d in shown],
            ["bytes"] + [str(max(d.buffer_bytes, 0)) for d in shown],
            ["kind"] + ["copy" if d.category == "copy" else "original" for d in shown],
            ["made by"] + [d.op_name + (" of #%d" % d.source_id if d.source_id else "") for d in shown],
            ["dtype"] + ["%s %s" % (d.dtype_name, fmt_tuple(d.shape)) for d in shown],
            ["label"] + ['"%s"' % d.label if d.label else "" for d in shown],
            ["made at"] + [where(d.made_at) for d in shown],
        ]
        return [head] + ["  " + line for line in _table(columns, right_aligned=(0, 1))]


DUMP_CHUNK_BYTES = 1 << 20  # arr dump gathers and writes this much at a time


def read_c_order(d, name=None):
    """The elements of d in C order, as an iterable of bytes chunks of at
    most DUMP_CHUNK_BYTES (or one element): one read of its extent, then
    gathered a chunk at a time, so gdb holds the extent and one chunk, not
    the whole file (a stride-0 view of 2**32 elements reads 8 bytes and
    writes 32 GiB under `set arr max-dump unlimited`: that was a
    MemoryError).  O(elements).  name: what messages call d (#ID)."""
    name = name or "#%d" % d.id
    if Settings.max_dump is not None and d.nbytes > Settings.max_dump:
        raise gdb.GdbError("%s has %d elements, %d bytes: more than `set arr max-dump` (%d bytes)"
                           % (name, d.size, d.nbytes, Settings.max_dump))
    lo, hi = d.extent()
    if hi - lo > Settings.max_read:
        raise gdb.GdbError("%s spans %d bytes, more than `set arr max-read` (%d)"
                           % (name, hi - lo, Settings.max_read))
    buf = read(d.data + lo, hi - lo, cache=False) if hi > lo else b""
    if d.size == 0:
        return ()
    # The leading axes walked here, each step one gather of the block of
    # the trailing axes (at most DUMP_CHUNK_BYTES).
    lead, block = 0, d.nbytes
    while lead < d.ndim and block > DUMP_CHUNK_BYTES:
        block //= d.shape[lead]
        lead += 1
    shape, strides, itemsize = d.shape, d.strides, d.itemsize
    return (npy.gather_c_order(buf, -lo + sum(map(mul, index, strides)), shape[lead:], strides[lead:],
                               itemsize)
            for index in product(*map(range, shape[:lead])))


def write_replacing(path, chunks):
    """Writes chunks to path through a temporary file in the same directory,
    renamed over path only once everything is written and flushed: a failed
    write (full disk, file size limit) leaves the old file as it was.
    Refuses a path that exists and is not a regular file (a device stays a
    device), or that this process may not write (as numpy.save would).
    Raises OSError; the temporary file never stays behind."""
    real = os.path.realpath(path)
    try:
        old = os.stat(real)
    except FileNotFoundError:
        old = None
    if old is not None and not stat.S_ISREG(old.st_mode):
        raise OSError(errno.EINVAL, "not a regular file")
    if old is not None and not os.access(real, os.W_OK):
        # The rename would replace a file its owner made read-only, which
        # numpy.save (it opens the file for writing) refuses.
        raise OSError(errno.EACCES, "Permission denied")
    directory, name = os.path.split(real)
    fd, temp = tempfile.mkstemp(prefix=".%s." % name, suffix=".tmp", dir=directory or ".")
    try:
        with os.fdopen(fd, "wb") as f:
            for chunk in chunks:
                f.write(chunk)
            f.flush()
            os.fsync(f.fileno())
        if old is not None:
            mode = stat.S_IMODE(old.st_mode)
        else:
            mask = os.umask(0)
            os.umask(mask)
            mode = 0o666 & ~mask
        os.chmod(temp, mode)
        os.replace(temp, real)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise


class ArrDump(gdb.Command):
    """Write an array to a NumPy .npy file.
Usage: arr dump EXPR FILE.npy
Writes format 1.0 with the array's dtype ('<f8', '|b1', '<c16', ...) and
shape, elements in C order whatever the strides; numpy.load reads it back.
EXPR may also be a NumPy array (as for arr info: a Python name, id(x), a
PyObject *) of a numeric, bool, str or bytes dtype.
Reads the array's memory once; refuses orphaned views (their buffer was
freed; `set arr read-orphans on` to insist), arrays spanning more than
`set arr max-read` bytes, and arrays whose elements take more than `set arr
max-dump` bytes in the file (256 MiB by default: a stride-0 view of 2**40
elements reads 8 bytes but would write 8 TiB).  The file is written under a
temporary name and renamed into place: if writing fails (a full disk), an
existing FILE is left as it was.  FILE must be a regular file or new."""

    def __init__(self):
        gdb.Command.__init__(self, "arr dump", gdb.COMMAND_DATA, gdb.COMPLETE_EXPRESSION)

    def invoke(self, arg, from_tty):
        _guard("arr dump", self._run, arg)

    def _run(self, arg):
        expr, path = _args(arg, "arr dump", 2, "arr dump EXPR FILE.npy")
        if not path:
            raise gdb.GdbError("usage: arr dump EXPR FILE.npy")
        with evaluated_once() as evaluate:  # EXPR evaluated once, whoever answers
            parts = numpy_support.dump_parts(expr, read_c_order)  # a NumPy array
            d = resolve(expr, evaluate) if parts is None else None
        if parts is None:
            if not d.readable():
                raise gdb.GdbError("arr dump: #%d is an orphaned view: the buffer of #%d was freed"
                                   % (d.id, d.base_id))
            parts = (npy.header(npy.descr(d.dtype, Target.get().endian), d.shape), read_c_order(d),
                     "#%d %s %s" % (d.id, d.dtype_name, fmt_tuple(d.shape)), d.nbytes)
        head, body, what, nbytes = parts
        path = os.path.expanduser(path)
        try:
            write_replacing(path, chain((head,), body))
        except OSError as exc:
            raise gdb.GdbError("arr dump: %s: %s (nothing written)"
                               % (path, exc.strerror or exc))
        except MemoryError:
            raise gdb.GdbError("arr dump: %s: gdb ran out of memory (nothing written)" % path)
        gdb.write("wrote %s to %s (%d bytes)\n" % (what, path, len(head) + nbytes))


# ---- settings -----------------------------------------------------------


class SetArr(gdb.Command):
    """Settings of the arr commands and printers."""

    def __init__(self):
        gdb.Command.__init__(self, "set arr", gdb.COMMAND_DATA, gdb.COMPLETE_NONE, True)


class ShowArr(gdb.Command):
    """Settings of the arr commands and printers."""

    def __init__(self):
        gdb.Command.__init__(self, "show arr", gdb.COMMAND_DATA, gdb.COMPLETE_NONE, True)


class _Param(gdb.Parameter):
    def __init__(self, name, kind, attr, doc, show):
        self.__doc__ = doc
        self.set_doc = doc
        self.show_doc = doc
        self.attr = attr
        self.show_text = show
        gdb.Parameter.__init__(self, "arr " + name, gdb.COMMAND_DATA, kind)
        self.value = getattr(Settings, attr)

    def get_set_string(self):
        value = self.value
        if self.attr == "max_work" and value is None:
            value = -1
        if self.attr == "max_dump" and (value is None or value < 0):
            value = None  # unlimited
        setattr(Settings, self.attr, value)
        return ""

    def get_show_string(self, svalue):
        return self.show_text % svalue


def _parameters():
    _Param("max-read", gdb.PARAM_ZUINTEGER, "max_read",
           "Most bytes of array elements one command or print reads.",
           "The arr commands read at most %s bytes of elements at once.")
    _Param("read-orphans", gdb.PARAM_BOOLEAN, "read_orphans",
           "Whether to read elements of orphaned views (their buffer was freed).",
           "Reading elements of orphaned views is %s.")
    _Param("max-dump", gdb.PARAM_ZUINTEGER_UNLIMITED, "max_dump",
           "Most bytes of elements `arr dump` writes to one file (default 256 MiB).",
           "arr dump writes at most %s bytes of elements.")
    _Param("max-work", gdb.PARAM_ZUINTEGER_UNLIMITED, "max_work",
           "Most search steps `arr shares` and $arr_shares spend on the exact answer.",
           "The exact shares-memory search stops after %s steps.")
    _Param("print-python", gdb.PARAM_BOOLEAN, "print_python",
           "Whether `print NAME` in a Python process prints the Python variable (see `help print`).",
           "`print NAME` printing the selected Python frame's variable is %s.")


# ---- convenience functions ----------------------------------------------


def _func_desc(name, value):
    try:
        return desc_of_value(value)
    except gdb.GdbError as exc:
        raise gdb.GdbError("$%s: %s" % (name, exc))


INDEX_TYPE_CODES = (gdb.TYPE_CODE_INT, gdb.TYPE_CODE_CHAR, gdb.TYPE_CODE_BOOL, gdb.TYPE_CODE_ENUM)


class ArrGet(gdb.Function):
    """$arr_get(A, I, ...): element A[I, ...] of an arr_t * (integer indices;
negative ones count from the end), read through its strides.  Complex elements give
their real part.  Example: break f if $arr_get(a, 2, -1) > 0.5"""

    def __init__(self):
        gdb.Function.__init__(self, "arr_get")

    def invoke(self, *args):
        if not args:
            raise gdb.GdbError("usage: $arr_get(A, I, ...)")
        return _guard("$arr_get", self._run, args[0], args[1:])

    def _run(self, a, index):
        d = _func_desc("arr_get", a)
        if len(index) != d.ndim:
            raise gdb.GdbError("$arr_get: #%d has %d dimensions, got %d indices"
                               % (d.id, d.ndim, len(index)))
        if not d.readable():
            raise gdb.GdbError("$arr_get: #%d is an orphaned view: the buffer of #%d was freed"
                               % (d.id, d.base_id))
        offset = 0
        for axis, (i, n, s) in enumerate(zip(index, d.shape, d.strides)):
            if i.type.strip_typedefs().code not in INDEX_TYPE_CODES:
                # int() would truncate 1.9 to 1 and 1e300 to 2**63 - 1.
                raise gdb.GdbError("$arr_get: the index for axis %d is of type %s, not an integer (as in NumPy)"
                                   % (axis, i.type))
            i = int(i)
            k = i + n if i < 0 else i
            if not 0 <= k < n:
                raise gdb.GdbError("$arr_get: index %d out of range for axis %d of size %d"
                                   % (i, axis, n))
            offset += k * s
        elements = Elements(d)
        if d.dtype_name.startswith("complex"):
            return elements.number(offset)
        return elements.value(offset)


class ArrSharesFunction(gdb.Function):
    """$arr_shares(A, B): 1 if the arrays share a byte, 0 if not (exact, as
numpy.shares_memory), 2 if the search exceeded `set arr max-work`."""

    def __init__(self):
        gdb.Function.__init__(self, "arr_shares")

    def invoke(self, *args):
        if len(args) != 2:
            raise gdb.GdbError("usage: $arr_shares(A, B)")
        return _guard("$arr_shares", self._run, *args)

    def _run(self, a, b):
        da, db = _func_desc("arr_shares", a), _func_desc("arr_shares", b)
        answer, _ = overlap.shares(da.operand(), db.operand(), Settings.max_work)
        return {overlap.NO: 0, overlap.YES: 1}.get(answer, 2)


class ArrSize(gdb.Function):
    """$arr_size(A): number of elements of an arr_t *."""

    def __init__(self):
        gdb.Function.__init__(self, "arr_size")

    def invoke(self, *args):
        if len(args) != 1:
            raise gdb.GdbError("usage: $arr_size(A)")
        return _guard("$arr_size", lambda: _func_desc("arr_size", args[0]).size)


class ArrId(gdb.Function):
    """$arr_id(A): libarr's id of an arr_t * (the #N the printers show)."""

    def __init__(self):
        gdb.Function.__init__(self, "arr_id")

    def invoke(self, *args):
        if len(args) != 1:
            raise gdb.GdbError("usage: $arr_id(A)")
        return _guard("$arr_id", lambda: _func_desc("arr_id", args[0]).id)


def register():
    ArrPrefix()
    ArrList()
    ArrInfo()
    ArrViews()
    ArrShares()
    ArrLeaks()
    ArrMem()
    ArrDump()
    SetArr()
    ShowArr()
    _parameters()
    ArrGet()
    ArrSharesFunction()
    ArrSize()
    ArrId()

