"""Live NumPy bytes over time, for the HTML report's plot.

A daemon thread reads the handler's totals (one C call) every INTERVAL
seconds and keeps a point (seconds since start, event, live bytes) when
something happened since the last one.  Past MAX_POINTS, every other point
is dropped and the interval doubles, so a long run costs a bounded list and
a wake-up per interval.  Sampling misses what rises and falls between two
reads, so attach() also puts each peak the handler recorded (the run's, and
every phase's) in the list at its own event: the plotted maximum is the
report's peak, exactly.
"""
import threading
import time

INTERVAL = 0.005
MAX_POINTS = 4000

_lock = threading.Lock()
_state = {"thread": None, "t0": None, "points": [], "interval": INTERVAL, "stop": None}


def running():
    return _state["thread"] is not None


def _sample(stats):
    st = stats()
    t = time.monotonic() - _state["t0"]
    with _lock:
        pts = _state["points"]
        if not pts or pts[-1][1] != st["seq"]:
            pts.append([round(t, 6), st["seq"], st["live_bytes"]])
        if len(pts) > MAX_POINTS:
            del pts[1:-1:2]
            _state["interval"] *= 2


def start():
    """Start sampling (arrdbg must be installed); once per process."""
    if running():
        return
    from . import _arrdbg
    stop = threading.Event()
    _state.update(t0=time.monotonic(), points=[], interval=INTERVAL, stop=stop)

    def loop():
        while not stop.wait(_state["interval"]):
            try:
                _sample(_arrdbg.stats)
            except Exception:  # interpreter shutting down
                return
    th = threading.Thread(target=loop, name="arrdbg-timeline", daemon=True)
    _state["thread"] = th
    _sample(_arrdbg.stats)
    th.start()


def stop():
    th = _state["thread"]
    if th is None:
        return
    _state["stop"].set()
    th.join(1.0)
    _state["thread"] = None


def _insert(pts, event, live):
    """Put (event, live) among pts (sorted by event), its time interpolated."""
    i = 0
    while i < len(pts) and pts[i][1] < event:
        i += 1
    if i < len(pts) and pts[i][1] == event:
        pts[i][2] = max(pts[i][2], live)
        return
    if 0 < i < len(pts):
        (t0, e0, _), (t1, e1, _) = pts[i - 1], pts[i]
        t = t0 + (t1 - t0) * (event - e0) / (e1 - e0)
    else:
        t = pts[i - 1][0] if i else 0.0
    pts.insert(i, [round(t, 6), event, live])


def attach(data):
    """Add data["timeline"] (when sampling) with the report's peaks in it;
    a measured block's (data["window"]) has the points of its own events,
    its time counted from its start."""
    if not running():
        return data
    from . import _arrdbg
    _sample(_arrdbg.stats)
    with _lock:
        pts = [list(p) for p in _state["points"]]
    w = data.get("window")
    if w is not None:
        pts = [p for p in pts if w["first_event"] - 1 <= p[1] <= w["last_event"]]
        if not pts or pts[0][1] != w["first_event"] - 1:
            pts.insert(0, [pts[0][0] if pts else 0.0, w["first_event"] - 1, w["live_at_start"]])
        t0 = pts[0][0]
        pts = [[round(p[0] - t0, 6), p[1], p[2]] for p in pts]
    peaks = [data["peak"]] + list(data.get("phases") or [])
    for p in peaks:
        if p["event"] > 0:
            _insert(pts, p["event"], p["bytes"])
    data["timeline"] = pts
    return data
