# tests/native/native.mk - the native checker (ARR_CHECK=1), run as a user
# would: a program built with the project's flags (-O2 -g, no -rdynamic)
# against libarr.a.  The report's function (file:line) comes from libdw,
# loaded at run time; strip and addr2line (binutils) check the fallback.

NATIVE_BIN := $(BUILD)/tests/native/leaky

$(NATIVE_BIN): tests/native/leaky.c $(LIBARR_A)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_PROJECT) $< -o $@ $(LIBARR_A) $(LDFLAGS_PROJECT)

# How a program ends: endings.c (static libarr), dl_host.c (dlopen's libarr.so).
NATIVE_ENDINGS := $(BUILD)/tests/native/endings
NATIVE_DL_HOST := $(BUILD)/tests/native/dl_host

$(NATIVE_ENDINGS): tests/native/endings.c $(LIBARR_A)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_PROJECT) $< -o $@ $(LIBARR_A) $(LDFLAGS_PROJECT)

$(NATIVE_DL_HOST): tests/native/dl_host.c libarr/arr.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_PROJECT) $< -o $@ $(LDFLAGS_PROJECT) -ldl

.PHONY: check-native
check-native: $(NATIVE_BIN) $(NATIVE_ENDINGS) $(NATIVE_DL_HOST) $(LIBARR_SO)
	@tests/native/run.sh $< $(NATIVE_ENDINGS) $(NATIVE_DL_HOST) $(abspath $(LIBARR_SO))

CHECK_TARGETS += check-native

# make install into a scratch DESTDIR, then build leaky.c against it through
# pkg-config, static and shared, as a user of the package would, and run the
# check in both (clean: silent; a leak: exit 3).
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
