"""dask.array on the synchronous scheduler: every chunk is made inside
dask's graph execution; the bytes are charged to the user's line that
called compute()."""
import dask
import dask.array as da

import check
import libshare

dask.config.set(scheduler="synchronous")
x = da.random.random((2000, 2000), chunks=(500, 500))
y = (x + x.T).mean(axis=0).compute()  # @compute
z = (x[::2] * 3).std().compute()

d = libshare.check_share(__file__)
c = libshare.row(d, __file__, "compute")
check.check(c is not None and c["allocated"] >= 2 * 2000 * 2000 * 8, f"compute row: {c}")
check.done()
