/* arr_check.c - the native checker: arr_report_leaks, and with ARR_CHECK=1
 * the report at exit. */
#include "arr_check.h"
#include "arr_registry.h"
#include "arr_tag.h"

#include "arrcheck.h" /* the summary line's format */

#include <dlfcn.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char arr__check_anchor = 0;

static void where_made(const arr_t *a, char *buf, size_t cap)
{
    Dl_info info;
    if (a->made_at && dladdr(a->made_at, &info) && info.dli_sname)
        snprintf(buf, cap, "%s+0x%tx", info.dli_sname,
                 (const char *)a->made_at - (const char *)info.dli_saddr);
    else
        snprintf(buf, cap, "%p", a->made_at);
}

int64_t arr_report_leaks(FILE *f)
{
    int64_t copies = 0, owners = 0, views = 0, orphans = 0, bytes = 0;
    pthread_mutex_lock(&arr__registry_lock);
    for (int64_t i = 0; i < arr_registry.count; i++) {
        arr__show_slot(&arr_registry.items[i]);
        const arr_t *a = arr_registry.items[i];
        arr__hide_slot(&arr_registry.items[i]);
        char desc[256], where[128];
        arr__describe(a, desc, sizeof desc);
        where_made(a, where, sizeof where);
        const char *what;
        if (a->is_view && a->orphaned) {
            what = "orphaned view: its base was freed first";
            orphans++;
        } else if (a->is_view) {
            what = "view never freed";
            views++;
        } else if (arr_op_is_copy((arr_op_t)a->op)) {
            what = "copy never freed";
            copies++;
            bytes += a->buffer_bytes;
        } else {
            what = "array never freed";
            owners++;
            bytes += a->buffer_bytes;
        }
        if (f)
            fprintf(f, "libarr: %s: %s, %" PRId64 " bytes, made at %s\n", what, desc,
                    a->is_view ? (int64_t)0 : a->buffer_bytes, where);
    }
    pthread_mutex_unlock(&arr__registry_lock);
    int64_t total = copies + owners + views + orphans;
    if (f)
        fprintf(f, "libarr: " ARRCHECK_LEAK_SUMMARY_FORMAT "\n", (long long)total,
                (long long)copies, (long long)owners, (long long)bytes, (long long)views,
                (long long)orphans);
    return total;
}

static void check_at_exit(void)
{
    fflush(NULL);
    int64_t findings = arr_report_leaks(stderr);
    fflush(stderr);
    if (findings > 0) {
        const char *code = getenv("ARR_CHECK_EXITCODE");
        _exit(code && *code ? atoi(code) : 3);
    }
}

__attribute__((constructor)) static void arr_check_init(void)
{
    const char *v = getenv("ARR_CHECK");
    if (v && *v && strcmp(v, "0") != 0)
        atexit(check_at_exit);
}
