"""np_cache_grows.py - a cache that grows by copies.

Every call stores a fresh copy under a new key and nothing is ever evicted:
in Python terms a leak, memory that only grows.  arrdbg shows the line that
stores the copies with bytes made and none freed.

expect arrdbg: @store=copy:copy leak:@store
"""
import numpy as np

_cache = {}


def snapshot(data, key):
    if key not in _cache:
        _cache[key] = data.copy()  # @store
    return _cache[key]


frame = np.random.default_rng(7).random((256, 256))
for step in range(40):
    frame[step % 256] += 1.0
    snapshot(frame, key=("frame", step))
print(f"cache entries: {len(_cache)}")
