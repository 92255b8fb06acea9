"""NumPy's side of `make bench`: the arrbench serve protocol, timed in-process.

    /usr/bin/python3 bench/np_server.py     (reads requests on stdin)

Same requests and answers as `arrbench serve` (see bench/arrbench.c):

    run CASE P1 P2 ITERS  ->  ok SECONDS
    check CASE P1 P2      ->  ok DIGEST
    quit

Inputs are the same shapes, dtypes and values as arrbench builds, made once
per (CASE, P1, P2) outside the timed loop.  The timed loop is a plain Python
for-loop around one NumPy call, so each call carries some 0.1-0.5 us of
interpreter overhead: irrelevant for the large arrays the ratios use, visible
in the small sizes of the scaling tables (which say so).
"""
import sys
import time
import warnings

import numpy as np
from numpy.lib.stride_tricks import as_strided

HARD_BUFFER_BYTES = 192163377
HARD_STRIDES_1 = (36674, 61119, 85569)
HARD_STRIDES_2 = (12223, 12224, 1)


def pattern(n):
    """(i % 1000) / 4 as float64: the values arrbench's fill_pattern writes.
    In place, so a 1 GB input needs 1 GB (every step is exact in float64)."""
    a = np.arange(n, dtype=np.float64)
    np.fmod(a, 1000.0, out=a)
    a *= 0.25
    return a


def digest_array(r):
    """Sum of value * (i % 7 + 1) over the elements in C order, as arrbench."""
    flat = np.ascontiguousarray(r).ravel().astype(np.float64)
    weights = (np.arange(flat.size, dtype=np.int64) % 7 + 1).astype(np.float64)
    return float(np.dot(flat, weights)) if flat.size else 0.0


def square(n):
    return pattern(n * n).reshape(n, n)


def shares_answer(a, b, max_work):
    """0 no, 1 yes, 2 too hard: the codes arr_shares_memory returns."""
    try:
        return int(bool(np.shares_memory(a, b, max_work=max_work)))
    except np.TooHardError:
        return 2


def max_work_arg(p2):
    return None if p2 < 0 else p2


class Case:
    """Inputs for one (name, p1, p2) and a callable doing one timed call."""

    def __init__(self, name, p1, p2):
        self.name, self.p1, self.p2 = name, p1, p2
        build = getattr(self, "setup_" + name, None)
        if build is None:
            raise KeyError(name)
        build()

    # ---- copies and reductions ------------------------------------------
    def setup_copy(self):
        a = pattern(self.p1)
        self.call = a.copy
        self.digest = lambda: digest_array(a.copy())

    def _square_case(self, make):
        a = square(self.p1)
        self.call = lambda: make(a)
        self.digest = lambda: digest_array(make(a))

    def setup_ascontig_T(self):
        self._square_case(lambda a: np.ascontiguousarray(a.T))

    def setup_copy_step2(self):
        self._square_case(lambda a: a[::2, ::2].copy())

    def setup_copy_revcols(self):
        self._square_case(lambda a: a[:, ::-1].copy())

    def setup_astype_f32(self):
        self._square_case(lambda a: a.astype(np.float32))

    def setup_sum(self):
        a = square(self.p1)
        self.call = a.sum
        self.digest = lambda: float(a.sum())

    def setup_mean(self):
        a = square(self.p1)
        self.call = a.mean
        self.digest = lambda: float(a.mean())

    def setup_copyto_bcast(self):
        dst = np.zeros((self.p1, self.p1))
        src = pattern(self.p1)
        self.call = lambda: np.copyto(dst, src)

        def digest():
            np.copyto(dst, src)
            return digest_array(dst)

        self.digest = digest

    # ---- shares_memory --------------------------------------------------
    def setup_shares_easy(self):
        x = np.zeros((64, 64, 64))
        pairs = [(x, x.copy()), (x, x.T), (x[:, ::2, ::3], x[:, ::3, ::2]),
                 (x[..., ::2], x[..., 1::2])]

        def answers():
            return [shares_answer(a, b, None) for a, b in pairs]

        self.call = answers
        self.digest = lambda: float(int("".join(str(v) for v in answers())))

    def setup_shares_hard(self):
        m = self.p1
        if not 1 <= m <= 1049:
            raise ValueError("m must be 1..1049")
        x = np.zeros(HARD_BUFFER_BYTES, dtype=np.int8)  # calloc'd: never touched
        a = as_strided(x, shape=(m, m, m), strides=HARD_STRIDES_1)
        b = as_strided(x[64023025 * m // 1049:], shape=(m, m, 1), strides=HARD_STRIDES_2)
        mw = max_work_arg(self.p2)
        self.call = lambda: shares_answer(a, b, mw)
        self.digest = lambda: float(shares_answer(a, b, mw))

    # ---- views ----------------------------------------------------------
    def _nd_case(self, make):
        ndim = self.p1
        if not 1 <= ndim <= 32:
            raise ValueError("ndim must be 1..32")
        a = np.zeros(tuple(2 if d < 10 else 1 for d in range(ndim)))
        self.call = lambda: make(a)
        self.digest = lambda: 0.0

    def setup_view_nd(self):
        self._nd_case(lambda a: a.view())

    def setup_slice_nd(self):
        self._nd_case(lambda a: a[::-1, ...])

    def setup_transpose_nd(self):
        self._nd_case(lambda a: a.T)


def serve():
    case = None
    for line in sys.stdin:
        fields = line.split()
        if not fields:
            continue
        if fields[0] == "quit":
            break
        try:
            if fields[0] not in ("run", "check") or len(fields) < 4:
                raise ValueError("expected: run CASE P1 P2 ITERS | check CASE P1 P2 | quit")
            name, p1, p2 = fields[1], int(fields[2]), int(fields[3])
            iters = int(fields[4]) if fields[0] == "run" and len(fields) > 4 else 1
            if not 1 <= iters <= 10**9:
                raise ValueError("iters must be 1..1e9")
            if case is None or (case.name, case.p1, case.p2) != (name, p1, p2):
                case = None  # free the old inputs before making new ones
                case = Case(name, p1, p2)
            if fields[0] == "run":
                call = case.call
                start = time.perf_counter()
                for _ in range(iters):
                    call()
                answer = "ok %.9f" % (time.perf_counter() - start)
            else:
                answer = "ok %r" % case.digest()
        except KeyError as exc:
            answer = "err unknown case %s" % exc
        except (ValueError, MemoryError) as exc:
            answer = "err %s: %s" % (type(exc).__name__, exc)
        sys.stdout.write(answer + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    # An empty input's mean is NaN on both sides; say nothing on stderr.
    warnings.simplefilter("ignore", RuntimeWarning)
    try:
        serve()
    except KeyboardInterrupt:
        pass
