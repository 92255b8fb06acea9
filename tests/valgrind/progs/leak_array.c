/* Owners never freed: LeakedArray, lost, with the label in the report.
 * The owner made in a loop is one loss record of 3 arrays. */
#include "arr.h"

int main(void)
{
    int64_t n = 16;
    arr_t *a = arr_full(1, &n, ARR_INT64, 3.0);
    arr_set_label(a, "weights");
    a = NULL;
    for (int i = 0; i < 3; i++) {
        arr_t *z = arr_zeros(1, &n, ARR_UINT8);
        (void)z;
    }
    return 0;
}
