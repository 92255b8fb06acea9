/* leak_array_regrown.c - the old array dropped when a buffer grows.
 *
 * push() appends to a growable history.  When it is full it makes an array
 * twice as big and copies the old contents in, then points the history at
 * the new array, but forgets to free the old one: each growth leaks the
 * previous owner (8 and 16 elements here).
 *
 * expect native:   arrays=2
 * expect memcheck: Leak_DefinitelyLost=2 Leak_IndirectlyLost=2
 * expect arrcheck: LeakedArray=2
 */
#include "sample.h"

struct history {
    arr_t *values; /* float64, capacity = arr_size(values) */
    int64_t used;
};

static void push(struct history *h, double v)
{
    int64_t cap = arr_size(h->values);
    if (h->used == cap) {
        int64_t bigger = cap * 2;
        arr_t *grown = must(arr_zeros(1, &bigger, ARR_FLOAT64), "zeros");
        char spec[32];
        snprintf(spec, sizeof spec, ":%lld", (long long)cap);
        arr_t *head = must(arr_slice(grown, spec), "slice");
        must_ok(arr_copyto(head, h->values), "copyto");
        arr_free(head);
        h->values = grown; /* BUG: the old h->values is never freed */
    }
    must_ok(arr_set_f64(h->values, (int64_t[]){h->used++}, v), "set");
}

int main(void)
{
    struct history h = {must(arr_zeros(1, (int64_t[]){8}, ARR_FLOAT64), "zeros"), 0};
    for (int i = 0; i < 20; i++)
        push(&h, i * 0.5);
    double last;
    must_ok(arr_get_f64(h.values, (int64_t[]){h.used - 1}, &last), "get");
    printf("%lld values kept, capacity %lld, last %g\n", (long long)h.used,
           (long long)arr_size(h.values), last);
    arr_free(h.values);
    return 0;
}
