"""arrdbg on a Dask worker: the task tags and the explanation of the
worker's unmanaged memory (what arrdbg.dask.report shows for one worker).

Runs inside the worker process (installed by arrdbg.dask.Plugin, the
`--preload arrdbg.dask` hooks or client.run).  Nothing here talks to the
client: explain() returns plain data (str keys, ints, lists) that msgpack
and JSON both carry.

Tags.  Each task runs in distributed.worker.apply_function (ThreadPool
executors, Dask 2022.12) and, under the local threaded/synchronous
schedulers, in dask.local.execute_task; both are looked up by name when a
task starts, so wrapping the module attribute reaches every task.  The
wrapper sets arrdbg's per-thread tag to the task's prefix (key_split:
`random_sample`, `getitem`, `mean_chunk`...) for the allocations the task
makes, and remembers (thread -> key, event number at start) so that the
buffers of a task still running can be told apart.  dask.callbacks'
pretask/posttask run on the scheduling thread, not on the pool thread that
runs the task, so they cannot set a per-thread tag (see tests/dask).

Memory figures are the worker's own: process = worker.monitor's RSS, managed
= worker.state.nbytes (the sum of Dask's sizeof() of the keys it holds),
managed in memory = managed - spilled_total.memory, unmanaged = process -
managed in memory (distributed's MemoryState, worker_memory.py).
"""
import os
import sys
import threading
import time

_state = {"start": None, "patched": set(), "running": {}}
_TOP = 20  # rows kept per table in a report (the others counted in *_more)


def _arrdbg():
    from . import _arrdbg as ext
    return ext


def set_tag(name):
    """Sets the current thread's tag (arrdbg's tag API) and returns the
    previous one; a no-op where the extension has no tags."""
    f = getattr(_arrdbg(), "set_tag", None)
    return f(name) if f is not None else None


def tags_supported():
    return hasattr(_arrdbg(), "set_tag")


def _prefix(key):
    from dask.utils import key_split
    try:
        return key_split(key)
    except Exception:
        return "?"


def _wrap_task_runner(module, attr, key_index):
    """Wraps module.attr (a function that runs one task, whose key is its
    positional argument key_index or its `key` keyword) so that the task
    runs with the handler set in this thread and its prefix as tag."""
    if (module.__name__, attr) in _state["patched"]:
        return
    orig = getattr(module, attr)
    running = _state["running"]
    ext = _arrdbg()

    def run_task(*args, **kwargs):
        key = kwargs["key"] if "key" in kwargs else args[key_index]
        # (every thread's context is counted since the handler wraps NumPy's
        # default one in place: nothing to set in a pool thread)
        ident = threading.get_ident()
        outer = running.get(ident)  # a task that computes a graph inside itself
        running[ident] = (key, ext.stats()["seq"])
        prev = set_tag(_prefix(key))
        try:
            return orig(*args, **kwargs)
        finally:
            set_tag(prev)
            if outer is None:
                running.pop(ident, None)
            else:
                running[ident] = outer
    run_task.__wrapped__ = orig
    run_task.__name__ = getattr(orig, "__name__", attr)
    setattr(module, attr, run_task)
    _state["patched"].add((module.__name__, attr))


def tag_local_tasks():
    """Tasks run by dask's local schedulers (threaded, synchronous) carry
    their prefix as tag."""
    import dask.local
    _wrap_task_runner(dask.local, "execute_task", 0)


def install(worker=None):
    """arrdbg on in this process (idempotent); with a worker, its tasks are
    tagged and its figures at this moment are kept as its start."""
    import arrdbg
    arrdbg.install()
    tag_local_tasks()
    if worker is not None:
        import distributed.worker as dw
        _wrap_task_runner(dw, "apply_function", 4)
        if _state["start"] is None:
            f = memory_figures(worker)
            _state["start"] = {"time": time.time(), "process": f["process"],
                               "unmanaged": f["unmanaged"]}


def memory_figures(worker):
    """Dask's own figures for this worker, in bytes (see the module doc)."""
    process = int(worker.monitor.get_process_memory())
    managed = int(worker.state.nbytes)
    spilled_mem = spilled_disk = 0
    tot = getattr(worker.data, "spilled_total", None)
    if tot is not None:
        spilled_mem, spilled_disk = int(tot.memory), int(tot.disk)
    in_mem = max(0, managed - spilled_mem)
    return {"process": process, "managed": managed, "managed_in_memory": in_mem,
            "spilled_disk": spilled_disk, "unmanaged": max(0, process - in_mem)}


def _stored_items(worker):
    """(key, value) of the keys held in memory, without touching the LRU
    order of a SpillBuffer (its .fast is a zict.LRU over a dict .d)."""
    data = worker.data
    fast = getattr(data, "fast", data)
    d = getattr(fast, "d", fast)
    return list(d.items())


def _arrays_in(value, depth=0):
    """The ndarrays in a stored value: itself, or inside a tuple, list or
    dict (two levels; Dask's array chunks are plain ndarrays)."""
    import numpy as np
    if isinstance(value, np.ndarray):
        yield value
    elif depth < 2 and isinstance(value, (tuple, list)):
        for v in value:
            yield from _arrays_in(v, depth + 1)
    elif depth < 2 and isinstance(value, dict):
        for v in value.values():
            yield from _arrays_in(v, depth + 1)


class _Sites:
    """The handler's site table, read once; each site charged to its line
    as arrdbg's own report does (_report: the user's line), with its tag."""

    def __init__(self):
        from . import _report
        self.rows = _arrdbg().sites()
        self.at = _report._attributor()
        self._got = {}

    def get(self, i):
        from . import _report
        if i is None or not 0 <= i < len(self.rows):
            return {"file": None, "line": None, "op": "?", "kind": "unknown", "tag": None}
        w = self._got.get(i)
        if w is None:
            w = self._got[i] = dict(_report._where(self.rows, i, self.at),
                                    tag=_site_tag(self.rows[i]))
        return w


def _site_tag(s):
    """The tag a site row carries: its 14th field (None: no tag, or no tag API)."""
    tag = s[13] if len(s) > 13 else None
    return tag if isinstance(tag, str) else None


def _short(key):
    return key if isinstance(key, str) else str(key)


def _owner(a):
    """The array that owns a's memory, or None when no ndarray does.  NumPy
    collapses .base to the owner, but not across subclasses (a masked
    array's slice has the masked array as base): follow the chain."""
    import numpy as np
    for _ in range(64):
        if a.flags.owndata:
            return a
        a = a.base
        if not isinstance(a, np.ndarray):
            return None
    return None


def _store_owners(worker, records):
    """{buffer address: entry} of the NumPy buffers Dask's store reaches:
    the owner array, what Dask counts of it (sizeof of each stored array
    on it), whether a key holds the owner itself, and the stored views."""
    from dask.sizeof import sizeof
    ext = _arrdbg()
    tasks = worker.state.tasks
    owners = {}
    for key, value in _stored_items(worker):
        ts = tasks.get(key)
        for a in _arrays_in(value):
            owner = _owner(a)
            if owner is None:
                continue  # memory that is no NumPy buffer (bytes received, mmap)
            ptr = owner.__array_interface__["data"][0]
            rec = records.get(ptr)
            if rec is None:
                continue  # made before arrdbg was installed here
            e = owners.setdefault(ptr, {"owner": owner, "rec": rec, "counted": 0,
                                        "stored_whole": False, "views": []})
            n = int(sizeof(a))
            e["counted"] += n
            if a is owner:
                e["stored_whole"] = True
            else:
                e["views"].append({"key": _short(key), "nbytes": n,
                                   "key_nbytes": int(ts.nbytes) if ts is not None and ts.nbytes else n,
                                   "site": ext.object_site(a)})
    return owners


def _view_counts():
    """{id(owner): number of live views of it} over every live ndarray."""
    import numpy as np
    counts = {}
    for arr in _arrdbg().live_arrays():
        b = arr.base
        if isinstance(b, np.ndarray):
            counts[id(b)] = counts.get(id(b), 0) + 1
    return counts


def _pins(owners, sites):
    """The owners Dask counts only part of, grouped: identical pins (same
    base size and counted bytes, same prefixes and lines) are one row."""
    n_views = _view_counts()
    groups = {}
    for e in owners.values():
        nbytes, _seq, site = e["rec"]
        if e["stored_whole"] or e["counted"] >= nbytes:
            continue
        base = sites.get(site)
        v0 = e["views"][0]
        view = sites.get(v0["site"] if v0["site"] >= 0 else None)
        # References to the owner: the entry, getrefcount's argument, one
        # per live view's .base; any more and something else holds it too.
        elsewhere = sys.getrefcount(e["owner"]) - 2 - n_views.get(id(e["owner"]), 0) > 0
        gk = (nbytes, e["counted"], base["tag"], base["file"], base["line"], base["op"],
              view["tag"], view["file"], view["line"], len(e["views"]), elsewhere)
        g = groups.get(gk)
        if g is None:
            g = groups[gk] = {
                "count": 0, "base_bytes": nbytes, "counted_bytes": e["counted"],
                "unmanaged_bytes": 0, "base_prefix": base["tag"], "base_file": base["file"],
                "base_line": base["line"], "base_op": base["op"],
                "base_shape": list(e["owner"].shape), "base_dtype": str(e["owner"].dtype),
                "view_prefix": view["tag"], "view_file": view["file"], "view_line": view["line"],
                "views_per_base": len(e["views"]), "held_elsewhere": elsewhere,
                "keys": [], "key_nbytes": []}
        g["count"] += 1
        g["unmanaged_bytes"] += nbytes - e["counted"]
        for v in e["views"]:
            if len(g["keys"]) < 5:
                g["keys"].append(v["key"])
                g["key_nbytes"].append(v["key_nbytes"])
    return sorted(groups.values(), key=lambda g: -g["unmanaged_bytes"])


def _unstored(records, stored, sites):
    """The live buffers Dask's store does not reach, grouped by prefix, line
    and op: those of a task still running (made on a thread running a task
    of that prefix, after it started) and the others, nobody's."""
    by_prefix_running = {}
    for key, seq0 in list(_state["running"].values()):
        by_prefix_running.setdefault(_prefix(key), []).append((seq0, _short(key)))
    running, unheld = {}, {}
    for ptr, (nbytes, seq, site) in records.items():
        if ptr in stored:
            continue
        s = sites.get(site)
        keys = [k for seq0, k in by_prefix_running.get(s["tag"], ()) if seq > seq0]
        table = running if keys else unheld
        gk = (s["tag"], s["file"], s["line"], s["op"], keys[0] if keys else None)
        g = table.setdefault(gk, {"prefix": s["tag"], "file": s["file"], "line": s["line"],
                                  "op": s["op"], "key": keys[0] if keys else None,
                                  "count": 0, "bytes": 0})
        g["count"] += 1
        g["bytes"] += nbytes
    return running, unheld


def _table(groups):
    rows = sorted(groups.values(), key=lambda g: -g["bytes"])
    return {"bytes": sum(g["bytes"] for g in rows), "buffers": sum(g["count"] for g in rows),
            "rows": rows[:_TOP], "rows_more": max(0, len(rows) - _TOP)}


def explain(worker, final=False):
    """This worker's memory, and the part of its unmanaged memory arrdbg
    explains: a dict (its shape: arrdbg.dask.report_data's doc)."""
    import arrdbg
    from . import _report
    fig = memory_figures(worker)
    info = {"name": _short(worker.name), "address": worker.address, "pid": os.getpid(),
            "final": bool(final), "time": time.time(), "memory": fig,
            "arrdbg": arrdbg.installed()}
    if not info["arrdbg"]:
        return info
    ext = _arrdbg()
    _report.classify_pending()
    st = ext.stats()
    sites = _Sites()
    records = {p: (b, seq, site) for p, b, seq, site in ext.records()}
    owners = _store_owners(worker, records)
    pins = _pins(owners, sites)
    in_store = sum(min(e["counted"], e["rec"][0]) for e in owners.values())
    running, unheld = _unstored(records, set(owners), sites)
    owners = None
    running, unheld = _table(running), _table(unheld)
    start = _state["start"]
    parts = {"start": start["unmanaged"] if start else 0,
             "pinned": sum(g["unmanaged_bytes"] for g in pins),
             "running": running["bytes"], "unheld": unheld["bytes"]}
    explained = sum(parts.values())
    running["tasks"] = sorted(_short(k) for k, _ in list(_state["running"].values()))
    info.update({
        "tags": tags_supported(),
        "numpy": {"live_bytes": st["live_bytes"], "live": st["live"],
                  "peak_bytes": st["peak_bytes"], "in_store_bytes": in_store},
        "start": start,
        "explained": {"parts": parts, "bytes": explained,
                      "fraction": explained / fig["unmanaged"] if fig["unmanaged"] else 1.0},
        "pins": pins[:_TOP], "pins_more": max(0, len(pins) - _TOP),
        "running": running, "unheld": unheld,
        "by_prefix": by_prefix(sites, records),
    })
    return info


def by_prefix(sites, records):
    """NumPy bytes per task prefix (arrdbg's by-tag summary: allocated,
    arrays, copies) and per prefix and line (its per-line rows), each with
    the bytes still live (the prefix is the tag; None: outside any task)."""
    from . import _report
    lines, _ops, by_tag = _report._lines(sites.rows, sites.at)
    live_line, live_tag, top_op = {}, {}, {}
    for i, row in enumerate(sites.rows):  # each line's op: its site's that made the most bytes
        if row[6]:
            w = sites.get(i)
            k = (w["file"], w["line"], w["tag"])
            if row[6] > top_op.get(k, (0, ""))[0]:
                top_op[k] = (row[6], w["op"])
    for nbytes, _seq, site in records.values():
        w = sites.get(site)
        k = (w["file"], w["line"], w["tag"])
        live_line[k] = live_line.get(k, 0) + nbytes
        live_tag[w["tag"]] = live_tag.get(w["tag"], 0) + nbytes
    prefixes = sorted((dict(t, prefix=name, live_bytes=live_tag.get(name, 0))
                       for name, t in by_tag.items()), key=lambda t: -t["allocated"])
    rows = [{"prefix": e["tag"], "file": e["file"], "line": e["line"],
             "op": top_op.get((e["file"], e["line"], e["tag"]), (0, "?"))[1],
             "allocated": e["allocated"],
             "arrays": e["arrays"], "freed": e["freed"],
             "live_bytes": live_line.get((e["file"], e["line"], e["tag"]), 0)}
            for e in lines if e["allocated"]]
    return {"prefixes": prefixes[:_TOP], "lines": rows[:_TOP],
            "lines_more": max(0, len(rows) - _TOP)}
