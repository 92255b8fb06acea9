/* sites.c - where a buffer was made or freed: the site of the current
 * Python line.  A site is (code object, instruction offset) of the
 * innermost frame whose code is not NumPy's; it is interned once (a hash
 * lookup per event) in R.sites, which also holds its counters.  GIL held
 * for everything here; R.sites grows under rec_lock (the handler's
 * lock-holding paths index it). */
#include "arrdbg.h"

/* Internal-code table: code object -> 1 (NumPy's) / 2 (the user's).  And
 * the site table's index: (code, lasti) -> site + 1. */
struct code_slot {
    PyObject *code;
    int kind;
};
static struct code_slot *codes;
static size_t code_cap, code_count;
struct site_slot {
    PyObject *code;
    int lasti;
    uint32_t site_plus1;
};
static struct site_slot *site_index;
static size_t site_index_cap, site_cap;

static char **internal_prefixes; /* directories whose code is "NumPy's" */
static size_t n_internal_prefixes;

static int site_reserve(size_t n)
{
    if (n <= site_cap)
        return 0;
    size_t ncap = site_cap ? site_cap * 2 : 256;
    while (ncap < n)
        ncap *= 2;
    pthread_mutex_lock(&rec_lock);
    struct arrdbg_np_site *s = realloc(R.sites, ncap * sizeof *s);
    if (s) {
        memset(s + site_cap, 0, (ncap - site_cap) * sizeof *s);
        R.sites = s;
        site_cap = ncap;
    }
    pthread_mutex_unlock(&rec_lock);
    return s ? 0 : -1;
}

static int code_live(const void *slot, size_t *hash)
{
    PyObject *code = ((const struct code_slot *)slot)->code;
    *hash = tab_hash_ptr((uintptr_t)code);
    return code != NULL;
}

static size_t site_slot_hash(PyObject *code, int lasti)
{
    return tab_hash_ptr((uintptr_t)code) ^ (size_t)lasti;
}

static int site_slot_live(const void *slot, size_t *hash)
{
    const struct site_slot *s = slot;
    *hash = site_slot_hash(s->code, s->lasti);
    return s->code != NULL;
}

static int code_kind(PyObject *code)
{
    size_t mask = code_cap - 1;
    size_t i = code_cap ? tab_hash_ptr((uintptr_t)code) & mask : 0;
    if (code_cap) {
        for (;; i = (i + 1) & mask) {
            if (codes[i].code == code)
                return codes[i].kind;
            if (!codes[i].code)
                break;
        }
    }
    int kind = 2;
    PyObject *fn = ((PyCodeObject *)code)->co_filename;
    const char *f = fn && PyUnicode_Check(fn) ? PyUnicode_AsUTF8(fn) : NULL;
    if (!f)
        PyErr_Clear();
    for (size_t k = 0; f && k < n_internal_prefixes; k++)
        if (strncmp(f, internal_prefixes[k], strlen(internal_prefixes[k])) == 0)
            kind = 1;
    if ((code_count + 1) * 2 > code_cap) {
        size_t ncap = code_cap ? code_cap * 2 : 512;
        struct code_slot *n = tab_rehash(codes, code_cap, ncap, sizeof *n, code_live);
        if (!n)
            return kind;
        free(codes);
        codes = n;
        code_cap = ncap;
        mask = ncap - 1;
    }
    i = tab_hash_ptr((uintptr_t)code) & mask;
    while (codes[i].code)
        i = (i + 1) & mask;
    Py_INCREF(code); /* keeps the address from being reused */
    codes[i].code = code;
    codes[i].kind = kind;
    code_count++;
    return kind;
}

static const char *dup_utf8(PyObject *s, const char *fallback)
{
    const char *u = s && PyUnicode_Check(s) ? PyUnicode_AsUTF8(s) : NULL;
    if (!u) {
        PyErr_Clear();
        u = fallback;
    }
    char *d = strdup(u);
    return d ? d : fallback;
}

static uint32_t site_intern(PyObject *code, int lasti, PyObject *np_code)
{
    if ((R.nsites + 1) * 2 > site_index_cap) {
        size_t ncap = site_index_cap ? site_index_cap * 2 : 512;
        struct site_slot *n = tab_rehash(site_index, site_index_cap, ncap, sizeof *n,
                                         site_slot_live);
        if (!n)
            return SITE_NOFRAME;
        free(site_index);
        site_index = n;
        site_index_cap = ncap;
    }
    size_t mask = site_index_cap - 1;
    size_t i = site_slot_hash(code, lasti) & mask;
    for (; site_index[i].code; i = (i + 1) & mask)
        if (site_index[i].code == code && site_index[i].lasti == lasti)
            return site_index[i].site_plus1 - 1;
    if (site_reserve(R.nsites + 1) < 0)
        return SITE_NOFRAME;
    PyCodeObject *co = (PyCodeObject *)code;
    struct arrdbg_np_site s;
    memset(&s, 0, sizeof s);
    s.file = dup_utf8(co->co_filename, "?");
    s.func = dup_utf8(co->co_name, "?");
    s.lasti = lasti;
    s.line = lasti >= 0 ? PyCode_Addr2Line(co, lasti) : co->co_firstlineno;
    Py_INCREF(code);
    s.code = code;
    Py_XINCREF(np_code);
    s.np_code = np_code;
    uint32_t idx = (uint32_t)R.nsites;
    pthread_mutex_lock(&rec_lock);
    R.sites[idx] = s;
    R.nsites++;
    pthread_mutex_unlock(&rec_lock);
    site_index[i].code = code;
    site_index[i].lasti = lasti;
    site_index[i].site_plus1 = idx + 1;
    pend_classify();
    return idx;
}

/* The site of the current Python line: the innermost frame whose code is
 * not NumPy's.  GIL held.  Never leaves an exception set. */
uint32_t site_current(void)
{
    PyFrameObject *f = PyEval_GetFrame(); /* borrowed */
    if (!f)
        return SITE_NOFRAME;
    PyObject *et, *ev, *tb;
    PyErr_Fetch(&et, &ev, &tb);
    uint32_t site = SITE_NOFRAME;
    PyObject *np_code = NULL;
    Py_INCREF(f);
    for (int depth = 0; f && depth < 64; depth++) {
        PyObject *code = (PyObject *)PyFrame_GetCode(f);
        if (code_kind(code) == 2) {
#if PY_VERSION_HEX >= 0x030B0000
            int lasti = PyFrame_GetLasti(f);
#else
            int lasti = f->f_lasti * 2;
#endif
            site = site_intern(code, lasti, np_code);
            Py_DECREF(code);
            break;
        }
        Py_XSETREF(np_code, code);
        PyFrameObject *back = PyFrame_GetBack(f);
        Py_DECREF(f);
        f = back;
    }
    Py_XDECREF(f);
    Py_XDECREF(np_code);
    PyErr_Clear();
    PyErr_Restore(et, ev, tb);
    return site;
}

uint32_t site_now(void)
{
    return PyGILState_Check() ? site_current() : SITE_NOGIL;
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
        const char *s = PyUnicode_AsUTF8(PyList_GET_ITEM(prefixes, i));
        if (!s)
            return -1;
        internal_prefixes[n_internal_prefixes++] = strdup(s);
    }
    if (site_reserve(SITE_FIRST_REAL) < 0) {
        PyErr_NoMemory();
        return -1;
    }
    pseudo_site(SITE_NOGIL, "<no GIL>");
    pseudo_site(SITE_NOFRAME, "<no Python frame>");
    R.nsites = SITE_FIRST_REAL;
    return 0;
}
