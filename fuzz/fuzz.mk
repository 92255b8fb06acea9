# fuzz/fuzz.mk - fuzzing libarr with libFuzzer (clang, ASan+UBSan).
# Included from the top Makefile (uses $(BUILD), $(LIBARR_SRCS),
# $(LIBARR_HDRS)).  The same tests under other checkers (TSan, helgrind,
# memcheck, coverage) are in tests/checkers.mk.
#
#   make fuzz FUZZ_SECONDS=60   every harness for N seconds from the committed corpus
#   make check-fuzz             replay the committed corpora + a fixed number of runs
#                               (in CHECK_TARGETS)

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
