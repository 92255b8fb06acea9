# tests/numpy/numpy.mk - the differential test of libarr against NumPy.
# Included from the top Makefile; uses its $(CC), $(BUILD), $(CFLAGS_PROJECT),
# $(LDFLAGS_PROJECT) and $(LIBARR_A).
#
#   make check-numpy                       20,000 random cases and the regression file
#                                          (after a self-test of the comparison)
#   make check-numpy NUMPY_DIFF_ARGS="--cases 50000 --seed 7"
#   /usr/bin/python3 tests/numpy/diff.py --driver build/tests/numpy/arrdiff --replay FILE

# NumPy comes from Debian's python3-numpy: the first python3 on PATH may lack it.
NUMPY_PYTHON ?= /usr/bin/python3
NUMPY_DIFF_ARGS ?=
ARRDIFF := $(BUILD)/tests/numpy/arrdiff

$(ARRDIFF): tests/numpy/arrdiff.c $(LIBARR_A) libarr/arr.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_PROJECT) $< -o $@ $(LIBARR_A) $(LDFLAGS_PROJECT)

.PHONY: check-numpy
check-numpy: $(ARRDIFF)
	$(NUMPY_PYTHON) tests/numpy/diff.py --driver $(ARRDIFF) --self-test
	$(NUMPY_PYTHON) tests/numpy/diff.py --driver $(ARRDIFF) \
	    --regress tests/numpy/regress.txt --failures $(BUILD)/tests/numpy/failures.txt \
	    $(NUMPY_DIFF_ARGS)

ALL_TARGETS += $(ARRDIFF)
CHECK_TARGETS += check-numpy

# arr_shares_memory against np.shares_memory on the cases of NumPy's own
# test_mem_overlap.py, at several max_work bounds (same work count).
OVERLAP_DRIVER := $(BUILD)/tests/numpy/overlap_driver

$(OVERLAP_DRIVER): tests/numpy/overlap_driver.c $(LIBARR_A) libarr/arr.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_PROJECT) $< -o $@ $(LIBARR_A) $(LDFLAGS_PROJECT)

.PHONY: check-numpy-overlap
check-numpy-overlap: $(OVERLAP_DRIVER)
	$(NUMPY_PYTHON) tests/numpy/mem_overlap.py $(OVERLAP_DRIVER)

ALL_TARGETS += $(OVERLAP_DRIVER)
CHECK_TARGETS += check-numpy-overlap

# The same differential test with the driver under Valgrind's memcheck: a
# smaller run (memcheck and the sanitizers do not mix, so not under SANITIZE=1).
NUMPY_MEMCHECK_CASES ?= 5000
.PHONY: check-numpy-memcheck
check-numpy-memcheck: $(ARRDIFF)
	$(NUMPY_PYTHON) tests/numpy/diff.py --driver $(ARRDIFF) --seed 4242 \
	    --cases $(NUMPY_MEMCHECK_CASES) --show 4 \
	    --wrapper "valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect"

ifneq ($(SANITIZE),1)
CHECK_TARGETS += check-numpy-memcheck
endif
