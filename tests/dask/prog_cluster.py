"""Run by t_run.py under `python3 -m arrdbg run --dask`: a LocalCluster
and a Client made the usual way (or, with --no-close, never closed),
nothing of arrdbg in it."""
import sys

import numpy as np
from distributed import Client, LocalCluster


def keep_rows(i):
    chunk = np.ones((2000, 1000))  # @chunk
    return chunk[:5]  # @rows


def work(client):
    addrs = sorted(client.scheduler_info()["workers"])
    futs = [client.submit(keep_rows, i, workers=[addrs[i % 2]], pure=False) for i in range(4)]
    print("rows:", sum(f.result().shape[0] for f in futs))
    return futs


if __name__ == "__main__":
    kw = dict(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
              dashboard_address="127.0.0.1:0")
    if sys.argv[1:] == ["--no-close"]:  # left to the interpreter's exit
        client = Client(LocalCluster(**kw))
        futs = work(client)
    else:
        with LocalCluster(**kw) as cluster, Client(cluster) as client:
            work(client)
