"""scikit-learn: the bytes its estimators allocate are charged to the user's
line that called them, and StandardScaler's hidden copy (check_array makes
one to transform) shows on that line with the library function."""
import numpy as np
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.preprocessing import StandardScaler

import check
import libshare

rng = np.random.default_rng(0)
X = rng.random((40_000, 50))
Xs = StandardScaler().fit_transform(X)  # @scaler
km = KMeans(n_clusters=4, n_init=1, max_iter=5, random_state=0).fit(Xs[:5000])  # @kmeans
P = PCA(n_components=10).fit_transform(Xs)  # @pca

d = libshare.check_share(__file__)
e = libshare.row(d, __file__, "scaler")
check.check(e is not None and e["allocated"] >= 2 * X.nbytes, f"scaler row: {e}")
vias = e["via"] if e else []
copy = [v for v in vias if "check_array" in v["text"] and v["kind"] == "copy"]
check.check(copy and copy[0]["bytes"] >= X.nbytes,
            "scaler: no copy via check_array: " + "; ".join(v["text"] for v in vias))
k = libshare.row(d, __file__, "kmeans")
check.check(k is not None and k["allocated"] > 0, f"KMeans line allocates: {k}")
check.done()
