# valgrind/valgrind.mk - the arrcheck Valgrind tool, built out of tree
# against the installed valgrind package (Debian 12's valgrind 3.19 ships
# the headers, archives and pkg-config file an out-of-tree tool needs).
#
#   $(BUILD)/valgrind/arrcheck-<platform>   the tool executable
#   $(BUILD)/valgrind/lib/                  a VALGRIND_LIB for running from
#                                           the tree (valgrind/arrgrind)
#   make install-arrcheck                   next to the stock tools (and
#                                           arr-report, arrgrind in $(PREFIX)/bin)
#   make uninstall-arrcheck                 removes what install-arrcheck put
#   make check-valgrind                     tests/valgrind/*.vgtest

VG_PKG_OK := $(shell pkg-config --exists valgrind 2>/dev/null && echo yes)
ifeq ($(VG_PKG_OK),yes)

VG_PLATFORM := $(shell pkg-config --variable=platform valgrind)
VG_ARCH := $(shell pkg-config --variable=arch valgrind)
VG_OS := $(shell pkg-config --variable=os valgrind)
VG_INCDIR := $(shell pkg-config --variable=includedir valgrind)
VG_ARCHIVES := $(shell pkg-config --variable=libdir valgrind)/valgrind
VG_LOAD_ADDR := $(shell pkg-config --variable=valt_load_address valgrind)
# The stock tools and their support files (default.supp, vgpreload_core,
# the gdb target descriptions): Debian puts them in <prefix>/libexec.
VG_STOCK_DIR := $(patsubst %/default.supp,%,$(firstword $(wildcard \
    $(shell pkg-config --variable=prefix valgrind)/libexec/valgrind/default.supp \
    $(VG_ARCHIVES)/default.supp)))

AC_SRCS := $(sort $(wildcard valgrind/ac_*.c))
AC_OBJS := $(patsubst valgrind/%.c,$(BUILD)/valgrind/%.o,$(AC_SRCS))
AC_TOOL := $(BUILD)/valgrind/arrcheck-$(VG_PLATFORM)
AC_LIBDIR := $(BUILD)/valgrind/lib
# The malloc replacement (ac_heap.c): Valgrind's replacement archive, whole.
AC_PRELOAD := $(BUILD)/valgrind/vgpreload_arrcheck-$(VG_PLATFORM).so

# Tool code runs inside Valgrind: no libc, no stack protector, no builtins
# that could turn into libc calls; no sanitizers even under SANITIZE=1.
AC_CFLAGS := -std=gnu11 -O2 -g $(PATH_FLAGS) -fno-strict-aliasing -fno-builtin -fno-stack-protector \
             -fomit-frame-pointer -fno-pie \
             -DVGA_$(VG_ARCH)=1 -DVGO_$(VG_OS)=1 -DVGP_$(VG_ARCH)_$(VG_OS)=1 \
             -DVGPV_$(VG_ARCH)_$(VG_OS)_vanilla=1 \
             -I$(VG_INCDIR) -Ivalgrind \
             -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
             -Wno-unused-parameter -DARRDBG_BUGS='"$(ARRDBG_BUGS)"'
AC_LDFLAGS := -static -nodefaultlibs -nostartfiles -u _start -Wl,--build-id=none \
              -Wl,-Ttext-segment=$(VG_LOAD_ADDR)
AC_LIBS := $(VG_ARCHIVES)/libcoregrind-$(VG_PLATFORM).a $(VG_ARCHIVES)/libvex-$(VG_PLATFORM).a \
           -lgcc $(VG_ARCHIVES)/libgcc-sup-$(VG_PLATFORM).a

$(BUILD)/valgrind/%.o: valgrind/%.c valgrind/ac_include.h valgrind/arrcheck.h valgrind/valgrind.mk
	@mkdir -p $(dir $@)
	$(CC) $(AC_CFLAGS) -c $< -o $@

$(AC_TOOL): $(AC_OBJS)
	$(CC) $(AC_LDFLAGS) -o $@ $^ $(AC_LIBS)

# The tool's preload, vgpreload_arrcheck-<platform>.so, loaded by Valgrind
# into every program run under arrcheck: Valgrind's malloc replacement
# (whole archive, as memcheck's; the blocks are ac_heap.c's) and the GSL
# adapter (valgrind/gsl_adapter.c: function wrappers; needs no GSL to build)
# and byte-loop string functions (valgrind/strings_preload.c: glibc's
# vectorised ones read past a string into quarantined buffers; loops must
# not become calls of the functions replaced, hence
# -fno-tree-loop-distribute-patterns).
AC_PRELOAD_SRCS := valgrind/gsl_adapter.c valgrind/strings_preload.c
$(AC_PRELOAD): $(AC_PRELOAD_SRCS) valgrind/arrcheck.h valgrind/valgrind.mk
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O2 -g $(PATH_FLAGS) -fpic -shared -fno-omit-frame-pointer -fno-builtin \
	  -fno-tree-loop-distribute-patterns \
	  -fno-stack-protector -nodefaultlibs -Wl,-z,interpose,-z,initfirst \
	  -Wall -Wextra -Werror -Wmissing-prototypes -Wno-unused-parameter -Ivalgrind \
	  -o $@ $(AC_PRELOAD_SRCS) -Wl,--whole-archive \
	  $(VG_ARCHIVES)/libreplacemalloc_toolpreload-$(VG_PLATFORM).a -Wl,--no-whole-archive

# Everything valgrind needs from VALGRIND_LIB, as links to the stock files,
# plus the tool and its preload.
$(AC_LIBDIR)/.stamp: $(AC_TOOL) $(AC_PRELOAD)
	@mkdir -p $(AC_LIBDIR)
	@test -n "$(VG_STOCK_DIR)" || { echo "valgrind.mk: cannot find valgrind's default.supp"; exit 1; }
	ln -sf $(VG_STOCK_DIR)/vgpreload_core-$(VG_PLATFORM).so $(VG_STOCK_DIR)/default.supp $(AC_LIBDIR)/
	ln -sf $(VG_STOCK_DIR)/*.xml $(AC_LIBDIR)/
	ln -sf $(abspath $(AC_TOOL)) $(abspath $(AC_PRELOAD)) $(AC_LIBDIR)/
	@touch $@

ALL_TARGETS += $(AC_TOOL) $(AC_PRELOAD) $(AC_LIBDIR)/.stamp

.PHONY: install-arrcheck uninstall-arrcheck check-valgrind
# Valgrind loads a tool only from its own libexec directory (or VALGRIND_LIB),
# so the tool goes there even when that is outside PREFIX; VG_TOOLDIR
# overrides.  The installed arrgrind is plain `valgrind --tool=arrcheck`.
VG_TOOLDIR ?= $(VG_STOCK_DIR)
ARRCHECK_INSTALLED := $(VG_TOOLDIR)/arrcheck-$(VG_PLATFORM) \
                      $(VG_TOOLDIR)/vgpreload_arrcheck-$(VG_PLATFORM).so $(PREFIX)/bin/arr-report \
                      $(PREFIX)/bin/arrgrind $(ARRDBG_SHAREDIR)/arrdbg.supp $(ARRDBG_SHAREDIR)/libarr.supp
install-arrcheck: $(AC_TOOL) $(AC_PRELOAD)
	install -d "$(DESTDIR)$(VG_TOOLDIR)" "$(DESTDIR)$(PREFIX)/bin" "$(DESTDIR)$(ARRDBG_SHAREDIR)"
	install -m 755 $(AC_TOOL) "$(DESTDIR)$(VG_TOOLDIR)/"
	install -m 644 $(AC_PRELOAD) "$(DESTDIR)$(VG_TOOLDIR)/"
	@$(call install_note,$(VG_TOOLDIR)/arrcheck-$(VG_PLATFORM),valgrind only finds tools in its own libexec directory)
	sed -e 's|@ARR_VERSION@|$(ARR_VERSION)|' -e 's|@ARRDBG_BUGS@|$(ARRDBG_BUGS)|' valgrind/arr-report > "$(DESTDIR)$(PREFIX)/bin/arr-report"
	chmod 755 "$(DESTDIR)$(PREFIX)/bin/arr-report"
	printf '#!/bin/sh\n# arrgrind: the arrcheck Valgrind tool (installed by arrdbg)\nexec valgrind --tool=arrcheck "$$@"\n' \
	  > "$(DESTDIR)$(PREFIX)/bin/arrgrind" && chmod 755 "$(DESTDIR)$(PREFIX)/bin/arrgrind"
	install -m 644 valgrind/arrdbg.supp samples/libarr.supp "$(DESTDIR)$(ARRDBG_SHAREDIR)/"
uninstall-arrcheck:
	@$(call rm_installed,$(ARRCHECK_INSTALLED))
	@$(call install_note,$(VG_TOOLDIR)/arrcheck-$(VG_PLATFORM),removed from valgrind's tool directory)
	@$(call rmdir_up,$(ARRDBG_SHAREDIR) $(PREFIX)/bin)
INSTALL_TARGETS += install-arrcheck
UNINSTALL_TARGETS += uninstall-arrcheck

# ---- tests/valgrind: programs and the runner ------------------------------
# progs/req_*.c speak the client requests directly; the others use libarr.
VGT_SRCS := $(sort $(wildcard tests/valgrind/progs/*.c))
VGT_BINS := $(patsubst tests/valgrind/progs/%.c,$(BUILD)/tests/valgrind/%,$(VGT_SRCS))
# Stable stacks: no inlining, frame pointers, no malloc/free elision.
VGT_CFLAGS := -std=c11 -D_GNU_SOURCE -g -O0 -fno-omit-frame-pointer -fno-inline \
              -Wall -Wextra -Werror -Ilibarr -Ivalgrind

$(BUILD)/tests/valgrind/req_%: tests/valgrind/progs/req_%.c valgrind/arrcheck.h
	@mkdir -p $(dir $@)
	$(CC) $(VGT_CFLAGS) $< -o $@ -pthread

$(BUILD)/tests/valgrind/%: tests/valgrind/progs/%.c $(LIBARR_A) libarr/arr.h valgrind/arrcheck.h
	@mkdir -p $(dir $@)
	$(CC) $(VGT_CFLAGS) $< -o $@ $(LIBARR_A) -pthread -lm

# progs/gslmix_*.c: libarr and plain GSL in one program (left out without
# libgsl-dev, as the GSL samples are below).
$(BUILD)/tests/valgrind/gslmix_%: tests/valgrind/progs/gslmix_%.c $(LIBARR_A) libarr/arr.h valgrind/arrcheck.h
	@mkdir -p $(dir $@)
	$(CC) $(VGT_CFLAGS) $< -o $@ $(LIBARR_A) -lgsl -lgslcblas -pthread -lm
ifeq ($(wildcard /usr/include/gsl/gsl_matrix.h),)
VGT_BINS := $(filter-out $(BUILD)/tests/valgrind/gslmix_%,$(VGT_BINS))
endif

ifeq ($(SANITIZE),1)
# Valgrind cannot run ASan binaries: under SANITIZE=1 these tests run on the
# plain build (the C tests themselves run under ASan in check-unit).
check-valgrind:
	@$(MAKE) --no-print-directory SANITIZE=0 check-valgrind
else
ALL_TARGETS += $(VGT_BINS)

# The samples too: crosscheck.py compares arrcheck's verdicts on them and
# on the test programs with memcheck's.
# GSL samples only where GSL's headers are (libgsl-dev, in DEB_PACKAGES).
GSL_OK := $(wildcard /usr/include/gsl/gsl_matrix.h)
DEB_PACKAGES += libgsl-dev
VGT_SAMPLE_BINS := $(patsubst samples/%.c,$(BUILD)/samples/%,$(wildcard samples/*.c))
ifeq ($(GSL_OK),)
VGT_SAMPLE_BINS := $(filter-out $(BUILD)/samples/gsl_%,$(VGT_SAMPLE_BINS))
endif

check-valgrind: $(AC_LIBDIR)/.stamp $(VGT_BINS) $(VGT_SAMPLE_BINS)
	@ARRDBG_BUILD=$(BUILD) tests/valgrind/run.sh
	@/usr/bin/python3 tests/valgrind/crosscheck.py $(BUILD)
endif

CHECK_TARGETS += check-valgrind

else
$(info valgrind.mk: pkg-config does not know valgrind; the arrcheck tool is not built)
endif
