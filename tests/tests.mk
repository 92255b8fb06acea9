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
