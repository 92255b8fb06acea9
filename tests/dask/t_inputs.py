"""arrdbg.dask without a cluster, on hostile input: odd values in the
store, the newer register_plugin API, output paths that are a FIFO, a
symlink or not writable, a worker name that is a path."""
import io
import json
import os
import stat
import threading
import types

import numpy as np

import arrdbg
import arrdbg.dask
from arrdbg import _dask_worker
from dtest import MB, check, main_in_tmpdir


class FakeWorker:
    """What explain() and write_final() read of a distributed.Worker."""

    def __init__(self, name, data):
        self.name, self.address, self.data = name, "tcp://127.0.0.1:1", data
        self.monitor = types.SimpleNamespace(get_process_memory=lambda: 200 * MB)
        self.state = types.SimpleNamespace(
            nbytes=sum(8 for _ in data),
            tasks={k: types.SimpleNamespace(nbytes=8) for k in data})
        self.status = types.SimpleNamespace(name="closing")
        self.events = []

    def log_event(self, topic, msg):
        self.events.append((topic, msg))


class FakeClient:
    def __init__(self):
        self.calls = []

    def register_plugin(self, plugin, name=None):
        self.calls.append(("register_plugin", type(plugin).__name__, name))

    def subscribe_topic(self, topic, handler):
        self.calls.append(("subscribe_topic", topic))


def main():
    arrdbg.install()
    _dask_worker.install()
    main_in_tmpdir(run)


def run(tmp):
    c = FakeClient()
    arrdbg.dask.enable(c)
    check(c.calls == [("register_plugin", "Plugin", "arrdbg"), ("subscribe_topic", "arrdbg")],
          f"a client with register_plugin (distributed >= 2023.9) gets it: {c.calls}")

    big = np.ones(4 * MB // 8)
    raw = bytearray(2 * MB)
    nested = [[[np.ones(MB // 8)[:1]]]]  # three levels down: not looked into
    data = {
        "view": big[:3],
        "empty-view": big[:0],
        "frombuffer": np.frombuffer(raw, dtype=np.uint8)[:10],  # its base is no NumPy buffer
        "tuple": (np.zeros(10), {"k": np.arange(100_000)[::50]}),
        "masked": np.ma.masked_array(np.ones(MB // 8))[:2],
        "object": np.array([None, "x", 1], dtype=object),
        "nested": nested,
        ("tuple-key", 1): "not an array",
    }
    big = None
    w = FakeWorker("../../etc/passwd", data)
    d = _dask_worker.explain(w)
    json.dumps(d)
    bases = sorted((g["base_bytes"], g["count"]) for g in d["pins"])
    check(bases == sorted([(4 * MB, 1), (800_000, 1), (MB, 1)]),
          f"pins: the 4 MB base (two views, one of them empty), the strided arange, the masked base: {bases}")
    g4 = [g for g in d["pins"] if g["base_bytes"] == 4 * MB]
    check(g4 and g4[0]["views_per_base"] == 2 and g4[0]["counted_bytes"] == 24 and
          sorted(g4[0]["keys"]) == ["empty-view", "view"],
          f"two stored views of one base: one pin, both keys, Dask counts 24 bytes: {g4}")
    check(all("frombuffer" not in g["keys"] for g in d["pins"]), "a view of a bytearray is no pin")
    out = io.StringIO()
    out.write(arrdbg.dask.render_worker(d))
    check("4.0 MB base" in out.getvalue() and "view, empty-view" in out.getvalue() or
          "empty-view, view" in out.getvalue(), "the text names the pin and its keys")

    # Final report: the worker name is a path; the directory holds a FIFO
    # and a symlink where the files go.
    d1 = os.path.join(tmp, "finals")
    os.makedirs(d1)
    base = os.path.join(d1, f"worker-.._.._etc_passwd-{os.getpid()}")
    os.mkfifo(base + ".json")
    target = os.path.join(tmp, "target.txt")
    with open(target, "w") as f:
        f.write("old")
    os.symlink(target, base + ".txt")
    got = {}

    def reader():
        with open(base + ".json") as f:
            got["json"] = f.read()
    t = threading.Thread(target=reader)
    t.start()
    arrdbg.dask.write_final(w, d1)
    t.join(10)
    check(stat.S_ISFIFO(os.lstat(base + ".json").st_mode) and json.loads(got.get("json", "{}")).get("final"),
          "a FIFO in the report's place is written into, not replaced")
    check(os.path.islink(base + ".txt") and "final report of worker ../../etc/passwd" in open(target).read(),
          "a symlink in the report's place is written through, not replaced")
    check(w.events and w.events[-1][0] == "arrdbg" and w.events[-1][1]["final"],
          "the final report is sent as an 'arrdbg' event")
    check(sorted(os.listdir(d1)) == sorted(os.path.basename(base) + e for e in (".json", ".txt")),
          f"nothing else written: {os.listdir(d1)}")

    # A directory that cannot be made: one line on stderr, the event still sent.
    import contextlib
    err = io.StringIO()
    blocker = os.path.join(tmp, "file")
    open(blocker, "w").close()
    w.events.clear()
    with contextlib.redirect_stderr(err):
        arrdbg.dask.write_final(w, os.path.join(blocker, "sub"))
    lines = err.getvalue().strip().splitlines()
    check(len(lines) == 1 and "cannot write its final report" in lines[0] and "Traceback" not in err.getvalue(),
          f"an unwritable directory: one line: {lines}")
    check(len(w.events) == 1, "and the event is still sent")

    # A worker whose state cannot be read: one line, no exception (it
    # runs while the worker closes).
    broken = FakeWorker("broken", {})
    broken.monitor = None
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        got = arrdbg.dask.write_final(broken, d1)
    check(got is None and err.getvalue().count("\n") == 1 and "no final report" in err.getvalue(),
          f"a report that fails while closing: one line: {err.getvalue()!r}")

    # A plugin replaced on a running worker writes no final report.
    w.status = types.SimpleNamespace(name="running")
    w.events.clear()
    arrdbg.dask.Plugin(d1).teardown(w)
    check(not w.events, "teardown of a running worker (plugin replaced): no final report")


if __name__ == "__main__":
    main()
