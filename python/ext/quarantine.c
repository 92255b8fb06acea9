/* quarantine.c - under arrcheck (RUNNING_ON_VALGRIND and arrcheck answers
 * a request, tested once at install; under memcheck or any other tool
 * nothing here runs, so memcheck sees NumPy's frees as they happen): each
 * buffer is an arrcheck owner (arrcheck.h) labelled with
 * its Python file:line, and freed buffers stay in a small quarantine so a
 * C extension that reads one after NumPy freed it gets DanglingAccess.
 * Natively none of this runs (one predictable branch per event).  Every
 * function here runs with rec_lock held, except vg_declare_libraries.
 *
 * Ids: an arrcheck of level 3 or more numbers the arrays of every library
 * in the process (ARRCHECK_NEW_ID), so a NumPy buffer never takes the id of
 * a libarr or GSL array in the same process; its id is then asked back from
 * the buffer's address when it is freed (ARRCHECK_ID_OF: no table here).
 * Below level 3 a buffer's id is its event number (seq).  The label says
 * which event made a buffer whenever its id is not that event's number:
 * "prog.py:12 (event 5)", the event the arrdbg report shows. */
#include "arrdbg.h"
#include "arrcheck.h"

int vg_on, vg_q_off;
static int vg_tool_ids; /* ids from ARRCHECK_NEW_ID (arrcheck level >= 3) */

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
    size_t sl = strlen(suffix), len = strlen(file);
    size_t room = sl < ARRCHECK_LABEL_MAX - 1 ? ARRCHECK_LABEL_MAX - 1 - sl : 0;
    snprintf(out, ARRCHECK_LABEL_MAX, "%s%s", len > room ? file + (len - room) : file, suffix);
}

/* " (event SEQ)" when the buffer's arrcheck id is not its event number,
 * else "".  out: VG_EVENT_MAX bytes. */
#define VG_EVENT_MAX 32
static void vg_event(char *out, uint64_t id, uint64_t seq)
{
    out[0] = 0;
    if (id != seq)
        snprintf(out, VG_EVENT_MAX, " (event %llu)", (unsigned long long)seq);
}

/* "file.py:12": the owner's label while it lives, then EV (vg_event).
 * out: ARRCHECK_LABEL_MAX bytes. */
static void vg_label(char *out, uint32_t site, const char *ev)
{
    const struct arrdbg_np_site *s = &R.sites[site];
    char suffix[16 + VG_EVENT_MAX];
    snprintf(suffix, sizeof suffix, ":%d%s", (int)s->line, ev);
    vg_site_label(out, base_name(s->file), suffix);
}

/* "file.py:12..30" (made at line 12, freed at line 30 of the same file) or
 * "a.py:12..b.py:30": the label once NumPy freed it; "a.py:12" when it was
 * freed where there is no Python line ("<no GIL>", "<no Python frame>":
 * at exit) or when the second form does not fit.  Then EV (vg_event). */
static void vg_freed_label(char *out, uint32_t made, uint32_t freed, const char *ev)
{
    const struct arrdbg_np_site *m = &R.sites[made], *f = &R.sites[freed];
    char suffix[ARRCHECK_LABEL_MAX + VG_EVENT_MAX];
    if (f->file[0] == '<') {
        vg_label(out, made, ev);
    } else if (strcmp(m->file, f->file) == 0) {
        snprintf(suffix, sizeof suffix, ":%d..%d%s", (int)m->line, (int)f->line, ev);
        vg_site_label(out, base_name(m->file), suffix);
    } else if ((size_t)snprintf(out, ARRCHECK_LABEL_MAX, "%s:%d..%s:%d%s", base_name(m->file),
                                (int)m->line, base_name(f->file), (int)f->line,
                                ev) >= ARRCHECK_LABEL_MAX) {
        vg_label(out, made, ev);
    }
}

void vg_owner_created(void *p, size_t bytes, uint64_t seq, uint32_t site)
{
    uint64_t id = vg_tool_ids ? (uint64_t)ARRCHECK_NEW_ID() : seq;
    char label[ARRCHECK_LABEL_MAX], ev[VG_EVENT_MAX];
    vg_event(ev, id, seq);
    vg_label(label, site, ev);
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
/* The id arrcheck knows the live buffer P by (vg_owner_created), and its
 * freed label into LABEL.  Returns 0 when arrcheck has no array at P (it
 * refused the creation, with a warning). */
static uint64_t vg_freed_id(char *label, void *p, uint64_t seq, uint32_t made, uint32_t freed)
{
    uint64_t id = vg_tool_ids ? (uint64_t)ARRCHECK_ID_OF(p) : seq;
    char ev[VG_EVENT_MAX];
    vg_event(ev, id, seq);
    vg_freed_label(label, made, freed, ev);
    return id;
}

void vg_quarantine(void *p, PyDataMemAllocator *a, size_t bytes, uint64_t seq, uint32_t made,
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
    uint64_t id = vg_freed_id(label, p, seq, made, freed);
    if (id) {
        (void)ARRCHECK_LABEL(id, label);
        (void)ARRCHECK_FREED_TO_QUARANTINE(id, p);
    }
}

/* A free that goes straight back (after vg_release_all). */
void vg_freed(void *p, uint64_t seq, uint32_t made, uint32_t freed)
{
    char label[ARRCHECK_LABEL_MAX];
    uint64_t id = vg_freed_id(label, p, seq, made, freed);
    if (id) {
        (void)ARRCHECK_LABEL(id, label);
        (void)ARRCHECK_FREED(id, p);
    }
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
    vg_tool_ids = answered && ARRCHECK_RUNNING() >= 3;
    return answered;
}
