/* test_core.c - creation, the registry, ids, flags, freeing and orphans,
 * labels, stats, the leak report, errors, allocation failures, threads. */
#include "unit.h"

#include <pthread.h>
#include <stdio.h>
#include <valgrind/memcheck.h>

/* libarr's test hooks (internal, declared in arr_internal.h). */
extern long arr__alloc_fail_countdown;
extern bool arr__under_valgrind;

START_TEST(create_owners)
{
    int64_t shape[] = {2, 3, 4};
    arr_t *a = arr_empty(3, shape, ARR_INT32);
    ck_assert_arr_ok(a);
    /* np.empty((2, 3, 4), np.int32).strides == (48, 16, 4) */
    ck_assert_int_eq(a->strides[0], 48);
    ck_assert_int_eq(a->strides[1], 16);
    ck_assert_int_eq(a->strides[2], 4);
    ck_assert_int_eq(arr_flags(a), ARR_C_CONTIGUOUS | ARR_OWNDATA | ARR_WRITEABLE);
    ck_assert_int_eq(arr_size(a), 24);
    ck_assert_int_eq(arr_nbytes(a), 96);
    ck_assert_int_eq(a->buffer_bytes, 96);
    ck_assert(!arr_is_view(a));
    ck_assert_ptr_null(arr_base(a));
    ck_assert_int_eq(arr_errcode(), ARR_OK);
    ck_assert_int_eq(a->base_id, a->id);
    ck_assert_int_eq(a->magic, ARR_MAGIC_LIVE);
    ck_assert_int_eq(a->op, ARR_OP_EMPTY);
    ck_assert_ptr_nonnull(a->made_at);

    arr_t *z = arr_zeros(2, (int64_t[]){3, 1}, ARR_COMPLEX128);
    ck_assert_arr_ok(z);
    /* np.zeros((3, 1), complex).strides == (16, 16); both contiguous */
    ck_assert_int_eq(z->strides[0], 16);
    ck_assert_int_eq(z->strides[1], 16);
    ck_assert_int_eq(arr_flags(z) & 3, ARR_C_CONTIGUOUS | ARR_F_CONTIGUOUS);
    for (int i = 0; i < 6; i++)
        ck_assert_int_eq(((double *)z->data)[i] == 0.0, 1);
    ck_assert_int_gt(z->id, a->id);

    /* np.zeros((3, 0)).strides == (0, 0): a fresh empty array has zero strides */
    arr_t *e = arr_zeros(2, (int64_t[]){3, 0}, ARR_FLOAT64);
    ck_assert_arr_ok(e);
    ck_assert_int_eq(e->strides[0], 0);
    ck_assert_int_eq(e->strides[1], 0);
    ck_assert_int_eq(arr_size(e), 0);

    arr_t *s = arr_zeros(0, NULL, ARR_UINT16); /* 0-d */
    ck_assert_arr_ok(s);
    ck_assert_int_eq(arr_size(s), 1);
    ck_assert_int_eq(arr_nbytes(s), 2);

    arr_t *f = arr_full(1, (int64_t[]){5}, ARR_INT8, -3.0);
    ck_assert_arr_ok(f);
    for (int i = 0; i < 5; i++)
        ck_assert_int_eq(((int8_t *)f->data)[i], -3);
    ck_assert_int_eq(f->op, ARR_OP_FULL);

    arr_free(a);
    arr_free(z);
    arr_free(e);
    arr_free(s);
    arr_free(f);
}
END_TEST

START_TEST(arange_numpy_semantics)
{
    /* np.arange(0.5, 3, 0.5, dtype=np.int64) -> [0 1 2 3 4] */
    arr_t *a = arr_arange(0.5, 3, 0.5, ARR_INT64);
    ck_assert_arr_ok(a);
    ck_assert_int_eq(a->shape[0], 5);
    for (int i = 0; i < 5; i++)
        ck_assert_int_eq(((int64_t *)a->data)[i], i);
    arr_free(a);
    /* np.arange(5, 0, -2, dtype=np.float32) -> [5. 3. 1.] */
    a = arr_arange(5, 0, -2, ARR_FLOAT32);
    ck_assert_int_eq(a->shape[0], 3);
    ck_assert(((float *)a->data)[2] == 1.0f);
    arr_free(a);
    a = arr_arange(0, 1, 0.1, ARR_FLOAT64); /* len(np.arange(0, 1, 0.1)) == 10 */
    ck_assert_int_eq(a->shape[0], 10);
    ck_assert(((double *)a->data)[3] == 3 * 0.1);
    arr_free(a);
    a = arr_arange(3, 1, 1, ARR_INT16);
    ck_assert_int_eq(a->shape[0], 0);
    arr_free(a);
    ck_assert_ptr_null(arr_arange(0, 1, 0, ARR_FLOAT64));
    ck_assert_arr_err(ARR_EINVAL);
    ck_assert_ptr_null(arr_arange(0, 5, 1, ARR_BOOL));
    ck_assert_arr_err(ARR_ETYPE);
    ck_assert_ptr_null(arr_arange(0, 1.0 / 0.0, 1, ARR_FLOAT64));
    ck_assert_arr_err(ARR_EINVAL);
}
END_TEST

START_TEST(wrap_caller_memory)
{
    double mem[12];
    for (int i = 0; i < 12; i++)
        mem[i] = i;
    arr_t *w = arr_wrap(mem, 2, (int64_t[]){3, 4}, NULL, ARR_FLOAT64, 1);
    ck_assert_arr_ok(w);
    ck_assert_int_eq(arr_flags(w), ARR_C_CONTIGUOUS | ARR_WRITEABLE); /* no OWNDATA */
    ck_assert_ptr_null(w->buffer);
    ck_assert_int_eq(w->op, ARR_OP_WRAP);
    arr_t *v = arr_slice(w, "1:, ::2");
    ck_assert_arr_ok(v);
    ck_assert_ptr_eq(arr_base(v), w);
    ck_assert_int_eq(v->offset, 32);
    arr_free(v);
    arr_free(w);
    ck_assert(mem[11] == 11.0); /* untouched, never freed by libarr */

    arr_t *f = arr_wrap(mem, 2, (int64_t[]){4, 3}, (int64_t[]){8, 32}, ARR_FLOAT64, 0);
    ck_assert_int_eq(arr_flags(f), ARR_F_CONTIGUOUS);
    arr_free(f);
    ck_assert_ptr_null(arr_wrap(NULL, 1, (int64_t[]){3}, NULL, ARR_FLOAT64, 1));
    ck_assert_arr_err(ARR_EINVAL);
    arr_t *empty = arr_wrap(NULL, 1, (int64_t[]){0}, NULL, ARR_FLOAT64, 1);
    ck_assert_arr_ok(empty);
    arr_free(empty);
}
END_TEST

START_TEST(creation_errors)
{
    ck_assert_ptr_null(arr_zeros(33, (int64_t[33]){0}, ARR_FLOAT64));
    ck_assert_arr_err(ARR_EINVAL);
    ck_assert_ptr_null(arr_zeros(-1, NULL, ARR_FLOAT64));
    ck_assert_arr_err(ARR_EINVAL);
    ck_assert_ptr_null(arr_zeros(2, (int64_t[]){3, -4}, ARR_FLOAT64));
    ck_assert_arr_err(ARR_EINVAL);
    ck_assert_msg(strstr(arr_errmsg(), "negative dimension -4 on axis 1"), "%s", arr_errmsg());
    ck_assert_ptr_null(arr_zeros(2, (int64_t[]){INT64_MAX / 2, 3}, ARR_FLOAT64));
    ck_assert_arr_err(ARR_EOVERFLOW);
    ck_assert_ptr_null(arr_zeros(2, NULL, ARR_FLOAT64));
    ck_assert_arr_err(ARR_EINVAL);
    ck_assert_ptr_null(arr_empty(1, (int64_t[]){3}, (arr_dtype_t)42));
    ck_assert_arr_err(ARR_EINVAL);
    ck_assert_ptr_null(arr_empty(1, (int64_t[]){3}, ARR_NDTYPES));
    ck_assert_arr_err(ARR_EINVAL);
    /* a 1 TB request fails cleanly with ENOMEM, not an abort */
    ck_assert_ptr_null(arr_empty(1, (int64_t[]){(int64_t)1 << 37}, ARR_FLOAT64));
    ck_assert_arr_err(ARR_ENOMEM);
    ck_assert_int_eq(arr_registry.count, 0);
}
END_TEST

START_TEST(dtype_and_op_names)
{
    ck_assert_str_eq(arr_dtype_name(ARR_FLOAT64), "float64");
    ck_assert_str_eq(arr_dtype_name(ARR_COMPLEX64), "complex64");
    ck_assert_str_eq(arr_dtype_name((arr_dtype_t)-1), "?");
    ck_assert_int_eq(arr_dtype_size(ARR_COMPLEX128), 16);
    ck_assert_int_eq(arr_dtype_size(ARR_BOOL), 1);
    ck_assert_int_eq(arr_dtype_size(ARR_NDTYPES), -1);
    ck_assert_str_eq(arr_op_name(ARR_OP_COPY), "copy");
    ck_assert_str_eq(arr_op_name((arr_op_t)1000), "?");
    for (int op = 0; op < ARR_NOPS; op++)
        ck_assert_str_ne(arr_op_name((arr_op_t)op), "?");
    ck_assert(arr_op_is_copy(ARR_OP_ASTYPE));
    ck_assert(arr_op_is_copy(ARR_OP_RESHAPE_COPY));
    ck_assert(!arr_op_is_copy(ARR_OP_RESHAPE));
    ck_assert(!arr_op_is_copy(ARR_OP_ZEROS));
    ck_assert_str_eq(arr_strerror(ARR_ECOPY), "ARR_ECOPY");
}
END_TEST

START_TEST(free_rules)
{
    ck_assert_int_eq(arr_free(NULL), 0);
    arr_t *a = arr_zeros(1, (int64_t[]){4}, ARR_FLOAT64);
    ck_assert(arr_is_live(a));
    ck_assert_int_eq(arr_free(a), 0);
    ck_assert(!arr_is_live(a));
    /* double free: an error, nothing touched */
    ck_assert_int_eq(arr_free(a), -1);
    ck_assert_arr_err(ARR_ENOTLIVE);
    ck_assert_msg(strstr(arr_errmsg(), "not a live array"), "%s", arr_errmsg());
    /* something that never was an array */
    char junk[sizeof(arr_t)];
    memset(junk, 0x5a, sizeof junk);
    ck_assert_int_eq(arr_free((arr_t *)junk), -1);
    ck_assert_arr_err(ARR_ENOTLIVE);
    ck_assert_int_eq(arr_size((arr_t *)junk), -1);
    ck_assert_arr_err(ARR_ENOTLIVE);
    ck_assert_int_eq(arr_size(NULL), -1);
    ck_assert_arr_err(ARR_EINVAL);
}
END_TEST

START_TEST(orphans)
{
    arr_t *a = arr_arange(0, 12, 1, ARR_FLOAT64);
    arr_t *v1 = arr_slice(a, "2:");
    arr_t *v2 = arr_slice(v1, "::3");
    ck_assert_int_eq(a->nviews, 2);
    uint64_t aid = a->id;
    arr_stats_t before = arr_stats();
    /* C semantics: the owner goes at once, its views become orphans */
    ck_assert_int_eq(arr_free(a), 0);
    ck_assert(v1->orphaned && v2->orphaned);
    ck_assert_ptr_null(v1->base);
    ck_assert_ptr_null(arr_base(v2));
    ck_assert_int_eq(v2->base_id, aid);
    ck_assert_int_eq(v2->offset, 16);
    ck_assert(arr_is_view(v1));
    arr_stats_t s = arr_stats();
    ck_assert_int_eq(s.live_orphans, 2);
    ck_assert_int_eq(s.live_owners, before.live_owners - 1);
    ck_assert_int_eq(s.live_bytes, before.live_bytes - 96);
    ck_assert_int_eq(arr_report_leaks(NULL), 2);
    ck_assert_int_eq(arr_free(v1), 0);
    ck_assert_int_eq(arr_free(v2), 0);
    s = arr_stats();
    ck_assert_int_eq(s.live_orphans, 0);
    ck_assert_int_eq(s.live_views, 0);
    ck_assert_int_eq(arr_report_leaks(NULL), 0);
}
END_TEST

START_TEST(registry_is_consistent)
{
    enum { N = 500 };
    arr_t *arrs[N];
    for (int i = 0; i < N; i++) {
        arrs[i] = (i % 3 == 0 || i == 0) ? arr_zeros(1, (int64_t[]){i + 1}, ARR_UINT8)
                                        : arr_slice(arrs[i - i % 3], "1:");
        ck_assert_arr_ok(arrs[i]);
    }
    ck_assert_int_eq(arr_registry.count, N);
    ck_assert_int_eq(arr_registry.magic, ARR_REGISTRY_MAGIC);
    /* free in a scrambled order; slots must stay exact */
    for (int k = 0; k < N; k++) {
        int i = (k * 7919) % N;
        ck_assert_int_eq(arr_free(arrs[i]), 0);
        /* Under memcheck libarr keeps the slots "undefined" (hidden from its
         * leak scan); reading them here is the debugger's view. */
        (void)VALGRIND_MAKE_MEM_DEFINED(arr_registry.items, arr_registry.count * sizeof(arr_t *));
        for (int64_t j = 0; j < arr_registry.count; j++)
            ck_assert_int_eq(arr_registry.items[j]->registry_slot, j);
        (void)VALGRIND_MAKE_MEM_UNDEFINED(arr_registry.items, arr_registry.count * sizeof(arr_t *));
    }
    ck_assert_int_eq(arr_registry.count, 0);
    arr_stats_t s = arr_stats();
    ck_assert_int_eq(s.live_owners + s.live_views + s.live_orphans, 0);
    ck_assert_int_eq(s.live_bytes, 0);
}
END_TEST

START_TEST(ids_unique_and_stats)
{
    arr_stats_t s0 = arr_stats();
    arr_t *a = arr_zeros(1, (int64_t[]){1000}, ARR_FLOAT64);
    arr_t *b = arr_zeros(1, (int64_t[]){500}, ARR_FLOAT64);
    arr_t *v = arr_view(a);
    ck_assert(a->id != b->id && b->id != v->id);
    arr_stats_t s = arr_stats();
    ck_assert_int_eq(s.live_bytes - s0.live_bytes, 12000);
    ck_assert_int_ge(s.peak_bytes, 12000);
    ck_assert_int_eq(s.created_owners - s0.created_owners, 2);
    ck_assert_int_eq(s.created_views - s0.created_views, 1);
    arr_free(b);
    uint64_t freed_id = a->id;
    arr_free(v);
    arr_free(a);
    arr_t *c = arr_zeros(1, (int64_t[]){1}, ARR_FLOAT64);
    ck_assert_int_gt(c->id, freed_id); /* ids are never reused */
    s = arr_stats();
    ck_assert_int_ge(s.peak_bytes, 12000);
    ck_assert_int_eq(s.live_bytes, 8);
    arr_free(c);
}
END_TEST

START_TEST(labels)
{
    arr_t *a = arr_zeros(1, (int64_t[]){3}, ARR_FLOAT64);
    ck_assert_str_eq(arr_label(a), "");
    ck_assert_int_eq(arr_set_label(a, "weights"), 0);
    ck_assert_str_eq(arr_label(a), "weights");
    char longname[200];
    memset(longname, 'x', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    ck_assert_int_eq(arr_set_label(a, longname), 0);
    ck_assert_int_eq(strlen(arr_label(a)), ARR_LABEL_MAX - 1);
    ck_assert_int_eq(arr_set_label(a, NULL), 0);
    ck_assert_str_eq(arr_label(a), "");
    arr_free(a);
    ck_assert_int_eq(arr_set_label(a, "x"), -1);
    ck_assert_arr_err(ARR_ENOTLIVE);
    ck_assert_ptr_null(arr_label(a));
}
END_TEST

START_TEST(leak_report)
{
    arr_t *a = arr_zeros(2, (int64_t[]){2, 3}, ARR_FLOAT64);
    arr_set_label(a, "weights");
    arr_t *t = arr_transpose(a, NULL);
    arr_t *c = arr_copy(t, ARR_ORDER_C);
    arr_t *v = arr_slice(a, "0");
    arr_free(t);
    FILE *f = tmpfile();
    ck_assert_int_eq(arr_report_leaks(f), 3);
    rewind(f);
    char text[4096] = {0};
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = '\0';
    fclose(f);
    ck_assert_msg(strstr(text, "copy never freed: arr #") && strstr(text, "float64 shape (3, 2), copy of #"),
                  "%s", text);
    ck_assert_msg(strstr(text, "array never freed") && strstr(text, "\"weights\""), "%s", text);
    ck_assert_msg(strstr(text, "view never freed") && strstr(text, "shape (3,), view of #"), "%s", text);
    ck_assert_msg(strstr(text, "LEAK SUMMARY: 3 findings: 1 copies and 1 arrays never freed (96 bytes), "
                               "1 views never freed, 0 orphaned views"),
                  "%s", text);
    arr_free(v);
    arr_free(c);
    arr_free(a);
    ck_assert_int_eq(arr_report_leaks(NULL), 0);
}
END_TEST

/* SQLite/jansson style: fail the Nth allocation for every N; each call
 * either succeeds or fails with ENOMEM, and nothing leaks or dangles. */
START_TEST(allocation_failures)
{
    for (long n = 1; n < 40; n++) {
        arr__alloc_fail_countdown = n;
        arr_t *a = arr_zeros(2, (int64_t[]){3, 4}, ARR_FLOAT64);
        arr_t *v = a ? arr_slice(a, "::2, 1:") : NULL;
        arr_t *t = v ? arr_transpose(v, NULL) : NULL;
        arr_t *r = t ? arr_reshape(t, 1, (int64_t[]){-1}, ARR_COPY_IF_NEEDED) : NULL;
        if (r == NULL)
            ck_assert_msg(arr_errcode() == ARR_ENOMEM, "n=%ld: %s", n, arr_errmsg());
        long left = arr__alloc_fail_countdown;
        arr__alloc_fail_countdown = 0;
        arr_free(r);
        arr_free(t);
        arr_free(v);
        arr_free(a);
        ck_assert_int_eq(arr_registry.count, 0);
        if (left > 0)
            break; /* the whole sequence ran without reaching the Nth allocation */
    }
}
END_TEST

static void *churn(void *arg)
{
    (void)arg;
    for (int i = 0; i < 2000; i++) {
        arr_t *a = arr_zeros(2, (int64_t[]){4, 4}, ARR_INT32);
        arr_t *v = arr_slice(a, "1:, ::-1");
        arr_t *w = arr_transpose(v, NULL);
        if (i % 2)
            arr_free(a); /* orphan the views sometimes */
        arr_free(v);
        arr_free(w);
        if (!(i % 2))
            arr_free(a);
    }
    return NULL;
}

START_TEST(threads)
{
    pthread_t th[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&th[i], NULL, churn, NULL);
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    ck_assert_int_eq(arr_registry.count, 0);
    arr_stats_t s = arr_stats();
    ck_assert_int_eq(s.live_owners + s.live_views + s.live_orphans + s.live_bytes, 0);
}
END_TEST

/* The Valgrind-only paths, run natively: the client requests are no-ops
 * outside Valgrind, but the quarantine bookkeeping is libarr's own. */
START_TEST(quarantine_paths)
{
    arr__under_valgrind = true;
    arr_t *a = arr_zeros(1, (int64_t[]){64}, ARR_FLOAT64);
    arr_set_label(a, "weights");
    arr_t *views[10];
    for (int i = 0; i < 10; i++)
        views[i] = arr_slice(a, "::2");
    void *buffer = a->buffer;
    ck_assert_int_eq(arr_free(a), 0);
    for (int i = 0; i < 10; i++) {
        ck_assert(views[i]->orphaned);
        ck_assert_ptr_nonnull(views[i]->quarantine);
        ck_assert_ptr_eq(views[i]->buffer, buffer); /* kept, not released */
    }
    arr_stats_t s = arr_stats();
    ck_assert_int_eq(s.live_orphans, 10);
    ck_assert_int_eq(s.live_bytes, 0); /* quarantined bytes no longer count */
    for (int i = 0; i < 10; i++)
        ck_assert_int_eq(arr_free(views[i]), 0); /* the last one releases it */
    ck_assert_int_eq(arr_registry.count, 0);
    /* the protocol's extents: a flipped view, an empty view, a 0-d view */
    arr_t *b = arr_arange(0, 8, 1, ARR_INT16);
    arr_t *flipped = arr_flip(b, 0), *empty = arr_slice(b, "5:2"), *scalar = arr_slice(b, "3");
    ck_assert_ptr_nonnull(flipped && empty && scalar ? b : NULL);
    arr_free(flipped);
    arr_free(empty);
    arr_free(scalar);
    /* registry growth while tagging, and a rejected free */
    arr_t *many[100];
    for (int i = 0; i < 100; i++)
        many[i] = arr_view(b);
    for (int i = 0; i < 100; i++)
        arr_free(many[i]);
    ck_assert_int_eq(arr_free(many[0]), -1);
    ck_assert_arr_err(ARR_ENOTLIVE);
    arr_free(b);
    /* wrapped memory: orphans, but nothing to quarantine */
    double mem[4] = {0};
    arr_t *w = arr_wrap(mem, 1, (int64_t[]){4}, NULL, ARR_FLOAT64, 1);
    arr_t *wv = arr_view(w);
    arr_free(w);
    ck_assert(wv->orphaned);
    ck_assert_ptr_null(wv->quarantine);
    arr_free(wv);
    arr__under_valgrind = false;
}
END_TEST

START_TEST(strerror_names_every_code)
{
    const arr_err_t codes[] = {ARR_OK, ARR_EINVAL, ARR_ENOMEM, ARR_EOVERFLOW, ARR_EINDEX,
                               ARR_ESYNTAX, ARR_ESHAPE, ARR_ECOPY, ARR_EREADONLY, ARR_ENOTLIVE,
                               ARR_EORPHAN, ARR_ETOOHARD, ARR_ETYPE};
    const char *seen[sizeof codes / sizeof codes[0]];
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        seen[i] = arr_strerror(codes[i]);
        ck_assert_msg(strncmp(seen[i], "ARR_", 4) == 0 && strcmp(seen[i], "ARR_E?") != 0, "%d: %s",
                      (int)codes[i], seen[i]);
        for (size_t j = 0; j < i; j++)
            ck_assert_str_ne(seen[i], seen[j]);
    }
    ck_assert_str_eq(arr_strerror((arr_err_t)999), "ARR_E?");
}
END_TEST

/* Big owners take the huge-page hint; the array must work the same. */
START_TEST(big_owner)
{
    arr_t *a = arr_full(1, (int64_t[]){1 << 20}, ARR_FLOAT64, 2.0); /* 8 MB */
    ck_assert_arr_ok(a);
    double sum = 0;
    ck_assert_int_eq(arr_sum(a, &sum), 0);
    ck_assert(sum == 2.0 * (1 << 20));
    arr_free(a);
}
END_TEST

START_TEST(accessors)
{
    arr_t *a = arr_zeros(2, (int64_t[]){3, 5}, ARR_UINT16);
    ck_assert_int_eq(arr_ndim(a), 2);
    ck_assert_int_eq(arr_dtype(a), ARR_UINT16);
    ck_assert_int_eq(arr_shape(a)[1], 5);
    ck_assert_int_eq(arr_strides(a)[0], 10);
    ck_assert_ptr_eq(arr_data(a), a->data);
    ck_assert_int_eq(arr_id(a), a->id);
    arr_free(a);
    /* every accessor rejects a dead handle without reading it */
    ck_assert_int_eq(arr_ndim(a), -1);
    ck_assert_int_eq((int)arr_dtype(a), -1);
    ck_assert_ptr_null(arr_shape(a));
    ck_assert_ptr_null(arr_strides(a));
    ck_assert_ptr_null(arr_data(a));
    ck_assert_int_eq(arr_id(a), 0);
    ck_assert_int_eq(arr_flags(a), -1);
    ck_assert_int_eq(arr_nbytes(a), -1);
    ck_assert(!arr_is_view(a));
    ck_assert_ptr_null(arr_base(a));
    ck_assert_arr_err(ARR_ENOTLIVE);
    ck_assert(!arr_is_live(NULL));
}
END_TEST

START_TEST(errors_are_thread_local)
{
    arr_clear_error();
    ck_assert_int_eq(arr_errcode(), ARR_OK);
    ck_assert_str_eq(arr_errmsg(), "no error");
    ck_assert_ptr_null(arr_zeros(-1, NULL, ARR_FLOAT64));
    ck_assert_int_eq(arr_errcode(), ARR_EINVAL);
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("core");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, create_owners);
    tcase_add_test(tc, arange_numpy_semantics);
    tcase_add_test(tc, wrap_caller_memory);
    tcase_add_test(tc, creation_errors);
    tcase_add_test(tc, dtype_and_op_names);
    tcase_add_test(tc, free_rules);
    tcase_add_test(tc, orphans);
    tcase_add_test(tc, registry_is_consistent);
    tcase_add_test(tc, ids_unique_and_stats);
    tcase_add_test(tc, labels);
    tcase_add_test(tc, leak_report);
    tcase_add_test(tc, allocation_failures);
    tcase_add_test(tc, threads);
    tcase_add_test(tc, quarantine_paths);
    tcase_add_test(tc, strerror_names_every_code);
    tcase_add_test(tc, big_owner);
    tcase_add_test(tc, accessors);
    tcase_add_test(tc, errors_are_thread_local);
    suite_add_tcase(s, tc);
    return s;
}

ARR_TEST_MAIN()
