"""np_dask_pinned_copy.py - np_dask_pinned.py with its fix: each task
returns `.copy()` of the ten rows, so Dask stores (and counts) the rows
alone and each big chunk is freed when its task ends.  Under
`python3 -m arrdbg run --dask` the report shows no pinned base.

run with: --dask
args: 40 --copy
expect arrdbg: dask-nopin dask-explained:90
"""
import sys

from np_dask_pinned import main

if __name__ == "__main__":
    main(sys.argv[1:])
