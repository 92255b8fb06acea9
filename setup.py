"""The C extension of `pip install .` (metadata: pyproject.toml).

arrdbg._arrdbg is made from every python/ext/*.c, against Python's and
NumPy's headers, with the flags python/python.mk uses.  setuptools' scratch
files go under build/pip/, not into the source tree."""
import glob
import os
import re

from setuptools import Extension, setup

HERE = os.path.dirname(os.path.abspath(__file__))


def _version():
    """The Makefile's ARR_VERSION: one version for libarr and the package."""
    with open(os.path.join(HERE, "Makefile")) as f:
        m = re.search(r"^ARR_VERSION\s*:?=\s*(\S+)", f.read(), re.M)
    if m is None:
        raise SystemExit("setup.py: no ARR_VERSION in the Makefile")
    return m.group(1)


def _numpy_include():
    try:
        import numpy
    except ImportError:
        raise SystemExit("setup.py: NumPy is needed to build arrdbg's extension "
                         "(Debian: python3-numpy; a venv needs --system-site-packages, "
                         "pip needs --no-build-isolation)")
    return numpy.get_include()


os.makedirs(os.path.join(HERE, "build", "pip"), exist_ok=True)
SOURCES = sorted(os.path.relpath(p, HERE) for p in glob.glob(os.path.join(HERE, "python", "ext", "*.c")))

setup(
    version=_version(),
    ext_modules=[Extension(
        "arrdbg._arrdbg",
        sources=SOURCES,
        depends=sorted(glob.glob("python/ext/*.h")) + ["valgrind/arrcheck.h"],
        include_dirs=["python/ext", "valgrind", _numpy_include()],
        extra_compile_args=["-std=c11", "-D_GNU_SOURCE", "-fvisibility=hidden",
                            "-fno-omit-frame-pointer", "-Wall", "-Wextra", "-Werror"],
        extra_link_args=["-pthread"],
    )],
    options={"build": {"build_base": "build/pip"},
             "egg_info": {"egg_base": "build/pip"}},
)
