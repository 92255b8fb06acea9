"""SciPy: ndimage filters, linalg, signal and sparse allocate inside SciPy's
Python code; the bytes are charged to the user's lines that called them."""
import numpy as np
from scipy import linalg, ndimage, signal, sparse

import check
import libshare

rng = np.random.default_rng(0)
img = rng.random((1000, 1000))
smooth = ndimage.gaussian_filter(img, sigma=2)  # @gauss
edges = ndimage.sobel(smooth, axis=0)
A = rng.random((400, 400)) + 400 * np.eye(400)
x = linalg.solve(A, rng.random((400, 20)))
conv = signal.fftconvolve(img, np.ones((9, 9)) / 81, mode="same")
S = sparse.random(20_000, 2000, density=0.01, format="csr", random_state=0)
y = S @ rng.random(2000)
dense = S[:2000].toarray()

d = libshare.check_share(__file__)
g = libshare.row(d, __file__, "gauss")
check.check(g is not None and g["allocated"] >= img.nbytes and
            any("ndimage" in v["text"] for v in g["via"]), f"gaussian_filter row: {g}")
check.done()
