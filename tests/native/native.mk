# tests/native/native.mk - the native checker (ARR_CHECK=1), run as a user
# would: a program built with the project's flags (-O2 -g, no -rdynamic)
# against libarr.a.  The report's function (file:line) comes from libdw,
# loaded at run time; strip and addr2line (binutils) check the fallback.

NATIVE_BIN := $(BUILD)/tests/native/leaky

$(NATIVE_BIN): tests/native/leaky.c $(LIBARR_A)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_PROJECT) $< -o $@ $(LIBARR_A) $(LDFLAGS_PROJECT)

.PHONY: check-native
check-native: $(NATIVE_BIN)
	@tests/native/run.sh $<

CHECK_TARGETS += check-native
