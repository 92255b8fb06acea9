# fuzz/fuzz.mk - reliability: fuzzing, threads, memcheck, coverage.
# Included from the top Makefile (uses $(BUILD), $(CC), $(CFLAGS_PROJECT),
# $(LIBARR_SRCS), $(UNIT_BINS) from tests/tests.mk).
#
#   make fuzz FUZZ_SECONDS=60   every harness for N seconds from the committed corpus
#   make check-fuzz             replay the committed corpora + a fixed number of runs
#   make check-threads          thread tests under helgrind and TSan
#   make check-memcheck         unit programs and the NumPy driver under memcheck
#   make coverage               libarr's line/branch coverage by the unit tests (gcovr)

FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_HARNESSES := slice ops npy
# The bounded pass of check-fuzz: a fixed number of inputs per harness, so
# the run is the same on every machine (seed fixed too).
FUZZ_CHECK_RUNS_slice ?= 200000
FUZZ_CHECK_RUNS_ops ?= 20000
FUZZ_CHECK_RUNS_npy ?= 50000
FUZZ_FLAGS := -std=c11 -D_GNU_SOURCE -g -O1 -Wall -Wextra -Werror -Wshadow \
              -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
              -Ilibarr -Ivalgrind
FUZZ_BINS := $(patsubst %,$(BUILD)/fuzz/fuzz_%,$(FUZZ_HARNESSES))

# libarr's sources are compiled into each harness, instrumented for coverage
# feedback and the sanitizers.
$(BUILD)/fuzz/fuzz_%: fuzz/fuzz_%.c fuzz/fuzz_common.h $(LIBARR_SRCS) $(LIBARR_HDRS) fuzz/fuzz.mk
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) $< $(LIBARR_SRCS) -o $@ -pthread -lm

.PHONY: fuzz check-fuzz fuzz-build
fuzz-build: $(FUZZ_BINS)

# Grows a scratch copy of each corpus ($(BUILD)/fuzz/work-NAME); crashes are
# saved as $(BUILD)/fuzz/NAME-crash-*.  Prints the executions run.
fuzz: $(FUZZ_BINS)
	@pass=0; fail=0; total=0; \
	for h in $(FUZZ_HARNESSES); do \
	  work=$(BUILD)/fuzz/work-$$h; mkdir -p $$work; \
	  log=$(BUILD)/fuzz/$$h.log; \
	  if $(BUILD)/fuzz/fuzz_$$h -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	       -artifact_prefix=$(BUILD)/fuzz/$$h- $$work fuzz/corpus/$$h > $$log 2>&1; then \
	    pass=$$((pass+1)); r=ok; else fail=$$((fail+1)); r="FAILED (see $$log)"; fi; \
	  n=$$(sed -n 's/^stat::number_of_executed_units: *//p' $$log); n=$${n:-0}; \
	  total=$$((total+n)); echo "fuzz $$h: $$n executions in $(FUZZ_SECONDS) s: $$r"; \
	done; \
	echo "fuzz: $$total executions in total"; \
	echo "fuzz: $$pass passed, $$fail failed"; [ $$fail = 0 ]

# arrcheck's client-request fuzzer (its bounded pass is in check-valgrind).
ifneq ($(AC_LIBDIR),)
fuzz: fuzz-requests
.PHONY: fuzz-requests
fuzz-requests: $(AC_LIBDIR)/.stamp $(BUILD)/tests/valgrind/req_fuzz
	@tests/valgrind/fuzz_requests.sh $(BUILD) $(FUZZ_SECONDS)
endif

check-fuzz: $(FUZZ_BINS)
	@pass=0; fail=0; \
	for h in $(FUZZ_HARNESSES); do \
	  log=$(BUILD)/fuzz/$$h-replay.log; \
	  if $(BUILD)/fuzz/fuzz_$$h fuzz/corpus/$$h/* > $$log 2>&1; then pass=$$((pass+1)); \
	  else fail=$$((fail+1)); echo "fuzz $$h: corpus replay FAILED (see $$log)"; fi; \
	  log=$(BUILD)/fuzz/$$h-runs.log; \
	  case $$h in slice) runs=$(FUZZ_CHECK_RUNS_slice);; ops) runs=$(FUZZ_CHECK_RUNS_ops);; npy) runs=$(FUZZ_CHECK_RUNS_npy);; esac; \
	  work=$$(mktemp -d); \
	  if $(BUILD)/fuzz/fuzz_$$h -runs=$$runs -seed=1 -artifact_prefix=$(BUILD)/fuzz/$$h- \
	       $$work fuzz/corpus/$$h > $$log 2>&1; then pass=$$((pass+1)); \
	  else fail=$$((fail+1)); echo "fuzz $$h: $$runs runs FAILED (see $$log)"; fi; \
	  rm -rf $$work; \
	done; \
	echo "fuzz: $$pass passed, $$fail failed"; [ $$fail = 0 ]

CHECK_TARGETS += check-fuzz

# ---- threads: helgrind and ThreadSanitizer ---------------------------------

THREAD_TESTS := test_threads test_rel_thread_views
THREAD_ITERS_HELGRIND ?= 40
TSAN_BINS := $(patsubst %,$(BUILD)/threads/%-tsan,$(THREAD_TESTS))

$(BUILD)/threads/%-tsan: tests/unit/%.c tests/unit/unit.h $(LIBARR_SRCS) $(LIBARR_HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=thread -Ilibarr -Ivalgrind -Itests/unit \
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
# Not in CHECK_TARGETS (CI calls it): every unit program in one process
# (CK_FORK=no, so memcheck sees the tests themselves), then the NumPy
# differential driver.  Memcheck and the sanitizers do not mix.
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
