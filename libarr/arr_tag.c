/* arr_tag.c - what libarr tells Valgrind: the arrcheck client requests for
 * each array made, and memcheck block names for owners' buffers.  See
 * arr_tag.h for the inline fast-path checks. */
#include "arr_tag.h"
#include "arr_layout.h"

#include "arrcheck.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* Read once, before main (a constructor): natively every client request
 * below is then skipped by one predictable branch on a plain load, which is
 * what keeps libarr's tagging free when not under Valgrind.  (Valgrind is
 * there from the first instruction, so the answer never changes.) */
bool arr__under_valgrind;
bool arr__tool_ids;

/* The protocol's limits bound libarr's (arrcheck.h). */
_Static_assert(ARR_MAXDIMS <= ARRCHECK_MAX_NDIM, "ARR_MAXDIMS beyond the arrcheck protocol");
_Static_assert(ARR_LABEL_MAX <= ARRCHECK_LABEL_MAX, "ARR_LABEL_MAX beyond the arrcheck protocol");
/* .dtype is sent as is: libarr's dtypes are the protocol's. */
_Static_assert(ARR_BOOL == (int)ARRCHECK_DTYPE_BOOL && ARR_INT64 == (int)ARRCHECK_DTYPE_INT64 &&
                   ARR_FLOAT64 == (int)ARRCHECK_DTYPE_FLOAT64 &&
                   ARR_COMPLEX128 == (int)ARRCHECK_DTYPE_COMPLEX128 &&
                   ARR_NDTYPES == (int)ARRCHECK_DTYPE_COMPLEX128 + 1,
               "arr_dtype_t and arrcheck_dtype_t differ");

__attribute__((constructor)) static void detect_valgrind(void)
{
    arr__under_valgrind = RUNNING_ON_VALGRIND != 0;
    /* Tell arrcheck which stack frames are libarr's: its sources' directory,
     * its shared object, and (no line info) its function prefix. */
    static const struct arrcheck_library me = {
        ARRCHECK_PROTOCOL_VERSION, sizeof me, "libarr", "arr_", "libarr", "libarr.so"};
    if (arr__under_valgrind)
        (void)ARRCHECK_LIBRARY(&me);
    /* Under arrcheck level 3 ids come from the tool, so another library in
     * the process (the GSL adapter) never gets the same one. */
    arr__tool_ids = arr__under_valgrind && ARRCHECK_RUNNING() >= 3;
}

uint64_t arr__tool_id(void)
{
    return (uint64_t)ARRCHECK_NEW_ID();
}

/* Requests cost a few instructions natively; the info struct is only filled
 * when actually running under Valgrind. */

void arr__describe(const arr_t *a, char *buf, size_t cap)
{
    size_t n = (size_t)snprintf(buf, cap, "arr #%" PRIu64 " %s shape ", a->id,
                                arr_dtype_name((arr_dtype_t)a->dtype));
    if (n < cap) {
        arr__format_shape(buf + n, cap - n, a->ndim, a->shape, ", ");
        n += strlen(buf + n);
    }
    if (n < cap && a->label[0])
        n += (size_t)snprintf(buf + n, cap - n, " \"%s\"", a->label);
    if (n < cap) {
        if (a->is_view)
            snprintf(buf + n, cap - n, ", view of #%" PRIu64 " (%s)", a->base_id,
                     arr_op_name((arr_op_t)a->op));
        else if (arr_op_is_copy((arr_op_t)a->op))
            snprintf(buf + n, cap - n, ", copy of #%" PRIu64 " (%s)", a->source_id,
                     arr_op_name((arr_op_t)a->op));
        else
            snprintf(buf + n, cap - n, ", owner (%s)", arr_op_name((arr_op_t)a->op));
    }
}

/* owner_buffer / owner_bytes: the owner's buffer start (its data for
 * wrapped memory) and size, captured by the caller while the owner was
 * certainly alive. */
__attribute__((cold, noinline)) void arr__emit_created_slow(const arr_t *a, const void *owner_buffer,
                                                        int64_t owner_bytes)
{
    struct arrcheck_array_info info = {
        .version = ARRCHECK_PROTOCOL_VERSION,
        .size = sizeof info,
        .id = a->id,
        .base_id = a->base_id,
        .source_id = a->source_id,
        .handle = a,
        .handle_bytes = sizeof *a,
        .buffer = owner_buffer,
        .buffer_bytes = (uint64_t)owner_bytes,
        .dtype = a->dtype,
        .itemsize = a->itemsize,
        .ndim = a->ndim,
        .op = a->op,
        .is_copy = arr_op_is_copy((arr_op_t)a->op),
        .owndata = (a->flags & ARR_OWNDATA) != 0,
        .shape = a->shape,
        .strides = a->strides,
        .dtype_name = arr_dtype_name((arr_dtype_t)a->dtype),
        .op_name = arr_op_name((arr_op_t)a->op),
        .label = a->label,
    };
    if (a->is_view) {
        int64_t lo, hi;
        arr__extent(a, &lo, &hi);
        int64_t origin = (const char *)a->data - (const char *)info.buffer;
        info.extent_lo = lo == hi ? origin : origin + lo;
        info.extent_hi = lo == hi ? origin : origin + hi;
        (void)ARRCHECK_VIEW_CREATED(&info);
    } else {
        info.extent_lo = 0;
        info.extent_hi = a->buffer_bytes;
        (void)ARRCHECK_OWNER_CREATED(&info);
    }
}

/* Names an owner's buffer for memcheck: errors inside it then say
 * "... inside a arr #3 float64 shape (3, 4) ... of size 96 client-defined".
 * memcheck keeps these descriptions in a list it searches linearly, so a
 * program with very many live arrays would go quadratic: only the first
 * MEMCHECK_NAMED_MAX live owners are named (quarantined buffers always are). */
#define MEMCHECK_NAMED_MAX 4096
static int named_blocks;

void arr__forget_block_name(uint64_t *vg_block)
{
    if (*vg_block) {
        (void)VALGRIND_DISCARD(*vg_block - 1);
        __atomic_sub_fetch(&named_blocks, 1, __ATOMIC_RELAXED);
        *vg_block = 0;
    }
}

__attribute__((cold, noinline)) void arr__name_block_slow(arr_t *a, const char *prefix)
{
    if (a->buffer == NULL || a->buffer_bytes == 0)
        return;
    arr__forget_block_name(&a->vg_block);
    if (__atomic_add_fetch(&named_blocks, 1, __ATOMIC_RELAXED) > MEMCHECK_NAMED_MAX) {
        __atomic_sub_fetch(&named_blocks, 1, __ATOMIC_RELAXED);
        return;
    }
    char desc[256];
    size_t n = (size_t)snprintf(desc, sizeof desc, "%s", prefix);
    arr__describe(a, desc + n, sizeof desc - n);
    a->vg_block = (uint64_t)VALGRIND_CREATE_BLOCK(a->buffer, a->buffer_bytes, desc) + 1;
}
