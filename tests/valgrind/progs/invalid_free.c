/* A double free of a view and a free of something that is not an array. */
#include "arr.h"

#include <stdlib.h>

int main(void)
{
    int64_t n = 5;
    arr_t *a = arr_zeros(1, &n, ARR_FLOAT64);
    arr_t *v = arr_view(a);
    arr_free(v);
    arr_free(v);
    void *not_an_array = malloc(64);
    arr_free(not_an_array);
    free(not_an_array);
    arr_free(a);
    return 0;
}
