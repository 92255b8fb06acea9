/* Bogus ARRCHECK_FREED_TO_QUARANTINE ranges are refused, with one line
 * per cause (issue 23):
 *   #2, #3: buffers inside live #1's -> one warning; reads of #1 stay clean
 *   #4, #5: 64 TiB at an unmapped address -> one warning, no errors */
#include "req_common.h"

#include <stdio.h>

int main(void)
{
    int64_t shape[1] = {8};
    struct arrcheck_array_info info;
    void *h[6];
    for (int i = 0; i < 6; i++)
        h[i] = calloc(1, 64);
    double *b1 = calloc(8, sizeof *b1);
    info = req_info(1, 1, h[1], b1, 64, 1, shape);
    (void)ARRCHECK_OWNER_CREATED(&info);
    for (int id = 2; id <= 3; id++) {
        info = req_info((uint64_t)id, (uint64_t)id, h[id], b1 + 2, 32, 1, shape);
        (void)ARRCHECK_OWNER_CREATED(&info);
        (void)ARRCHECK_FREED_TO_QUARANTINE(id, h[id]);
    }
    const void *far = (const void *)(uintptr_t)0x200000000000ULL;
    for (int id = 4; id <= 5; id++) {
        info = req_info((uint64_t)id, (uint64_t)id, h[id], far, 1ULL << 46, 1, shape);
        (void)ARRCHECK_OWNER_CREATED(&info);
        (void)ARRCHECK_FREED_TO_QUARANTINE(id, h[id]);
    }
    volatile double sum = 0;
    for (int i = 0; i < 8; i++)
        sum += b1[i]; /* #1 is live: no DanglingAccess */
    b1[3] = 1.0;
    (void)ARRCHECK_FREED(1, h[1]);
    free(b1);
    for (int i = 0; i < 6; i++)
        free(h[i]);
    printf("done %g\n", sum);
    return 0;
}
