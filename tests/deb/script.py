# tests/deb/script.py - a NumPy program for the installed python3-arrdbg.
import numpy as np

a = np.ones((100, 100))
b = a.T.copy()
print(b.sum())
