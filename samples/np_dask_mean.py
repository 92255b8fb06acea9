"""np_dask_mean.py - the NumPy tutorial's last step: the mean of a 10000 x
10000 array with Dask (chunks of 1000 x 1000) against plain NumPy.

`da.from_array(x)` needs x whole in memory first: its peak is NumPy's, and
its chunks are views of x (no copy).  `da.random.random` makes each chunk
inside a task (`random_sample`), reduces it (`mean_chunk`) and lets it go:
its peak is a few chunks.  Under `python3 -m arrdbg run --dask`, each
task's allocations carry its task prefix (the report's per-tag table);
arrdbg.phase() gives each way its own peak.  Argument: N (default 10000;
the sample suite runs N=2000).

run with: --dask
args: 2000
expect arrdbg: @whole=creation:random.rand phase:dask_random<numpy/4 tag:random_sample tag:mean_chunk
"""
import sys

import dask
import dask.array as da
import numpy as np

import arrdbg

N = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
CHUNK = max(1, N // 10)

arrdbg.phase("numpy")
x = np.random.rand(N, N)  # @whole
plain = x.mean()

arrdbg.phase("dask_from_array")
seed = da.from_array(x, chunks=(CHUNK, CHUNK)).mean().compute()  # @from_array
del x

arrdbg.phase("dask_random")
with dask.config.set(num_workers=2):
    chunked = da.random.random((N, N), chunks=(CHUNK, CHUNK)).mean().compute()  # @random
print(f"means: numpy {plain:.4f}, dask from_array {seed:.4f}, dask random {chunked:.4f}")
