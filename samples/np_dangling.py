"""np_dangling.py - a C extension (samples/ext/np_dangling_ext.c) keeps a NumPy
array's data pointer after the array is gone.

Run it under Valgrind through arrdbg:

    valgrind --tool=arrcheck python3 -m arrdbg run samples/np_dangling.py

arrdbg keeps freed NumPy buffers in a small quarantine under Valgrind, so
the extension's read lands in a quarantined buffer: arrcheck reports
DanglingAccess, and the owner's label names the Python lines where the
array was made (@made) and freed (@freed).  Natively the read returns
whatever is left in freed memory and nothing is reported: that is the bug.
Under the error, arrcheck prints the Python stack of the read (read from
CPython's frames when the error is found): its first line is @read.

expect arrdbg: @made=creation:arange @freed=freed
expect arrcheck: DanglingAccess=1 label=@made,@freed pyline=@read
"""
import numpy as np

import np_dangling_ext


def remember():
    a = np.arange(1000.0) * 2.0  # @made
    np_dangling_ext.keep(a)
    del a  # @freed


remember()
value = np_dangling_ext.read()  # @read
print("read through the kept pointer:", "done")
