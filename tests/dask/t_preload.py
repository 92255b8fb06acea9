"""`dask scheduler` + `dask worker --preload arrdbg.dask` (Debian's CLI): the
worker runs arrdbg from its start (no plugin registered), the client's
report explains its pins, and SIGTERM makes it write its final report."""
import json
import os
import shutil
import signal
import subprocess

import numpy as np

import arrdbg.dask
from dtest import MB, check, done, line_of, tmpdir, wait_until

HERE = os.path.abspath(__file__)


def pinme(i):
    big = np.ones(8 * MB // 8)  # @big
    return big[:4]  # @view


def main():
    tmp = tmpdir()
    sfile = os.path.join(tmp, "scheduler.json")
    env = dict(os.environ, ARRDBG_DASK_DIR=os.path.join(tmp, "reports"))
    procs = []
    try:
        procs.append(subprocess.Popen(
            ["dask", "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
             "--dashboard-address", "127.0.0.1:0",
             "--scheduler-file", sfile], env=env, cwd=tmp,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        check(wait_until(lambda: os.path.exists(sfile), 30), "dask scheduler started")
        procs.append(subprocess.Popen(
            ["dask", "worker", "--preload", "arrdbg.dask", "--nthreads", "1", "--nworkers", "1",
             "--no-dashboard", "--host", "127.0.0.1", "--name", "w/../preloaded",
             "--scheduler-file", sfile], env=env, cwd=tmp,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True))
        from distributed import Client
        with Client(scheduler_file=sfile, timeout=30) as client:
            client.wait_for_workers(1, timeout=30)
            futs = [client.submit(pinme, i, pure=False) for i in range(4)]
            client.gather(futs)
            data = arrdbg.dask.report_data(client)
            w = data["workers"][0]
            check(w["arrdbg"] and w["name"] == "w/../preloaded", f"the preloaded worker runs arrdbg: {w.get('arrdbg')}")
            pins = w.get("pins", [])
            check(len(pins) == 1 and pins[0]["count"] == 4
                  and pins[0]["base_line"] == line_of(HERE, "big")
                  and pins[0]["view_line"] == line_of(HERE, "view")
                  and pins[0]["base_prefix"] == "pinme",
                  f"4 pins, one group, lines and prefix: {[(g['count'], g['base_line'], g['view_line'], g['base_prefix']) for g in pins]}")
            worker_pid = w["pid"]
            arrdbg.dask.subscribe(client)
            # SIGTERM while the client is connected and the keys are stored.
            procs[1].send_signal(signal.SIGTERM)
            try:
                err = procs[1].communicate(timeout=30)[1]
            except subprocess.TimeoutExpired:
                err = "(still running after 30 s)"
            wait_until(arrdbg.dask.final_reports, 5)
            finals = arrdbg.dask.final_reports()
            check(len(finals) == 1 and finals[0]["pid"] == worker_pid and finals[0]["final"],
                  f"the final report reached the client: {[(f['pid'], f['final']) for f in finals]}")
        rdir = env["ARRDBG_DASK_DIR"]
        files = sorted(os.listdir(rdir)) if os.path.isdir(rdir) else []
        want = f"worker-w_.._preloaded-{worker_pid}.json"
        check(want in files, f"SIGTERM: the worker wrote {want} (a safe name): {files}")
        if want in files:
            with open(os.path.join(rdir, want)) as f:
                d = json.load(f)
            check(d["final"] and d["pins"] and d["pins"][0]["count"] == 4,
                  "the final report has the 4 pins")
        check("Traceback" not in err, "no traceback on the worker's stderr")
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
            p.wait()
        shutil.rmtree(tmp, ignore_errors=True)
    done()


if __name__ == "__main__":
    main()
