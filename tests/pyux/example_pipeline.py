"""The pytest example python/README.md shows (a test that fails on purpose:
tests/pyux/test_readme.py runs it and compares its output with the README;
pytest does not collect it by itself, its name not being test_*.py)."""
import numpy as np
import pytest


def normalise(x):
    x = x.T.copy()                     # the copy this test forbids
    return (x - x.mean(axis=0)) / x.std(axis=0)


@pytest.mark.arrdbg(peak="64 MB", copies=0)
def test_normalise():
    data = np.random.rand(2000, 1000)
    assert normalise(data).shape == (1000, 2000)
