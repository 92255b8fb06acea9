/* Many leaked arrays, none referenced: every one must be lost.  Frees in
 * between leave freed handles and grown-and-moved registry tables behind
 * (stale pointers to live handles there made some look reachable). */
#include "arr.h"

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 20000;
    int64_t shape = 4;
    long leaked = 0;
    for (long i = 0; i < n; i++) {
        arr_t *a = arr_zeros(1, &shape, ARR_FLOAT64);
        arr_t *v = arr_slice(a, "1:");
        if (a == NULL || v == NULL) {
            fprintf(stderr, "leak_many: %s\n", arr_errmsg());
            return 1;
        }
        if (i % 3 == 0) { /* freed: its handle memory is reused later */
            arr_free(v);
            arr_free(a);
        } else if (i % 3 == 1) { /* the owner leaks, the view does not */
            arr_free(v);
            leaked++;
        } else { /* both leak */
            leaked += 2;
        }
    }
    printf("leaked %ld arrays\n", leaked);
    return 0;
}
