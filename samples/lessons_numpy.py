#!/usr/bin/python3
"""lessons_numpy.py LESSON - print what a lesson sample prints, computed by NumPy.

samples/run compares this with the C program's output, so each lesson's
claims about views and copies are NumPy's answers, not ours.  Lessons about
libarr's own memory accounting (arr_stats) have no NumPy counterpart; their
expected output is in samples/<lesson>.out instead.
"""
import sys

import numpy as np


def slice_is_view():
    a = np.arange(0, 10, 1, dtype=np.float64)
    s = a[2:7]
    c = a[2:7].copy()
    print(f"s = a[2:7]: owndata {s.flags.owndata}, base is a {s.base is a}")
    print(f"c = a[2:7].copy(): owndata {c.flags.owndata}, base is None {c.base is None}")
    print(f"may_share_memory(a, s) = {np.may_share_memory(a, s)}")
    print(f"may_share_memory(a, c) = {np.may_share_memory(a, c)}")
    print(f"may_share_memory(a[::2], a[1::2]) = {np.may_share_memory(a[::2], a[1::2])}")
    print(f"shares_memory(a[::2], a[1::2]) = {np.shares_memory(a[::2], a[1::2])}")
    print(f"shares_memory(a[::2], a[2:7][::2]) = {np.shares_memory(a[::2], a[2:7][::2])}")


def show(what, a):
    print(what + " [" + " ".join(f"{x:g}" for x in a) + "]")


def write_through_view():
    a = np.zeros(6)
    v = a[1:4]
    v[:] = 7
    show("after v = a[1:4]; v[:] = 7:          a =", a)
    c = a[1:4].copy()
    c[:] = -1
    show("after c = a[1:4].copy(); c[:] = -1: a =", a)
    show("                                    c =", c)
    m = a.reshape(2, 3)
    m[1, 2] = 5
    show("after m = a.reshape(2, 3); m[1, 2] = 5: a =", a)


def ascontiguous():
    a = np.arange(0, 12, 1, dtype=np.float64).reshape(3, 4)
    cases = [("a", a), ("a[1:]", a[1:]), ("a[::2]", a[::2]), ("a[:, 1:3]", a[:, 1:3]),
             ("a[:, :1]", a[:, :1]), ("a[1]", a[1]), ("a.T", a.T)]
    for name, x in cases:
        c = np.ascontiguousarray(x)
        print(f"{name:<12} C-contiguous {str(x.flags.c_contiguous):<5} -> "
              f"ascontiguous shares memory with a: {np.shares_memory(c, a)}")


LESSONS = {
    "lesson_slice_is_view": slice_is_view,
    "lesson_write_through_view": write_through_view,
    "lesson_ascontiguous": ascontiguous,
}

if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in LESSONS:
        sys.exit("usage: lessons_numpy.py {" + ",".join(sorted(LESSONS)) + "}")
    LESSONS[sys.argv[1]]()
