# tests/checkers.mk - the C test suites again under other checkers: ASan+UBSan
# (check-sanitize), memcheck (check-memcheck), ThreadSanitizer and helgrind
# (check-threads), and line/branch coverage (coverage).  The suites' own
# rules are beside them: tests/tests.mk (unit), tests/native/native.mk,
# tests/numpy/numpy.mk, tests/npy/npy.mk.
#
#   make check-sanitize     unit, native and NumPy suites built with SANITIZE=1
#   make check-memcheck     unit programs and the NumPy driver under memcheck
#   make check-threads      thread tests under helgrind and TSan
#   make coverage           libarr's line/branch coverage by the suites (gcovr)
#
# check-sanitize, check-memcheck and check-threads are in CHECK_TARGETS
# (the first two not under SANITIZE=1); coverage is run by hand.

# ---- ASan+UBSan --------------------------------------------------------------
.PHONY: check-sanitize
check-sanitize:
	@$(MAKE) --no-print-directory SANITIZE=1 check-unit check-native check-numpy

ifneq ($(SANITIZE),1)
CHECK_TARGETS += check-sanitize check-memcheck
endif

# ---- threads: helgrind and ThreadSanitizer ---------------------------------

TSAN_CC ?= clang
THREAD_TESTS := test_threads test_rel_thread_views
THREAD_ITERS_HELGRIND ?= 40
TSAN_BINS := $(patsubst %,$(BUILD)/threads/%-tsan,$(THREAD_TESTS))

$(BUILD)/threads/%-tsan: tests/unit/%.c tests/unit/unit.h $(LIBARR_SRCS) $(LIBARR_HDRS)
	@mkdir -p $(dir $@)
	$(TSAN_CC) -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=thread -Ilibarr -Ivalgrind -Itests/unit \
	    $(CHECK_CFLAGS) $< $(LIBARR_SRCS) -o $@ $(CHECK_LIBS) -pthread -lm

.PHONY: check-threads
check-threads: $(TSAN_BINS) $(patsubst %,$(BUILD)/tests/unit/%,$(THREAD_TESTS))
	@pass=0; fail=0; \
	for t in $(THREAD_TESTS); do \
	  if CK_FORK=no TSAN_OPTIONS=halt_on_error=1:exitcode=66 $(BUILD)/threads/$$t-tsan > $(BUILD)/threads/$$t-tsan.log 2>&1; \
	  then pass=$$((pass+1)); else fail=$$((fail+1)); echo "threads: $$t under TSan FAILED:"; \
	    grep -m6 -E "WARNING|#[01] |Failures|ERROR" $(BUILD)/threads/$$t-tsan.log; fi; \
	done; \
	if [ "$(SANITIZE)" != 1 ]; then \
	  if CK_FORK=no ARR_THREAD_ITERS=$(THREAD_ITERS_HELGRIND) valgrind -q --tool=helgrind --error-exitcode=1 \
	       $(BUILD)/tests/unit/test_threads > $(BUILD)/threads/helgrind.log 2>&1; \
	  then pass=$$((pass+1)); else fail=$$((fail+1)); echo "threads: test_threads under helgrind FAILED:"; \
	    head -30 $(BUILD)/threads/helgrind.log; fi; \
	fi; \
	echo "threads: $$pass passed, $$fail failed"; [ $$fail = 0 ]

CHECK_TARGETS += check-threads

# ---- memcheck ------------------------------------------------------------
# Every unit program in one process (CK_FORK=no, so memcheck sees the tests
# themselves), then the NumPy differential driver.  In CHECK_TARGETS except
# under SANITIZE=1 (memcheck and the sanitizers do not mix).
MEMCHECK := valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite

.PHONY: check-memcheck
check-memcheck: $(UNIT_BINS)
	@if [ "$(SANITIZE)" = 1 ]; then echo "check-memcheck: not with SANITIZE=1 (memcheck and ASan do not mix)"; exit 2; fi
	@pass=0; fail=0; \
	for t in $(UNIT_BINS); do \
	  log=$$t.memcheck.log; \
	  if CK_FORK=no ARR_THREAD_ITERS=$(THREAD_ITERS_HELGRIND) $(MEMCHECK) $$t > $$log 2>&1; then pass=$$((pass+1)); \
	  else fail=$$((fail+1)); echo "memcheck: $$t FAILED:"; tail -20 $$log; fi; \
	done; \
	if $(MAKE) --no-print-directory check-numpy-memcheck > $(BUILD)/numpy-memcheck.log 2>&1; \
	then pass=$$((pass+1)); else fail=$$((fail+1)); echo "memcheck: numpy driver FAILED:"; tail -20 $(BUILD)/numpy-memcheck.log; fi; \
	echo "memcheck: $$pass passed, $$fail failed"; [ $$fail = 0 ]

# ---- coverage --------------------------------------------------------------
# libarr and the unit tests rebuilt with --coverage at -O0 in build/coverage,
# run, then summarised by gcovr (lines and branches of libarr/*.c only).
# Atomic counter updates: the thread tests would otherwise corrupt counts.
COVERAGE_BUILD := build/coverage

.PHONY: coverage coverage-deps
coverage-deps:
	@command -v gcovr >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends gcovr; \
	  else echo "coverage: gcovr is missing (apt-get install gcovr as root)"; exit 1; fi; }

# Unit programs, the native checker, the NumPy differential test and the
# .npy round trip all count: each is a test of real behaviour.
coverage: coverage-deps
	@rm -rf $(COVERAGE_BUILD)
	@$(MAKE) --no-print-directory -s BUILD=$(COVERAGE_BUILD) OPT=-O0 EXTRA_CFLAGS="--coverage -fprofile-update=atomic" \
	    $(patsubst $(BUILD)/%,$(COVERAGE_BUILD)/%,$(UNIT_BINS)) \
	    $(COVERAGE_BUILD)/tests/native/leaky $(COVERAGE_BUILD)/tests/numpy/arrdiff \
	    $(COVERAGE_BUILD)/tests/npy/npy_roundtrip >/dev/null
	@rc=0; for t in $(patsubst $(BUILD)/%,$(COVERAGE_BUILD)/%,$(UNIT_BINS)); do \
	  CK_FORK=no $$t > $$t.log 2>&1 || { rc=1; echo "coverage: $$t failed (see $$t.log)"; }; done; \
	tests/native/run.sh $(COVERAGE_BUILD)/tests/native/leaky > $(COVERAGE_BUILD)/native.log 2>&1 || rc=1; \
	/usr/bin/python3 tests/numpy/diff.py --driver $(COVERAGE_BUILD)/tests/numpy/arrdiff --cases 5000 \
	    > $(COVERAGE_BUILD)/numpy.log 2>&1 || rc=1; \
	/usr/bin/python3 tests/npy/check_npy.py $(COVERAGE_BUILD)/tests/npy/npy_roundtrip \
	    > $(COVERAGE_BUILD)/npy.log 2>&1 || rc=1; \
	gcovr -r . --filter 'libarr/' --exclude-unreachable-branches \
	    --txt $(COVERAGE_BUILD)/coverage.txt --html-details $(COVERAGE_BUILD)/coverage.html \
	    --print-summary $(COVERAGE_BUILD)/libarr > $(COVERAGE_BUILD)/summary.txt; \
	cat $(COVERAGE_BUILD)/coverage.txt; cat $(COVERAGE_BUILD)/summary.txt; \
	echo "coverage: per-line detail in $(COVERAGE_BUILD)/coverage.html"; exit $$rc
