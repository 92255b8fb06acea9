/* lesson_ascontiguous.c - ascontiguous copies only when it must.
 *
 * NumPy's ascontiguousarray returns its input when it is already
 * C-contiguous (libarr returns a view: same memory, a new handle to free)
 * and a C-ordered copy otherwise.  This is also the clean sample for
 * "ascontiguous on an already-contiguous array": no copy, nothing leaked.
 * Output compared with NumPy by samples/run.
 *
 * expect native:
 * expect memcheck:
 * expect arrcheck:
 */
#include "sample.h"

static void try_one(arr_t *a, const char *name, arr_t *x)
{
    arr_t *c = must(arr_ascontiguous(x), "ascontiguous");
    printf("%-12s C-contiguous %-5s -> ascontiguous shares memory with a: %s\n", name,
           (arr_flags(x) & ARR_C_CONTIGUOUS) ? "True" : "False",
           arr_shares_memory(c, a, ARR_MAX_WORK_EXACT) == ARR_SHARES_YES ? "True" : "False");
    arr_free(c);
}

int main(void)
{
    arr_t *flat = must(arr_arange(0, 12, 1, ARR_FLOAT64), "arange");
    arr_t *a = must(arr_reshape(flat, 2, (int64_t[]){3, 4}, ARR_COPY_NEVER), "reshape");
    const char *specs[] = {"1:", "::2", ":, 1:3", ":, :1", "1"};
    try_one(flat, "a", a);
    for (size_t i = 0; i < sizeof specs / sizeof *specs; i++) {
        arr_t *x = must(arr_slice(a, specs[i]), "slice");
        char name[32];
        snprintf(name, sizeof name, "a[%s]", specs[i]);
        try_one(flat, name, x);
        arr_free(x);
    }
    arr_t *t = must(arr_transpose(a, NULL), "transpose");
    try_one(flat, "a.T", t);
    arr_free(t);
    arr_free(a);
    arr_free(flat);
    return 0;
}
