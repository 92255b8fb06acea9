"""Threads: buffers made in a threading.Thread are recorded with that
thread's line.  fork: a child that allocates while another thread does
cannot deadlock on the handler's lock and records its own buffers."""
import os
import threading

import numpy as np

import check
from arrdbg import _arrdbg


def worker(out):
    for _ in range(200):
        out.append(np.ones(1000) * 2)  # @worker


results = []
threads = [threading.Thread(target=worker, args=(results,)) for _ in range(4)]
for t in threads:
    t.start()
for _ in range(50):
    pid = os.fork()
    if pid == 0:
        x = np.arange(5000.0)  # @child
        live = check.live_by_line(__file__)
        os._exit(0 if live.get(check.marker_line("child"), 0) == x.nbytes else 3)
    _, status = os.waitpid(pid, 0)
    check.check(os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, f"child status {status}")
for t in threads:
    t.join()
live = check.live_by_line(__file__)
want = sum(r.nbytes for r in results)
check.check(live.get(check.marker_line("worker"), 0) == want,
            f"thread line: {live.get(check.marker_line('worker'))} != {want}")
check.done()
