# tests/npy/npy.mk - .npy files against NumPy (python3-numpy, /usr/bin/python3).
#
#   make check-npy    NumPy writes files libarr loads (every dtype, order,
#                     byte order, format version, load mode), libarr writes
#                     files NumPy loads (views of any strides); byte-exact
#                     against np.save, sums bit-exact against np.sum.

NPY_TEST_BIN := $(BUILD)/tests/npy/npy_roundtrip

$(NPY_TEST_BIN): tests/npy/npy_roundtrip.c $(LIBARR_A)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_PROJECT) $< -o $@ $(LIBARR_A) $(LDFLAGS_PROJECT)

.PHONY: check-npy
check-npy: $(NPY_TEST_BIN)
	@/usr/bin/python3 tests/npy/check_npy.py $(NPY_TEST_BIN)

CHECK_TARGETS += check-npy
