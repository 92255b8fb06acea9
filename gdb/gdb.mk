# gdb/gdb.mk - the arrdbg gdb plugin: autoload paths, its tests, its install.

ARRDBG_SHARE_INSTALL := $(ARRDBG_SHAREDIR)
ARRDBG_PYDIR_INSTALL := $(ARRDBG_SHARE_INSTALL)/python
ARRDBG_PYDIR_SOURCE := $(CURDIR)/gdb/python
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

# Where the plugin is imported from is fixed per object, one directory each
# (libarr/arr_gdb_autoload.c): the static library of the build tree imports
# from the source tree; the copy `make install-gdb` puts into the installed
# libarr.a from the install prefix; the shared library has no entry (its
# script is a file: the build tree's beside it, the installed one in gdb's
# auto-load directory), so no build path is inside an installed library.
ARRDBG_AUTOLOAD_INSTALLED_O := $(BUILD)/libarr/installed/arr_gdb_autoload.o
$(BUILD)/libarr/arr_gdb_autoload.o: CFLAGS_PROJECT += -DARRDBG_PYDIR='"$(ARRDBG_PYDIR_SOURCE)"'
$(BUILD)/libarr/pic/arr_gdb_autoload.o: CFLAGS_PROJECT += -DARRDBG_SHARED_OBJECT=1
$(BUILD)/libarr/arr_gdb_autoload.o $(BUILD)/libarr/pic/arr_gdb_autoload.o: gdb/gdb.mk

# The build tree's objfile script for libarr.so (gdb looks beside the library).
ARRDBG_SO_SCRIPT := $(LIBARR_SO)-gdb.py
$(ARRDBG_SO_SCRIPT): gdb/libarr-gdb.py.in gdb/gdb.mk
	@mkdir -p $(dir $@)
	sed -e 's|@PYDIR@|$(ARRDBG_PYDIR_SOURCE)|g' $< > $@

ALL_TARGETS += $(ARRDBG_SO_SCRIPT)

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
check-gdb: $(GDB_TEST_PROGS) $(GDB_TEST_SHARED) $(ARRDBG_SO_SCRIPT) $(ARRDBG_GENERATED)
	BUILD=$(BUILD) SANITIZE=$(SANITIZE) bash tests/gdb/run.sh

CHECK_TARGETS += check-gdb
# tests/gdb/thirdparty runs the third-party sample (built without sanitizers).
ifneq ($(SANITIZE),1)
check-gdb: $(BUILD)/samples/thirdparty_matrix
# tests/gdb/gsl: a plain GSL sample (when libgsl-dev is there).
ifneq ($(GSL_OK),)
check-gdb: $(BUILD)/samples/gsl_stale_view
endif
endif

# gdb reads objfile scripts from its auto-load directory (outside PREFIX for
# PREFIX=/usr/local), named after the library's real path.  A program
# linked with the installed libarr.a names, in its .debug_gdb_scripts
# section, the script GDB_STATIC_SCRIPT in that same directory: gdb trusts
# it there (no safe-path setting, no warning).
GDB_AUTOLOAD_SCRIPT := $(GDB_AUTOLOAD_DIR)$(LIBDIR)/libarr.so.$(ARR_VERSION)-gdb.py
GDB_STATIC_SCRIPT := $(GDB_AUTOLOAD_DIR)/arrdbg/libarr.a-gdb.py
GDB_INSTALLED := $(addprefix $(ARRDBG_PYDIR_INSTALL)/arrdbg_gdb/,$(notdir $(ARRDBG_PY))) \
                 $(ARRDBG_SHARE_INSTALL)/arrdbg.py $(GDB_AUTOLOAD_SCRIPT) $(GDB_STATIC_SCRIPT)
# The package and its loader (`source $(ARRDBG_SHARE_INSTALL)/arrdbg.py`:
# any gdb, e.g. on a python3 process), the objfile scripts for the shared
# and the static library, and the installed libarr.a's autoload entry:
# compiled here, naming GDB_STATIC_SCRIPT, and put in place of the build
# tree's (after install-libarr copied the archive), so the installed
# archive names no build path.
install-gdb: $(ARRDBG_GENERATED) | install-libarr
	install -d "$(DESTDIR)$(ARRDBG_PYDIR_INSTALL)/arrdbg_gdb" "$(DESTDIR)$(dir $(GDB_AUTOLOAD_SCRIPT))" \
	  "$(DESTDIR)$(dir $(GDB_STATIC_SCRIPT))" $(dir $(ARRDBG_AUTOLOAD_INSTALLED_O))
	install -m 644 $(ARRDBG_PY) "$(DESTDIR)$(ARRDBG_PYDIR_INSTALL)/arrdbg_gdb/"
	install -m 644 gdb/arrdbg.py "$(DESTDIR)$(ARRDBG_SHARE_INSTALL)/"
	for f in $(GDB_AUTOLOAD_SCRIPT) $(GDB_STATIC_SCRIPT); do \
	  sed -e 's|@PYDIR@|$(ARRDBG_PYDIR_INSTALL)|g' gdb/libarr-gdb.py.in > "$(DESTDIR)$$f" || exit 1; done
	$(CC) $(CFLAGS_PROJECT) -fdebug-prefix-map=$(CURDIR)=. -DARRDBG_GDB_SCRIPT='"$(GDB_STATIC_SCRIPT)"' \
	  -c libarr/arr_gdb_autoload.c -o $(ARRDBG_AUTOLOAD_INSTALLED_O)
	ar rs "$(DESTDIR)$(LIBDIR)/libarr.a" $(ARRDBG_AUTOLOAD_INSTALLED_O)
	@$(call install_note,$(GDB_AUTOLOAD_SCRIPT),gdb auto-loads a library's scripts from its auto-load directory)
	@$(call install_note,$(GDB_STATIC_SCRIPT),gdb loads the script libarr.a names from its auto-load directory without a safe-path setting)
uninstall-gdb:
	@$(call rm_installed,$(GDB_INSTALLED))
	@$(call install_note,$(GDB_AUTOLOAD_SCRIPT),removed from gdb's auto-load directory)
	@rm -rf "$(DESTDIR)$(ARRDBG_PYDIR_INSTALL)/arrdbg_gdb/__pycache__"
	@$(call rmdir_up,$(ARRDBG_PYDIR_INSTALL)/arrdbg_gdb)
	@for s in $(GDB_AUTOLOAD_SCRIPT) $(GDB_STATIC_SCRIPT); do d=$${s%/*}; \
	  while [ "$$d" != $(GDB_AUTOLOAD_DIR) ] && rmdir "$(DESTDIR)$$d" 2>/dev/null; do d=$${d%/*}; done; done

INSTALL_TARGETS += install-gdb
UNINSTALL_TARGETS += uninstall-gdb

# Timings of print and arr list at the sizes the issue names (not in check).
.PHONY: bench-gdb
bench-gdb: $(BUILD)/tests/gdb/many
	gdb -nx -batch -iex "source gdb/arrdbg.py" -x tests/gdb/bench.py $(BUILD)/tests/gdb/many 2>&1 | grep '^bench-gdb:'
