"""Run by t_valgrind.sh under arrcheck --profile=yes through arrdbg: copies
only read (could have been views) and copies written after being made."""
import numpy as np

a = np.ones(10000)
for i in range(8):
    c = a.copy()  # @ro
    s = c.sum()
for i in range(8):
    d = a.copy()  # @rw
    d[0] = 5.0
