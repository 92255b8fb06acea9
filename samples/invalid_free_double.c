/* invalid_free_double.c - a double free on a shared cleanup path.
 *
 * The error branch frees the scratch copy and then jumps to the common
 * cleanup, which frees it again.  libarr recognises the stale handle and
 * returns -1 (ARR_ENOTLIVE) without touching memory, so memcheck has
 * nothing to see; arrcheck reports the second free as InvalidFree with
 * where the array was first freed and where it was made.
 *
 * expect native:
 * expect memcheck:
 * expect arrcheck: InvalidFree=1
 */
#include "sample.h"

static int normalise(arr_t *a)
{
    int rc = -1;
    arr_t *scratch = must(arr_copy(a, ARR_ORDER_C), "copy");
    double total;
    must_ok(arr_sum(scratch, &total), "sum");
    if (total == 0) {
        fprintf(stderr, "normalise: all zeros\n");
        arr_free(scratch);
        goto out; /* BUG: out frees scratch again */
    }
    rc = 0;
out:
    if (arr_free(scratch) != 0)
        printf("second free refused: %s\n", arr_errcode() == ARR_ENOTLIVE ? "not a live array" : "?");
    return rc;
}

int main(void)
{
    arr_t *z = must(arr_zeros(1, (int64_t[]){5}, ARR_FLOAT64), "zeros");
    printf("normalise: %d\n", normalise(z));
    arr_free(z);
    return 0;
}
