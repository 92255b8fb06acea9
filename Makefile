# arrdbg: libarr, the arrcheck Valgrind tool, the gdb plugin, the samples.
#
#   make              libarr (static, shared, .pc), the tool, the tests' programs
#   make check        every test (installs missing Debian packages first)
#   make check SANITIZE=1   the same under ASan+UBSan
#   make demo         the sample suite under the tools, with its report
#   make install PREFIX=/usr/local DESTDIR=   (make uninstall: the same files)
#   make deps         install the Debian packages the build and tests need
#
# Parts live in their own fragments (valgrind/valgrind.mk, gdb/gdb.mk, each
# test suite's .mk beside it, ...), each adding to ALL_TARGETS / CHECK_TARGETS.

SHELL := /bin/bash
CC ?= gcc
ifeq ($(origin CC),default)
CC := gcc
endif
PREFIX ?= /usr/local
DESTDIR ?=
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include

ARR_SOVERSION := 0
ARR_VERSION := 0.1.0

SANITIZE ?= 0
ifeq ($(SANITIZE),1)
BUILD ?= build/san
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
else
BUILD ?= build
SAN_FLAGS :=
endif

# A libarr call asked for an absurd size must fail with ENOMEM, not abort.
export ASAN_OPTIONS ?= allocator_may_return_null=1:detect_leaks=1
export UBSAN_OPTIONS ?= print_stacktrace=1:halt_on_error=1

OPT ?= -O2
# No sibling calls: every public libarr call keeps its own frame, so tools'
# stacks show e.g. arr_copy rather than an internal helper it jumped to.
WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
# No checkout or build path in any object (DWARF comp_dir, __FILE__): sources
# are named relative to the top of the tree ("./libarr/arr.c"); gdb finds
# them there from any directory (arrdbg_gdb adds the tree to `directory`).
PATH_FLAGS := -ffile-prefix-map=$(CURDIR)=. $(if $(filter $(CURDIR)/%,$(abspath $(BUILD))),,-ffile-prefix-map=$(abspath $(BUILD))=build)
CFLAGS_PROJECT := -std=c11 -D_GNU_SOURCE -g $(PATH_FLAGS) $(OPT) $(WARN) -fno-omit-frame-pointer -fno-optimize-sibling-calls $(SAN_FLAGS) \
                  -Ilibarr -Ivalgrind $(EXTRA_CFLAGS)
LDFLAGS_PROJECT := $(SAN_FLAGS) -pthread -lm

LIBARR_SRCS := $(sort $(wildcard libarr/*.c))
LIBARR_HDRS := $(wildcard libarr/*.h) valgrind/arrcheck.h
LIBARR_PIC_OBJS := $(patsubst libarr/%.c,$(BUILD)/libarr/pic/%.o,$(LIBARR_SRCS))
LIBARR_OBJS := $(patsubst libarr/%.c,$(BUILD)/libarr/%.o,$(LIBARR_SRCS))

LIBARR_A := $(BUILD)/libarr.a
LIBARR_SO := $(BUILD)/libarr.so.$(ARR_VERSION)
LIBARR_PC := $(BUILD)/libarr.pc

ALL_TARGETS := $(LIBARR_A) $(LIBARR_SO) $(LIBARR_PC)
CHECK_TARGETS :=
INSTALL_TARGETS := install-libarr
UNINSTALL_TARGETS := uninstall-libarr

.PHONY: all check deps deps-check install install-libarr uninstall uninstall-libarr clean demo bench

all: real-all

$(BUILD)/libarr/%.o: libarr/%.c $(LIBARR_HDRS) Makefile
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_PROJECT) -c $< -o $@

$(BUILD)/libarr/pic/%.o: libarr/%.c $(LIBARR_HDRS) Makefile
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_PROJECT) -fPIC -c $< -o $@

$(LIBARR_A): $(LIBARR_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(LIBARR_SO): $(LIBARR_PIC_OBJS)
	$(CC) -shared -Wl,-soname,libarr.so.$(ARR_SOVERSION) -Wl,--no-undefined -o $@ $^ $(LDFLAGS_PROJECT)
	ln -sf libarr.so.$(ARR_VERSION) $(BUILD)/libarr.so.$(ARR_SOVERSION)
	ln -sf libarr.so.$(ARR_VERSION) $(BUILD)/libarr.so

# The .pc files: written from their .in by $(call pc_subst,IN), with the
# directories of this make's PREFIX; `make install` writes them again, so
# `make install PREFIX=/opt/foo` after a plain `make` says /opt/foo.
# arrcheck.pc is header only (arrcheck.h for a library adopting the
# protocol, no libarr); both name the suppression file and the gdb plugin.
PC_FILES := libarr arrcheck
pc_subst = sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' \
	    -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' -e 's|@VERSION@|$(ARR_VERSION)|g' \
	    -e 's|@ARRDBG_SHAREDIR@|$(ARRDBG_SHAREDIR)|g' -e 's|@BUGS@|$(ARRDBG_BUGS)|g' $(1)
$(BUILD)/%.pc: libarr/%.pc.in Makefile
	@mkdir -p $(dir $@)
	$(call pc_subst,$<) > $@
ALL_TARGETS += $(BUILD)/arrcheck.pc

# Where users report bugs: --help, the man pages, the packages' metadata
# (tests/install checks that each says this).
ARRDBG_BUGS := https://arrdbg.example.org/issues
ARRDBG_SHAREDIR ?= $(PREFIX)/share/arrdbg

# install/uninstall: one list of installed paths per part (LIBARR_INSTALLED
# here, ARRCHECK_INSTALLED, GDB_INSTALLED, DOCS_INSTALLED in the fragments),
# used by both rules.  A path outside PREFIX is announced, with the reason,
# by $(call install_note,PATH,WHY) (nothing when PREFIX contains it).
# Every path is quoted: DESTDIR may contain spaces (PREFIX may not: it is
# also a make word list's element).
# LDCONFIG=true: no cache refresh (tests installing into a scratch PREFIX as root).
LDCONFIG ?= ldconfig
install_note = case "$(1)" in $(PREFIX)/*) ;; *) echo "note: $(DESTDIR)$(1) is outside PREFIX=$(PREFIX): $(2)";; esac
# $(call rm_installed,PATH...): removes DESTDIR/PATH for each.
rm_installed = for f in $(1); do echo "rm -f \"$(DESTDIR)$$f\""; rm -f "$(DESTDIR)$$f"; done
# $(call rmdir_up,DIR...): removes each DIR and then its parents while they
# are empty, inside PREFIX, stopping at PREFIX's standard directories
# (hier(7): bin, lib, include, share, share/man, libexec) and Python's
# site directory (Debian's python3 makes it): the directories install made
# for arrdbg's files (share/doc, share/man/man1, lib/pkgconfig,
# share/arrdbg...), never one that holds anything else.
PREFIX_STD_DIRS = $(PREFIX) $(addprefix $(PREFIX)/,bin lib include share share/man libexec) \
                  $(PYTHON_SITEDIR) $(patsubst %/,%,$(dir $(PYTHON_SITEDIR)))
rmdir_up = for d in $(1); do \
	  while case "$$d" in $(PREFIX)/*) true;; *) false;; esac && \
	        case " $(PREFIX_STD_DIRS) " in *" $$d "*) false;; *) true;; esac && \
	        rmdir "$(DESTDIR)$$d" 2>/dev/null; do d=$${d%/*}; done; done
LIBARR_INSTALLED := $(LIBDIR)/libarr.a $(LIBDIR)/libarr.so.$(ARR_VERSION) \
                    $(LIBDIR)/libarr.so.$(ARR_SOVERSION) $(LIBDIR)/libarr.so \
                    $(INCLUDEDIR)/arr.h $(INCLUDEDIR)/arrcheck.h \
                    $(addprefix $(LIBDIR)/pkgconfig/,$(addsuffix .pc,$(PC_FILES)))
# The dynamic linker's cache: refreshed when installing for real (no
# DESTDIR) as root; a LIBDIR the linker does not search is said so.
define ldconfig_step
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ] && command -v $(LDCONFIG) >/dev/null; then \
	  echo "$(LDCONFIG)"; $(LDCONFIG); \
	  if [ "$(1)" = install ] && ! $(LDCONFIG) -p | grep -q "libarr.so.$(ARR_SOVERSION) .*=> $(LIBDIR)/"; then \
	    echo "note: $(LIBDIR) is not in the dynamic linker's search path: programs linked with"; \
	    echo "      -larr need -Wl,-rpath,$(LIBDIR) or LD_LIBRARY_PATH=$(LIBDIR), or add $(LIBDIR)"; \
	    echo "      to /etc/ld.so.conf.d/arrdbg.conf and run ldconfig"; \
	  fi; \
	elif [ -z "$(DESTDIR)" ]; then \
	  echo "note: run ldconfig as root so programs find libarr.so.$(ARR_SOVERSION) in $(LIBDIR)"; \
	fi
endef

# Refused before anything is written: a relative PREFIX (with DESTDIR it
# would silently install into DESTDIRrel), a relative DESTDIR, and
# directories with spaces that make cannot quote.
.PHONY: install-paths-ok
install-paths-ok:
	@case "$(PREFIX)" in /*) ;; *) echo "make: PREFIX=$(PREFIX) is not an absolute path (e.g. PREFIX=/usr/local)"; exit 2;; esac
	@case "$(DESTDIR)" in ""|/*) ;; *) echo "make: DESTDIR=$(DESTDIR) is not an absolute path"; exit 2;; esac
	@for v in "LIBDIR=$(LIBDIR)" "INCLUDEDIR=$(INCLUDEDIR)"; do case "$${v#*=}" in /*) ;; \
	  *) echo "make: $$v is not an absolute path"; exit 2;; esac; done
	@if [ "$(words $(PREFIX) $(LIBDIR) $(INCLUDEDIR))" != 3 ]; then \
	  echo "make: PREFIX, LIBDIR and INCLUDEDIR cannot contain spaces (DESTDIR can)"; exit 2; fi

# The installed libarr.so is a GNU ld script, as Debian's libc.so and
# libncurses.so are: -larr links libarr.so.0 (the NEEDED entry is the same)
# and, from libarr.a, the one object that carries the .debug_gdb_scripts
# entry (libarr/arr_gdb_autoload.c), so gdb loads the plugin with the
# program itself, not only once libarr.so is loaded.
define ARR_LD_SCRIPT
/* GNU ld script: libarr.so.$(ARR_SOVERSION), plus arrdbg's gdb autoload entry from libarr.a */
EXTERN(arr__gdb_autoload_exe)
INPUT(libarr.so.$(ARR_SOVERSION) libarr.a)
endef
export ARR_LD_SCRIPT
install-libarr: $(LIBARR_A) $(LIBARR_SO)
	install -d "$(DESTDIR)$(LIBDIR)/pkgconfig" "$(DESTDIR)$(INCLUDEDIR)"
	install -m 644 $(LIBARR_A) "$(DESTDIR)$(LIBDIR)/"
	install -m 755 $(LIBARR_SO) "$(DESTDIR)$(LIBDIR)/"
	ln -sf libarr.so.$(ARR_VERSION) "$(DESTDIR)$(LIBDIR)/libarr.so.$(ARR_SOVERSION)"
	@# An earlier install's libarr.so was a link to the library: replaced, not written through.
	rm -f "$(DESTDIR)$(LIBDIR)/libarr.so"
	printf '%s\n' "$$ARR_LD_SCRIPT" > "$(DESTDIR)$(LIBDIR)/libarr.so"
	install -m 644 libarr/arr.h valgrind/arrcheck.h "$(DESTDIR)$(INCLUDEDIR)/"
	@for p in $(PC_FILES); do echo "writing $(DESTDIR)$(LIBDIR)/pkgconfig/$$p.pc"; \
	  $(call pc_subst,libarr/$$p.pc.in) > "$(DESTDIR)$(LIBDIR)/pkgconfig/$$p.pc" || exit 1; done
	$(call ldconfig_step,install)

uninstall-libarr:
	@$(call rm_installed,$(LIBARR_INSTALLED))
	@$(call rmdir_up,$(LIBDIR)/pkgconfig $(INCLUDEDIR))
	$(call ldconfig_step,uninstall)

# Debian packages the build, the tests and the demo need.
DEB_PACKAGES := build-essential pkg-config check valgrind gdb python3 python3-numpy \
                libclang-rt-14-dev clang librsvg2-bin man-db groff-base
DEB_PACKAGES += python3-dev python3-memory-profiler
deps:
	@if [ "$$(id -u)" != 0 ]; then echo "make deps: run as root to apt-get install: $(DEB_PACKAGES)"; exit 1; fi
	apt-get update -qq || true
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(DEB_PACKAGES)

# Installs what is missing, once; cheap when everything is there.
deps-check:
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then echo "make: missing Debian packages:$$missing"; $(MAKE) --no-print-directory deps; fi

# `include`, not `-include`: a missing fragment is an error, never a
# silently shorter `make check`.
include tests/tests.mk
include tests/native/native.mk
include tests/numpy/numpy.mk
include tests/npy/npy.mk
include valgrind/valgrind.mk
include gdb/gdb.mk
include samples/samples.mk
include bench/bench.mk
include fuzz/fuzz.mk
include tests/checkers.mk

# arr_where.c compiles against elfutils' libdw headers (libdw is dlopen'ed).
DEB_PACKAGES += libdw-dev
include python/python.mk
include tests/pyux/pyux.mk
include tests/dask/dask.mk

real-all: $(ALL_TARGETS)

check: deps-check
	@$(MAKE) --no-print-directory real-all
	@$(MAKE) --no-print-directory -k $(CHECK_TARGETS); rc=$$?; \
	if [ $$rc = 0 ]; then echo "make check: all suites passed"; else echo "make check: FAILED"; fi; exit $$rc

# Man pages and docs (install rules), first-contact tests (install, report, demo, README).
include docs/docs.mk
include tests/install/install.mk
include tests/deb/deb.mk

install: $(INSTALL_TARGETS)

uninstall: $(UNINSTALL_TARGETS)

$(INSTALL_TARGETS) $(UNINSTALL_TARGETS): install-paths-ok

clean:
	rm -rf build

# What `make install` installs, built (debian/rules builds this, then installs).
.PHONY: install-prereqs
install-prereqs: $(LIBARR_A) $(LIBARR_SO) $(AC_TOOL) $(ARRDBG_GENERATED) $(ARRDBG_PY_TREE)
