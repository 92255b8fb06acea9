"""np_ascontiguous.py - np.ascontiguousarray copies only when it must.

On a C-contiguous array it returns the array itself (no buffer); on its
transpose it has to copy.

expect arrdbg: @contig=none @transposed=copy:ascontiguousarray
"""
import numpy as np

m = np.ones((500, 400))
x = np.ascontiguousarray(m)  # @contig
t = np.ascontiguousarray(m.T)  # @transposed
print(f"ascontiguousarray(m) is m: {x is m}")
print(f"ascontiguousarray(m.T) shares memory with m: {np.shares_memory(t, m)}")
