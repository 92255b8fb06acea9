"""np_dask_pinned.py - Dask's "unmanaged memory": each task keeps ten rows
of a big chunk.

Two worker processes (LocalCluster) each run three tasks that make a
chunk of MB megabytes and return its first ten rows: a view.  Dask stores
the view and counts its sizeof (800 bytes); the whole chunk stays in RAM,
as the worker's "unmanaged memory".  Under `python3 -m arrdbg run --dask`
the report explains it on each worker: three bases pinned by stored views,
the task prefix (`load_rows`), the lines, the keys.  The fix, `.copy()` of
the ten rows (argument --copy, or np_dask_pinned_copy.py), lets each
chunk go.  Arguments: [MB] [--copy] (default 160; the sample suite: 40).

run with: --dask
args: 40
expect arrdbg: dask-pin:@rows>@chunk dask-explained:90
"""
import sys

import numpy as np
from distributed import Client, LocalCluster


def load_rows(i, mb, copy):
    chunk = np.random.default_rng(i).random((mb * 1000 * 1000 // 8 // 1000, 1000))  # @chunk
    rows = chunk[:10]  # @rows
    return rows.copy() if copy else rows  # @copy


def main(argv):
    copy = "--copy" in argv
    mb = int(next((a for a in argv if a.isdigit()), 160))
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address="127.0.0.1:0") as cluster, Client(cluster) as client:
        futures = client.map(load_rows, range(6), mb=mb, copy=copy)
        rows = client.gather(futures)
        print(f"{len(rows)} results of {rows[0].nbytes} bytes each; "
              f"Dask's managed memory: {sum(client.run(lambda dask_worker: dask_worker.state.nbytes).values())} bytes")


if __name__ == "__main__":
    main(sys.argv[1:])
