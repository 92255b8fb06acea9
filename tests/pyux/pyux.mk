# tests/pyux/pyux.mk - arrdbg where NumPy users work: the pytest plugin, the
# IPython/Jupyter magics, the HTML report (in headless Chromium), diff, the
# report's JSON Schema, and `pip install .` into a venv.
#
#   make check-pyux      every tests/pyux/test_*.py, with Debian's pytest
#
# The HTML test leaves its screenshot in $(BUILD)/pyux/ (docs/ has a copy).

DEB_PACKAGES += python3-pytest python3-ipython python3-ipykernel python3-nbclient \
                python3-jsonschema python3-venv python3-pip python3-setuptools python3-wheel \
                chromium

.PHONY: check-pyux
check-pyux: $(ARRDBG_PY_TREE)
	@mkdir -p $(BUILD)/pyux
	@t=$$(mktemp -d /tmp/arrdbg-pyux.XXXXXX); trap 'rm -rf "$$t"' EXIT; \
	  cd tests/pyux && PYDEVD_DISABLE_FILE_VALIDATION=1 ARRDBG_BUILD=$(abspath $(BUILD)) ARRDBG_PYTHON=$(ARRDBG_PYTHON) \
	  PYTHONPATH=$(abspath $(BUILD))/python timeout 600 $(ARRDBG_PYTHON) -m pytest -q \
	  -p no:cacheprovider --basetemp="$$t" $(or $(PYUX_PYTEST_ARGS),.)

CHECK_TARGETS += check-pyux

# Size and load time of the HTML report for 10^5 sites (python/README.md
# quotes it); not part of make check.
.PHONY: bench-pyux
bench-pyux: $(ARRDBG_PY_TREE)
	PYTHONPATH=$(abspath $(BUILD))/python ARRDBG_PYTHON=$(ARRDBG_PYTHON) \
	  $(ARRDBG_PYTHON) tests/pyux/big_report.py $(PYUX_SITES)
