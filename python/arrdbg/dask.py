"""arrdbg for Dask: which task, which line and which view explain a
worker's "unmanaged memory", on every worker, seen from the client.

One step to turn it on (each installs arrdbg's NumPy handler in every
worker process and tags each allocation with the prefix of the task that
made it):

    arrdbg.dask.enable(client)        # client.register_worker_plugin(Plugin()),
                                      # or register_plugin where it exists
    dask worker --preload arrdbg.dask SCHEDULER   # (dask-worker too)
    python3 -m arrdbg run --dask SCRIPT           # every Client SCRIPT makes

Then, on the client:

    arrdbg.dask.report(client)        # text, per worker
    arrdbg.dask.report_data(client)   # the same as a dict (JSON-ready)

Per worker (name, address, pid): Dask's own figures (process RSS, managed =
the sum of sizeof() of the keys it holds, unmanaged = process - managed in
memory), NumPy bytes live, and the unmanaged memory arrdbg explains: the
process before its first task (RSS at arrdbg's start there), bases pinned
by stored views (each group: its store keys, what Dask counts, the base's
size, the task prefix and line that made the base and the view), buffers
of tasks still running, and buffers no task or key holds; then NumPy bytes
per task prefix and line, with copies.  A worker that closes writes its
final report to DIRECTORY/worker-NAME-PID.txt and .json (Plugin(directory=),
default $ARRDBG_DASK_DIR or ./arrdbg-dask) and sends it to the clients
that called enable() (final_reports()).

With dask's local schedulers (threaded, synchronous), tag_local_tasks()
tags each task's allocations in the process itself (`run --dask` does it).
"""
import os
import sys

from . import _dask_worker
from ._dask_text import render_cluster, render_worker

__all__ = ["Plugin", "enable", "subscribe", "report", "report_data", "final_reports",
           "tag_local_tasks",
           "dask_setup", "dask_teardown"]

TOPIC = "arrdbg"
FORMAT = "arrdbg-dask-report"
_finals = []

tag_local_tasks = _dask_worker.tag_local_tasks


def _plugin_base():
    try:
        from distributed import WorkerPlugin
        return WorkerPlugin
    except ImportError:  # the module stays importable without distributed
        return object


def _directory(directory):
    return directory or os.environ.get("ARRDBG_DASK_DIR") or "arrdbg-dask"


def _closing(worker):
    status = getattr(worker, "status", None)
    return getattr(status, "name", str(status)) in ("closing", "closed", "closing_gracefully",
                                                     "failed")


def _write(path, text):
    """Writes text to path.  A path that is not a regular file (a FIFO, a
    device, a symlink) is written into, never replaced; a regular file is
    replaced whole (written beside it, then renamed)."""
    if os.path.lexists(path) and (os.path.islink(path) or not os.path.isfile(path)):
        with open(path, "w") as f:
            f.write(text)
        return
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, path)
    finally:
        if os.path.lexists(tmp):
            os.unlink(tmp)


def _safe(name):
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in str(name))[:80] or "worker"


def write_final(worker, directory=None):
    """The worker's final report: files, and an event to connected clients.
    Never raises (it runs while the worker closes): a failure is one line
    on stderr."""
    import json
    try:
        data = _dask_worker.explain(worker, final=True)
    except Exception as e:
        print(f"arrdbg: worker {getattr(worker, 'name', '?')}: no final report: "
              f"{type(e).__name__}: {e}", file=sys.stderr)
        return None
    d = _directory(directory)
    base = os.path.join(d, f"worker-{_safe(data['name'])}-{data['pid']}")
    try:
        os.makedirs(d, exist_ok=True)
        _write(base + ".json", json.dumps(data, indent=1) + "\n")
        _write(base + ".txt", render_worker(data))
        data["files"] = [base + ".txt", base + ".json"]
    except OSError as e:
        print(f"arrdbg: worker {data['name']}: cannot write its final report: {e}", file=sys.stderr)
    try:
        worker.log_event(TOPIC, data)
    except Exception as e:  # a closed stream: the files are the report
        print(f"arrdbg: worker {data['name']}: cannot send its final report: {e}",
              file=sys.stderr)
    return data


class Plugin(_plugin_base()):
    """The worker plugin: arrdbg on in each worker, its tasks tagged, and a
    final report when the worker closes.  Register it with enable(client)."""
    name = "arrdbg"

    def __init__(self, directory=None):
        self.directory = directory

    def setup(self, worker):
        _dask_worker.install(worker)

    def teardown(self, worker):
        # Also called when the plugin is replaced on a running worker: only
        # a closing worker writes its final report.
        if _closing(worker):
            write_final(worker, self.directory)


def dask_setup(worker):
    """`--preload arrdbg.dask`: on a worker (not a scheduler or nanny)."""
    if hasattr(worker, "state") and hasattr(worker, "data"):
        _dask_worker.install(worker)


def dask_teardown(worker):
    if hasattr(worker, "state") and hasattr(worker, "data"):
        write_final(worker)


def _on_final(event):
    _ts, data = event
    _finals.append(data)
    if _run["quiet"]:
        return
    try:
        sys.stderr.write(render_worker(data))
    except Exception:
        pass


def enable(client, directory=None):
    """Registers Plugin() on every worker of client's cluster (those that
    join later too), and receives their final reports.  With an
    asynchronous client, await what it returns."""
    plugin = Plugin(directory)
    register = getattr(client, "register_plugin", None)
    if register is not None:  # distributed >= 2023.9
        done = register(plugin, name=Plugin.name)
    else:
        done = client.register_worker_plugin(plugin, name=Plugin.name)
    subscribe(client)
    return done if getattr(client, "asynchronous", False) else None


def subscribe(client):
    """Receive the final reports of client's closing workers (enable() does
    it; for workers started with --preload arrdbg.dask)."""
    client.subscribe_topic(TOPIC, _on_final)


def final_reports():
    """The final reports received from closing workers, oldest first."""
    return list(_finals)


def report_data(client, timeout=60):
    """Every worker's report, as a dict: {"format", "version", "workers": [...]}
    (a worker whose report fails: an "error" entry; no answer from all of
    them within timeout seconds: TimeoutError).  With an asynchronous
    client, await what it returns.  Each worker (_dask_worker.explain):
    name, address, pid, final, arrdbg (False: not installed there, and
    nothing more); memory {process, managed, managed_in_memory,
    spilled_disk, unmanaged} (Dask's); numpy {live_bytes, live, peak_bytes,
    in_store_bytes}; start (its figures when arrdbg started); explained
    {parts {start, pinned, running, unheld}, bytes, fraction of unmanaged};
    pins [{count, base_bytes, counted_bytes, unmanaged_bytes, base_prefix,
    base_file, base_line, base_op, base_shape, base_dtype, view_prefix,
    view_file, view_line, views_per_base, held_elsewhere, keys (at most 5),
    key_nbytes}], pins_more; running and unheld {bytes, buffers, rows
    [{prefix, file, line, op, key, count, bytes}], rows_more} (running:
    also tasks); by_prefix {prefixes [arrdbg's by_tag rows + prefix,
    live_bytes], lines [{prefix, file, line, op, allocated, arrays, freed,
    live_bytes}], lines_more}."""
    res = client.run(_dask_worker_report, on_error="return", callback_timeout=timeout)
    if getattr(client, "asynchronous", False):
        async def later():
            return _cluster_data(await res)
        return later()
    return _cluster_data(res)


def _cluster_data(res):
    workers = []
    for addr, r in res.items():
        if isinstance(r, BaseException):
            workers.append({"address": addr, "error": f"{type(r).__name__}: {r}"})
        else:
            workers.append(r)
    # By name (LocalCluster's 0, 1, ... in order), then address.
    workers.sort(key=lambda w: (len(str(w.get("name", ""))), str(w.get("name", "")), w["address"]))
    return {"format": FORMAT, "version": 1, "workers": workers}


def _dask_worker_report(dask_worker):
    return _dask_worker.explain(dask_worker)


def report(client, file=None, timeout=60):
    """Prints every worker's report (to stderr by default); returns the data
    (with an asynchronous client, await what it returns)."""
    def show(data):
        (file if file is not None else sys.stderr).write(render_cluster(data))
        return data
    data = report_data(client, timeout)
    if getattr(client, "asynchronous", False):
        async def later():
            return show(await data)
        return later()
    return show(data)


# ---- python3 -m arrdbg run --dask ------------------------------------------------

_run = {"reports": [], "quiet": False, "clients": None}


def _take(client):
    """The report of client's cluster, kept for collected() and printed."""
    client._arrdbg_enabled = False
    try:
        data = report_data(client)
        _run["reports"].append(data)
        if not _run["quiet"]:
            sys.stderr.write(render_cluster(data))
    except Exception as e:
        print(f"arrdbg: --dask: no report of {client}'s workers: {type(e).__name__}: {e}",
              file=sys.stderr)


def collected():
    """run --dask: the cluster reports taken as each Client closed, and now
    for those still open (a script that never closes its Client)."""
    for client in list(_run["clients"] or ()):
        if getattr(client, "_arrdbg_enabled", False) and client.status == "running":
            _take(client)
    return list(_run["reports"])


def hook_clients(quiet=False):
    """Every distributed.Client made from now on (synchronous ones: an
    asynchronous client needs `await arrdbg.dask.enable(client)`)
    enables arrdbg on its workers, and reports them just before it closes
    (to stderr unless quiet, and kept for collected(), which also reports
    the clients still open when it is called).  Tasks run by dask's
    local schedulers are tagged too."""
    import weakref
    _run["quiet"] = quiet
    _run["clients"] = weakref.WeakSet()
    tag_local_tasks()
    try:
        from distributed import Client
    except ImportError:  # dask alone: its local schedulers are all there is
        return
    if getattr(Client.start, "_arrdbg", False):
        return
    orig_start, orig_close = Client.start, Client.close

    def start(self, **kwargs):
        out = orig_start(self, **kwargs)
        if not self.asynchronous and self.status == "running":
            try:
                enable(self)
                self._arrdbg_enabled = True
                _run["clients"].add(self)
            except Exception as e:
                print(f"arrdbg: --dask: cannot enable arrdbg on {self}: {type(e).__name__}: {e}",
                      file=sys.stderr)
        return out

    def close(self, *args, **kwargs):
        if getattr(self, "_arrdbg_enabled", False) and self.status == "running":
            _take(self)
        return orig_close(self, *args, **kwargs)
    start._arrdbg = close._arrdbg = True
    Client.start, Client.close = start, close
