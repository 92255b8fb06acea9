"""Run by t_valgrind.sh under arrcheck --profile=yes through arrdbg: a big
array made and freed 20 times, then a smaller one kept.  Every freed buffer
waits in arrdbg's quarantine, but it is freed memory: the profile's peak is
one big array (what NumPy really had live), as in arrdbg's own report."""
import numpy as np

for i in range(20):
    a = np.ones(1_000_000)  # @big
    del a  # @del
b = np.ones(100_000)  # @small
