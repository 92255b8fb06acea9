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
import types

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


def _owner_of_dict(d):
    """How a dict that holds a view is named: "" for the script's globals
    (a plain name), "module." for another module's, "Class." for an
    object's attributes, None for a plain dict."""
    main = sys.modules.get("__main__")
    if main is not None and getattr(main, "__dict__", None) is d:
        return ""
    for r in gc.get_referrers(d):
        if getattr(r, "__dict__", None) is d:
            if isinstance(r, types.ModuleType):
                return r.__name__ + "."
            return type(r).__name__ + "."
    for m in list(sys.modules.values()):
        if getattr(m, "__dict__", None) is d:
            return m.__name__ + "."
    return None


def _short(k):
    text = repr(k)
    return text if len(text) <= 40 else text[:37] + "..."


def _from_globals(want, limit=20000):
    """{id: path} of the objects in want reachable from the script's globals
    in at most three steps: `glob`, `cache['block']`, `store.chunk`,
    `keep[0]`.  (A dict or list holding only arrays is not tracked by the
    collector: gc.get_referrers cannot see it, this walk can.)  Breadth
    first, at most limit containers looked into."""
    main = sys.modules.get("__main__")
    out = {}
    if main is None:
        return out
    level = [(k, v) for k, v in list(vars(main).items()) if not k.startswith("__")]
    seen = set()
    for _ in range(3):
        nxt = []
        for path, v in level:
            if id(v) in want:
                out.setdefault(id(v), path)
                continue
            if id(v) in seen or isinstance(v, (str, bytes, int, float, types.ModuleType,
                                               types.FunctionType, type)) or len(seen) > limit:
                continue
            seen.add(id(v))
            if isinstance(v, dict):
                nxt += [(f"{path}[{_short(k)}]", x) for k, x in list(v.items())]
            elif isinstance(v, (list, tuple)):
                nxt += [(f"{path}[{n}]", x) for n, x in enumerate(v)]
            elif hasattr(v, "__dict__") and not isinstance(v, np_ndarray()):
                try:
                    nxt += [(f"{path}.{k}", x) for k, x in list(vars(v).items())]
                except TypeError:
                    pass
        level = nxt
        if len(out) == len(want) or not level:
            break
    return out


def np_ndarray():
    import numpy as np
    return np.ndarray


def _holders(objs):
    """{id(obj): name} of what refers to each of objs, as a reader would
    write it: the path from a global (`c`, `cache['x']`, `store.data`,
    `keep[3]`), else what gc.get_referrers finds: an attribute
    (`Cache.data`), a dict's key (`dict['x']`), a list's or tuple's item
    (`list[3]`), a set.  Costs a pass over every object the collector
    tracks: only used for the few views that pin a base."""
    want = {id(o) for o in objs}
    out = _from_globals(want)
    if len(out) == len(want):
        return out
    refs = [r for r in gc.get_referrers(*objs) if r is not objs]
    refs.sort(key=lambda r: not isinstance(r, dict))  # a name before a container
    for r in refs:
        if isinstance(r, dict):
            prefix = None
            for k, v in list(r.items()):
                if id(v) in want and id(v) not in out:
                    if prefix is None:
                        prefix = _owner_of_dict(r)
                    if prefix is not None and isinstance(k, str):
                        out[id(v)] = prefix + k
                    else:
                        out[id(v)] = f"dict[{_short(k)}]"
        elif isinstance(r, (list, tuple)):
            for n, v in enumerate(r):
                if id(v) in want and id(v) not in out:
                    out[id(v)] = f"{type(r).__name__}[{n}]"
        elif isinstance(getattr(r, "__dict__", None), dict) and not isinstance(r, type):
            for k, v in list(vars(r).items()):  # 3.11 keeps attributes inline
                if id(v) in want and id(v) not in out:
                    out[id(v)] = f"{type(r).__name__}.{k}"
        elif isinstance(r, (set, frozenset)):
            for v in r:
                if id(v) in want and id(v) not in out:
                    out[id(v)] = type(r).__name__
    return out


# Near the peak only views of owners of at least this many bytes are looked
# for (the scan is incremental: _arrdbg.scan); at exit, every view.
NEAR_PEAK_LARGE = _arrdbg.NEAR_PEAK_LARGE


def scan(name_holders=True, min_owner_bytes=None, incremental=False):
    """Views pinning bases: [{base_bytes, base_seq, base_site, base_shape,
    base_dtype, used_bytes, views}].

    The handler keeps the set of live ndarray objects (it wraps ndarray's
    tp_alloc and tp_free), so every live view is seen, wherever it is held
    (a global, a container, a function's local variable).  A view's owner is
    its .base (NumPy collapses chains to the array that owns the memory).
    The owner is held by its views alone when its reference count is exactly
    the number of its live views.  The pass over every live object is the
    handler's (_arrdbg.scan, in C: O(objects)); here only those owners are
    measured.  No frame's f_locals is read (in 3.11 that stores a snapshot
    in the frame that keeps arrays alive) and no weak reference is made.
    The shapes of owners of at least min_owner_bytes (default: a
    thousandth of the live bytes) are kept for the peak's list."""
    if min_owner_bytes is None:
        min_owner_bytes = _arrdbg.stats()["live_bytes"] // 1000
    found, owners = _arrdbg.scan(min_owner_bytes, incremental, NEAR_PEAK_LARGE)
    for a, seq in owners:
        shapes[seq] = (list(a.shape), str(a.dtype))
    owners = a = None
    pins = []
    for base, views, nbytes, seq, site in found:
        ptr = base.__array_interface__["data"][0]
        shapes[seq] = (list(base.shape), str(base.dtype))
        spans = []
        for v in views:
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
        used = min(covered, sum(int(v.nbytes) for v in views))
        if used * 2 > nbytes:
            continue
        holders = _holders(views) if name_holders else {}
        vlist = [{"bytes": int(v.nbytes), "shape": list(v.shape), "dtype": str(v.dtype),
                  "holder": holders.get(id(v), "?"), "site": _arrdbg.object_site(v)}
                 for v in views]
        pins.append({"base_bytes": nbytes, "base_seq": seq, "base_site": site,
                     "base_shape": list(base.shape), "base_dtype": str(base.dtype),
                     "used_bytes": used, "views": vlist})
    return pins


def peak_scan():
    st = _arrdbg.stats()
    pins = scan(name_holders=False, min_owner_bytes=NEAR_PEAK_LARGE, incremental=True)
    near_peak["scan"] = {"event": st["seq"], "live_bytes": st["live_bytes"],
                         "peak_event": st["peak_seq"], "pins": pins}
