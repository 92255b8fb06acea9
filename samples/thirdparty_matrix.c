/* thirdparty_matrix.c - arrdbg on an array library that is not libarr.
 *
 * A small matrix type as a third-party library would write it: its own
 * struct, its own functions (mat_new, mat_copy, mat_transpose, mat_row,
 * mat_get, mat_free), views that borrow the owner's buffer, and no libarr at
 * all.  It adopts arrdbg by speaking valgrind/arrcheck.h: 27 lines
 * (marked "arrcheck" below) tag each buffer and view and say which frames
 * are the library's (ARRCHECK_LIBRARY, prefix "mat_"), so arrcheck's stacks
 * start at mat_copy / mat_row / mat_free / mat_get, the library's public
 * calls.  For gdb, samples/thirdparty_matrix-gdb.py declares the struct's
 * fields (docs/ADOPTING.md shows both).
 *
 * The bugs: a copy never freed (its handle lost, its buffer and counter with
 * it), and a row view used after its matrix was
 * freed.  The buffer lives until its last handle goes (the library's
 * rule), so memcheck sees only the leak; arrcheck sees what the program
 * did wrong with the library's arrays.  ARR_CHECK=1 is libarr's own
 * checker: this program has none, so that column is skipped.
 *
 * expect native:
 * expect memcheck: Leak_DefinitelyLost=1 Leak_IndirectlyLost=2
 * expect arrcheck: LeakedCopy=1 OrphanedView=1 DanglingAccess=1
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arrcheck.h"

/* ---- the library --------------------------------------------------------- */

typedef struct mat {
    uint64_t id;
    double *data;        /* element [0][0] */
    int64_t shape[2];    /* rows, columns */
    int64_t strides[2];  /* bytes */
    struct mat *base;    /* views: the matrix whose buffer they use */
    double *buffer;      /* the allocation (views: the owner's) */
    int64_t *users;      /* handles using buffer (the owner and its views),
                            shared; the buffer goes when it reaches 0 */
    char name[48];       /* views and copies inherit their source's */
} mat_t;

mat_t *mat_new(int64_t rows, int64_t cols, const char *name); /* zeros */
mat_t *mat_copy(const mat_t *a);                              /* a new owner */
mat_t *mat_transpose(mat_t *a);                               /* a view */
mat_t *mat_row(mat_t *a, int64_t i);                          /* a 1 x n view */
double mat_get(const mat_t *m, int64_t i, int64_t j);
void mat_free(mat_t *m); /* every handle; free views before their matrix */

static uint64_t mat_next_id = 1;

/* ---- arrcheck: 23 lines here, the #include and three in mat_free ---- */
static void mat__tag(const mat_t *m, const mat_t *owner, const mat_t *source, const char *op)
{
    static int declared;
    static const struct arrcheck_library me = {ARRCHECK_PROTOCOL_VERSION, sizeof me, "matrix",
                                               "mat_", NULL, NULL};
    if (!declared++)
        (void)ARRCHECK_LIBRARY(&me);
    int64_t bytes = owner->shape[0] * owner->shape[1] * (int64_t)sizeof(double);
    int64_t lo = (char *)m->data - (char *)owner->buffer;
    struct arrcheck_array_info info = {
        .version = ARRCHECK_PROTOCOL_VERSION, .size = sizeof info, .id = m->id,
        .base_id = owner->id, .source_id = source ? source->id : 0, .handle = m,
        .handle_bytes = sizeof *m, .buffer = owner->buffer, .buffer_bytes = bytes,
        .extent_lo = lo, .extent_hi = lo + (m->shape[0] - 1) * m->strides[0] +
                                      (m->shape[1] - 1) * m->strides[1] + 8,
        .dtype = ARRCHECK_DTYPE_FLOAT64, .itemsize = 8, .ndim = 2, .op = 0,
        .is_copy = source && m == owner, .owndata = 1, .shape = m->shape, .strides = m->strides, .dtype_name = "float64",
        .op_name = op, .label = m->name};
    if (m == owner)
        (void)ARRCHECK_OWNER_CREATED(&info);
    else
        (void)ARRCHECK_VIEW_CREATED(&info);
}
/* ---- end of arrcheck, but for the three requests in mat_free ---- */

static mat_t *mat__handle(mat_t *owner, const mat_t *source, double *data, int64_t rows,
                          int64_t cols, int64_t rs, int64_t cs)
{
    mat_t *m = calloc(1, sizeof *m);
    if (!m)
        abort();
    *m = (mat_t){.id = mat_next_id++, .data = data, .shape = {rows, cols}, .strides = {rs, cs}};
    if (source)
        memcpy(m->name, source->name, sizeof m->name);
    if (owner) {
        m->base = owner;
        m->buffer = owner->buffer;
        m->users = owner->users;
        ++*m->users;
    }
    return m;
}

mat_t *mat_new(int64_t rows, int64_t cols, const char *name)
{
    mat_t *m = mat__handle(NULL, NULL, NULL, rows, cols, cols * 8, 8);
    m->buffer = m->data = calloc((size_t)(rows * cols), sizeof(double));
    m->users = calloc(1, sizeof *m->users);
    *m->users = 1;
    snprintf(m->name, sizeof m->name, "%s", name);
    mat__tag(m, m, NULL, "new");
    return m;
}

mat_t *mat_copy(const mat_t *a)
{
    mat_t *m = mat__handle(NULL, a, NULL, a->shape[0], a->shape[1], a->shape[1] * 8, 8);
    m->buffer = m->data = malloc((size_t)(a->shape[0] * a->shape[1]) * sizeof(double));
    m->users = calloc(1, sizeof *m->users);
    *m->users = 1;
    for (int64_t i = 0; i < a->shape[0]; i++)
        for (int64_t j = 0; j < a->shape[1]; j++)
            m->data[i * a->shape[1] + j] =
                *(double *)((char *)a->data + i * a->strides[0] + j * a->strides[1]);
    mat__tag(m, m, a, "copy");
    return m;
}

mat_t *mat_transpose(mat_t *a)
{
    mat_t *owner = a->base ? a->base : a;
    mat_t *m = mat__handle(owner, a, a->data, a->shape[1], a->shape[0], a->strides[1],
                           a->strides[0]);
    mat__tag(m, owner, a, "transpose");
    return m;
}

mat_t *mat_row(mat_t *a, int64_t i)
{
    mat_t *owner = a->base ? a->base : a;
    mat_t *m = mat__handle(owner, a, (double *)((char *)a->data + i * a->strides[0]), 1,
                           a->shape[1], 0, a->strides[1]);
    mat__tag(m, owner, a, "row");
    return m;
}

double mat_get(const mat_t *m, int64_t i, int64_t j)
{
    return *(const double *)((const char *)m->data + i * m->strides[0] + j * m->strides[1]);
}

void mat_free(mat_t *m)
{
    if (!m)
        return;
    /* The library's rule: free the views of a matrix before the matrix. */
    if (!m->base && *m->users > 1)
        (void)ARRCHECK_OWNER_FREED_WITH_VIEWS(m->id, *m->users - 1); /* arrcheck */
    (void)ARRCHECK_FREED(m->id, m);                                  /* arrcheck */
    if (--*m->users == 0) {
        if (m->base) /* the owner went first: its buffer was kept for the view */
            (void)ARRCHECK_QUARANTINE_RELEASED(m->buffer); /* arrcheck */
        free(m->buffer);
        free(m->users);
    }
    free(m);
}

/* ---- a program using it ---------------------------------------------------- */

int main(void)
{
    mat_t *a = mat_new(3, 4, "first layer weights, 3 x 4 matrix");
    for (int64_t i = 0; i < 12; i++)
        a->data[i] = (double)i;
    mat_t *t = mat_transpose(a);
    mat_t *r = mat_row(a, 1);
    mat_t *c = mat_copy(t); /* BUG: never freed */
    printf("t[3][2] = %g, copy[3][2] = %g\n", mat_get(t, 3, 2), mat_get(c, 3, 2));
    mat_free(t);
    mat_free(a);                                /* BUG: r still views a */
    printf("r[0][2] = %g\n", mat_get(r, 0, 2)); /* dangling: a is freed */
    mat_free(r);
    return 0;
}
