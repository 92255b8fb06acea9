# tests/tests.mk - Check unit tests: each tests/unit/test_*.c is one program.

UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(UNIT_SRCS))
CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null || echo -lcheck -lsubunit -lrt -lm -lpthread)
CHECK_CFLAGS := $(shell pkg-config --cflags check 2>/dev/null)

$(BUILD)/tests/unit/%: tests/unit/%.c tests/unit/unit.h $(LIBARR_A)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_PROJECT) $(CHECK_CFLAGS) -Itests/unit $< -o $@ $(LIBARR_A) $(CHECK_LIBS) $(LDFLAGS_PROJECT)

.PHONY: check-unit
# Runs every unit program even when one fails; Check prints a summary line each.
# Check's 4 s default timeout is too short on a loaded 2-core machine.
check-unit: $(UNIT_BINS)
	@rc=0; for t in $(UNIT_BINS); do echo "== $$t"; CK_DEFAULT_TIMEOUT=$${CK_DEFAULT_TIMEOUT:-60} $$t || rc=1; done; exit $$rc

CHECK_TARGETS += check-unit

# make install into a scratch DESTDIR, then build and run a program against
# it through pkg-config, static and shared, as a user of the package would.
.PHONY: check-install
check-install:
	@set -e; d=$$(mktemp -d); trap 'rm -rf "$$d"' EXIT; \
	$(MAKE) --no-print-directory -s install-libarr DESTDIR=$$d PREFIX=/usr/local >/dev/null; \
	export PKG_CONFIG_PATH=$$d/usr/local/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$$d; \
	$(CC) -std=c11 $(SAN_FLAGS) $$(pkg-config --cflags libarr) tests/native/leaky.c -o $$d/shared $$(pkg-config --libs libarr); \
	$(CC) -std=c11 $(SAN_FLAGS) $$(pkg-config --cflags libarr) tests/native/leaky.c -o $$d/static $$d/usr/local/lib/libarr.a $$(pkg-config --libs-only-other --static libarr) -lm -pthread; \
	test "$$(readelf -d $$d/shared | grep -o 'libarr.so.[0-9]*')" = libarr.so.0; \
	test -z "$$(LD_LIBRARY_PATH=$$d/usr/local/lib ARR_CHECK=1 $$d/shared clean 2>&1)"; \
	rc=0; ARR_CHECK=1 $$d/static copy 2>/dev/null || rc=$$?; \
	if [ $$rc = 3 ]; then echo "install: 1 passed, 0 failed"; else echo "install: 0 passed, 1 failed (static exit $$rc)"; exit 1; fi

CHECK_TARGETS += check-install

# `make check` also runs the C tests under ASan+UBSan and under memcheck, so
# CI (which runs the README's `make check`) covers both.
.PHONY: check-sanitize
check-sanitize:
	@$(MAKE) --no-print-directory SANITIZE=1 check-unit check-native check-numpy

ifneq ($(SANITIZE),1)
CHECK_TARGETS += check-sanitize check-memcheck
endif
