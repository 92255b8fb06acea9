/* sites.c - where a buffer was made or freed: the Python stack of the
 * moment and the thread's tag (set_tag).  A site is (stack, tag), interned
 * once; R.sites holds its counters and, for gdb and arrcheck labels, the
 * innermost frame whose code is not NumPy's.  GIL held for everything
 * here; R.sites grows under rec_lock (the handler's lock-holding paths
 * index it). */
#include "arrdbg.h"

/* Frames: (code object, instruction offset) interned once -> frame id,
 * with its file, function, line and whether its code is NumPy's.  Stacks:
 * the frame ids of every Python frame at an event, innermost first (at most
 * SITE_MAX_DEPTH; deeper frames are dropped), interned once: identical
 * stacks are one stack id.  Sites: (stack id, tag id) interned once -> a
 * site, which holds the counters (R.sites).  All three indexes are
 * open-addressing tables keyed by hash. */
#define SITE_MAX_DEPTH 256

struct frame {
    PyObject *code; /* a strong reference: keeps the address from being reused */
    int32_t lasti;
    int32_t line;
    const char *file, *func;
    int numpy; /* the code is NumPy's (an internal prefix) */
};
static struct frame *frames;
static size_t nframes, frames_cap;

struct frame_slot {
    PyObject *code;
    int lasti;
    uint32_t id_plus1;
};
static struct frame_slot *frame_index;
static size_t frame_index_cap;

struct stack {
    uint64_t hash;
    uint32_t off, depth; /* in stack_frames */
};
static struct stack *stacks;
static size_t nstacks, stacks_cap;
static uint32_t *stack_frames;
static size_t n_stack_frames, stack_frames_cap;

struct stack_slot {
    uint64_t hash;
    uint32_t id_plus1;
};
static struct stack_slot *stack_index;
static size_t stack_index_cap;

struct site_slot {
    uint32_t stack_plus1, tag, site_plus1;
};
static struct site_slot *site_index;
static size_t site_index_cap, site_cap;

/* Directories whose code is "NumPy's", with their lengths (no strlen per
 * event; under arrcheck a word-wide strlen past a short string would touch
 * a neighbouring quarantined buffer). */
struct prefix {
    const char *s;
    size_t len;
};
static struct prefix *internal_prefixes;
static size_t n_internal_prefixes;

/* Tags (set_tag): id 0 is "none"; names[id] for the others. */
static _Thread_local uint32_t cur_tag;
static int tags_used; /* a tag was ever set: until then cur_tag is 0 everywhere, unread */
static PyObject *tag_ids;  /* {name: id} */
static PyObject *tag_names; /* [None, name1, ...] */

/* Grows a plain array of *cap elements of sz bytes to hold n. */
static int grow_array(void **a, size_t *cap, size_t n, size_t sz, size_t first)
{
    if (n <= *cap)
        return 0;
    size_t ncap = *cap ? *cap * 2 : first;
    while (ncap < n)
        ncap *= 2;
    void *x = realloc(*a, ncap * sz);
    if (!x)
        return -1;
    memset((char *)x + *cap * sz, 0, (ncap - *cap) * sz);
    *a = x;
    *cap = ncap;
    return 0;
}

/* Makes room in an open-addressing index for one more of `count` entries. */
static int index_room(void **idx, size_t *cap, size_t count, size_t sz, tab_live_fn live)
{
    if ((count + 1) * 2 <= *cap)
        return 0;
    size_t ncap = *cap ? *cap * 2 : 512;
    void *n = tab_rehash(*idx, *cap, ncap, sz, live);
    if (!n)
        return -1;
    tab_free(*idx, *cap, sz);
    *idx = n;
    *cap = ncap;
    return 0;
}

static int site_reserve(size_t n)
{
    if (n <= site_cap)
        return 0;
    pthread_mutex_lock(&rec_lock); /* the handler indexes R.sites under it */
    void *a = R.sites;
    int rc = grow_array(&a, &site_cap, n, sizeof *R.sites, 256);
    R.sites = a;
    pthread_mutex_unlock(&rec_lock);
    return rc;
}

static size_t frame_hash(PyObject *code, int lasti)
{
    return tab_hash_ptr((uintptr_t)code) ^ (size_t)lasti;
}

static int frame_slot_live(const void *slot, size_t *hash)
{
    const struct frame_slot *s = slot;
    *hash = frame_hash(s->code, s->lasti);
    return s->code != NULL;
}

/* A copy of u[0..n) with 32 zero bytes after it: string functions that read
 * whole aligned words (glibc's AVX2 strlen) stay inside this block, so
 * arrcheck never sees them touch a neighbouring (quarantined) buffer. */
static const char *padded_copy(const char *u, size_t n, const char *fallback)
{
    char *d = calloc(1, n + 33);
    if (!d)
        return fallback;
    memcpy(d, u, n);
    return d;
}

/* s as the file system encodes names: UTF-8, or a surrogate-escaped path's
 * own bytes (a directory whose name is not UTF-8). */
static const char *dup_name(PyObject *s, const char *fallback)
{
    Py_ssize_t n = 0;
    const char *u = s && PyUnicode_Check(s) ? PyUnicode_AsUTF8AndSize(s, &n) : NULL;
    if (u)
        return padded_copy(u, (size_t)n, fallback);
    PyErr_Clear();
    PyObject *b = s && PyUnicode_Check(s) ? PyUnicode_EncodeFSDefault(s) : NULL;
    const char *d = b ? padded_copy(PyBytes_AS_STRING(b), (size_t)PyBytes_GET_SIZE(b), fallback)
                      : fallback;
    Py_XDECREF(b);
    PyErr_Clear();
    return d;
}

static int is_numpy_file(const char *f)
{
    for (size_t k = 0; k < n_internal_prefixes; k++)
        if (strncmp(f, internal_prefixes[k].s, internal_prefixes[k].len) == 0)
            return 1;
    return 0;
}

/* The id of frame (code, lasti), interned; UINT32_MAX when out of memory. */
static uint32_t frame_intern(PyObject *code, int lasti)
{
    if (index_room((void **)&frame_index, &frame_index_cap, nframes, sizeof *frame_index,
                   frame_slot_live) < 0)
        return UINT32_MAX;
    size_t mask = frame_index_cap - 1;
    size_t i = frame_hash(code, lasti) & mask;
    for (; frame_index[i].code; i = (i + 1) & mask)
        if (frame_index[i].code == code && frame_index[i].lasti == lasti)
            return frame_index[i].id_plus1 - 1;
    if (grow_array((void **)&frames, &frames_cap, nframes + 1, sizeof *frames, 512) < 0)
        return UINT32_MAX;
    PyCodeObject *co = (PyCodeObject *)code;
    struct frame *f = &frames[nframes];
    Py_INCREF(code);
    f->code = code;
    f->lasti = lasti;
    f->line = lasti >= 0 ? PyCode_Addr2Line(co, lasti) : co->co_firstlineno;
    f->file = dup_name(co->co_filename, "?");
    f->func = dup_name(co->co_name, "?");
    f->numpy = is_numpy_file(f->file);
    frame_index[i].code = code;
    frame_index[i].lasti = lasti;
    frame_index[i].id_plus1 = (uint32_t)nframes + 1;
    return (uint32_t)nframes++;
}

static int stack_slot_live(const void *slot, size_t *hash)
{
    const struct stack_slot *s = slot;
    *hash = (size_t)s->hash;
    return s->id_plus1 != 0;
}

/* The id of the stack ids[0..n), interned: one hash of the ids, one
 * probe sequence comparing whole stacks.  UINT32_MAX when out of memory. */
static uint32_t stack_intern(const uint32_t *ids, uint32_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ n;
    for (uint32_t k = 0; k < n; k++)
        h = (h ^ ids[k]) * 0x100000001b3ULL;
    h ^= h >> 29;
    if (index_room((void **)&stack_index, &stack_index_cap, nstacks, sizeof *stack_index,
                   stack_slot_live) < 0)
        return UINT32_MAX;
    size_t mask = stack_index_cap - 1;
    size_t i = (size_t)h & mask;
    for (; stack_index[i].id_plus1; i = (i + 1) & mask) {
        const struct stack *s = &stacks[stack_index[i].id_plus1 - 1];
        if (s->hash == h && s->depth == n &&
            memcmp(stack_frames + s->off, ids, n * sizeof *ids) == 0)
            return stack_index[i].id_plus1 - 1;
    }
    if (grow_array((void **)&stacks, &stacks_cap, nstacks + 1, sizeof *stacks, 512) < 0 ||
        grow_array((void **)&stack_frames, &stack_frames_cap, n_stack_frames + n,
                   sizeof *stack_frames, 4096) < 0)
        return UINT32_MAX;
    memcpy(stack_frames + n_stack_frames, ids, n * sizeof *ids);
    stacks[nstacks] = (struct stack){h, (uint32_t)n_stack_frames, n};
    n_stack_frames += n;
    stack_index[i].hash = h;
    stack_index[i].id_plus1 = (uint32_t)nstacks + 1;
    return (uint32_t)nstacks++;
}

static size_t site_hash(uint32_t stack, uint32_t tag)
{
    return tab_hash_ptr(((uintptr_t)tag << 32) | stack);
}

static int site_slot_live(const void *slot, size_t *hash)
{
    const struct site_slot *s = slot;
    *hash = site_hash(s->stack_plus1 - 1, s->tag);
    return s->stack_plus1 != 0;
}

/* The site of (stack, tag), interned.  A new site takes its file, line and
 * function from the innermost frame whose code is not NumPy's (the leaf),
 * and the code of the frame inside it (NumPy's, for the classifier). */
static uint32_t site_intern(uint32_t stack, uint32_t tag)
{
    if (index_room((void **)&site_index, &site_index_cap, R.nsites, sizeof *site_index,
                   site_slot_live) < 0)
        return SITE_NOFRAME;
    size_t mask = site_index_cap - 1;
    size_t i = site_hash(stack, tag) & mask;
    for (; site_index[i].stack_plus1; i = (i + 1) & mask)
        if (site_index[i].stack_plus1 == stack + 1 && site_index[i].tag == tag)
            return site_index[i].site_plus1 - 1;
    if (site_reserve(R.nsites + 1) < 0)
        return SITE_NOFRAME;
    const struct stack *st = &stacks[stack];
    const uint32_t *ids = stack_frames + st->off;
    uint32_t leaf = 0;
    while (leaf + 1 < st->depth && frames[ids[leaf]].numpy)
        leaf++;
    const struct frame *f = &frames[ids[leaf]];
    struct arrdbg_np_site s;
    memset(&s, 0, sizeof s);
    s.file = f->file;
    s.func = f->func;
    s.lasti = f->lasti;
    s.line = f->line;
    s.code = f->code;
    s.np_code = leaf > 0 ? frames[ids[leaf - 1]].code : NULL;
    s.stack = stack;
    s.tag = tag;
    uint32_t idx = (uint32_t)R.nsites;
    pthread_mutex_lock(&rec_lock);
    R.sites[idx] = s;
    R.nsites++;
    pthread_mutex_unlock(&rec_lock);
    site_index[i].stack_plus1 = stack + 1;
    site_index[i].tag = tag;
    site_index[i].site_plus1 = idx + 1;
    pend_classify();
    return idx;
}

/* The site of this moment: the whole Python stack (walked from the
 * innermost frame, one frame lookup each) and the thread's tag.  O(depth)
 * per event, each step an O(1) expected hash probe, then one stack and
 * one site lookup.  GIL held.  Never leaves an exception set. */
/* The last walk and its site: the same raw stack (code objects, which the
 * frame table keeps alive, and offsets) with the same tag is the same site
 * without a lookup.  Several events in a row usually come from one line
 * (the array object, its buffer, a temporary's free). */
static struct {
    PyObject *codes[SITE_MAX_DEPTH];
    int lastis[SITE_MAX_DEPTH];
    int depth;
    uint32_t tag, site;
} last = {.depth = -1};

uint32_t site_current(void)
{
    PyObject *codes[SITE_MAX_DEPTH];
    int lastis[SITE_MAX_DEPTH];
    uint32_t ids[SITE_MAX_DEPTH];
    int depth = walk_stack(codes, lastis, SITE_MAX_DEPTH);
    if (depth <= 0)
        return SITE_NOFRAME;
    uint32_t tag = tags_used ? cur_tag : 0;
    if (depth == last.depth && tag == last.tag) {
        int k = 0; /* a loop: stacks are a few frames, a memcmp call costs more */
        while (k < depth && codes[k] == last.codes[k] && lastis[k] == last.lastis[k])
            k++;
        if (k == depth)
            return last.site;
    }
    PyObject *et, *ev, *tb;
    PyErr_Fetch(&et, &ev, &tb);
    uint32_t n = 0;
    for (int k = 0; k < depth; k++) {
        uint32_t id = frame_intern(codes[k], lastis[k]);
        if (id == UINT32_MAX)
            break;
        ids[n++] = id;
    }
    uint32_t site = SITE_NOFRAME;
    if (n > 0) {
        uint32_t stack = stack_intern(ids, n);
        if (stack != UINT32_MAX)
            site = site_intern(stack, tag);
    }
    if ((int)n == depth && site != SITE_NOFRAME) {
        memcpy(last.codes, codes, (size_t)depth * sizeof *codes);
        memcpy(last.lastis, lastis, (size_t)depth * sizeof *lastis);
        last.depth = depth;
        last.tag = tag;
        last.site = site;
    }
    PyErr_Clear();
    PyErr_Restore(et, ev, tb);
    return site;
}

uint32_t site_now(void)
{
    return PyGILState_Check() ? site_current() : SITE_NOGIL;
}

/* The tag of this thread's allocations from now on: a str, or None for
 * no tag.  Returns the previous one (a new reference). */
PyObject *site_set_tag(PyObject *name)
{
    PyObject *old = PyList_GET_ITEM(tag_names, cur_tag);
    Py_INCREF(old);
    if (name == Py_None) {
        cur_tag = 0;
        return old;
    }
    PyObject *id = PyDict_GetItemWithError(tag_ids, name); /* borrowed */
    if (!id) {
        if (PyErr_Occurred())
            goto fail;
        id = PyLong_FromSsize_t(PyList_GET_SIZE(tag_names));
        if (!id || PyDict_SetItem(tag_ids, name, id) < 0 || PyList_Append(tag_names, name) < 0) {
            Py_XDECREF(id);
            goto fail;
        }
        Py_DECREF(id);
        id = PyDict_GetItem(tag_ids, name);
    }
    cur_tag = (uint32_t)PyLong_AsUnsignedLong(id);
    tags_used = 1;
    return old;
fail:
    Py_DECREF(old);
    return NULL;
}

/* The tag names by id (borrowed; [0] is None). */
PyObject *site_tag_names(void)
{
    return tag_names;
}

/* [(file, func, line, code, lasti, numpy)] of every frame, by id (numpy:
 * its code is NumPy's). */
PyObject *site_frames(void)
{
    PyObject *l = PyList_New((Py_ssize_t)nframes);
    for (size_t i = 0; l && i < nframes; i++) {
        const struct frame *f = &frames[i];
        PyObject *file = PyUnicode_DecodeFSDefault(f->file);
        PyObject *t = file ? Py_BuildValue("(NsiOii)", file, f->func, (int)f->line, f->code,
                                           (int)f->lasti, f->numpy)
                           : NULL;
        if (!t)
            Py_CLEAR(l);
        else
            PyList_SET_ITEM(l, (Py_ssize_t)i, t);
    }
    return l;
}

/* [(frame ids, innermost first)] of every stack, by id. */
PyObject *site_stacks(void)
{
    PyObject *l = PyList_New((Py_ssize_t)nstacks);
    for (size_t i = 0; l && i < nstacks; i++) {
        PyObject *t = PyTuple_New(stacks[i].depth);
        for (uint32_t k = 0; t && k < stacks[i].depth; k++) {
            PyObject *v = PyLong_FromUnsignedLong(stack_frames[stacks[i].off + k]);
            if (!v)
                Py_CLEAR(t);
            else
                PyTuple_SET_ITEM(t, k, v);
        }
        if (!t)
            Py_CLEAR(l);
        else
            PyList_SET_ITEM(l, (Py_ssize_t)i, t);
    }
    return l;
}

/* A site that is no Python line (R.sites[idx], reserved). */
static void pseudo_site(uint32_t idx, const char *file)
{
    R.sites[idx].file = file;
    R.sites[idx].func = "?";
    R.sites[idx].lasti = -1;
    strcpy(R.sites[idx].op, "?");
    strcpy(R.sites[idx].kind, "unknown");
}

/* install(): the directories whose code is "NumPy's" (a list of str) and
 * the pseudo-sites.  -1 with an exception set. */
int site_setup(PyObject *prefixes)
{
    Py_ssize_t n = PyList_GET_SIZE(prefixes);
    internal_prefixes = calloc((size_t)n + 1, sizeof *internal_prefixes);
    if (!internal_prefixes) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_ssize_t len;
        const char *s = PyUnicode_AsUTF8AndSize(PyList_GET_ITEM(prefixes, i), &len);
        if (!s)
            return -1;
        internal_prefixes[n_internal_prefixes++] =
            (struct prefix){padded_copy(s, (size_t)len, ""), (size_t)len};
    }
    tag_ids = PyDict_New();
    tag_names = Py_BuildValue("[O]", Py_None);
    if (!tag_ids || !tag_names)
        return -1;
    if (site_reserve(SITE_FIRST_REAL) < 0) {
        PyErr_NoMemory();
        return -1;
    }
    pseudo_site(SITE_NOGIL, "<no GIL>");
    pseudo_site(SITE_NOFRAME, "<no Python frame>");
    R.nsites = SITE_FIRST_REAL;
    return 0;
}
