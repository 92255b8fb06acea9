"""np_memory_intensive.py - the classic: a big array, a copy, del, a small
slice returned.

The peak holds both big arrays.  `del a` frees one, but the 1% slice that
is returned keeps all of b's buffer alive: arrdbg reports the view's line,
the base's line and how little of it is used.

expect arrdbg: @a=creation:random.rand @b=copy:copy @del=freed peak:@a,@b pin:@c>@b
"""
import numpy as np


def memory_intensive_function():
    a = np.random.rand(2000, 2000)  # @a
    b = a.copy()  # @b
    del a  # @del
    c = b[1:200, 1:200]  # @c
    return c


c = memory_intensive_function()
print(f"c: {c.shape}, {c.nbytes} bytes, base {c.base.nbytes} bytes")
