/* test_errors_doc.c - every error a public libarr function can return is
 * listed in its doc in arr.h (issue 14: arr_ptr's ARR_EORPHAN was missing).
 *
 * A mechanical check over the sources, run from the repository root (the
 * paths come from __FILE__, as the build passes it):
 *   1. the .c files of libarr/ are read with comments and strings blanked; every function
 *      definition gives its body, the ARR_E* codes named in its arr__fail /
 *      arr__fail_p statements, and the functions it calls;
 *   2. the codes a function can raise are closed over the calls (a code set
 *      by a callee reaches the caller);
 *   3. arr.h is read: each public prototype's doc is the comment block just
 *      above it (shared by a group of prototypes with no blank line between)
 *      plus the comments on its own lines;
 *   4. every code a public function can raise must be named in its doc.
 * The one exception is written down in arr.h's header comment: a handle
 * that is NULL or not live (ARR_EINVAL / ARR_ENOTLIVE from arr__check_live,
 * before anything else) is not repeated per function; ARR_EORPHAN from
 * arr__check_readable is, since only some functions refuse orphans. */
#include "unit.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>

#define MAXFN 1024
#define NCODES 16

static const char *codes[NCODES] = { /* bit c: code c + 1 */"ARR_EINVAL", "ARR_ENOMEM", "ARR_EOVERFLOW", "ARR_EINDEX",
                                    "ARR_ESYNTAX", "ARR_ESHAPE", "ARR_ECOPY", "ARR_EREADONLY",
                                    "ARR_ENOTLIVE", "ARR_EORPHAN", "ARR_ETOOHARD", "ARR_ETYPE"};

typedef struct fn {
    char name[64];
    char *body; /* blanked text of the body */
    unsigned own, all;
} fn_t;

static fn_t fns[MAXFN];
static int nfns;
static char root[512];

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(fread(s, 1, (size_t)n, f), n);
    s[n] = '\0';
    fclose(f);
    return s;
}

/* Blanks comments, string and char literals and preprocessor lines (keeps
 * newlines), so braces and parentheses can be counted. */
static void blank(char *s, int keep_comments)
{
    for (char *p = s; *p;) {
        if (p[0] == '/' && p[1] == '*') {
            char *e = strstr(p + 2, "*/");
            e = e ? e + 2 : p + strlen(p);
            if (!keep_comments)
                for (; p < e; p++)
                    if (*p != '\n')
                        *p = ' ';
            p = e;
        } else if (p[0] == '/' && p[1] == '/') {
            for (; *p && *p != '\n'; p++)
                *p = ' ';
        } else if (*p == '"' || *p == '\'') {
            char q = *p++;
            for (; *p && *p != q; p++) {
                if (*p == '\\' && p[1])
                    *p++ = ' ';
                if (*p != '\n')
                    *p = ' ';
            }
            if (*p)
                p++;
        } else if (*p == '#' && (p == s || p[-1] == '\n')) {
            for (; *p && !(*p == '\n' && p[-1] != '\\'); p++)
                if (*p != '\n')
                    *p = ' ';
        } else {
            p++;
        }
    }
}

static int is_ident(char c) { return isalnum((unsigned char)c) || c == '_'; }

static fn_t *find_fn(const char *name, size_t len)
{
    for (int i = 0; i < nfns; i++)
        if (strlen(fns[i].name) == len && memcmp(fns[i].name, name, len) == 0)
            return &fns[i];
    return NULL;
}

static unsigned codes_in(const char *from, const char *to)
{
    unsigned set = 0;
    for (const char *p = from; p < to; p++)
        if (strncmp(p, "ARR_E", 5) == 0 && (p == from || !is_ident(p[-1])))
            for (int c = 0; c < NCODES && codes[c]; c++) {
                size_t n = strlen(codes[c]);
                if (strncmp(p, codes[c], n) == 0 && !is_ident(p[n]))
                    set |= 1u << c; /* == BIT(c + 1) */
            }
    return set;
}

/* Function definitions of one blanked source file. */
static void scan_source(char *s)
{
    int depth = 0, paren = 0;
    const char *name = NULL;
    size_t name_len = 0;
    for (char *p = s; *p; p++) {
        if (depth == 0 && *p == '(' && paren++ == 0) {
            const char *e = p;
            while (e > s && isspace((unsigned char)e[-1]))
                e--;
            const char *b = e;
            while (b > s && is_ident(b[-1]))
                b--;
            name = b;
            name_len = (size_t)(e - b);
        } else if (depth == 0 && *p == ')' && paren > 0) {
            paren--;
        } else if (*p == '{') {
            if (depth == 0 && paren == 0 && name != NULL) {
                const char *q = p;
                while (q > s && isspace((unsigned char)q[-1]))
                    q--;
                if (q[-1] == ')') { /* a definition: find the body's end */
                    char *e = p;
                    int d = 0;
                    for (; *e; e++)
                        if (*e == '{')
                            d++;
                        else if (*e == '}' && --d == 0)
                            break;
                    ck_assert_int_lt(nfns, MAXFN);
                    fn_t *f = &fns[nfns++];
                    ck_assert_int_lt(name_len, sizeof f->name);
                    memcpy(f->name, name, name_len);
                    f->name[name_len] = '\0';
                    f->body = strndup(p, (size_t)(e - p + 1));
                    f->own = 0;
                    /* codes named in statements that call arr__fail(_p) */
                    for (char *st = f->body; *st;) {
                        char *end = st;
                        while (*end && *end != ';')
                            end++;
                        char save = *end;
                        *end = '\0';
                        if (strstr(st, "arr__fail"))
                            f->own |= codes_in(st, end);
                        *end = save;
                        st = *end ? end + 1 : end;
                    }
                    p = e;
                    name = NULL;
                    continue;
                }
            }
            depth++;
        } else if (*p == '}') {
            depth--;
        } else if (depth == 0 && *p == ';') {
            name = NULL;
        }
    }
}

#define BIT(code) (1u << (code - 1)) /* codes[] starts at ARR_EINVAL == 1 */

/* Where the static closure over-approximates, with the reason. */
static const struct {
    const char *fn;
    unsigned drop;
    const char *why;
} masks[] = {
    /* NULL / not live: documented once in arr.h's header comment; the orphan
     * check is made only through arr__check_readable. */
    {"check_handle", BIT(ARR_EINVAL) | BIT(ARR_ENOTLIVE) | BIT(ARR_EORPHAN), "header comment"},
    /* may_share compares bounds only (max_work 0): the solver's TOO_HARD
     * paths are never taken, so arr_copyto never fails with it either. */
    {"arr_may_share_memory", BIT(ARR_ETOOHARD), "max_work=ARR_MAX_WORK_BOUNDS"},
    /* A view with a's own ndim never exceeds ARR_MAXDIMS. */
    {"arr_view", BIT(ARR_EINVAL), "same ndim"},
    /* A reshape that only inserts a 1 always fits and never copies. */
    {"arr_expand_dims", BIT(ARR_EOVERFLOW) | BIT(ARR_ESHAPE) | BIT(ARR_ECOPY), "inserts a 1"},
    /* Full slices (::-1) are never out of range. */
    {"arr_flip", BIT(ARR_EINDEX), "full slices"},
};
/* Calls whose errors never reach the caller: libarr frees only handles it
 * has just made, which are live. */
static const char *const no_propagate[] = {"arr_free"};

static void close_over_calls(void)
{
    fn_t *readable = find_fn("arr__check_readable", 19);
    ck_assert_msg(readable != NULL, "arr__check_readable not found");
    readable->own |= BIT(ARR_EORPHAN);
    unsigned mask[MAXFN] = {0};
    for (size_t m = 0; m < sizeof masks / sizeof masks[0]; m++) {
        fn_t *f = find_fn(masks[m].fn, strlen(masks[m].fn));
        ck_assert_msg(f != NULL, "%s not found (%s)", masks[m].fn, masks[m].why);
        mask[f - fns] = masks[m].drop;
    }
    for (int i = 0; i < nfns; i++)
        fns[i].all = fns[i].own & ~mask[i];
    for (int changed = 1; changed;) {
        changed = 0;
        for (int i = 0; i < nfns; i++)
            for (const char *p = fns[i].body; *p; p++) {
                if (!is_ident(*p) || (p > fns[i].body && is_ident(p[-1])))
                    continue;
                const char *e = p;
                while (is_ident(*e))
                    e++;
                const char *q = e;
                while (isspace((unsigned char)*q))
                    q++;
                fn_t *callee = *q == '(' ? find_fn(p, (size_t)(e - p)) : NULL;
                for (size_t k = 0; callee && k < sizeof no_propagate / sizeof no_propagate[0]; k++)
                    if (strcmp(callee->name, no_propagate[k]) == 0)
                        callee = NULL;
                unsigned add = callee ? callee->all & ~mask[i] : 0;
                if (add & ~fns[i].all) {
                    fns[i].all |= add;
                    changed = 1;
                }
                p = e - 1;
            }
    }
}

START_TEST(every_error_is_documented)
{
    char path[700];
    snprintf(path, sizeof path, "%slibarr", root);
    DIR *d = opendir(path);
    ck_assert_msg(d != NULL, "cannot open %s", path);
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        size_t n = strlen(e->d_name);
        if (n < 3 || strcmp(e->d_name + n - 2, ".c") != 0)
            continue;
        snprintf(path, sizeof path, "%slibarr/%s", root, e->d_name);
        char *s = slurp(path);
        blank(s, 0);
        scan_source(s);
        free(s);
    }
    closedir(d);
    ck_assert_int_gt(nfns, 100);
    close_over_calls();

    snprintf(path, sizeof path, "%slibarr/arr.h", root);
    char *h = slurp(path);
    char *hb = strdup(h);
    blank(hb, 0); /* hb: code only; h: code + comments */
    int checked = 0, missing = 0;
    char report[16384] = "";
    /* Each line of arr.h that holds "name(" of a defined public function at
     * the start of a prototype. */
    for (char *line = hb; *line;) {
        char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        char *open = memchr(line, '(', len);
        if (open != NULL && line[0] != ' ' && line[0] != '\t' && line[0] != '}') {
            const char *e = open, *b;
            while (e > line && isspace((unsigned char)e[-1]))
                e--;
            for (b = e; b > line && is_ident(b[-1]); b--)
                ;
            fn_t *f = strncmp(b, "arr_", 4) == 0 ? find_fn(b, (size_t)(e - b)) : NULL;
            char *stmt_end = strchr(line, ';');
            if (f != NULL && stmt_end != NULL) {
                /* Doc: this prototype's own lines (trailing comments), and
                 * the comment block above it, passing over the prototypes
                 * of its group (code-only lines) on the way up; a blank line
                 * or another line of code after that block ends it. */
                size_t off = (size_t)(line - hb);
                size_t end = (size_t)(stmt_end - hb);
                while (hb[end] && hb[end] != '\n')
                    end++;
                unsigned documented = codes_in(h + off, h + end);
                int in_block = 0;
                for (size_t up = off; up > 0;) {
                    size_t start = up - 1; /* the '\n' ending the line above */
                    while (start > 0 && h[start - 1] != '\n')
                        start--;
                    int blank_line = 1, code = 0;
                    for (size_t k = start; k < up - 1; k++) {
                        blank_line &= isspace((unsigned char)h[k]) != 0;
                        code |= !isspace((unsigned char)hb[k]);
                    }
                    if (blank_line || (code && in_block))
                        break;
                    if (!code) {
                        in_block = 1;
                        documented |= codes_in(h + start, h + up);
                    }
                    up = start;
                }
                unsigned undocumented = f->all & ~documented;
                checked++;
                for (int c = 0; c < NCODES && codes[c]; c++)
                    if (undocumented & (1u << c)) {
                        missing++;
                        size_t used = strlen(report);
                        snprintf(report + used, sizeof report - used, "\n  %s can return %s",
                                 f->name, codes[c]);
                    }
            }
        }
        line = nl ? nl + 1 : line + len;
    }
    ck_assert_int_gt(checked, 60);
    if (missing)
        fprintf(stderr, "undocumented errors in libarr/arr.h:%s\n", report);
    ck_assert_msg(missing == 0, "%d undocumented errors in arr.h (listed above)", missing);
    free(hb);
    free(h);
    for (int i = 0; i < nfns; i++)
        free(fns[i].body);
    nfns = 0;
}
END_TEST

static Suite *make_suite(void)
{
    /* The repository root, from this file's path as the build gave it. */
    const char *me = __FILE__, *tail = strstr(me, "tests/unit/test_errors_doc.c");
    snprintf(root, sizeof root, "%.*s", tail ? (int)(tail - me) : 0, me);
    Suite *s = suite_create("errors_doc");
    TCase *tc = tcase_create("errors_doc");
    tcase_add_test(tc, every_error_is_documented);
    suite_add_tcase(s, tc);
    return s;
}

ARR_TEST_MAIN()
