/* Bogus client requests: each must give a warning, never a crash, and the
 * program must run to its end. */
#include "req_common.h"

#include <stdio.h>
#include <sys/mman.h>

int main(void)
{
    int64_t shape[1] = {4};
    void *handle = calloc(1, 64);
    void *buffer = calloc(4, 8);
    struct arrcheck_array_info info;

    (void)ARRCHECK_OWNER_CREATED(NULL);                 /* NULL info */
    (void)ARRCHECK_OWNER_CREATED((void *)0x10);         /* wild pointer */
    void *gone = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(gone, 4096);
    (void)ARRCHECK_VIEW_CREATED(gone);                  /* unmapped */

    info = req_info(1, 1, handle, buffer, 32, 1, shape);
    info.version = 99;
    (void)ARRCHECK_OWNER_CREATED(&info);                /* protocol version */
    info = req_info(1, 1, handle, buffer, 32, 1, shape);
    info.size = 12;
    (void)ARRCHECK_OWNER_CREATED(&info);                /* struct size */
    info = req_info(0, 0, handle, buffer, 32, 1, shape);
    (void)ARRCHECK_OWNER_CREATED(&info);                /* id 0 */
    info = req_info(1, 1, handle, buffer, 32, 33, shape);
    (void)ARRCHECK_OWNER_CREATED(&info);                /* ndim > 32 */
    info = req_info(1, 1, handle, buffer, 32, 2, (const int64_t *)0x18);
    (void)ARRCHECK_OWNER_CREATED(&info);                /* bad shape pointer */
    info = req_info(1, 1, NULL, buffer, 32, 1, shape);
    (void)ARRCHECK_OWNER_CREATED(&info);                /* NULL handle */
    info = req_info(1, 1, handle, buffer, 32, 1, shape);
    info.dtype_name = (const char *)0x20;               /* unreadable: a warning, shown as "?" */
    (void)ARRCHECK_OWNER_CREATED(&info);                /* accepted */
    (void)ARRCHECK_OWNER_CREATED(&info);                /* same id again */
    info = req_info(2, 7, calloc(1, 64), buffer, 0, 1, shape);
    (void)ARRCHECK_VIEW_CREATED(&info);                 /* view of unknown owner */

    (void)ARRCHECK_LABEL(99, "x");                      /* unknown id */
    (void)ARRCHECK_LABEL(1, (const char *)0x30);        /* unreadable label */
    (void)ARRCHECK_OWNER_FREED_WITH_VIEWS(42, 3);       /* unknown owner */
    (void)ARRCHECK_QUARANTINE_RELEASED(buffer);         /* nothing quarantined */
    (void)ARRCHECK_IGNORE_RANGE((void *)-16, 64);       /* wraps around */
    (void)VALGRIND_DO_CLIENT_REQUEST_EXPR(0, VG_USERREQ__ARR_IGNORE_RANGE + 40, 0, 0, 0, 0, 0);
    (void)ARRCHECK_FREED(1, (void *)0x1234);            /* right id, wrong handle */
    (void)ARRCHECK_FREED(1, handle);                    /* fine */
    (void)ARRCHECK_FREED(2, info.handle);               /* fine */
    puts("survived");
    return 0;
}
