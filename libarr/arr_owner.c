/* arr_owner.c - making handles: owners over libarr's own buffers, wrapped
 * or mapped memory, views linked to their owner, and the public creation
 * calls (arr_empty, arr_zeros, arr_full, arr_arange, arr_wrap).  See
 * docs/DESIGN.md for the lifetime model. */
#include "arr_owner.h"
#include "arr_alloc.h"
#include "arr_dtype.h"
#include "arr_error.h"
#include "arr_layout.h"
#include "arr_registry.h"
#include "arr_tag.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* ---- owners and views ------------------------------------------------- */

static const void *owner_reference(const arr_t *owner)
{
    return owner->buffer ? owner->buffer : owner->data;
}

static void fill_strides(int ndim, const int64_t *shape, int64_t itemsize, const int *perm,
                         int64_t *strides)
{
    int64_t stride = itemsize;
    for (int k = ndim - 1; k >= 0; k--) {
        int axis = perm ? perm[k] : k;
        strides[axis] = stride;
        if (shape[axis] != 0)
            stride *= shape[axis];
    }
}

static arr_t *new_owner_over(void *buffer, int64_t bytes, void *data, int ndim, const int64_t *shape,
                             const int64_t *strides, arr_dtype_t dtype, int flags,
                             void (*release)(void *, int64_t), arr_op_t op, const arr_t *source,
                             const void *caller, const char *fn);

arr_t *arr__new_owner(int ndim, const int64_t *shape, arr_dtype_t dtype, const int *perm,
                      arr_op_t op, const arr_t *source, const void *caller)
{
    static const char fn[] = "arr_new";
    if (arr__check_dtype(dtype, fn) != 0)
        return NULL;
    int itemsize = arr_dtype_size(dtype);
    int64_t nbytes = arr__nbytes_checked(ndim, shape, itemsize, fn);
    if (nbytes < 0)
        return NULL;
    void *buffer = arr__malloc_buffer((size_t)nbytes);
    if (buffer == NULL)
        return arr__fail_p(ARR_ENOMEM, "out of memory allocating %" PRId64 " bytes", nbytes);
    /* NumPy gives a freshly allocated empty array all-zero strides. */
    int64_t strides[ARR_MAXDIMS] = {0};
    if (nbytes != 0)
        fill_strides(ndim, shape, itemsize, perm, strides);
    arr_t *a = new_owner_over(buffer, nbytes, buffer, ndim, shape, strides, dtype,
                              ARR_OWNDATA | ARR_WRITEABLE, NULL, op, source, caller, fn);
    if (a == NULL)
        free(buffer);
    return a;
}

/* Puts view v at the head of owner's list.  Called with a constant vg, so
 * the native copy has no client request (nor its memory clobber) left. */
static inline __attribute__((always_inline)) void link_view_locked(arr_t *v, arr_t *owner,
                                                                   const bool vg)
{
    arr_t *head = arr__link_get(&owner->views_head, vg);
    arr__link_set(&v->view_next, head, vg);
    arr__link_set(&v->view_prev, NULL, vg);
    if (head)
        arr__link_set(&head->view_prev, v, vg);
    arr__link_set(&owner->views_head, v, vg);
    owner->nviews++;
}

arr_t *arr__new_view(arr_t *src, int ndim, const int64_t *shape, const int64_t *strides,
                     char *data, arr_op_t op, int readonly, const void *caller)
{
    static const char fn[] = "arr_view";
    if (arr__check_readable(src, fn) != 0)
        return NULL;
    if (ndim < 0 || ndim > ARR_MAXDIMS)
        return arr__fail_p(ARR_EINVAL, "%s: result would have %d dimensions (maximum %d)",
                           arr_op_name(op), ndim, ARR_MAXDIMS);
    arr_t *v = arr__calloc(1, sizeof *v);
    if (v == NULL)
        return arr__fail_p(ARR_ENOMEM, "out of memory for a view handle");
    v->magic = ARR_MAGIC_LIVE;
    v->ndim = ndim;
    v->dtype = src->dtype;
    v->itemsize = src->itemsize;
    v->op = op;
    v->source_id = src->id;
    v->is_view = 1;
    v->data = data;
    v->made_at = caller;
    if (ndim > 0) {
        memcpy(v->shape, shape, (size_t)ndim * sizeof *shape);
        memcpy(v->strides, strides, (size_t)ndim * sizeof *strides);
    }
    v->flags = (src->flags & ARR_WRITEABLE) && !readonly ? ARR_WRITEABLE : 0;
    arr__update_contiguity(v);

    /* Resolve the owner and link to it under the lock: another thread may be
     * freeing the owner (through its own handle) right now. */
    pthread_mutex_lock(&arr__registry_lock);
    if (!arr__live_locked(src) || src->orphaned) {
        pthread_mutex_unlock(&arr__registry_lock);
        free(v);
        return arr__fail_p(ARR_EORPHAN, "%s: the base of arr #%" PRIu64 " was freed meanwhile", fn,
                           src->id);
    }
    arr_t *owner = src->is_view ? src->base : src;
    v->base = owner;
    v->offset = data - owner->data;
    v->buffer = owner->buffer;
    if (arr__registry_add_locked(v) != 0) {
        pthread_mutex_unlock(&arr__registry_lock);
        free(v);
        return NULL;
    }
    v->base_id = owner->id;
    const bool vg = arr__on_valgrind();
    if (vg)
        link_view_locked(v, owner, true);
    else
        link_view_locked(v, owner, false);
    const void *owner_buffer = owner_reference(owner);
    int64_t owner_bytes = owner->buffer_bytes;
    pthread_mutex_unlock(&arr__registry_lock);
    if (vg)
        arr__emit_created_slow(v, owner_buffer, owner_bytes);
    return v;
}

/* ---- creation (public) -------------------------------------------------- */

static arr_t *make_filled(int ndim, const int64_t *shape, arr_dtype_t dtype, arr_op_t op,
                          double value, const void *caller)
{
    arr_t *a = arr__new_owner(ndim, shape, dtype, NULL, op, NULL, caller);
    if (a == NULL)
        return NULL;
    if (op == ARR_OP_ZEROS || (value == 0.0 && !__builtin_signbit(value)))
        memset(a->buffer, 0, (size_t)a->buffer_bytes);
    else if (op == ARR_OP_FULL) {
        int64_t n = a->buffer_bytes / a->itemsize;
        char *p = a->data;
        if (n > 0) {
            arr__store_f64(p, dtype, value);
            for (int64_t i = 1; i < n; i++)
                memcpy(p + i * a->itemsize, p, (size_t)a->itemsize);
        }
    }
    return a;
}

arr_t *arr_empty(int ndim, const int64_t *shape, arr_dtype_t dtype)
{
    return arr__new_owner(ndim, shape, dtype, NULL, ARR_OP_EMPTY, NULL, ARR__CALLER);
}

arr_t *arr_zeros(int ndim, const int64_t *shape, arr_dtype_t dtype)
{
    return make_filled(ndim, shape, dtype, ARR_OP_ZEROS, 0.0, ARR__CALLER);
}

arr_t *arr_full(int ndim, const int64_t *shape, arr_dtype_t dtype, double value)
{
    return make_filled(ndim, shape, dtype, ARR_OP_FULL, value, ARR__CALLER);
}

arr_t *arr_arange(double start, double stop, double step, arr_dtype_t dtype)
{
    if (arr__check_dtype(dtype, "arr_arange") != 0)
        return NULL;
    if (step == 0.0)
        return arr__fail_p(ARR_EINVAL, "arr_arange: step must not be zero");
    double span = (stop - start) / step;
    if (span != span || span > 9.0e15)
        return arr__fail_p(ARR_EINVAL, "arr_arange: cannot compute length for (%g, %g, %g)",
                           start, stop, step);
    int64_t n = span > 0 ? (int64_t)span : 0;
    if ((double)n < span)
        n++; /* ceil */
    if (dtype == ARR_BOOL && n > 2)
        return arr__fail_p(ARR_ETYPE, "arr_arange: no bool range of more than 2 elements");
    arr_t *a = arr__new_owner(1, &n, dtype, NULL, ARR_OP_ARANGE, NULL, ARR__CALLER);
    if (a == NULL || n == 0)
        return a;
    /* NumPy computes the first two values in the target dtype and then
     * extends with their difference: arange(0.5, 3, 0.5, int) is 0,1,2,3,4. */
    char *p = a->data;
    arr__store_f64(p, dtype, start);
    double first = arr__load_f64(p, dtype);
    if (n > 1) {
        arr__store_f64(p + a->itemsize, dtype, start + step);
        double delta = arr__load_f64(p + a->itemsize, dtype) - first;
        for (int64_t i = 2; i < n; i++)
            arr__store_f64(p + i * a->itemsize, dtype, first + (double)i * delta);
    }
    return a;
}

/* Every owner's handle: over libarr's own buffer (arr__new_owner), the
 * caller's memory (arr_wrap: no buffer, no OWNDATA, never released) or a
 * mapping with a release hook.  On failure the buffer is the caller's to
 * release.  strides NULL: C order. */
static arr_t *new_owner_over(void *buffer, int64_t bytes, void *data, int ndim, const int64_t *shape,
                             const int64_t *strides, arr_dtype_t dtype, int flags,
                             void (*release)(void *, int64_t), arr_op_t op, const arr_t *source,
                             const void *caller, const char *fn)
{
    if (arr__check_dtype(dtype, fn) != 0)
        return NULL;
    int64_t nbytes = arr__nbytes_checked(ndim, shape, arr_dtype_size(dtype), fn);
    if (nbytes < 0)
        return NULL;
    if (data == NULL && nbytes != 0)
        return arr__fail_p(ARR_EINVAL, "%s: data is NULL for a non-empty array", fn);
    if (strides != NULL &&
        arr__check_layout_extent(data, ndim, shape, strides, arr_dtype_size(dtype), fn) != 0)
        return NULL; /* ARR_EOVERFLOW: the strides span more than int64 */
    arr_t *a = arr__calloc(1, sizeof *a);
    if (a == NULL)
        return arr__fail_p(ARR_ENOMEM, "out of memory for an array handle");
    a->magic = ARR_MAGIC_LIVE;
    a->ndim = ndim;
    a->dtype = dtype;
    a->itemsize = arr_dtype_size(dtype);
    a->op = op;
    a->source_id = source ? source->id : 0;
    a->buffer = buffer;
    a->buffer_bytes = bytes;
    a->release = release;
    a->data = data;
    a->made_at = caller;
    if (ndim > 0)
        memcpy(a->shape, shape, (size_t)ndim * sizeof *shape);
    if (strides && ndim > 0)
        memcpy(a->strides, strides, (size_t)ndim * sizeof *strides);
    else
        fill_strides(ndim, shape, a->itemsize, NULL, a->strides);
    a->flags = flags;
    arr__update_contiguity(a);
    if (arr__registry_add(a) != 0) {
        free(a);
        return NULL;
    }
    a->base_id = a->id;
    if (arr__on_valgrind()) {
        arr__emit_created_slow(a, owner_reference(a), a->buffer_bytes);
        arr__name_block_slow(a, "");
    }
    return a;
}

arr_t *arr_wrap(void *data, int ndim, const int64_t *shape, const int64_t *strides,
                arr_dtype_t dtype, int writeable)
{
    return new_owner_over(NULL, 0, data, ndim, shape, strides, dtype, writeable ? ARR_WRITEABLE : 0,
                          NULL, ARR_OP_WRAP, NULL, ARR__CALLER, "arr_wrap");
}

arr_t *arr__new_owner_external(void *buffer, int64_t bytes, void *data, int ndim,
                               const int64_t *shape, const int64_t *strides, arr_dtype_t dtype,
                               int writeable, void (*release)(void *, int64_t), arr_op_t op,
                               const void *caller)
{
    if (buffer == NULL || bytes < 0)
        return arr__fail_p(ARR_EINVAL, "arr_new_external: no buffer");
    return new_owner_over(buffer, bytes, data, ndim, shape, strides, dtype,
                          ARR_OWNDATA | (writeable ? ARR_WRITEABLE : 0), release, op, NULL, caller,
                          "arr_new_external");
}
