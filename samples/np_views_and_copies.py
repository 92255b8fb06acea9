"""np_views_and_copies.py - a slice is a view, copy() is independent.

A slice allocates nothing (arrdbg sees no buffer on its line) and shares
memory with its base; a write through it shows in the base.  copy() makes a
new buffer that no write to the base reaches.

expect arrdbg: @base=creation:arange @slice=none @copy=copy:copy
"""
import numpy as np

a = np.arange(0.0, 1_000_000.0)  # @base
s = a[100:200]  # @slice
c = a[100:200].copy()  # @copy
print(f"may_share_memory(a, s) = {np.may_share_memory(a, s)}")
print(f"may_share_memory(a, c) = {np.may_share_memory(a, c)}")
s[0] = -1.0
print(f"after s[0] = -1: a[100] = {a[100]}, c[0] = {c[0]}")
