/* fuzz_npy.c - libFuzzer harness for the one file format libarr reads, .npy.
 *
 * Input: [load mode] then the file's bytes.  The header parser sees the
 * bytes directly; arr_load_npy sees them as a file, in the chosen mode.
 * Either they fail cleanly (EINVAL/ETYPE/EOVERFLOW/ENOMEM with a message,
 * registry unchanged) or the array agrees with the parsed header, lies inside
 * its buffer, can be read in full (ASan and the mapping's end catch any
 * overread) and freed. */
#include "fuzz_common.h"

#include <unistd.h>

static char path[64];
static int fd = -1;

static void write_file(const uint8_t *data, size_t size)
{
    if (fd < 0) {
        snprintf(path, sizeof path, "/tmp/arr-fuzz-npy-XXXXXX");
        fd = mkstemp(path);
        FUZZ_CHECK(fd >= 0, "cannot create a scratch file");
    }
    FUZZ_CHECK(ftruncate(fd, 0) == 0 && pwrite(fd, data, size, 0) == (ssize_t)size, "write scratch file");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    arr_load_mode_t mode = (arr_load_mode_t)(data[0] % 4);
    data++, size--;
    const unsigned load_errors = ERRBIT(ARR_EINVAL) | ERRBIT(ARR_ETYPE) | ERRBIT(ARR_EOVERFLOW) | ERRBIT(ARR_ENOMEM);

    arr_npy_header_t h;
    memset(&h, 0, sizeof h);
    int parsed = arr_npy_parse_header(data, size, &h);
    if (parsed != 0) {
        FUZZ_CHECK(parsed == -1, "parse returned %d", parsed);
        fuzz_check_error("arr_npy_parse_header", load_errors);
    } else {
        FUZZ_CHECK(h.version_major >= 1 && h.version_major <= 3, "version %d", h.version_major);
        FUZZ_CHECK((unsigned)h.dtype < ARR_NDTYPES && h.ndim >= 0 && h.ndim <= ARR_MAXDIMS, "header fields");
        int64_t n = 1;
        for (int i = 0; i < h.ndim; i++) {
            FUZZ_CHECK(h.shape[i] >= 0, "negative shape");
            n *= h.shape[i];
        }
        FUZZ_CHECK(h.data_bytes == n * arr_dtype_size(h.dtype), "data_bytes %" PRId64, h.data_bytes);
        FUZZ_CHECK(h.data_offset > 0 && (size_t)h.data_offset <= size, "data_offset %" PRId64, h.data_offset);
    }

    write_file(data, size);
    arr_clear_error();
    arr_t *a = arr_load_npy(path, mode);
    if (a == NULL) {
        fuzz_check_error("arr_load_npy", load_errors);
    } else {
        FUZZ_CHECK(parsed == 0, "loaded a file whose header does not parse");
        FUZZ_CHECK((size_t)(h.data_offset + h.data_bytes) <= size, "loaded a truncated file");
        FUZZ_CHECK(a->op == ARR_OP_LOAD && !a->is_view && a->dtype == (int)h.dtype && a->ndim == h.ndim &&
                       memcmp(a->shape, h.shape, (size_t)h.ndim * sizeof h.shape[0]) == 0,
                   "array disagrees with its header");
        FUZZ_CHECK(((a->flags & ARR_WRITEABLE) != 0) == (mode != ARR_LOAD_MMAP_READONLY), "WRITEABLE");
        FUZZ_CHECK(arr_registry.count == 1, "registry count %" PRId64, arr_registry.count);
        fuzz_check_handle_layout(a, a->buffer ? a->buffer : a->data, a->buffer_bytes);
        double re, im;
        FUZZ_CHECK(arr_sum_complex(a, &re, &im) == 0, "reading the loaded array");
        arr_t *c = arr_copy(a, ARR_ORDER_K);
        FUZZ_CHECK(c != NULL, "copy of the loaded array");
        FUZZ_CHECK(arr_equal(a, c) != 0 || re != re || im != im, "copy differs (no NaN involved)");
        FUZZ_CHECK(arr_free(c) == 0 && arr_free(a) == 0, "free");
    }
    FUZZ_CHECK(arr_registry.count == 0, "%" PRId64 " handles left", arr_registry.count);
    return 0;
}
