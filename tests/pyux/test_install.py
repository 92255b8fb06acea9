"""pip install . from the checkout into a venv made with
--system-site-packages (Debian's NumPy, pytest and IPython stay visible),
offline, with Debian's pip and setuptools and --no-build-isolation; then,
with nothing from the tree on the path: python3 -m arrdbg run, the pytest
plugin (found through its pytest11 entry point, no -p) and the magics."""
import os
import subprocess

from conftest import PYTHON, ROOT


def _run(args, cwd, timeout=300):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PIP_INDEX_URL")}
    env["PIP_NO_INDEX"] = "1"  # offline: nothing may come from the network
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return subprocess.run(args, cwd=cwd, env=env, timeout=timeout, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True)


def test_pip_install_into_a_venv(tmp_path):
    venv = tmp_path / "venv"
    r = _run([PYTHON, "-m", "venv", "--system-site-packages", str(venv)], tmp_path)
    assert r.returncode == 0, r.stderr
    py = str(venv / "bin" / "python")
    r = _run([py, "-m", "pip", "install", "--no-build-isolation", "--no-index", "-q", ROOT], tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    where = _run([py, "-c", "import arrdbg, arrdbg._arrdbg as e; print(arrdbg.__file__); print(e.__file__)"],
                 tmp_path)
    site = str(venv / "lib")
    assert where.returncode == 0 and all(ln.startswith(site) for ln in where.stdout.split()), where
    # run
    (tmp_path / "s.py").write_text("import numpy as np\nx = np.ones(5000)\ny = x.copy()\n")
    r = _run([py, "-m", "arrdbg", "run", "--json", "s.json", "s.py"], tmp_path)
    assert r.returncode == 0 and "s.py:3" in r.stderr and "y = x.copy()" in r.stderr, r.stderr
    # the pytest plugin, from its entry point
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "test_x.py").write_text(
        "import numpy as np, pytest\n@pytest.mark.arrdbg(copies=0)\ndef test_x():\n    np.ones(9).copy()\n")
    r = _run([py, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--arrdbg", "test_x.py"], tmp_path / "t")
    assert r.returncode == 1 and "test_x exceeded its NumPy memory limits: copies 1" in r.stdout, r.stdout
    assert "arrdbg: NumPy data memory per test" in r.stdout
    # installed and named with -p at once: the same single plugin
    r = _run([py, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "arrdbg.pytest_plugin", "--arrdbg",
              "test_x.py"], tmp_path / "t")
    assert r.returncode == 1 and "already registered" not in r.stdout + r.stderr, r.stdout + r.stderr
    assert r.stdout.count("test_x exceeded its NumPy memory limits: copies 1") == 1, r.stdout
    # the magics
    r = _run([py, "-c", "from IPython.core.interactiveshell import InteractiveShell as S; ip = S.instance(); "
                        "ip.run_cell('%load_ext arrdbg', store_history=True); "
                        "ip.run_cell('%arrdbg import numpy as np; a = np.zeros(1000)', store_history=True)"],
             tmp_path)
    assert r.returncode == 0 and "arrdbg: In [2]: peak 8.0 kB (8,000 bytes)" in r.stdout, r.stdout + r.stderr
