"""Views pinning bases: which live view keeps a large base alive.

The handler keeps the live ndarray objects (it wraps ndarray's
tp_alloc/tp_free).  An owner whose reference count is exactly the number
of its live views is held by views alone: that is the pinned case,
reported when the views use at most half of its buffer (used = the smaller
of the bytes their elements span, as a union, and the sum of their nbytes).
What holds each such view is named from gc.get_referrers (a global's or
attribute's name, a container).  No weak references are used.  This runs
at report time ("at exit") and, as a pending call, soon after the live
total first passes 1 MiB and then each time it grows by a quarter ("near
the peak": the event numbers say how near).
"""
import gc
import sys

from . import _arrdbg

# seq of a buffer -> (shape, dtype) of the ndarray that owns it, as last seen.
shapes = {}
near_peak = {"scan": None}


def _span(a):
    """(lowest byte offset from a's data pointer, bytes spanned) of a's elements."""
    if a.size == 0:
        return 0, 0
    lo = hi = 0
    for n, s in zip(a.shape, a.strides):
        ext = (n - 1) * s
        if ext < 0:
            lo += ext
        else:
            hi += ext
    return lo, hi - lo + a.itemsize


def _holders(objs):
    """{id(obj): name} of what refers to each of objs: a dict key (a global,
    an attribute) or a container's type.  Costs a pass over every object
    the collector tracks: only used for the few views that pin a base."""
    want = {id(o) for o in objs}
    out = {}
    refs = [r for r in gc.get_referrers(*objs) if r is not objs]
    refs.sort(key=lambda r: not isinstance(r, dict))  # a name before a container
    for r in refs:
        if isinstance(r, dict):
            for k, v in list(r.items()):
                if id(v) in want and id(v) not in out:
                    out[id(v)] = k if isinstance(k, str) else "a dict"
        elif isinstance(r, (list, tuple, set)):
            for v in r:
                if id(v) in want and id(v) not in out:
                    out[id(v)] = type(r).__name__
    return out


def scan(records, name_holders=True):
    """Views pinning bases.  records: the live buffers {ptr: (bytes, seq, site)}.

    The handler keeps the set of live ndarray objects (it wraps ndarray's
    tp_alloc and tp_free), so every live view is seen, wherever it is held
    (a global, a container, a function's local variable).  A view's owner is
    its .base (NumPy collapses chains to the array that owns the memory).
    The owner is held by its views alone when its reference count is exactly
    the number of live views of it plus our own references.  No frame's
    f_locals is read (in 3.11 that stores a snapshot in the frame that keeps
    arrays alive) and no weak reference is made."""
    import numpy as np
    owners = {}  # id(owner) -> [owner, [views]]
    arrays = _arrdbg.live_arrays()
    for a in arrays:
        b = a.base
        if isinstance(b, np.ndarray):
            if b.flags.owndata:
                owners.setdefault(id(b), [b, []])[1].append(a)
        elif b is None and a.flags.owndata:
            rec = records.get(a.__array_interface__["data"][0])
            if rec is not None:
                shapes[rec[1]] = (list(a.shape), str(a.dtype))
    a = b = arrays = None  # our references must not count below
    pins = []
    for key in list(owners):
        e = owners[key]
        ptr = e[0].__array_interface__["data"][0]
        rec = records.get(ptr)
        if rec is None:
            continue
        shapes[rec[1]] = (list(e[0].shape), str(e[0].dtype))
        # References here: e[0] and getrefcount's argument; one per view's base.
        if sys.getrefcount(e[0]) - 2 - len(e[1]) > 0:
            continue
        spans = []
        for v in e[1]:
            lo, n = _span(v)
            start = v.__array_interface__["data"][0] + lo - ptr
            spans.append((start, start + n))
        covered = 0
        end = None
        for s0, s1 in sorted(spans):
            if end is None or s0 >= end:
                covered += s1 - s0
                end = s1
            elif s1 > end:
                covered += s1 - end
                end = s1
        used = min(covered, sum(int(v.nbytes) for v in e[1]))
        if used * 2 > rec[0]:
            continue
        holders = _holders(e[1]) if name_holders else {}
        vlist = [{"bytes": int(v.nbytes), "shape": list(v.shape), "dtype": str(v.dtype),
                  "holder": holders.get(id(v), "?"), "site": _arrdbg.object_site(v)}
                 for v in e[1]]
        pins.append({"base_bytes": rec[0], "base_seq": rec[1], "base_site": rec[2],
                     "base_shape": list(e[0].shape), "base_dtype": str(e[0].dtype),
                     "used_bytes": used, "views": vlist})
    return pins


def records():
    return {p: (b, s, site) for p, b, s, site in _arrdbg.records()}


def peak_scan():
    st = _arrdbg.stats()
    pins = scan(records(), name_holders=False)
    near_peak["scan"] = {"event": st["seq"], "live_bytes": st["live_bytes"],
                         "peak_event": st["peak_seq"], "pins": pins}
