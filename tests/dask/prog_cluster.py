"""Run by t_run.py under `python3 -m arrdbg run --dask`: a LocalCluster
and a Client made the usual way, nothing of arrdbg in it."""
import numpy as np
from distributed import Client, LocalCluster


def keep_rows(i):
    chunk = np.ones((2000, 1000))  # @chunk
    return chunk[:5]  # @rows


if __name__ == "__main__":
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address="127.0.0.1:0") as cluster, Client(cluster) as client:
        addrs = sorted(client.scheduler_info()["workers"])
        futs = [client.submit(keep_rows, i, workers=[addrs[i % 2]], pure=False) for i in range(4)]
        print("rows:", sum(f.result().shape[0] for f in futs))
