# bench/bench.mk - `make bench`: libarr against NumPy, memcpy, its own
# client requests, and the tools' costs.  A benchmark, not a test: it is not
# in CHECK_TARGETS and never fails on a number.
#
#   make bench                 the full run (~4 minutes on 2 cores)
#   make bench BENCH_QUICK=1   a ~30 s run with smaller sizes and fewer
#                              repetitions
#
# Results: the table on stdout, plus $(BUILD)/bench/results.md, results.json
# and copy_throughput.svg.  bench/README.md records a full run.

BENCH_DIR := $(BUILD)/bench
BENCH_BIN := $(BENCH_DIR)/arrbench
# The same program over a copy of libarr built with -DNVALGRIND: every client
# request compiles away, which prices what they cost natively.
BENCH_BIN_NVG := $(BENCH_DIR)/arrbench-nvg
BENCH_NVG_OBJS := $(patsubst libarr/%.c,$(BENCH_DIR)/libarr-nvg/%.o,$(LIBARR_SRCS))
BENCH_NVG_A := $(BENCH_DIR)/libarr-nvg.a
BENCH_PYTHON ?= /usr/bin/python3
BENCH_QUICK ?= 0

$(BENCH_DIR)/libarr-nvg/%.o: libarr/%.c $(LIBARR_HDRS) Makefile bench/bench.mk
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_PROJECT) -DNVALGRIND -c $< -o $@

$(BENCH_NVG_A): $(BENCH_NVG_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BENCH_BIN): bench/arrbench.c $(LIBARR_A) libarr/arr.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_PROJECT) $< -o $@ $(LIBARR_A) $(LDFLAGS_PROJECT)

$(BENCH_BIN_NVG): bench/arrbench.c $(BENCH_NVG_A) libarr/arr.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_PROJECT) -DNVALGRIND $< -o $@ $(BENCH_NVG_A) $(LDFLAGS_PROJECT)

# An unmodified GSL program for the GSL adapter's row (only with libgsl-dev).
BENCH_GSL := $(if $(wildcard /usr/include/gsl/gsl_matrix.h),$(BENCH_DIR)/gsl_bench)
$(BENCH_DIR)/gsl_bench: bench/gsl_bench.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_PROJECT) $< -o $@ -lgsl -lgslcblas -lm

.PHONY: bench bench-programs
bench-programs: $(BENCH_BIN) $(BENCH_BIN_NVG) $(BENCH_GSL)

# The arrcheck tool is built if it can be; if it cannot, the runner says so
# and skips its rows rather than failing the benchmark.
bench: bench-programs
	@if [ "$(SANITIZE)" = 1 ]; then echo "make bench: note: SANITIZE=1 times sanitized code"; fi
	$(if $(AC_LIBDIR),-@$(MAKE) --no-print-directory $(AC_LIBDIR)/.stamp >/dev/null 2>&1 || \
	  echo "make bench: the arrcheck tool did not build; its rows will be skipped")
	$(BENCH_PYTHON) bench/run_bench.py --build $(BUILD) $(if $(filter 1,$(BENCH_QUICK)),--quick)
	$(if $(AC_LIBDIR),-@$(MAKE) --no-print-directory $(BUILD)/tests/valgrind/req_scale >/dev/null && \
	  $(BENCH_PYTHON) tests/valgrind/scale_bench.py --build $(BUILD) $(if $(filter 1,$(BENCH_QUICK)),--quick))
	-$(BENCH_PYTHON) bench/dask_bench.py --build $(BUILD) $(if $(filter 1,$(BENCH_QUICK)),--quick)
