"""np_chunked_npy.py - a .npy processed in chunks through
np.load(mmap_mode='r') against loading it whole.

Loading the whole array puts all of it (and a temporary as big) in memory;
the chunked way maps the file and only ever holds one chunk's temporaries.
arrdbg.phase() gives each way its own peak in the report.

expect arrdbg: @whole=load:load phase:chunked<whole/4
"""
import os
import tempfile

import numpy as np

import arrdbg

ROWS, COLS, CHUNK = 4000, 500, 250
with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "data.npy")
    np.save(path, np.random.default_rng(3).random((ROWS, COLS)))

    arrdbg.phase("whole")
    x = np.load(path)  # @whole
    total_whole = float((x * 2.0).sum())
    del x

    arrdbg.phase("chunked")
    mm = np.load(path, mmap_mode="r")
    total_chunked = 0.0
    for i in range(0, ROWS, CHUNK):
        total_chunked += float((mm[i:i + CHUNK] * 2.0).sum())  # @chunk
    del mm
print(f"same sum both ways: {np.isclose(total_whole, total_chunked)}")
