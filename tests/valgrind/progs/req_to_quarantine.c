/* ARRCHECK_FREED_TO_QUARANTINE, driven by raw requests (the protocol arrdbg's
 * NumPy handler speaks):
 *   #1 freed to quarantine, then read -> DanglingAccess (freed, kept in
 *      quarantine), not an OrphanedView; released, then freed quietly
 *   #1 freed to quarantine again      -> InvalidFree
 *   #2 with live view #3 freed to quarantine -> as ARRCHECK_FREED: the view
 *      is orphaned (OrphanedView), a read through it is DanglingAccess
 *   a release of a buffer never quarantined -> a warning, nothing else */
#include "req_common.h"

#include <stdio.h>

int main(void)
{
    int64_t shape[1] = {2};
    struct arrcheck_array_info info;

    void *h1 = calloc(1, 64);
    double *b1 = calloc(2, sizeof *b1);
    info = req_info(1, 1, h1, b1, 16, 1, shape);
    (void)ARRCHECK_OWNER_CREATED(&info);
    (void)ARRCHECK_FREED_TO_QUARANTINE(1, h1);
    volatile double x = b1[1]; /* DanglingAccess */
    (void)x;
    (void)ARRCHECK_FREED_TO_QUARANTINE(1, h1); /* InvalidFree */
    (void)ARRCHECK_QUARANTINE_RELEASED(b1);
    free(b1);
    free(h1);

    void *h2 = calloc(1, 64), *h3 = calloc(1, 64);
    double *b2 = calloc(2, sizeof *b2);
    info = req_info(2, 2, h2, b2, 16, 1, shape);
    (void)ARRCHECK_OWNER_CREATED(&info);
    info = req_info(3, 2, h3, b2, 0, 1, shape);
    (void)ARRCHECK_VIEW_CREATED(&info);
    (void)ARRCHECK_FREED_TO_QUARANTINE(2, h2); /* has a live view: OrphanedView */
    volatile double y = b2[0];                 /* through the orphan: DanglingAccess */
    (void)y;
    (void)ARRCHECK_FREED(3, h3);
    (void)ARRCHECK_QUARANTINE_RELEASED(b2);
    free(b2);
    free(h2);
    free(h3);

    static char never[16];
    (void)ARRCHECK_QUARANTINE_RELEASED(never); /* a warning */
    puts("done");
    return 0;
}
