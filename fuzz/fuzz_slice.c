/* fuzz_slice.c - libFuzzer harness for the slice-spec parser (arr_slice).
 *
 * Input: [ndim+source kind][dims...][dtype] then the spec text.  The array
 * indexed is an owner or a strided/reversed/transposed view of one, so specs
 * meet negative and non-unit strides.  Every call must either fail cleanly
 * (ESYNTAX, EINDEX or EINVAL with a message, registry unchanged) or return a
 * view that lies inside the owner's buffer, whose flags match its strides,
 * and that can be written, summed and freed (ASan watches every byte). */
#include "fuzz_common.h"

enum source_kind { SRC_OWNER, SRC_TRANSPOSED, SRC_REVERSED, SRC_STEPPED, SRC_KINDS };

static arr_t *make_source(arr_t *owner, int kind)
{
    switch (kind) {
    case SRC_TRANSPOSED: return arr_transpose(owner, NULL);
    case SRC_REVERSED: return arr_flip(owner, ARR_ALL_AXES);
    case SRC_STEPPED: return owner->ndim > 0 ? arr_slice(owner, "::2") : arr_view(owner);
    default: return NULL;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input_t in = {data, size, 0};
    uint8_t head = fuzz_byte(&in);
    int ndim = head % 5, kind = (head / 5) % SRC_KINDS;
    int64_t shape[4];
    for (int i = 0; i < ndim; i++)
        shape[i] = fuzz_byte(&in) % 6;
    arr_dtype_t dtype = (arr_dtype_t)(fuzz_byte(&in) % ARR_NDTYPES);

    /* The rest of the input is the spec, made a C string. */
    size_t spec_len = size - in.pos;
    char *spec = malloc(spec_len + 1);
    if (spec == NULL)
        return 0;
    memcpy(spec, data + in.pos, spec_len);
    spec[spec_len] = '\0';

    arr_t *owner = arr_zeros(ndim, shape, dtype);
    FUZZ_CHECK(owner != NULL, "zeros of a small shape");
    arr_t *source = owner;
    if (kind != SRC_OWNER) {
        source = make_source(owner, kind);
        FUZZ_CHECK(source != NULL, "source view kind %d", kind);
    }

    int64_t before = arr_registry.count;
    arr_clear_error();
    arr_t *v = arr_slice(source, spec);
    if (v == NULL) {
        fuzz_check_error("arr_slice", ERRBIT(ARR_ESYNTAX) | ERRBIT(ARR_EINDEX) | ERRBIT(ARR_EINVAL));
        FUZZ_CHECK(arr_registry.count == before, "a failed arr_slice changed the registry");
    } else {
        FUZZ_CHECK(arr_registry.count == before + 1, "arr_slice added %" PRId64 " handles",
                   arr_registry.count - before);
        FUZZ_CHECK(v->is_view && v->base == owner && v->base_id == owner->id,
                   "slice is not a view of the owner");
        FUZZ_CHECK(v->buffer == owner->buffer && v->offset == v->data - owner->data,
                   "view bookkeeping disagrees with its data pointer");
        FUZZ_CHECK(v->dtype == owner->dtype, "dtype changed");
        FUZZ_CHECK(owner->nviews == (source == owner ? 1 : 2), "owner counts %" PRId64 " views",
                   owner->nviews);
        fuzz_check_handle_layout(v, owner->buffer, owner->buffer_bytes);
        /* Touch every element: ASan catches a write outside the buffer. */
        FUZZ_CHECK(arr_fill(v, 1.0) == 0, "fill of a writeable view");
        double total;
        FUZZ_CHECK(arr_sum(v, &total) == 0, "sum of a view");
        int64_t n = arr_size(v);
        /* At most 625 ones: exact in every dtype's accumulator. */
        FUZZ_CHECK(total == (double)n, "sum of %" PRId64 " ones is %g", n, total);
        FUZZ_CHECK(arr_free(v) == 0, "free of the view");
    }
    if (source != owner)
        FUZZ_CHECK(arr_free(source) == 0, "free of the source view");
    FUZZ_CHECK(arr_free(owner) == 0, "free of the owner");
    FUZZ_CHECK(arr_registry.count == 0, "%" PRId64 " handles left", arr_registry.count);
    arr_stats_t s = arr_stats();
    FUZZ_CHECK(s.live_owners == 0 && s.live_views == 0 && s.live_orphans == 0 && s.live_bytes == 0,
               "stats not back to zero");
    free(spec);
    return 0;
}
