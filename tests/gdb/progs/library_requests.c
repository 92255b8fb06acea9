/* library_requests.c - hostile ARRCHECK_LIBRARY requests (NULL, unmapped,
 * wrong version, unreadable and too long names, no name, too many
 * libraries): arrcheck must warn for each and go on (tests/gdb/thirdparty). */
#include <stdio.h>
#include <string.h>
#include "arrcheck.h"
int main(void)
{
    char longname[200];
    memset(longname, 'x', sizeof longname - 1);
    longname[199] = 0;
    struct arrcheck_library bad_version = {99, sizeof bad_version, "a", "a_", NULL, NULL};
    struct arrcheck_library bad_ptr = {ARRCHECK_PROTOCOL_VERSION, sizeof bad_ptr, (const char *)8, NULL, NULL, NULL};
    struct arrcheck_library too_long = {ARRCHECK_PROTOCOL_VERSION, sizeof too_long, longname, NULL, NULL, NULL};
    struct arrcheck_library no_name = {ARRCHECK_PROTOCOL_VERSION, sizeof no_name, NULL, "x_", NULL, NULL};
    (void)ARRCHECK_LIBRARY(0);
    (void)ARRCHECK_LIBRARY(16);
    (void)ARRCHECK_LIBRARY(&bad_version);
    (void)ARRCHECK_LIBRARY(&bad_ptr);
    (void)ARRCHECK_LIBRARY(&too_long);
    (void)ARRCHECK_LIBRARY(&no_name);
    for (int i = 0; i < 20; i++) {
        char n[16];
        snprintf(n, sizeof n, "lib%d", i);
        struct arrcheck_library l = {ARRCHECK_PROTOCOL_VERSION, sizeof l, n, "p_", NULL, NULL};
        (void)ARRCHECK_LIBRARY(&l);
    }
    puts("done");
    return 0;
}
