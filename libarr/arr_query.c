/* arr_query.c - the public accessors: labels, is_view, base, flags, size,
 * nbytes, ndim, dtype, shape, strides, data, id. */
#include "arr_registry.h"
#include "arr_tag.h"

#include "arrcheck.h"

#include <string.h>

/* ---- labels ------------------------------------------------------------- */

int arr_set_label(arr_t *a, const char *label)
{
    if (arr__check_live(a, "arr_set_label") != 0)
        return -1;
    if (label == NULL)
        label = "";
    size_t n = strlen(label);
    if (n >= ARR_LABEL_MAX)
        n = ARR_LABEL_MAX - 1;
    memcpy(a->label, label, n);
    a->label[n] = '\0';
    if (arr__on_valgrind()) {
        (void)ARRCHECK_LABEL(a->id, a->label);
        if (!a->is_view)
            arr__name_block_slow(a, "");
    }
    return 0;
}

const char *arr_label(const arr_t *a)
{
    if (arr__check_live(a, "arr_label") != 0)
        return NULL;
    return a->label;
}

/* ---- queries ------------------------------------------------------------ */

bool arr_is_view(const arr_t *a) { return arr__check_live(a, "arr_is_view") == 0 && a->is_view; }

arr_t *arr_base(const arr_t *a)
{
    if (arr__check_live(a, "arr_base") != 0)
        return NULL;
    arr_clear_error();
    pthread_mutex_lock(&arr__registry_lock); /* base is cleared when the owner goes */
    arr_t *base = a->base;
    pthread_mutex_unlock(&arr__registry_lock);
    return base;
}

int arr_flags(const arr_t *a) { return arr__check_live(a, "arr_flags") ? -1 : a->flags; }

int64_t arr_size(const arr_t *a)
{
    if (arr__check_live(a, "arr_size") != 0)
        return -1;
    int64_t n = 1;
    for (int i = 0; i < a->ndim; i++)
        n *= a->shape[i];
    return n;
}

int64_t arr_nbytes(const arr_t *a)
{
    int64_t n = arr_size(a);
    return n < 0 ? -1 : n * a->itemsize;
}

int arr_ndim(const arr_t *a) { return arr__check_live(a, "arr_ndim") ? -1 : a->ndim; }

arr_dtype_t arr_dtype(const arr_t *a)
{
    return arr__check_live(a, "arr_dtype") ? (arr_dtype_t)-1 : (arr_dtype_t)a->dtype;
}

const int64_t *arr_shape(const arr_t *a) { return arr__check_live(a, "arr_shape") ? NULL : a->shape; }

const int64_t *arr_strides(const arr_t *a)
{
    return arr__check_live(a, "arr_strides") ? NULL : a->strides;
}

void *arr_data(const arr_t *a) { return arr__check_live(a, "arr_data") ? NULL : a->data; }

uint64_t arr_id(const arr_t *a) { return arr__check_live(a, "arr_id") ? 0 : a->id; }
