"""vg_ids.py - run by t_ids.sh under valgrind --tool=arrcheck through
`python3 -m arrdbg run`: NumPy arrays and libarr arrays (build/libarr.so,
through ctypes) in one process, so arrcheck numbers both libraries' arrays
(ARRCHECK_NEW_ID).  One NumPy buffer and one libarr copy are never freed,
and a C extension (samples/ext/np_dangling_ext.c) reads a freed NumPy
buffer; the report must name each array rightly."""
import ctypes
import os
import sys

import numpy as np

import np_dangling_ext

lib = ctypes.CDLL(os.path.join(os.environ["ARRDBG_BUILD"], "libarr.so"))
lib.arr_zeros.restype = ctypes.c_void_p
lib.arr_zeros.argtypes = [ctypes.c_int, ctypes.POINTER(ctypes.c_int64), ctypes.c_int]
lib.arr_copy.restype = ctypes.c_void_p
lib.arr_copy.argtypes = [ctypes.c_void_p, ctypes.c_int]
lib.arr_free.argtypes = [ctypes.c_void_p]
lib.arr_set_label.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
ARR_FLOAT64, ARR_ORDER_C = 10, ord("C")
shape = (ctypes.c_int64 * 1)(1000)


def libarr(label):
    a = lib.arr_zeros(1, shape, ARR_FLOAT64)
    lib.arr_set_label(a, label.encode())
    return a


def freed_pointer():
    a = np.arange(100.0)  # @made
    np_dangling_ext.keep(a)
    del a  # @freed


x = [np.ones(10 + k) for k in range(4)]      # NumPy events 1, 3, 5, 7 ...
z = libarr("lib_zeros")                      # ... take tool ids 1, 2, 3 ...
c = lib.arr_copy(z, ARR_ORDER_C)
lib.arr_set_label(c, b"lib_leaked_copy")
y = [np.zeros(20 + k) for k in range(4)]     # events NumPy numbers as libarr's ids
leak = np.full(777, 1.5)  # @leak
ctypes.pythonapi.Py_IncRef(ctypes.py_object(leak))   # never freed
del leak
freed_pointer()
np_dangling_ext.read()  # @read
lib.arr_free(z)
del x, y
