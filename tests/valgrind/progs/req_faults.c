/* Memory that faults when read, everywhere the tool reads client memory
 * (issue 13): the leak scan must skip it and always print its report, and
 * client requests whose arguments lie there must be warned about, never
 * crash the tool.
 *
 *   - a MAP_SHARED mapping of a one-page file, four pages long: reading
 *     pages 2-4 raises SIGBUS (three faults in one scan);
 *   - a label, an info struct, a shape and a dtype name in such a page;
 *   - two views whose handles sit in a PROT_NONE page, still pointed to
 *     from a global (the scan reads reached handles: two more faults).
 * One owner is leaked so there is something to report.
 */
#include "req_common.h"

#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

static void *views_kept[2];

int main(void)
{
    long page = sysconf(_SC_PAGESIZE);
    int64_t shape[1] = { 4 };
    double *buffer = calloc(4, sizeof(double));

    int fd = memfd_create("arrcheck-test", 0);
    if (fd < 0 || ftruncate(fd, page) != 0)
        return 1;
    char *map = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (map == MAP_FAILED)
        return 1;
    char *past_end = map + 2 * page; /* SIGBUS on any access */

    void *owner = malloc(64);
    struct arrcheck_array_info info = req_info(1, 1, owner, buffer, 32, 1, shape);
    (void)ARRCHECK_OWNER_CREATED(&info);

    /* Arguments in the page past the end of the file. */
    (void)ARRCHECK_LABEL(1, past_end);                            /* label */
    (void)ARRCHECK_OWNER_CREATED((struct arrcheck_array_info *)past_end); /* info */
    info = req_info(2, 2, malloc(64), buffer, 32, 1, (const int64_t *)past_end);
    (void)ARRCHECK_OWNER_CREATED(&info);                          /* shape */
    info = req_info(3, 3, malloc(64), buffer, 32, 1, shape);
    info.dtype_name = past_end;
    (void)ARRCHECK_OWNER_CREATED(&info);                          /* dtype name */

    /* Two views whose handles end up in a PROT_NONE page. */
    char *guarded = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (int i = 0; i < 2; i++) {
        views_kept[i] = guarded + 128 * i;
        info = req_info(10 + i, 1, views_kept[i], buffer, 0, 1, shape);
        (void)ARRCHECK_VIEW_CREATED(&info);
    }
    mprotect(guarded, page, PROT_NONE);

    owner = NULL; /* #1 is lost (the views that point to it are unreadable) */
    printf("findings: %d\n", (int)ARRCHECK_LEAK_CHECK());
    fflush(stdout);
    return 0;
}
