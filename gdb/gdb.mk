# gdb/gdb.mk - the arrdbg gdb plugin: autoload paths, its tests, its install.

ARRDBG_PYDIR_INSTALL := $(PREFIX)/share/arrdbg/python
# gdb's own auto-load directory (objfile scripts found there need no
# safe-path setting); override for a gdb with another data-directory.
GDB_AUTOLOAD_DIR ?= /usr/share/gdb/auto-load
# Generated from libarr/arr.h, arrcheck.h and libarr's name tables (see
# gdb/gen_layout.py); not in git, installed with the package.
ARRDBG_GENERATED := gdb/python/arrdbg_gdb/_generated.py
ARRDBG_PY := $(sort $(wildcard gdb/python/arrdbg_gdb/*.py) $(ARRDBG_GENERATED))

$(ARRDBG_GENERATED): gdb/gen_layout.py $(LIBARR_HDRS) $(LIBARR_A)
	@mkdir -p $(BUILD)/gdb
	python3 gdb/gen_layout.py --cc "$(CC) $(CFLAGS_PROJECT)" --lib $(LIBARR_A) \
	  --ldflags "$(LDFLAGS_PROJECT)" --work $(BUILD)/gdb --out $@
ALL_TARGETS += $(ARRDBG_GENERATED)
# Everything that loads the plugin needs the module (make demo's gdb tour).
samples-build tour bench-gdb: $(ARRDBG_GENERATED)

# The .debug_gdb_scripts entry looks for the package in the source tree and
# under the install prefix (after ARRDBG_PYTHONPATH and share/ beside the lib).
$(BUILD)/libarr/arr_gdb_autoload.o $(BUILD)/libarr/pic/arr_gdb_autoload.o: \
  CFLAGS_PROJECT += -DARRDBG_PYDIR_SOURCE='"$(CURDIR)/gdb/python"' \
                    -DARRDBG_PYDIR_INSTALL='"$(ARRDBG_PYDIR_INSTALL)"'
$(BUILD)/libarr/arr_gdb_autoload.o $(BUILD)/libarr/pic/arr_gdb_autoload.o: gdb/gdb.mk

# Test programs: -O0 so every local is visible at the breakpoints.
GDB_TEST_PROGS := $(patsubst tests/gdb/progs/%.c,$(BUILD)/tests/gdb/%,$(wildcard tests/gdb/progs/*.c))
GDB_TEST_SHARED := $(BUILD)/tests/gdb/views_shared

$(BUILD)/tests/gdb/%: tests/gdb/progs/%.c tests/gdb/progs/spot.h $(LIBARR_A)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_PROJECT) -O0 -Itests/gdb/progs $< -o $@ $(LIBARR_A) $(LDFLAGS_PROJECT)

# The same program against the shared library: proves auto-load from libarr.so.
$(GDB_TEST_SHARED): tests/gdb/progs/views.c tests/gdb/progs/spot.h $(LIBARR_SO)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_PROJECT) -O0 -Itests/gdb/progs $< -o $@ -L$(BUILD) -l:libarr.so.$(ARR_SOVERSION) \
	  -Wl,-rpath,$(abspath $(BUILD)) $(LDFLAGS_PROJECT)

ALL_TARGETS += $(GDB_TEST_PROGS) $(GDB_TEST_SHARED)

.PHONY: check-gdb install-gdb uninstall-gdb
check-gdb: $(GDB_TEST_PROGS) $(GDB_TEST_SHARED) $(ARRDBG_GENERATED)
	BUILD=$(BUILD) SANITIZE=$(SANITIZE) bash tests/gdb/run.sh

CHECK_TARGETS += check-gdb
# tests/gdb/thirdparty runs the third-party sample (built without sanitizers).
ifneq ($(SANITIZE),1)
check-gdb: $(BUILD)/samples/thirdparty_matrix
endif

# gdb reads objfile scripts from its auto-load directory (outside PREFIX for
# PREFIX=/usr/local), named after the library's real path.
GDB_AUTOLOAD_SCRIPT := $(GDB_AUTOLOAD_DIR)$(LIBDIR)/libarr.so.$(ARR_VERSION)-gdb.py
GDB_INSTALLED := $(addprefix $(ARRDBG_PYDIR_INSTALL)/arrdbg_gdb/,$(notdir $(ARRDBG_PY))) \
                 $(PREFIX)/share/arrdbg/arrdbg.py $(GDB_AUTOLOAD_SCRIPT)
install-gdb: $(ARRDBG_GENERATED)
	install -d $(DESTDIR)$(ARRDBG_PYDIR_INSTALL)/arrdbg_gdb $(DESTDIR)$(dir $(GDB_AUTOLOAD_SCRIPT))
	install -m 644 $(ARRDBG_PY) $(DESTDIR)$(ARRDBG_PYDIR_INSTALL)/arrdbg_gdb/
	install -m 644 gdb/arrdbg.py $(DESTDIR)$(PREFIX)/share/arrdbg/
	sed -e 's|@PYDIR@|$(ARRDBG_PYDIR_INSTALL)|g' gdb/libarr-gdb.py.in > $(DESTDIR)$(GDB_AUTOLOAD_SCRIPT)
	@$(call install_note,$(GDB_AUTOLOAD_SCRIPT),gdb auto-loads a library's scripts from its auto-load directory)
uninstall-gdb:
	rm -f $(addprefix $(DESTDIR),$(GDB_INSTALLED))
	@$(call install_note,$(GDB_AUTOLOAD_SCRIPT),removed from gdb's auto-load directory)
	@rm -rf $(DESTDIR)$(ARRDBG_PYDIR_INSTALL)/arrdbg_gdb/__pycache__
	@for d in $(ARRDBG_PYDIR_INSTALL)/arrdbg_gdb $(ARRDBG_PYDIR_INSTALL) $(PREFIX)/share/arrdbg; do \
	  rmdir $(DESTDIR)$$d 2>/dev/null || true; done
	@d=$(patsubst %/,%,$(dir $(GDB_AUTOLOAD_SCRIPT))); while [ "$$d" != $(GDB_AUTOLOAD_DIR) ] && \
	  rmdir $(DESTDIR)$$d 2>/dev/null; do d=$$(dirname $$d); done

INSTALL_TARGETS += install-gdb
UNINSTALL_TARGETS += uninstall-gdb

# Timings of print and arr list at the sizes the issue names (not in check).
.PHONY: bench-gdb
bench-gdb: $(BUILD)/tests/gdb/many
	gdb -nx -batch -iex "source gdb/arrdbg.py" -x tests/gdb/bench.py $(BUILD)/tests/gdb/many 2>&1 | grep '^bench-gdb:'
