"""NumPy buffers from arrdbg's data-memory handler, read from memory.

A python3 running `python3 -m arrdbg run` (or `arrdbg.install()`) keeps a
registry of every live NumPy data buffer in its C extension: the symbol
`arrdbg_numpy_registry`, laid out as python/ext/registry.h describes (the
one description of it).  Only the fixed header is known here (magic,
version, root_size, nfields, then nfields u32 offsets/sizes); every other
offset and size is read from the root itself, so the reader follows the
writer.  Nothing runs in the inferior: works live, on a core, via vgdb.

`arr list`, `arr leaks` and `arr mem` call command() first; it prints the
NumPy section when the registry is there, and says whether libarr's
registry should still be tried.
"""
import struct

import gdb

from .memory import ReadError, read_buffer

MAGIC = 0x504E474244525241  # "ARRDBGNP"
VERSION = 1
HEADER = struct.Struct("<QIII")  # magic, version, root_size, nfields (then a pad word)
LAYOUT_AT = 24
MAX_RECORDS = 1 << 22
MAX_SITES = 1 << 20
MAX_STRING = 4096
# Field indices: enum arrdbg_np_field in registry.h, in order.
FIELDS = ("recs", "rec_cap", "rec_count", "sites", "nsites", "live_bytes", "peak_bytes", "seq",
          "rec_size", "rec_ptr", "rec_bytes", "rec_seq", "rec_site", "rec_flags",
          "site_size", "site_file", "site_func", "site_line", "site_op", "site_kind",
          "op_len", "kind_len")
# Optional fields (an older extension has none): the live ndarray objects.
OBJ_FIELDS = ("objs", "obj_cap", "obj_size", "obj_ptr")
MAX_OBJECTS = 1 << 24


class NoRegistry(Exception):
    pass


def _address():
    try:
        v = gdb.parse_and_eval("&arrdbg_numpy_registry")
        return int(v.cast(gdb.lookup_type("unsigned long")))
    except gdb.error:
        return None


def _u(fmt, buf, off):
    return struct.unpack_from("<" + fmt, buf, off)[0]


def _cstring(addr):
    if not addr:
        return "?"
    out = b""
    while len(out) < MAX_STRING:
        try:
            chunk = bytes(read_buffer(addr + len(out), 64))
        except ReadError:
            # the string may end near the end of a mapping: byte by byte
            try:
                chunk = bytes(read_buffer(addr + len(out), 1))
            except ReadError:
                break
        nul = chunk.find(b"\0")
        if nul >= 0:
            out += chunk[:nul]
            break
        out += chunk
    return out.decode("utf-8", "replace")


class NumpyRegistry:
    """Live NumPy buffers and the sites that made them."""

    def __init__(self, addr):
        head = bytes(read_buffer(addr, LAYOUT_AT))
        magic, version, root_size, nfields = HEADER.unpack_from(head, 0)
        if magic != MAGIC:
            raise NoRegistry("arrdbg_numpy_registry at 0x%x has magic 0x%x" % (addr, magic))
        if version != VERSION:
            raise NoRegistry("arrdbg's NumPy registry is version %d, this reader knows %d"
                             % (version, VERSION))
        if nfields < len(FIELDS) or root_size > 4096 or root_size < LAYOUT_AT + 4 * nfields:
            raise NoRegistry("arrdbg's NumPy registry header is not sane (%d fields, %d bytes)"
                             % (nfields, root_size))
        root = bytes(read_buffer(addr, root_size))
        names = FIELDS + OBJ_FIELDS if nfields >= len(FIELDS + OBJ_FIELDS) else FIELDS
        lay = dict(zip(names, struct.unpack_from("<%dI" % len(names), root, LAYOUT_AT)))
        self.objects_at = None   # (table address, slots, slot size, pointer offset) or None
        if "objs" in lay and all(lay[k] + 8 <= root_size for k in OBJ_FIELDS[:2]) \
                and 8 <= lay["obj_size"] <= 4096 and lay["obj_ptr"] + 8 <= lay["obj_size"]:
            cap = _u("Q", root, lay["obj_cap"])
            if cap <= MAX_OBJECTS and not cap & (cap - 1):
                self.objects_at = (_u("Q", root, lay["objs"]), cap, lay["obj_size"], lay["obj_ptr"])
        for k in FIELDS[:8]:
            if lay[k] + 8 > root_size:
                raise NoRegistry("field %s at %d is outside the %d-byte root" % (k, lay[k], root_size))
        for prefix, size in (("rec_", lay["rec_size"]), ("site_", lay["site_size"])):
            if not 0 < size <= 4096:
                raise NoRegistry("%ssize %d is not sane" % (prefix, size))
            for k in FIELDS[8:]:
                width = 4 if k in ("rec_site", "rec_flags", "site_line") else 8
                if k.startswith(prefix) and k != prefix + "size" and lay[k] + width > size \
                        and not (k in ("site_op", "site_kind")):
                    raise NoRegistry("%s at %d is outside a %d-byte entry" % (k, lay[k], size))
        if lay["site_op"] + lay["op_len"] > lay["site_size"] or \
                lay["site_kind"] + lay["kind_len"] > lay["site_size"]:
            raise NoRegistry("op/kind fields are outside a site entry")
        self.address = addr
        g = {k: _u("Q", root, lay[k]) for k in FIELDS[:8]}
        self.live_bytes, self.peak_bytes, self.seq = g["live_bytes"], g["peak_bytes"], g["seq"]
        self.problems = []
        # sites
        nsites = g["nsites"]
        if nsites > MAX_SITES:
            self.problems.append("nsites %d is absurd; none read" % nsites)
            nsites = 0
        ss = lay["site_size"]
        sbuf = bytes(read_buffer(g["sites"], nsites * ss)) if nsites else b""
        self.sites = []
        for i in range(nsites):
            o = i * ss
            op = sbuf[o + lay["site_op"]:o + lay["site_op"] + lay["op_len"]].split(b"\0")[0]
            kind = sbuf[o + lay["site_kind"]:o + lay["site_kind"] + lay["kind_len"]].split(b"\0")[0]
            self.sites.append({
                "file": _cstring(_u("Q", sbuf, o + lay["site_file"])),
                "func": _cstring(_u("Q", sbuf, o + lay["site_func"])),
                "line": _u("i", sbuf, o + lay["site_line"]),
                "op": op.decode("utf-8", "replace") or "?",
                "kind": kind.decode("utf-8", "replace") or "?"})
        # records: the whole hash table in one read
        cap = g["rec_cap"]
        if cap > MAX_RECORDS or cap & (cap - 1):
            self.problems.append("record table capacity %d is not sane; none read" % cap)
            cap = 0
        rs = lay["rec_size"]
        rbuf = bytes(read_buffer(g["recs"], cap * rs)) if cap else b""
        self.records = []
        for i in range(cap):
            o = i * rs
            ptr = _u("Q", rbuf, o + lay["rec_ptr"])
            if ptr <= 1:
                continue
            site = _u("I", rbuf, o + lay["rec_site"])
            self.records.append({"ptr": ptr, "bytes": _u("Q", rbuf, o + lay["rec_bytes"]),
                                 "event": _u("Q", rbuf, o + lay["rec_seq"]),
                                 "site": self.sites[site] if site < len(self.sites) else None})
        self.records.sort(key=lambda r: r["event"])
        if len(self.records) != g["rec_count"]:
            self.problems.append("the table holds %d records, rec_count says %d"
                                 % (len(self.records), g["rec_count"]))


def live_objects():
    """Addresses of every live ndarray object arrdbg's registry knows (views
    too), or None when the process has no registry or an older one."""
    addr = _address()
    if addr is None:
        return None
    try:
        reg = NumpyRegistry(addr)
    except (NoRegistry, ReadError):
        return None
    if reg.objects_at is None:
        return None
    table, cap, size, at = reg.objects_at
    if not cap or not table:
        return []
    raw = bytes(read_buffer(table, cap * size))
    return [p for p in (_u("Q", raw, k * size + at) for k in range(cap)) if p > 1]


def buffer(event):
    """(record, live ndarray addresses or None) of NumPy buffer #event in
    arrdbg's registry; None when the process has no such registry; the
    record is None when no live buffer has that number."""
    addr = _address()
    if addr is None:
        return None
    try:
        reg = NumpyRegistry(addr)
    except (NoRegistry, ReadError) as exc:
        raise gdb.GdbError("arrdbg's NumPy registry: %s" % exc)
    record = next((r for r in reg.records if r["event"] == event), None)
    return record, (live_objects() if record is not None else None)


def no_libarr_words():
    """What `#ID` and libarr's registry are in this process when it has no
    libarr: words for a Python or NumPy process, or None for any other
    process (then libarr's own message stands)."""
    what = _process_words()
    if what is None:
        return None
    if _address() is not None:
        return ("this is %s with arrdbg's registry and no libarr: #N is the NumPy buffer that `arr list` "
                "numbers #N (its owning ndarray); an array is also named by its Python NAME or 0xADDRESS "
                "(id(x))" % what)
    return ("this is %s with neither libarr (no arr_registry symbol) nor arrdbg's registry, so #N names "
            "nothing here: started as `python3 -m arrdbg run SCRIPT.py [ARGS]` (or after arrdbg.install()), "
            "#N is the NumPy buffer that `arr list` numbers #N; meanwhile name an array by its Python NAME "
            "or 0xADDRESS (id(x))" % what)


def where(site):
    """'FILE:LINE (FUNC)' of a site of the registry."""
    if site is None:
        return "?"
    if site["line"]:
        return "%s:%d (%s)" % (site["file"], site["line"], site["func"])
    return site["file"]


def _out(lines):
    gdb.write("\n".join(lines) + "\n")


def _list(reg):
    rows = [("event", "address", "bytes", "op", "kind", "made at")]
    for r in reg.records:
        s = r["site"] or {"op": "?", "kind": "?"}
        rows.append(("#%d" % r["event"], "0x%x" % r["ptr"], "%d" % r["bytes"], s["op"], s["kind"],
                     where(r["site"])))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = ["NumPy data buffers (arrdbg_numpy_registry at 0x%x):" % reg.address]
    for row in rows:
        lines.append("  " + "  ".join(c.rjust(w) if i == 2 else c.ljust(w)
                                      for i, (c, w) in enumerate(zip(row[:5], widths)))
                     + "  " + row[5])
    lines.append("%d NumPy buffers, %d bytes live; peak %d bytes"
                 % (len(reg.records), reg.live_bytes, reg.peak_bytes))
    return lines


def _leaks(reg):
    groups = {}
    for r in reg.records:
        s = r["site"]
        key = (where(s), s["op"] if s else "?")
        g = groups.setdefault(key, [0, 0])
        g[0] += 1
        g[1] += r["bytes"]
    lines = ["NumPy buffers still live, grouped by the Python line and op that made them:"]
    for (made_at, op), (n, b) in sorted(groups.items(), key=lambda kv: -kv[1][1]):
        lines.append("  %d bytes in %d buffers (%s) made at %s" % (b, n, op, made_at))
    lines.append("NUMPY SUMMARY: %d buffers, %d bytes, from %d lines"
                 % (len(reg.records), reg.live_bytes, len(groups)))
    return lines


def _mem(reg, top):
    lines = ["NumPy data memory (arrdbg): %d bytes live in %d buffers, peak %d bytes, %d events"
             % (reg.live_bytes, len(reg.records), reg.peak_bytes, reg.seq)]
    by_kind = {}
    for r in reg.records:
        k = r["site"]["kind"] if r["site"] else "?"
        by_kind[k] = by_kind.get(k, 0) + r["bytes"]
    if by_kind:
        lines.append("  by kind: " + ", ".join("%s %d" % kv for kv in
                                                sorted(by_kind.items(), key=lambda kv: -kv[1])))
    biggest = sorted(reg.records, key=lambda r: -r["bytes"])
    shown = biggest if top is None else biggest[:top]
    if shown:
        lines.append("  largest:")
    for r in shown:
        s = r["site"] or {"op": "?"}
        lines.append("    #%d %d bytes %s, made at %s" % (r["event"], r["bytes"], s["op"],
                                                         where(r["site"])))
    return lines


WANTS = {"list": "listing every NumPy array", "leaks": "finding NumPy arrays still alive",
         "mem": "showing NumPy's live memory by the line that made it"}


def _process_words():
    """'a NumPy process' / 'a Python process (no NumPy loaded)', or None
    when the process runs no Python."""
    from .pyvars import Runtime   # noqa: E402 (pyvars imports gdb helpers)
    try:
        if not Runtime.get().present:
            return None
    except gdb.error:
        return None
    numpy = any("_multiarray_umath" in (getattr(o, "filename", None) or "") for o in gdb.objfiles())
    return "a NumPy process" if numpy else "a Python process (no NumPy loaded yet)"


def command(name, arg, libarr_present):
    """Print the NumPy part of `arr NAME`.  True when the caller should stop
    (there is no libarr registry to show as well).  libarr_present() is
    asked when arrdbg's registry is there, and when it is not in a Python
    process (then a process without libarr gets a message worded for it)."""
    addr = _address()
    if addr is None:
        what = _process_words()
        if what is not None and not libarr_present():
            raise gdb.GdbError(
                "arr %s: this is %s without arrdbg's registry: NumPy keeps no list of its arrays, so "
                "%s needs arrdbg's registry; start the program as `python3 -m arrdbg run SCRIPT.py "
                "[ARGS]` (or call arrdbg.install() before making arrays) to have one; `arr info "
                "NAME` and `arr info 0xADDRESS` (id(x)) work without it" % (name, what, WANTS.get(name, "this")))
        return False
    try:
        reg = NumpyRegistry(addr)
    except (NoRegistry, ReadError) as exc:
        gdb.write("arr %s: arrdbg's NumPy registry: %s\n" % (name, exc))
        return not libarr_present()
    if name == "list":
        lines = _list(reg)
    elif name == "leaks":
        lines = _leaks(reg)
    else:
        argv = gdb.string_to_argv(arg)
        top = 10
        if argv and argv[0] == "all":
            top = None
        elif argv and argv[0].isdigit():
            top = int(argv[0])
        lines = _mem(reg, top)
    _out(lines + ["registry: %s" % p for p in reg.problems])
    return not libarr_present()
