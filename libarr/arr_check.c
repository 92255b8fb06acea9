/* arr_check.c - the native checker: arr_report_leaks, and with ARR_CHECK=1
 * the same report at exit (then exit code 3, or ARR_CHECK_EXITCODE).
 *
 * It only adds a report; how the program ends is the program's:
 *   - the report runs from a destructor of the lowest priority, so after
 *     every atexit handler (registered before or after libarr's
 *     constructor) and the program's own destructors; only then, when
 *     there are findings, is the exit status changed (stdio flushed,
 *     _exit(code));
 *   - a libarr.so unloaded by dlclose() runs the same destructor: it reports
 *     what it still had and returns; the program goes on.  Which of the two
 *     it is: a semaphore in malloc'd memory that libc's exit handlers post
 *     (sem_post registered with no DSO, so dlclose never runs it and it
 *     outlives libarr's unmapping) before any destructor runs;
 *   - in a fork()ed child only the arrays the child made are its findings
 *     (the parent's live arrays are the parent's; arr_registry.c marks the
 *     first id a child made);
 *   - the report goes to ARR_CHECK_FILE (appended) when set, else to fd 2
 *     only if it is still the file stderr was when libarr started (same
 *     device and inode): a program that closed stderr and opened its data
 *     file on fd 2 never gets the report in its data.
 *
 * Findings are grouped by kind and call site ("8 copies never freed,
 * 8.0 MB, made at zscore (pipeline.c:62)"), largest first; a clean program
 * gets no output at all.  Cost: O(n) over the n live arrays under the
 * registry lock (a hash of groups), then O(g log g) for the g groups and
 * one symbolizer lookup per group outside it. */
#include "arr_anchor.h"
#include "arr_registry.h"
#include "arr_tag.h"
#include "arr_where.h"

#include "arrcheck.h" /* the finding words and the summary line's format */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <semaphore.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* glibc's (and the Itanium C++ ABI's) registration of an exit handler for a
 * given DSO; NULL: the program's, never run by dlclose. */
extern int __cxa_atexit(void (*fn)(void *), void *arg, void *dso);

const char arr__check_anchor = 0;

/* Kinds in the order they are listed when sizes tie.  A lone finding is
 * named with arrcheck.h's words (shared with the gdb plugin); a group of
 * several with their plurals here. */
enum finding_kind { KIND_ORPHAN, KIND_COPY, KIND_ARRAY, KIND_VIEW, NKINDS };

static const struct {
    const char *one, *many;
} kind_names[NKINDS] = {
    [KIND_ORPHAN] = {ARRCHECK_FINDING_ORPHAN, "orphaned views: their base was freed first"},
    [KIND_COPY] = {ARRCHECK_FINDING_COPY, "copies never freed"},
    [KIND_ARRAY] = {ARRCHECK_FINDING_ARRAY, "arrays never freed"},
    [KIND_VIEW] = {ARRCHECK_FINDING_VIEW, "views never freed"},
};

struct group {
    int kind;
    const void *made_at;
    int64_t count, bytes;
    int64_t rep_bytes; /* the representative: the group's largest array (lowest id on ties) */
    uint64_t rep_id;
    char rep[256];     /* its description */
    char site[600];
};

struct report {
    struct group *groups;
    size_t ngroups, cap;
    size_t *index; /* open addressing over groups (i + 1; 0 = empty) */
    size_t index_cap;
    int64_t totals[NKINDS], bytes;
};

static int kind_of(const arr_t *a)
{
    if (a->is_view)
        return a->orphaned ? KIND_ORPHAN : KIND_VIEW;
    return arr_op_is_copy((arr_op_t)a->op) ? KIND_COPY : KIND_ARRAY;
}

static size_t group_hash(int kind, const void *made_at)
{
    uint64_t x = (uint64_t)(uintptr_t)made_at * 0x9e3779b97f4a7c15ULL + (uint64_t)kind;
    x ^= x >> 29;
    return (size_t)x;
}

/* Adds a to its group; -1 when out of memory.  Caller holds the lock. */
static int add_finding(struct report *r, const arr_t *a, int kind, int64_t bytes)
{
    size_t mask = r->index_cap - 1, i = group_hash(kind, a->made_at) & mask;
    while (r->index[i] != 0) {
        struct group *g = &r->groups[r->index[i] - 1];
        if (g->kind == kind && g->made_at == a->made_at)
            break;
        i = (i + 1) & mask;
    }
    struct group *g;
    if (r->index[i] == 0) {
        if (r->ngroups == r->cap) {
            size_t cap = r->cap ? r->cap * 2 : 16;
            struct group *more = realloc(r->groups, cap * sizeof *more);
            if (more == NULL)
                return -1;
            r->groups = more;
            r->cap = cap;
        }
        g = &r->groups[r->ngroups++];
        memset(g, 0, sizeof *g);
        g->kind = kind;
        g->made_at = a->made_at;
        g->rep_bytes = -1;
        r->index[i] = r->ngroups;
    } else {
        g = &r->groups[r->index[i] - 1];
    }
    g->count++;
    g->bytes += bytes;
    if (bytes > g->rep_bytes || (bytes == g->rep_bytes && a->id < g->rep_id)) {
        g->rep_bytes = bytes;
        g->rep_id = a->id;
        arr__describe(a, g->rep, sizeof g->rep);
    }
    return 0;
}

/* Largest first: bytes, then count, then kind, then the oldest array. */
static int by_size(const void *pa, const void *pb)
{
    const struct group *a = pa, *b = pb;
    if (a->bytes != b->bytes)
        return a->bytes > b->bytes ? -1 : 1;
    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    return a->rep_id < b->rep_id ? -1 : a->rep_id > b->rep_id;
}

static int by_site(const void *pa, const void *pb)
{
    const struct group *a = pa, *b = pb;
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    return strcmp(a->site, b->site);
}

/* Two return addresses on one source line (or in one function without
 * line info) are one site: merge their groups. */
static void merge_same_sites(struct report *r)
{
    qsort(r->groups, r->ngroups, sizeof *r->groups, by_site);
    size_t out = 0;
    for (size_t i = 0; i < r->ngroups; i++) {
        struct group *g = &r->groups[i];
        if (out > 0 && by_site(&r->groups[out - 1], g) == 0) {
            struct group *keep = &r->groups[out - 1];
            keep->count += g->count;
            keep->bytes += g->bytes;
            if (g->rep_bytes > keep->rep_bytes ||
                (g->rep_bytes == keep->rep_bytes && g->rep_id < keep->rep_id)) {
                keep->rep_bytes = g->rep_bytes;
                keep->rep_id = g->rep_id;
                memcpy(keep->rep, g->rep, sizeof keep->rep);
            }
        } else {
            if (out != i)
                r->groups[out] = *g;
            out++;
        }
    }
    r->ngroups = out;
}

/* "96 bytes", "8.0 MB" (powers of 1000, as the summary's byte count). */
static void format_size(int64_t bytes, char *buf, size_t cap)
{
    static const char *const units[] = {"kB", "MB", "GB", "TB", "PB", "EB"};
    if (bytes < 1000) {
        snprintf(buf, cap, "%" PRId64 " byte%s", bytes, bytes == 1 ? "" : "s");
        return;
    }
    double v = (double)bytes;
    int u = -1;
    while (v >= 999.95 && u < 5) {
        v /= 1000.0;
        u++;
    }
    snprintf(buf, cap, "%.1f %s", v, units[u]);
}

static void print_group(FILE *f, const struct group *g)
{
    char size[32] = "";
    if (g->kind != KIND_VIEW && g->kind != KIND_ORPHAN)
        format_size(g->bytes, size, sizeof size);
    if (g->count == 1) {
        fprintf(f, "libarr: %s: %s%s%s, made at %s\n", kind_names[g->kind].one, g->rep,
                size[0] ? ", " : "", size, g->site);
        return;
    }
    fprintf(f, "libarr: %" PRId64 " %s%s%s, made at %s\n", g->count, kind_names[g->kind].many,
            size[0] ? ", " : "", size, g->site);
    fprintf(f, "libarr:     %s: %s\n", size[0] ? "the largest" : "the first", g->rep);
}

/* The report over the live arrays whose id is at least first_id. */
static int64_t report_since(FILE *f, uint64_t first_id)
{
    struct report r = {0};
    int listed = f != NULL;
    pthread_mutex_lock(&arr__registry_lock);
    int64_t live = arr_registry.count, count = 0;
    if (listed && live > 0) {
        size_t cap = 16;
        while (cap < (size_t)live * 2)
            cap *= 2;
        r.index = calloc(cap, sizeof *r.index);
        r.index_cap = cap;
        listed = r.index != NULL;
    }
    for (int64_t i = 0; i < live; i++) {
        arr__show_slot(&arr_registry.items[i], arr__on_valgrind());
        const arr_t *a = arr_registry.items[i];
        arr__hide_slot(&arr_registry.items[i], arr__on_valgrind());
        if (a->id < first_id)
            continue;
        count++;
        int kind = kind_of(a);
        int64_t bytes = a->is_view ? 0 : a->buffer_bytes;
        r.totals[kind]++;
        r.bytes += bytes;
        if (listed && add_finding(&r, a, kind, bytes) != 0)
            listed = 0; /* out of memory: count only */
    }
    pthread_mutex_unlock(&arr__registry_lock);
    free(r.index);

    if (f && count > 0) {
        if (listed) {
            arr__where_t *w = arr__where_open();
            for (size_t i = 0; i < r.ngroups; i++)
                arr__where_format(w, r.groups[i].made_at, r.groups[i].site, sizeof r.groups[i].site);
            arr__where_close(w);
            merge_same_sites(&r);
            qsort(r.groups, r.ngroups, sizeof *r.groups, by_size);
            for (size_t i = 0; i < r.ngroups; i++)
                print_group(f, &r.groups[i]);
        } else {
            fprintf(f, "libarr: out of memory listing the findings; only their numbers follow\n");
        }
        fprintf(f, "libarr: " ARRCHECK_LEAK_SUMMARY_FORMAT "\n", (long long)count,
                (long long)r.totals[KIND_COPY], (long long)r.totals[KIND_ARRAY], (long long)r.bytes,
                (long long)r.totals[KIND_VIEW], (long long)r.totals[KIND_ORPHAN]);
    }
    free(r.groups);
    return count;
}

int64_t arr_report_leaks(FILE *f) { return report_since(f, 0); }

/* ARR_CHECK_EXITCODE: 0..255; 0 keeps the program's own exit status. */
static int findings_exit_code(void)
{
    const char *s = getenv("ARR_CHECK_EXITCODE");
    if (s == NULL || *s == '\0')
        return 3;
    char *end;
    long v = strtol(s, &end, 10);
    if (*end != '\0' || v < 0 || v > 255) {
        fprintf(stderr, "libarr: ARR_CHECK_EXITCODE=%s is not a number 0..255: using 3\n", s);
        return 3;
    }
    return (int)v;
}

static bool check_on;
static sem_t *exiting;       /* posted by libc's exit handlers */
static struct stat err_start; /* fd 2 when libarr started */
static bool err_start_ok;

/* Where the report goes: ARR_CHECK_FILE, else stderr if fd 2 is still the
 * same file, else nowhere (NULL; the findings are only counted). */
static FILE *report_stream(bool *opened)
{
    *opened = false;
    struct stat now;
    bool err_same = err_start_ok && fstat(2, &now) == 0 && now.st_dev == err_start.st_dev &&
                    now.st_ino == err_start.st_ino;
    const char *path = getenv("ARR_CHECK_FILE");
    if (path && *path) {
        /* Appended to, never replaced (a FIFO, a device, a symlink are
         * written into); O_NONBLOCK: a FIFO nobody reads fails (ENXIO)
         * instead of hanging the exit. */
        int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NONBLOCK | O_CLOEXEC, 0644);
        FILE *f = NULL;
        if (fd >= 0) {
            (void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
            f = fdopen(fd, "a");
            if (!f)
                close(fd);
        }
        if (f) {
            *opened = true;
            return f;
        }
        if (err_same)
            fprintf(stderr, "libarr: ARR_CHECK_FILE=%s: %s; reporting on stderr\n", path,
                    strerror(errno));
    }
    return err_same ? stderr : NULL;
}

static bool process_exiting(void)
{
    int v = 0;
    return exiting != NULL && sem_getvalue(exiting, &v) == 0 && v > 0;
}

__attribute__((destructor(101))) static void check_at_end(void)
{
    if (!check_on)
        return;
    bool at_exit = process_exiting();
    fflush(NULL);
    bool opened;
    FILE *out = report_stream(&opened);
    if (!at_exit && out && report_since(NULL, arr__first_own_id) > 0)
        fprintf(out, "libarr: unloaded (dlclose) with arrays still live; the program goes on\n");
    int64_t findings = report_since(out, arr__first_own_id);
    if (opened)
        fclose(out);
    else if (out)
        fflush(out);
    if (at_exit && findings > 0) {
        int code = findings_exit_code();
        if (code != 0) {
            fflush(NULL);
            _exit(code);
        }
    }
}

/* sem_post as an exit handler: a libc function, so it is still there when
 * libarr.so is gone (cast through void (*)(void), the generic function
 * pointer, to the handler type; its int result is ignored). */
__attribute__((constructor)) static void arr_check_init(void)
{
    const char *v = getenv("ARR_CHECK");
    if (!v || !*v || strcmp(v, "0") == 0)
        return;
    check_on = true;
    err_start_ok = fstat(2, &err_start) == 0;
    exiting = malloc(sizeof *exiting);
    if (exiting && (sem_init(exiting, 0, 0) != 0 ||
                    __cxa_atexit((void (*)(void *))(void (*)(void))sem_post, exiting, NULL) != 0)) {
        free(exiting);
        exiting = NULL;
    }
}
