"""vg_pystack.py intact|cycle|bad|junk|two - run by t_pystack.sh under valgrind
--tool=arrcheck through `python3 -m arrdbg run`: a C extension
(samples/ext/np_dangling_ext.c) reads a freed NumPy buffer, from module
level (intact), or with the calling frame's link to its caller broken in
memory for the moment of the read: to itself (cycle), to address 0x10
(bad), to a bytes object (junk: not a frame).  arrcheck's Python stack must
show the frames it can read and say where the chain breaks.  two: the same
C read from two Python lines (the second one twice), which are two errors
(the second counted twice), each with its own Python stack."""
import ctypes
import sys

import numpy as np

import np_dangling_ext

F_FRAME = 24          # PyFrameObject.f_frame (CPython 3.11, Include/internal/pycore_frame.h)
PREVIOUS = 48         # _PyInterpreterFrame.previous (tests/gdb/numpy/pyoffsets.c checks it)
JUNK = bytes(64)      # f_code of this "frame" reads as NULL


def freed_pointer():
    a = np.arange(100.0)
    np_dangling_ext.keep(a)
    del a


def broken(link, call):
    frame = ctypes.c_void_p.from_address(id(sys._getframe()) + F_FRAME).value
    previous = ctypes.c_void_p.from_address(frame + PREVIOUS)
    saved = previous.value
    previous.value = {"cycle": frame, "bad": 0x10, "junk": id(JUNK) + 32}[link]
    try:
        call()  # @broken
    finally:
        previous.value = saved


freed_pointer()
mode = sys.argv[1]
if mode == "intact":
    np_dangling_ext.read()  # @intact
elif mode == "two":
    np_dangling_ext.read()  # @first
    for _ in range(2):
        np_dangling_ext.read()  # @second
else:
    broken(mode, lambda: list(map(lambda _: np_dangling_ext.read(), [0])))  # @call
