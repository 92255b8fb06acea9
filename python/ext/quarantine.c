/* quarantine.c - under arrcheck (RUNNING_ON_VALGRIND and arrcheck answers
 * a request, tested once at install; under memcheck or any other tool
 * nothing here runs, so memcheck sees NumPy's frees as they happen): each
 * buffer is an arrcheck owner (arrcheck.h) labelled with
 * its Python file:line, and freed buffers stay in a small quarantine so a
 * C extension that reads one after NumPy freed it gets DanglingAccess.
 * Natively none of this runs (one predictable branch per event).  Every
 * function here runs with rec_lock held, except vg_declare_libraries. */
#include "arrdbg.h"
#include "arrcheck.h"

int vg_on, vg_q_off;

/* At most this many freed buffers (and bytes) are kept back; the oldest
 * goes first.  arrcheck checks every access against the quarantined ranges,
 * so the list stays short. */
#define QUARANTINE_SLOTS 16
#define QUARANTINE_BYTES (256u << 20)
struct qentry {
    void *ptr;
    PyDataMemAllocator *a; /* gives it back */
    size_t bytes;
};
static struct qentry quarantine[QUARANTINE_SLOTS];
static size_t q_head, q_bytes;
size_t vg_q_len;

static const char *base_name(const char *path)
{
    const char *b = strrchr(path, '/');
    return b ? b + 1 : path;
}

/* FILE then suffix, within arrcheck's label limit and never cut by the
 * tool (arrcheck.h: "Labels that name a source place"): a long file name
 * loses its start, so its end (".py") and the line numbers stay. */
static void vg_site_label(char *out, const char *file, const char *suffix)
{
    size_t room = ARRCHECK_LABEL_MAX - 1 - strlen(suffix), len = strlen(file);
    snprintf(out, ARRCHECK_LABEL_MAX, "%s%s", len > room ? file + (len - room) : file, suffix);
}

/* "file.py:12": the owner's label while it lives.  out: ARRCHECK_LABEL_MAX
 * bytes. */
static void vg_label(char *out, uint32_t site)
{
    const struct arrdbg_np_site *s = &R.sites[site];
    char suffix[16];
    snprintf(suffix, sizeof suffix, ":%d", (int)s->line);
    vg_site_label(out, base_name(s->file), suffix);
}

/* "file.py:12..30" (made at line 12, freed at line 30 of the same file) or
 * "a.py:12..b.py:30": the label once NumPy freed it; "a.py:12" when it was
 * freed where there is no Python line ("<no GIL>", "<no Python frame>":
 * at exit) or when the second form does not fit. */
static void vg_freed_label(char *out, uint32_t made, uint32_t freed)
{
    const struct arrdbg_np_site *m = &R.sites[made], *f = &R.sites[freed];
    char suffix[ARRCHECK_LABEL_MAX];
    if (f->file[0] == '<') {
        vg_label(out, made);
    } else if (strcmp(m->file, f->file) == 0) {
        snprintf(suffix, sizeof suffix, ":%d..%d", (int)m->line, (int)f->line);
        vg_site_label(out, base_name(m->file), suffix);
    } else if ((size_t)snprintf(out, ARRCHECK_LABEL_MAX, "%s:%d..%s:%d", base_name(m->file),
                                (int)m->line, base_name(f->file),
                                (int)f->line) >= ARRCHECK_LABEL_MAX) {
        vg_label(out, made);
    }
}

void vg_owner_created(void *p, size_t bytes, uint64_t id, uint32_t site)
{
    char label[ARRCHECK_LABEL_MAX];
    vg_label(label, site);
    /* The site's op once the classifier has named it (a site seen before);
     * "call NAME" ops go as their kind so the tool's name table stays small. */
    const struct arrdbg_np_site *st = &R.sites[site];
    const char *op = !st->op[0] ? "numpy" : strncmp(st->op, "call ", 5) == 0 ? st->kind : st->op;
    int is_copy = strcmp(st->kind, "copy") == 0;
    int64_t shape[1] = {(int64_t)bytes}, strides[1] = {1};
    struct arrcheck_array_info info = {
        .version = ARRCHECK_PROTOCOL_VERSION,
        .size = sizeof info,
        .id = id,
        .base_id = id,
        .handle = p,
        .handle_bytes = 1,
        .buffer = p,
        .buffer_bytes = bytes,
        .extent_lo = 0,
        .extent_hi = (int64_t)bytes,
        .dtype = 0,
        .itemsize = 1,
        .ndim = 1,
        .op = 0,
        .is_copy = is_copy,
        .owndata = 1,
        .shape = shape,
        .strides = strides,
        .dtype_name = "uint8",
        .op_name = op,
        .label = label,
    };
    (void)ARRCHECK_OWNER_CREATED(&info);
}

static void vg_release_oldest(void)
{
    struct qentry *q = &quarantine[q_head];
    (void)ARRCHECK_QUARANTINE_RELEASED(q->ptr);
    q->a->free(q->a->ctx, q->ptr, q->bytes);
    q_bytes -= q->bytes;
    q_head = (q_head + 1) % QUARANTINE_SLOTS;
    vg_q_len--;
}

/* The owner is freed into the quarantine (ARRCHECK_FREED_TO_QUARANTINE):
 * arrcheck counts its bytes as freed now, keeps watching the buffer and
 * reports an access to it as DanglingAccess until vg_release_oldest gives
 * it back. */
void vg_quarantine(void *p, PyDataMemAllocator *a, size_t bytes, uint64_t id, uint32_t made,
                   uint32_t freed)
{
    while (vg_q_len > 0 && (vg_q_len == QUARANTINE_SLOTS || q_bytes + bytes > QUARANTINE_BYTES))
        vg_release_oldest();
    struct qentry *q = &quarantine[(q_head + vg_q_len) % QUARANTINE_SLOTS];
    q->ptr = p;
    q->a = a;
    q->bytes = bytes;
    vg_q_len++;
    q_bytes += bytes;
    char label[ARRCHECK_LABEL_MAX];
    vg_freed_label(label, made, freed);
    (void)ARRCHECK_LABEL(id, label);
    (void)ARRCHECK_FREED_TO_QUARANTINE(id, p);
}

/* A free that goes straight back (after vg_release_all). */
void vg_freed(void *p, uint64_t id, uint32_t made, uint32_t freed)
{
    char label[ARRCHECK_LABEL_MAX];
    vg_freed_label(label, made, freed);
    (void)ARRCHECK_LABEL(id, label);
    (void)ARRCHECK_FREED(id, p);
}

/* At exit: every quarantined buffer goes back, and none is kept from now
 * on (the memory is returned before the tool's final checks). */
void vg_release_all(void)
{
    while (vg_q_len > 0)
        vg_release_oldest();
    vg_q_off = 1;
}

/* Returns 1 when the tool is arrcheck (it answered), 0 under any other
 * Valgrind tool (memcheck, ...).
 * arrcheck's stacks and profile attribute an array to the first frame that
 * is not a declared library's, and a copy's creation window lasts until
 * the outermost library frame returns: declare this handler and NumPy's
 * compiled modules, so NumPy filling a new buffer is part of making it
 * (not a write after it was made) and stacks start at NumPy's frame. */
int vg_declare_libraries(void)
{
    static const char *const objects[][2] = {
        {"arrdbg-numpy-handler", "_arrdbg"},
        {"numpy-core", "_multiarray_umath"},
        {"numpy-random-mtrand", "mtrand"},
        {"numpy-random-generator", "_generator"},
        {"numpy-linalg", "_umath_linalg"},
    };
    int answered = 0;
    for (size_t i = 0; i < sizeof objects / sizeof objects[0]; i++) {
        struct arrcheck_library lib = {
            .version = ARRCHECK_PROTOCOL_VERSION,
            .size = sizeof lib,
            .name = objects[i][0],
            .prefix = NULL,
            .srcdir = NULL,
            .object = objects[i][1],
        };
        /* arrcheck answers 0; a tool that does not know the request
         * returns the default given here. */
        if (VALGRIND_DO_CLIENT_REQUEST_EXPR(1, VG_USERREQ__ARR_LIBRARY, &lib, 0, 0, 0, 0) == 0)
            answered = 1;
    }
    return answered;
}
