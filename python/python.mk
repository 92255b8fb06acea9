# python/python.mk - `arrdbg`, the user-facing Python package for NumPy
# programs, and its C extension (the data-memory handler).
#
#   make                     builds $(BUILD)/python/arrdbg/ (the .py files and
#                            _arrdbg*.so): PYTHONPATH=$(BUILD)/python
#                            /usr/bin/python3 -m arrdbg run SCRIPT
#   make check-python        tests/python/run.sh
#   make install-python      into $(PYTHON_SITEDIR) (Debian's dist-packages
#                            layout under PREFIX); then, with no PYTHONPATH,
#                            /usr/bin/python3 -m arrdbg run SCRIPT
#
# Always Debian's interpreter: NumPy (python3-numpy) lives there, not in
# whatever python3 comes first on PATH.

ARRDBG_PYTHON ?= /usr/bin/python3
# The libraries tests/python/t_lib_*.py run arrdbg on.
DEB_PACKAGES += python3-scipy python3-sklearn python3-pandas python3-dask
ARRDBG_PY_INCLUDE := $(shell $(ARRDBG_PYTHON) -c 'import sysconfig; print(sysconfig.get_paths()["include"])' 2>/dev/null)
ARRDBG_NP_INCLUDE := $(shell $(ARRDBG_PYTHON) -c 'import numpy; print(numpy.get_include())' 2>/dev/null)
ARRDBG_EXT_SUFFIX := $(shell $(ARRDBG_PYTHON) -c 'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))' 2>/dev/null)
ARRDBG_PY_VERSION := $(shell $(ARRDBG_PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
# Where Debian's python3 looks: /usr/lib/python3/dist-packages for the
# system prefix, PREFIX/lib/python3.X/dist-packages for any other.
PYTHON_SITEDIR ?= $(if $(filter /usr,$(PREFIX)),$(PREFIX)/lib/python3/dist-packages,$(PREFIX)/lib/python$(ARRDBG_PY_VERSION)/dist-packages)

ARRDBG_PY_SRCS := $(sort $(wildcard python/arrdbg/*.py python/arrdbg/*.json python/arrdbg/*.js python/arrdbg/*.css))
ARRDBG_PY_BUILT := $(patsubst python/%,$(BUILD)/python/%,$(ARRDBG_PY_SRCS))
ARRDBG_EXT := $(BUILD)/python/arrdbg/_arrdbg$(ARRDBG_EXT_SUFFIX)
# The handler is plain C11 against Python's and NumPy's headers; no ASan:
# it is loaded into /usr/bin/python3, which is not built with it.
ARRDBG_EXT_CFLAGS := -std=c11 -D_GNU_SOURCE -g $(PATH_FLAGS) -O2 $(WARN) -fPIC -fvisibility=hidden \
                     -fno-omit-frame-pointer -I$(ARRDBG_PY_INCLUDE) -I$(ARRDBG_NP_INCLUDE) \
                     -Ivalgrind -Ipython/ext

$(BUILD)/python/arrdbg/%: python/arrdbg/%
	@mkdir -p $(dir $@)
	cp $< $@

# One extension module (_arrdbg) from every python/ext/*.c (one job per
# file, python/ext/arrdbg.h says which); pip's build (setup.py) compiles
# the same list.
ARRDBG_EXT_SRCS := $(sort $(wildcard python/ext/*.c))
ARRDBG_EXT_HDRS := $(wildcard python/ext/*.h)
$(ARRDBG_EXT): $(ARRDBG_EXT_SRCS) $(ARRDBG_EXT_HDRS) valgrind/arrcheck.h python/python.mk
	@mkdir -p $(dir $@)
	@if [ -z "$(ARRDBG_NP_INCLUDE)" ] || [ ! -f "$(ARRDBG_PY_INCLUDE)/Python.h" ]; then \
	  echo "python.mk: need python3-dev and python3-numpy for $(ARRDBG_PYTHON) (make deps)"; exit 1; fi
	$(CC) $(ARRDBG_EXT_CFLAGS) -shared $(ARRDBG_EXT_SRCS) -o $@ -pthread

ARRDBG_PY_TREE := $(ARRDBG_PY_BUILT) $(ARRDBG_EXT)
ALL_TARGETS += $(ARRDBG_PY_TREE)

.PHONY: check-python install-python uninstall-python python-build
python-build: $(ARRDBG_PY_TREE)

# A test extension that uses the handler from a thread without the GIL.
ARRDBG_NOGIL_EXT := $(BUILD)/tests/python/nogil_ext$(ARRDBG_EXT_SUFFIX)
$(ARRDBG_NOGIL_EXT): tests/python/nogil_ext.c python/python.mk
	@mkdir -p $(dir $@)
	$(CC) $(ARRDBG_EXT_CFLAGS) -shared $< -o $@ -pthread
ALL_TARGETS += $(ARRDBG_NOGIL_EXT)

# A test extension with a program's own (non-chaining) data handler.
ARRDBG_OWNH_EXT := $(BUILD)/tests/python/own_handler_ext$(ARRDBG_EXT_SUFFIX)
$(ARRDBG_OWNH_EXT): tests/python/own_handler_ext.c python/python.mk
	@mkdir -p $(dir $@)
	$(CC) $(ARRDBG_EXT_CFLAGS) -shared $< -o $@
ALL_TARGETS += $(ARRDBG_OWNH_EXT)
check-python: $(ARRDBG_OWNH_EXT)

check-python: $(ARRDBG_PY_TREE) $(ARRDBG_NOGIL_EXT)
	@ARRDBG_BUILD=$(BUILD) ARRDBG_PYTHON=$(ARRDBG_PYTHON) bash tests/python/run.sh

CHECK_TARGETS += check-python

# The sample runner (make demo, check-samples) also runs samples/np_*.py.
samples-build: $(ARRDBG_PY_TREE)

install-python: $(ARRDBG_PY_TREE)
	install -d "$(DESTDIR)$(PYTHON_SITEDIR)/arrdbg"
	install -m 644 $(ARRDBG_PY_BUILT) "$(DESTDIR)$(PYTHON_SITEDIR)/arrdbg/"
	install -m 755 $(ARRDBG_EXT) "$(DESTDIR)$(PYTHON_SITEDIR)/arrdbg/"
uninstall-python:
	@$(call rm_installed,$(addprefix $(PYTHON_SITEDIR)/arrdbg/,$(notdir $(ARRDBG_PY_BUILT) $(ARRDBG_EXT))))
	@rm -rf "$(DESTDIR)$(PYTHON_SITEDIR)/arrdbg/__pycache__"
	@$(call rmdir_up,$(PYTHON_SITEDIR)/arrdbg)

INSTALL_TARGETS += install-python
UNINSTALL_TARGETS += uninstall-python

# The NumPy sample's C extension with a dangling data pointer.
ARRDBG_SAMPLE_EXT := $(BUILD)/samples/np_dangling_ext$(ARRDBG_EXT_SUFFIX)
$(ARRDBG_SAMPLE_EXT): samples/ext/np_dangling_ext.c python/python.mk
	@mkdir -p $(dir $@)
	$(CC) $(ARRDBG_EXT_CFLAGS) -O0 -shared $< -o $@
ALL_TARGETS += $(ARRDBG_SAMPLE_EXT)
samples-build: $(ARRDBG_SAMPLE_EXT)
check-python: $(ARRDBG_SAMPLE_EXT)   # tests/python/t_pystack.sh reads through it
check-python: $(LIBARR_SO)   # tests/python/t_ids.sh loads build/libarr.so
