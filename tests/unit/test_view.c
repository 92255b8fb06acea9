/* test_view.c - views: basic indexing, permutations, broadcast, diagonal,
 * reshape.  Every expected layout below was printed by NumPy 1.24 for
 * a = np.zeros((4, 5, 6)) (float64): shape, strides and the byte offset of
 * the view's data from a's data (the expression is quoted in each test). */
#include "unit.h"

#include <valgrind/memcheck.h>

static arr_t *base3(void)
{
    int64_t shape[] = {4, 5, 6};
    arr_t *a = arr_zeros(3, shape, ARR_FLOAT64);
    ck_assert_arr_ok(a);
    return a;
}

/* Checks a view's layout against NumPy's, printing both on mismatch. */
static void check_layout(const arr_t *owner, const arr_t *v, int ndim, const int64_t *shape,
                         const int64_t *strides, int64_t offset)
{
    ck_assert_arr_ok(v);
    ck_assert_int_eq(v->ndim, ndim);
    for (int i = 0; i < ndim; i++) {
        ck_assert_msg(v->shape[i] == shape[i], "shape[%d]: got %ld, NumPy %ld", i, (long)v->shape[i],
                      (long)shape[i]);
        ck_assert_msg(v->strides[i] == strides[i], "strides[%d]: got %ld, NumPy %ld", i,
                      (long)v->strides[i], (long)strides[i]);
    }
    ck_assert_int_eq(v->data - owner->data, offset);
    ck_assert_int_eq(v->offset, offset);
    ck_assert(arr_is_view(v));
    ck_assert_ptr_eq(arr_base(v), owner);
    ck_assert_int_eq(v->base_id, owner->id);
}

START_TEST(slice_mixed)
{
    arr_t *a = base3();
    /* a[1:4, ::-1, 2, None, ...] -> (3, 5, 1) (240, -48, 0) offset 448 */
    arr_t *v = arr_slice(a, "1:4, ::-1, 2, None, ...");
    check_layout(a, v, 3, (int64_t[]){3, 5, 1}, (int64_t[]){240, -48, 0}, 448);
    ck_assert_int_eq(v->op, ARR_OP_SLICE);
    ck_assert_int_eq(arr_flags(v) & (ARR_C_CONTIGUOUS | ARR_F_CONTIGUOUS | ARR_OWNDATA), 0);
    ck_assert(arr_flags(v) & ARR_WRITEABLE);
    arr_free(v);
    /* a[-1, -3:, 10:0:-3] -> (3, 2) (48, -24) offset 856 */
    v = arr_slice(a, "-1, -3:, 10:0:-3");
    check_layout(a, v, 2, (int64_t[]){3, 2}, (int64_t[]){48, -24}, 856);
    arr_free(v);
    /* a[..., 1] -> (4, 5) (240, 48) offset 8 */
    v = arr_slice(a, "..., 1");
    check_layout(a, v, 2, (int64_t[]){4, 5}, (int64_t[]){240, 48}, 8);
    arr_free(v);
    /* a[None, 1:-1, ..., ::2, None] -> (1, 2, 5, 3, 1) (0, 240, 48, 16, 0) offset 240 */
    v = arr_slice(a, "newaxis, 1:-1, ..., ::2, None");
    check_layout(a, v, 5, (int64_t[]){1, 2, 5, 3, 1}, (int64_t[]){0, 240, 48, 16, 0}, 240);
    arr_free(v);
    /* a[7:, 2] -> (0, 6) (240, 8) offset 96, both contiguous */
    v = arr_slice(a, " 7: , 2 ");
    check_layout(a, v, 2, (int64_t[]){0, 6}, (int64_t[]){240, 8}, 96);
    ck_assert_int_eq(arr_flags(v) & (ARR_C_CONTIGUOUS | ARR_F_CONTIGUOUS),
                     ARR_C_CONTIGUOUS | ARR_F_CONTIGUOUS);
    arr_free(v);
    /* a[1, 2, 3, ...] is a 0-d view at offset 240+96+24 */
    v = arr_slice(a, "1, 2, 3");
    check_layout(a, v, 0, NULL, NULL, 360);
    arr_free(v);
    /* "" and "..." are the whole array */
    v = arr_slice(a, "");
    check_layout(a, v, 3, a->shape, a->strides, 0);
    arr_free(v);
    arr_free(a);
}
END_TEST

START_TEST(slice_views_of_views_collapse_base)
{
    arr_t *a = base3();
    arr_t *v1 = arr_slice(a, "1:");
    arr_t *v2 = arr_slice(v1, "::-1, 2");
    arr_t *v3 = arr_transpose(v2, NULL);
    ck_assert_ptr_eq(arr_base(v3), a);
    ck_assert_int_eq(v3->source_id, v2->id);
    ck_assert_int_eq(a->nviews, 3);
    /* a[1:][::-1, 2] == a[3:0:-1, 2] -> offset 3*240 + 2*48 */
    ck_assert_int_eq(v2->data - a->data, 3 * 240 + 96);
    arr_free(v1);
    arr_free(v2);
    arr_free(v3);
    ck_assert_int_eq(a->nviews, 0);
    /* Under memcheck libarr keeps the view links "undefined" (hidden from
     * its leak scan); read them as a debugger would. */
    (void)VALGRIND_MAKE_MEM_DEFINED(&a->views_head, sizeof a->views_head);
    ck_assert_ptr_null(a->views_head);
    arr_free(a);
}
END_TEST

START_TEST(slice_errors)
{
    arr_t *a = base3();
    ck_assert_ptr_null(arr_slice(a, "4"));
    ck_assert_arr_err(ARR_EINDEX);
    ck_assert_msg(strstr(arr_errmsg(), "index 4 is out of bounds for axis 0 with size 4"), "%s",
                  arr_errmsg());
    ck_assert_ptr_null(arr_slice(a, "0, -6"));
    ck_assert_arr_err(ARR_EINDEX);
    ck_assert_ptr_null(arr_slice(a, "0, 0, 0, 0"));
    ck_assert_arr_err(ARR_EINDEX);
    ck_assert_msg(strstr(arr_errmsg(), "too many indices"), "%s", arr_errmsg());
    ck_assert_ptr_null(arr_slice(a, "..., 1, ..."));
    ck_assert_arr_err(ARR_EINDEX);
    ck_assert_ptr_null(arr_slice(a, "::0"));
    ck_assert_arr_err(ARR_EINDEX);
    const char *bad[] = {"1:2:3:4", "x", "1 2", "1,,2", ":-", "None:1", "1.5", "99999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_msg(arr_slice(a, bad[i]) == NULL, "\"%s\" parsed", bad[i]);
        ck_assert_msg(arr_errcode() == ARR_ESYNTAX, "\"%s\": %s", bad[i], arr_errmsg());
    }
    ck_assert_ptr_null(arr_slice(a, NULL));
    ck_assert_arr_err(ARR_EINVAL);
    ck_assert_ptr_null(arr_slice(NULL, ":"));
    ck_assert_arr_err(ARR_EINVAL);
    ck_assert_int_eq(a->nviews, 0);
    arr_free(a);
}
END_TEST

START_TEST(slicev_programmatic)
{
    arr_t *a = base3();
    arr_index_t idx[] = {
        {ARR_IDX_SLICE, 1, 4, ARR_NONE},
        {ARR_IDX_SLICE, ARR_NONE, ARR_NONE, -1},
        {ARR_IDX_INT, 2, 0, 0},
        {ARR_IDX_NEWAXIS, 0, 0, 0},
        {ARR_IDX_ELLIPSIS, 0, 0, 0},
    };
    arr_t *v = arr_slicev(a, 5, idx);
    check_layout(a, v, 3, (int64_t[]){3, 5, 1}, (int64_t[]){240, -48, 0}, 448);
    arr_free(v);
    arr_index_t bad = {(arr_index_kind_t)99, 0, 0, 0};
    ck_assert_ptr_null(arr_slicev(a, 1, &bad));
    ck_assert_arr_err(ARR_EINVAL);
    ck_assert_ptr_null(arr_slicev(a, 1, NULL));
    ck_assert_arr_err(ARR_EINVAL);
    arr_free(a);
}
END_TEST

START_TEST(permutations)
{
    arr_t *a = base3();
    /* a.transpose(2, 0, 1) -> (6, 4, 5) (8, 240, 48) */
    arr_t *v = arr_transpose(a, (int[]){2, 0, -2});
    check_layout(a, v, 3, (int64_t[]){6, 4, 5}, (int64_t[]){8, 240, 48}, 0);
    arr_free(v);
    /* a.T is F-contiguous */
    v = arr_transpose(a, NULL);
    check_layout(a, v, 3, (int64_t[]){6, 5, 4}, (int64_t[]){8, 48, 240}, 0);
    ck_assert_int_eq(arr_flags(v) & (ARR_C_CONTIGUOUS | ARR_F_CONTIGUOUS), ARR_F_CONTIGUOUS);
    arr_free(v);
    ck_assert_ptr_null(arr_transpose(a, (int[]){0, 0, 1}));
    ck_assert_arr_err(ARR_EINVAL);
    ck_assert_ptr_null(arr_transpose(a, (int[]){0, 1, 3}));
    ck_assert_arr_err(ARR_EINVAL);
    /* a.swapaxes(0, 2) -> (6, 5, 4) (8, 48, 240) */
    v = arr_swapaxes(a, 0, -1);
    check_layout(a, v, 3, (int64_t[]){6, 5, 4}, (int64_t[]){8, 48, 240}, 0);
    arr_free(v);
    ck_assert_ptr_null(arr_swapaxes(a, 0, 3));
    ck_assert_arr_err(ARR_EINVAL);
    /* np.flip(a, 1) -> (240, -48, 8) offset 192; np.flip(a) -> negated, offset 952 */
    v = arr_flip(a, 1);
    check_layout(a, v, 3, (int64_t[]){4, 5, 6}, (int64_t[]){240, -48, 8}, 192);
    ck_assert_int_eq(v->op, ARR_OP_FLIP);
    arr_free(v);
    v = arr_flip(a, ARR_ALL_AXES);
    check_layout(a, v, 3, (int64_t[]){4, 5, 6}, (int64_t[]){-240, -48, -8}, 952);
    arr_free(v);
    ck_assert_ptr_null(arr_flip(a, -4));
    ck_assert_arr_err(ARR_EINVAL);
    arr_free(a);
}
END_TEST

START_TEST(squeeze_and_expand)
{
    int64_t shape[] = {3, 1, 4};
    arr_t *a = arr_zeros(3, shape, ARR_FLOAT64);
    /* np.squeeze(np.zeros((3,1,4))).strides == (32, 8) */
    arr_t *v = arr_squeeze(a, ARR_ALL_AXES);
    check_layout(a, v, 2, (int64_t[]){3, 4}, (int64_t[]){32, 8}, 0);
    arr_free(v);
    v = arr_squeeze(a, -2);
    check_layout(a, v, 2, (int64_t[]){3, 4}, (int64_t[]){32, 8}, 0);
    arr_free(v);
    ck_assert_ptr_null(arr_squeeze(a, 0));
    ck_assert_arr_err(ARR_EINVAL);
    arr_free(a);

    arr_t *b = base3();
    arr_t *s = arr_slice(b, ":, ::2");
    /* np.expand_dims(a[:, ::2], 1) -> (4, 1, 3, 6) (240, 288, 96, 8) */
    v = arr_expand_dims(s, 1);
    check_layout(b, v, 4, (int64_t[]){4, 1, 3, 6}, (int64_t[]){240, 288, 96, 8}, 0);
    ck_assert_int_eq(v->op, ARR_OP_EXPAND_DIMS);
    arr_free(v);
    /* np.expand_dims(a[:, ::2], -1) -> (4, 3, 6, 1) (240, 96, 8, 8) */
    v = arr_expand_dims(s, -1);
    check_layout(b, v, 4, (int64_t[]){4, 3, 6, 1}, (int64_t[]){240, 96, 8, 8}, 0);
    arr_free(v);
    ck_assert_ptr_null(arr_expand_dims(s, 4));
    ck_assert_arr_err(ARR_EINVAL);
    arr_free(s);
    arr_free(b);
}
END_TEST

START_TEST(broadcast)
{
    arr_t *r = arr_zeros(1, (int64_t[]){3}, ARR_FLOAT64);
    arr_t *f = arr_flip(r, 0);
    /* np.broadcast_to(np.zeros(3)[::-1], (2, 3)).strides == (0, -8), read-only */
    arr_t *v = arr_broadcast_to(f, 2, (int64_t[]){2, 3});
    check_layout(r, v, 2, (int64_t[]){2, 3}, (int64_t[]){0, -8}, 16);
    ck_assert_int_eq(arr_flags(v) & ARR_WRITEABLE, 0);
    /* a view of a read-only view stays read-only */
    arr_t *w = arr_view(v);
    ck_assert_int_eq(arr_flags(w) & ARR_WRITEABLE, 0);
    arr_free(w);
    arr_free(v);
    /* np.broadcast_to(np.ones((3, 1)), (3, 1)).strides == (8, 0) */
    arr_t *col = arr_zeros(2, (int64_t[]){3, 1}, ARR_FLOAT64);
    v = arr_broadcast_to(col, 2, (int64_t[]){3, 1});
    check_layout(col, v, 2, (int64_t[]){3, 1}, (int64_t[]){8, 0}, 0);
    arr_free(v);
    v = arr_broadcast_to(col, 3, (int64_t[]){2, 3, 7});
    check_layout(col, v, 3, (int64_t[]){2, 3, 7}, (int64_t[]){0, 8, 0}, 0);
    arr_free(v);
    ck_assert_ptr_null(arr_broadcast_to(col, 2, (int64_t[]){4, 1}));
    ck_assert_arr_err(ARR_ESHAPE);
    ck_assert_ptr_null(arr_broadcast_to(col, 1, (int64_t[]){3}));
    ck_assert_arr_err(ARR_ESHAPE);
    ck_assert_ptr_null(arr_broadcast_to(col, 2, (int64_t[]){3, -1}));
    ck_assert_arr_err(ARR_EINVAL);
    arr_free(col);
    arr_free(f);
    arr_free(r);
}
END_TEST

START_TEST(diagonal)
{
    arr_t *a = base3();
    /* a.diagonal(1, 0, 2) -> (5, 4) (48, 248) offset 8, read-only */
    arr_t *v = arr_diagonal(a, 1, 0, 2);
    check_layout(a, v, 2, (int64_t[]){5, 4}, (int64_t[]){48, 248}, 8);
    ck_assert_int_eq(arr_flags(v) & ARR_WRITEABLE, 0);
    arr_free(v);
    /* a.diagonal(-2, 2, 1) -> (4, 4) (240, 56) offset 16 */
    v = arr_diagonal(a, -2, 2, 1);
    check_layout(a, v, 2, (int64_t[]){4, 4}, (int64_t[]){240, 56}, 16);
    arr_free(v);
    /* np.arange(12.).reshape(3, 4).diagonal(5) -> shape (0,), strides (40,), offset 0 */
    arr_t *m = arr_zeros(2, (int64_t[]){3, 4}, ARR_FLOAT64);
    v = arr_diagonal(m, 5, 0, 1);
    check_layout(m, v, 1, (int64_t[]){0}, (int64_t[]){40}, 0);
    arr_free(v);
    ck_assert_ptr_null(arr_diagonal(m, 0, 1, -1));
    ck_assert_arr_err(ARR_EINVAL);
    arr_t *line = arr_zeros(1, (int64_t[]){3}, ARR_FLOAT64);
    ck_assert_ptr_null(arr_diagonal(line, 0, 0, 1));
    ck_assert_arr_err(ARR_EINVAL);
    arr_free(line);
    arr_free(m);
    arr_free(a);
}
END_TEST

START_TEST(reshape_views_and_copies)
{
    arr_t *a = base3();
    arr_t *s = arr_slice(a, ":, :, ::2");
    /* a[:, :, ::2].reshape(20, 3) -> (48, 16): a view */
    arr_t *v = arr_reshape(s, 2, (int64_t[]){20, -1}, ARR_COPY_NEVER);
    check_layout(a, v, 2, (int64_t[]){20, 3}, (int64_t[]){48, 16}, 0);
    ck_assert_int_eq(v->op, ARR_OP_RESHAPE);
    arr_free(v);
    /* a[:, :, ::2].reshape(60) is still a view: strides (16,) */
    v = arr_reshape(s, 1, (int64_t[]){60}, ARR_COPY_NEVER);
    check_layout(a, v, 1, (int64_t[]){60}, (int64_t[]){16}, 0);
    arr_free(v);
    arr_free(s);
    /* a[:, ::2].reshape(-1) needs a copy (np.shares_memory(a, it) is False) */
    s = arr_slice(a, ":, ::2");
    ck_assert_ptr_null(arr_reshape(s, 1, (int64_t[]){72}, ARR_COPY_NEVER));
    ck_assert_arr_err(ARR_ECOPY);
    arr_t *c = arr_reshape(s, 1, (int64_t[]){-1}, ARR_COPY_IF_NEEDED);
    ck_assert_arr_ok(c);
    ck_assert(!arr_is_view(c));
    ck_assert_int_eq(c->op, ARR_OP_RESHAPE_COPY);
    ck_assert(arr_op_is_copy((arr_op_t)c->op));
    ck_assert_int_eq(c->source_id, s->id);
    ck_assert_int_eq(c->shape[0], 72);
    ck_assert_int_eq(c->strides[0], 8);
    ck_assert_int_eq(arr_flags(c), ARR_C_CONTIGUOUS | ARR_F_CONTIGUOUS | ARR_OWNDATA | ARR_WRITEABLE);
    arr_free(c);
    /* a[::2].reshape(2, 30) -> (480, 8) view; a[:, :, 0:1].reshape(4, 5) -> (240, 48) */
    arr_t *e = arr_slice(a, "::2");
    v = arr_reshape(e, 2, (int64_t[]){2, 30}, ARR_COPY_NEVER);
    check_layout(a, v, 2, (int64_t[]){2, 30}, (int64_t[]){480, 8}, 0);
    arr_free(v);
    arr_free(e);
    e = arr_slice(a, ":, :, 0:1");
    v = arr_reshape(e, 2, (int64_t[]){4, 5}, ARR_COPY_NEVER);
    check_layout(a, v, 2, (int64_t[]){4, 5}, (int64_t[]){240, 48}, 0);
    arr_free(v);
    arr_free(e);
    /* np.zeros((0, 6)).reshape(2, 0, 3).strides == (24, 24, 8) */
    arr_t *z = arr_zeros(2, (int64_t[]){0, 6}, ARR_FLOAT64);
    v = arr_reshape(z, 3, (int64_t[]){2, 0, 3}, ARR_COPY_NEVER);
    check_layout(z, v, 3, (int64_t[]){2, 0, 3}, (int64_t[]){24, 24, 8}, 0);
    arr_free(v);
    ck_assert_ptr_null(arr_reshape(z, 2, (int64_t[]){-1, 0}, ARR_COPY_NEVER));
    ck_assert_arr_err(ARR_ESHAPE);
    arr_free(z);
    ck_assert_ptr_null(arr_reshape(a, 2, (int64_t[]){-1, -1}, ARR_COPY_IF_NEEDED));
    ck_assert_arr_err(ARR_EINVAL);
    ck_assert_ptr_null(arr_reshape(a, 2, (int64_t[]){7, -1}, ARR_COPY_IF_NEEDED));
    ck_assert_arr_err(ARR_ESHAPE);
    ck_assert_msg(strstr(arr_errmsg(), "cannot reshape array of size 120 into shape (7, -1)"), "%s",
                  arr_errmsg());
    ck_assert_ptr_null(arr_reshape(a, 1, (int64_t[]){121}, ARR_COPY_IF_NEEDED));
    ck_assert_arr_err(ARR_ESHAPE);
    ck_assert_ptr_null(arr_reshape(a, 1, (int64_t[]){120}, (arr_copy_mode_t)7));
    ck_assert_arr_err(ARR_EINVAL);
    arr_free(s);
    arr_free(a);
}
END_TEST

START_TEST(transpose_n_checks_the_length)
{
    arr_t *a = arr_arange(0, 24, 1, ARR_INT32);
    arr_t *b = arr_reshape(a, 3, (int64_t[]){2, 3, 4}, ARR_COPY_NEVER);
    ck_assert_arr_ok(b);
    /* NumPy: a.transpose((1, 0)) on a 3-d array is "axes don't match array" */
    ck_assert_ptr_null(arr_transpose_n(b, 2, (int[]){1, 0}));
    ck_assert_arr_err(ARR_EINVAL);
    ck_assert_msg(strstr(arr_errmsg(), "axes don't match array"), "%s", arr_errmsg());
    ck_assert_ptr_null(arr_transpose_n(b, 4, (int[]){0, 1, 2, 2}));
    ck_assert_msg(strstr(arr_errmsg(), "axes don't match array"), "%s", arr_errmsg());
    ck_assert_ptr_null(arr_transpose_n(b, 0, (int[]){0}));
    ck_assert_arr_err(ARR_EINVAL);
    ck_assert_ptr_null(arr_transpose_n(b, 3, NULL));
    ck_assert_arr_err(ARR_EINVAL);
    ck_assert_ptr_null(arr_transpose_n(b, 3, (int[]){0, 1, 1}));
    ck_assert_msg(strstr(arr_errmsg(), "repeated axis"), "%s", arr_errmsg());
    arr_t *t = arr_transpose_n(b, 3, (int[]){2, -3, 1});
    ck_assert_arr_ok(t);
    ck_assert_int_eq(arr_shape(t)[0], 4);
    ck_assert_int_eq(arr_shape(t)[1], 2);
    ck_assert_int_eq(arr_strides(t)[0], 4);
    arr_t *r = arr_transpose_n(b, 0, NULL); /* reverse */
    ck_assert_arr_ok(r);
    ck_assert_int_eq(arr_shape(r)[0], 4);
    ck_assert_int_eq(arr_shape(r)[2], 2);
    arr_t *z = arr_slice(a, "3");          /* 0-d: the empty permutation */
    arr_t *zt = arr_transpose_n(z, 0, (int[]){0});
    ck_assert_arr_ok(zt);
    ck_assert_ptr_null(arr_transpose_n(NULL, 0, NULL));
    ck_assert_arr_err(ARR_EINVAL);
    arr_free(zt);
    arr_free(z);
    arr_free(r);
    arr_free(t);
    arr_free(b);
    arr_free(a);
}
END_TEST

START_TEST(views_of_orphans_fail)
{
    arr_t *a = base3();
    arr_t *v = arr_slice(a, "1");
    arr_free(a);
    ck_assert(v->orphaned);
    ck_assert_ptr_null(arr_slice(v, ":"));
    ck_assert_arr_err(ARR_EORPHAN);
    ck_assert_ptr_null(arr_transpose(v, NULL));
    ck_assert_arr_err(ARR_EORPHAN);
    ck_assert_ptr_null(arr_reshape(v, 1, (int64_t[]){30}, ARR_COPY_IF_NEEDED));
    ck_assert_arr_err(ARR_EORPHAN);
    ck_assert_int_eq(arr_free(v), 0);
}
END_TEST

START_TEST(error_paths)
{
    /* every view maker refuses NULL with ARR_EINVAL */
    ck_assert_ptr_null(arr_view(NULL));
    ck_assert_ptr_null(arr_transpose(NULL, NULL));
    ck_assert_ptr_null(arr_swapaxes(NULL, 0, 1));
    ck_assert_ptr_null(arr_squeeze(NULL, ARR_ALL_AXES));
    ck_assert_ptr_null(arr_flip(NULL, 0));
    ck_assert_ptr_null(arr_broadcast_to(NULL, 1, (int64_t[]){3}));
    ck_assert_ptr_null(arr_diagonal(NULL, 0, 0, 1));
    ck_assert_ptr_null(arr_expand_dims(NULL, 0));
    ck_assert_ptr_null(arr_reshape(NULL, 1, (int64_t[]){3}, ARR_COPY_NEVER));
    ck_assert_arr_err(ARR_EINVAL);

    arr_t *line = arr_arange(0, 4, 1, ARR_FLOAT64);
    /* more than 32 result dimensions */
    char spec[256] = "";
    for (int i = 0; i < 32; i++)
        strcat(spec, "None, ");
    strcat(spec, ":");
    ck_assert_ptr_null(arr_slice(line, spec));
    ck_assert_arr_err(ARR_EINDEX);
    /* a step of 0 given programmatically */
    arr_index_t zero = {ARR_IDX_SLICE, ARR_NONE, ARR_NONE, 0};
    ck_assert_ptr_null(arr_slicev(line, 1, &zero));
    ck_assert_arr_err(ARR_EINDEX);
    /* blanks and tabs anywhere, a trailing comma, leading zeros */
    arr_t *v = arr_slice(line, " 1 :\t3 : 1 , ");
    ck_assert_arr_ok(v);
    ck_assert_int_eq(v->shape[0], 2);
    arr_free(v);
    v = arr_slice(line, "0000000000000000000000000000000000000001");
    ck_assert_ptr_null(v);
    ck_assert_arr_err(ARR_ESYNTAX);
    /* squeeze of a 0-d array with axis 0 (NumPy allows it), bad axes */
    arr_t *scalar = arr_slice(line, "2");
    v = arr_squeeze(scalar, 0);
    ck_assert_arr_ok(v);
    ck_assert_int_eq(v->ndim, 0);
    arr_free(v);
    ck_assert_ptr_null(arr_squeeze(line, 3));
    ck_assert_arr_err(ARR_EINVAL);
    arr_free(scalar);
    /* reshape argument checks */
    ck_assert_ptr_null(arr_reshape(line, 33, (int64_t[33]){0}, ARR_COPY_NEVER));
    ck_assert_arr_err(ARR_EINVAL);
    ck_assert_ptr_null(arr_reshape(line, 2, NULL, ARR_COPY_NEVER));
    ck_assert_arr_err(ARR_EINVAL);
    ck_assert_ptr_null(arr_reshape(line, 2, (int64_t[]){INT64_MAX, 2}, ARR_COPY_NEVER));
    ck_assert_arr_err(ARR_ESHAPE);
    /* a far negative diagonal offset is empty (np.zeros((3,4)).diagonal(-10).shape == (0,)) */
    arr_t *m = arr_zeros(2, (int64_t[]){3, 4}, ARR_FLOAT64);
    v = arr_diagonal(m, -10, 0, 1);
    ck_assert_arr_ok(v);
    ck_assert_int_eq(v->shape[0], 0);
    arr_free(v);
    arr_free(m);
    /* expand_dims of a 32-d array */
    int64_t ones[ARR_MAXDIMS];
    for (int i = 0; i < ARR_MAXDIMS; i++)
        ones[i] = 1;
    arr_t *big = arr_zeros(ARR_MAXDIMS, ones, ARR_UINT8);
    ck_assert_ptr_null(arr_expand_dims(big, 0));
    ck_assert_arr_err(ARR_EINVAL);
    arr_free(big);
    arr_free(line);
}
END_TEST

static Suite *make_suite(void)
{
    Suite *s = suite_create("view");
    TCase *tc = tcase_create("view");
    tcase_add_test(tc, slice_mixed);
    tcase_add_test(tc, slice_views_of_views_collapse_base);
    tcase_add_test(tc, slice_errors);
    tcase_add_test(tc, slicev_programmatic);
    tcase_add_test(tc, permutations);
    tcase_add_test(tc, squeeze_and_expand);
    tcase_add_test(tc, broadcast);
    tcase_add_test(tc, diagonal);
    tcase_add_test(tc, reshape_views_and_copies);
    tcase_add_test(tc, transpose_n_checks_the_length);
    tcase_add_test(tc, views_of_orphans_fail);
    tcase_add_test(tc, error_paths);
    suite_add_tcase(s, tc);
    return s;
}

ARR_TEST_MAIN()
