# samples/samples.mk - the leak-detection sample suite.
#
#   make demo            install missing packages, build, run every sample
#                        under the native checker, memcheck and arrcheck
#                        (table, lessons' output, one full arrcheck report,
#                        the gdb tour)
#   make check-samples   the same runner, quiet; fails on any mismatch
#   make tour            the gdb tour alone (samples/tour.gdb)
#   make samples-build   the sample programs and the arrcheck tool
#
# Samples go to $(BUILD)/samples and always use an uninstrumented libarr:
# Valgrind cannot run ASan binaries, so under SANITIZE=1 the targets re-run
# make with SANITIZE=0.

SAMPLE_SRCS := $(sort $(wildcard samples/*.c))
SAMPLE_BINS := $(patsubst samples/%.c,$(BUILD)/samples/%,$(SAMPLE_SRCS))

# GSL samples (samples/gsl_*.c): plain GSL programs, built as a user would
# (no arrdbg header, no libarr); arrcheck's preload understands them.
# Without libgsl-dev they are left out.
ifeq ($(GSL_OK),)
SAMPLE_SRCS := $(filter-out samples/gsl_%,$(SAMPLE_SRCS))
SAMPLE_BINS := $(filter-out $(BUILD)/samples/gsl_%,$(SAMPLE_BINS))
else
$(BUILD)/samples/gsl_%: samples/gsl_%.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -g -O0 -fno-omit-frame-pointer -fno-inline $(WARN) $< -o $@ -lgsl -lgslcblas -lm
endif
# -O0 and no inlining: gcc may delete a malloc/free pair at -O1 and up,
# and stacks should name the sample's own functions (the native checker
# reads them from the debug info: no -rdynamic needed).
SAMPLE_CFLAGS := -std=c11 -D_GNU_SOURCE -g -O0 -fno-omit-frame-pointer -fno-inline \
                 $(WARN) -Ilibarr -Ivalgrind

.PHONY: demo check-samples tour samples-build

ifeq ($(SANITIZE),1)
demo check-samples tour samples-build:
	@$(MAKE) --no-print-directory SANITIZE=0 $@
else

$(BUILD)/samples/%: samples/%.c samples/sample.h $(LIBARR_A) libarr/arr.h
	@mkdir -p $(dir $@)
	$(CC) $(SAMPLE_CFLAGS) $< -o $@ $(LIBARR_A) -pthread -lm

# The tool is optional: without it the runner's arrcheck column says so.
samples-build: $(SAMPLE_BINS) $(if $(AC_LIBDIR),$(AC_LIBDIR)/.stamp)
	@:

ALL_TARGETS += $(SAMPLE_BINS)

demo:
	@$(MAKE) --no-print-directory deps-check
	@echo "building libarr, the arrcheck tool and the samples (make -s samples-build) ..."
	@$(MAKE) --no-print-directory -s -j2 samples-build
	@ARRDBG_BUILD=$(BUILD) samples/run --no-build --tour

check-samples: samples-build
	@ARRDBG_BUILD=$(BUILD) samples/run --no-build --quiet --tour

tour: $(BUILD)/samples/lesson_write_through_view
	@echo "== gdb tour: gdb -nx -batch -iex 'source gdb/arrdbg.py' -x samples/tour.gdb $<"
	@timeout 120 gdb -nx -batch -iex 'set auto-load python-scripts off' \
	  -iex 'source gdb/arrdbg.py' -x samples/tour.gdb $< 2>&1

endif

CHECK_TARGETS += check-samples

