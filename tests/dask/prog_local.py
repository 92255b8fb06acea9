"""Run by t_run.py under `python3 -m arrdbg run --dask`: dask's threaded
scheduler with two task prefixes running at once on 4 threads; each
task's allocations must carry its own prefix, not the other's; then tasks
that compute a graph of their own."""
import dask
import numpy as np
from dask import delayed


def alpha(i):
    a = np.ones(1000 * 1000 // 8)  # @alpha
    return float(a.sum())


def beta(i):
    b = np.ones(3 * 1000 * 1000 // 8)  # @beta
    return float(b.sum())


def inner_fn(i):
    c = np.ones(4 * 1000 * 1000 // 8)  # @inner
    return float(c.sum())


def outer(i):
    a = np.ones(2 * 1000 * 1000 // 8)  # @outer_before
    got, = dask.compute(delayed(inner_fn, pure=False)(i), scheduler="sync")
    b = np.ones(2 * 1000 * 1000 // 8)  # @outer_after
    return float(a.sum() + b.sum()) + got


if __name__ == "__main__":
    tasks = [delayed(alpha, pure=False)(i) for i in range(20)] + \
        [delayed(beta, pure=False)(i) for i in range(20)]
    with dask.config.set(scheduler="threads", num_workers=4):
        print(sum(dask.compute(*tasks)))
    with dask.config.set(scheduler="sync"):
        print(sum(dask.compute(*tasks[:2])))
    with dask.config.set(scheduler="threads", num_workers=2):  # a graph inside a task
        print(sum(dask.compute(*[delayed(outer, pure=False)(i) for i in range(3)])))
