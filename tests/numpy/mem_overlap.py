#!/usr/bin/python3
"""mem_overlap.py - arr_shares_memory against np.shares_memory, live, on the
cases of NumPy's own numpy/core/tests/test_mem_overlap.py (NumPy 1.24):

  * test_may_share_memory_manual: the 32 sign variants of two int8 bases,
    x[:,0,:] vs x[:,1,:], x[:,::7] vs x[:,3::3], the int16 reinterpretations
    (itemsize), empty and one-element arrays;
  * test_may_share_memory_easy_fuzz / _harder_fuzz: iter_random_view_pairs
    (same steps / different steps, NumPy's generator and seed) with
    max_work 1 and max(a.size, b.size) // 2;
  * test_shares_memory_api;
  * test_diophantine_fuzz: NumPy's random bounded Diophantine problems
    sum A_i x_i = b, 0 <= x_i <= U_i (same generator and seed), posed as the
    overlap of an int8 array with strides A and shape U + 1 and one byte at
    offset b.

Every pair is asked with max_work = exact, 0, 1, 2, 3, 7, 50 and the NumPy
test's own bound: the answers (yes, no, or too hard: TooHardError or
OverflowError) must be the same, which they are only when the work is
counted as NumPy counts it.  Also np.may_share_memory against
arr_may_share_memory.

    /usr/bin/python3 tests/numpy/mem_overlap.py build/tests/numpy/overlap_driver
"""
import itertools
import subprocess
import sys

import numpy as np
from numpy.lib.stride_tricks import as_strided

DRIVER = sys.argv[1] if len(sys.argv) > 1 else "build/tests/numpy/overlap_driver"
WORKS = [-1, 0, 1, 2, 3, 7, 50]

pairs = []  # (label, a, b, extra max_work values)


def add(label, a, b, *extra):
    pairs.append((label, a, b, extra))


# ---- test_may_share_memory_manual --------------------------------------------
xs0 = [np.zeros([13, 21, 23, 22], dtype=np.int8),
       np.zeros([13, 21, 23 * 2, 22], dtype=np.int8)[:, :, ::2, :]]
for x0 in xs0:
    for ss in itertools.product(*(([slice(None), slice(None, None, -1)],) * 4)):
        x = x0[ss]
        add("manual x[:,0,:] x[:,1,:]", x[:, 0, :], x[:, 1, :])
        add("manual x[:,::7] x[:,3::3]", x[:, ::7], x[:, 3::3])
        try:
            xp = x.ravel()
            if xp.flags.owndata:
                continue
            xp = xp.view(np.int16)
        except ValueError:
            continue
        add("manual empty", x.ravel()[6:6], xp.reshape(13, 21, 23, 11)[:, ::7])
        add("manual itemsize", x[:, ::7], xp.reshape(13, 21, 23, 11))
        add("manual itemsize 3::3", x[:, ::7], xp.reshape(13, 21, 23, 11)[:, 3::3])
        add("manual one byte", x.ravel()[6:7], xp.reshape(13, 21, 23, 11)[:, ::7])
x = np.zeros([1], dtype=np.int8)
add("unit", x, x)
add("unit copy", x, x.copy())


# ---- iter_random_view_pairs (NumPy's generator, same seed) ---------------------
def iter_random_view_pairs(x, same_steps=True):
    rng = np.random.RandomState(1234)

    def random_slice(n, step):
        start = rng.randint(0, n + 1, dtype=np.intp)
        stop = rng.randint(start, n + 1, dtype=np.intp)
        if rng.randint(0, 2, dtype=np.intp) == 0:
            stop, start = start, stop
            step *= -1
        return slice(start, stop, step)

    yield x, x
    for j in range(1, 7, 3):
        yield x[j:], x[:-j]
        yield x[..., j:], x[..., :-j]
    strides = list(x.strides)
    strides[0] = 0
    xp = as_strided(x, shape=x.shape, strides=strides)
    yield x, xp
    yield xp, xp
    strides = list(x.strides)
    if strides[0] > 1:
        strides[0] = 1
    xp = as_strided(x, shape=x.shape, strides=strides)
    yield x, xp
    yield xp, xp
    while True:
        steps = tuple(rng.randint(1, 11, dtype=np.intp) if rng.randint(0, 5, dtype=np.intp) == 0
                      else 1 for j in range(x.ndim))
        s1 = tuple(random_slice(p, s) for p, s in zip(x.shape, steps))
        t1 = np.arange(x.ndim)
        rng.shuffle(t1)
        t2 = np.arange(x.ndim)
        rng.shuffle(t2)
        a = x[s1]
        if same_steps:
            steps2 = steps
        else:
            steps2 = tuple(rng.randint(1, 11, dtype=np.intp)
                           if rng.randint(0, 5, dtype=np.intp) == 0 else 1
                           for j in range(x.ndim))
        s2 = tuple(random_slice(p, s) for p, s in zip(x.shape, steps2))
        yield a.transpose(t1), x[s2].transpose(t2)


xbig = np.zeros([17, 34, 71, 97], dtype=np.int16)
for same_steps, count, label in ((True, 2500, "easy fuzz"), (False, 1500, "harder fuzz")):
    it = iter_random_view_pairs(xbig, same_steps)
    for _ in range(count):
        a, b = next(it)
        add(label, a, b, max(a.size, b.size) // 2)

# ---- test_shares_memory_api ------------------------------------------------------
x = np.zeros([4, 5, 6], dtype=np.int8)
add("api x x", x, x)
add("api x copy", x, x.copy())
add("api ::2,::3 vs ::3,::2", x[:, ::2, ::3], x[:, ::3, ::2])

# ---- test_diophantine_fuzz, as overlap problems ------------------------------------
rng = np.random.RandomState(1234)
max_int = np.iinfo(np.intp).max
buf = np.zeros(1, dtype=np.int8)
for ndim in range(10):
    for _ in range(120):
        A_max = min(max_int, 1 + rng.randint(0, 11, dtype=np.intp) ** 6)
        U_max = min(max_int - 1, rng.randint(0, 11, dtype=np.intp) ** 6)
        A = tuple(int(rng.randint(1, A_max + 1, dtype=np.intp)) for j in range(ndim))
        U = tuple(int(rng.randint(0, U_max + 2, dtype=np.intp)) for j in range(ndim))
        b_ub = min(max_int - 2, sum(a * ub for a, ub in zip(A, U)))
        b = int(rng.randint(-1, b_ub + 2, dtype=np.intp))
        if b < 0:
            continue
        try:  # NumPy cannot describe an array of more than 2**63 bytes
            a = as_strided(buf, shape=tuple(u + 1 for u in U), strides=A)
        except ValueError:
            continue
        if a.size > (2**63 - 1) // 2:  # libarr's arrays stop at 2**62 bytes
            continue
        line = as_strided(buf, shape=(b + 1,), strides=(1,))
        one = as_strided(line[b:], shape=(), strides=())
        add(f"diophantine A={A} U={U} b={b}", a, one, 1000)


# ---- ask both ----------------------------------------------------------------------
def numpy_answer(a, b, w):
    try:
        return int(np.shares_memory(a, b, max_work=None if w == -1 else w))
    except (np.TooHardError, OverflowError):
        return 2


base = min(min(p[1].__array_interface__["data"][0], p[2].__array_interface__["data"][0])
           for p in pairs)


def layout(x):
    off = x.__array_interface__["data"][0] - base
    return " ".join(map(str, [x.ndim, x.itemsize, off, *x.shape, *x.strides]))


lines, expected = [], []
for label, a, b, extra in pairs:
    for w in WORKS + list(extra):
        lines.append(f"{w} {layout(a)} {layout(b)}")
        expected.append((label, w, numpy_answer(a, b, w)))
    lines.append(f"may {layout(a)} {layout(b)}")
    expected.append((label, "may", int(np.may_share_memory(a, b))))

p = subprocess.run([DRIVER], input="\n".join(lines) + "\n", capture_output=True, text=True,
                   timeout=600)
got = p.stdout.splitlines()
failed = 0
if p.returncode != 0 or len(got) != len(expected):
    print(f"FAIL: driver exit {p.returncode}, {len(got)} answers for {len(expected)}: {p.stderr}")
    failed += 1
names = {0: "no", 1: "yes", 2: "too hard"}
shown = 0
for (label, w, want), g in zip(expected, got):
    if g != str(want):
        failed += 1
        if shown < 20:
            shown += 1
            print(f"FAIL {label} max_work={w}: NumPy {names[want]}, libarr {names.get(int(g), g) if g.isdigit() else g}")
kinds = {}
for (_, w, want) in expected:
    kinds[want] = kinds.get(want, 0) + 1
print(f"mem_overlap: {len(pairs)} pairs, {len(expected)} questions "
      f"({kinds.get(1, 0)} yes, {kinds.get(0, 0)} no, {kinds.get(2, 0)} too hard)")
print(f"{len(expected) - failed} passed, {failed} failed")
sys.exit(1 if failed else 0)
