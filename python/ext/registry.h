/* registry.h - the in-memory registry of arrdbg's NumPy data-memory handler.
 *
 * This file is the one description of the layout.  The handler
 * (python/ext/records.c and sites.c) fills it; gdb's reader
 * (gdb/python/arrdbg_gdb/numpy_registry.py) reads it from a live python3
 * or its core without running any code in the inferior.  The reader needs
 * only the fixed header below: every other offset and size is stored in
 * the root itself (the *_off / *_size fields, filled with offsetof/sizeof at
 * compile time), so adding a field never breaks an older reader.
 *
 * Root: the exported symbol `arrdbg_numpy_registry` (struct arrdbg_np_root)
 * in the extension module _arrdbg*.so.  Fixed header (version 1):
 *
 *   offset  size  field
 *        0     8  magic        ARRDBG_NP_MAGIC ("ARRDBGNP" little-endian)
 *        8     4  version      ARRDBG_NP_VERSION
 *       12     4  root_size    sizeof(struct arrdbg_np_root)
 *       16     4  nfields      number of u32 entries in layout[] below
 *       20     4  (padding)
 *       24   4*n  layout[]     offsets/sizes, indexed by enum arrdbg_np_field
 *
 * A site is one (Python stack, tag); file/func/line are its innermost frame
 * whose code is not NumPy's.
 *
 * Records (one per live NumPy data buffer made through the handler) are an
 * open-addressing hash table keyed by the buffer address: `recs` points to
 * `rec_cap` slots of `rec_size` bytes; a slot whose ptr is 0 is empty and 1
 * is a deleted slot.  Sites (where buffers were made or freed) are an array
 * of `nsites` entries of `site_size` bytes at `sites`; a record's `site` is
 * an index into it.  `objs` is a hash table of `obj_cap` slots of
 * `obj_size` bytes: the address of every live ndarray object made since
 * install (views too) at `obj_ptr`, 0 empty, 1 deleted.  Strings are NUL-terminated UTF-8 in the process's
 * memory, never freed while the module lives.  `op` is filled shortly after
 * a site is first seen (a pending call runs the classifier) and is "" until
 * then.  The lock is not taken by a reader: gdb reads a stopped process.
 */
#ifndef ARRDBG_NP_REGISTRY_H
#define ARRDBG_NP_REGISTRY_H

#include <stdint.h>

#define ARRDBG_NP_MAGIC 0x504e474244525241ULL /* "ARRDBGNP" */
#define ARRDBG_NP_VERSION 1u
#define ARRDBG_NP_OP_LEN 32

struct arrdbg_np_rec {
    uint64_t ptr;    /* buffer start; 0 empty, 1 deleted */
    uint64_t bytes;  /* as asked of the handler */
    uint64_t seq;    /* allocation event number, from 1; the arrcheck id */
    uint32_t site;   /* where it was made (index into sites) */
    uint32_t flags;  /* 0 (reserved); a freed buffer in the Valgrind
                        quarantine has no record */
};

struct arrdbg_np_site {
    const char *file;        /* co_filename, or "<no GIL>" / "<no frame>" */
    const char *func;        /* co_name of the frame */
    int32_t line;            /* 0 when unknown */
    int32_t lasti;           /* byte offset of the instruction, -1 unknown */
    char op[ARRDBG_NP_OP_LEN];   /* "copy", "astype", "arithmetic", ... */
    char kind[16];           /* "copy", "arithmetic", "creation", ... */
    uint64_t alloc_bytes;    /* made here */
    uint64_t alloc_count;
    uint64_t freed_bytes;    /* released here */
    uint64_t free_count;
    void *code;              /* the code object (a strong reference) */
    void *np_code;           /* the code of the frame it called (NumPy's), or NULL */
    uint32_t stack;          /* the whole Python stack (an interned stack id) */
    uint32_t tag;            /* the thread's tag (set_tag) at the event, 0: none */
};

enum arrdbg_np_field {
    ARRDBG_NP_F_RECS,        /* offset of `recs` (pointer) in the root */
    ARRDBG_NP_F_REC_CAP,     /* u64 */
    ARRDBG_NP_F_REC_COUNT,   /* u64: live records */
    ARRDBG_NP_F_SITES,       /* pointer */
    ARRDBG_NP_F_NSITES,      /* u64 */
    ARRDBG_NP_F_LIVE_BYTES,  /* u64 */
    ARRDBG_NP_F_PEAK_BYTES,  /* u64 */
    ARRDBG_NP_F_SEQ,         /* u64: events so far */
    ARRDBG_NP_F_REC_SIZE,    /* the rest are sizes and offsets in a record / site */
    ARRDBG_NP_F_REC_PTR,
    ARRDBG_NP_F_REC_BYTES,
    ARRDBG_NP_F_REC_SEQ,
    ARRDBG_NP_F_REC_SITE,
    ARRDBG_NP_F_REC_FLAGS,
    ARRDBG_NP_F_SITE_SIZE,
    ARRDBG_NP_F_SITE_FILE,
    ARRDBG_NP_F_SITE_FUNC,
    ARRDBG_NP_F_SITE_LINE,
    ARRDBG_NP_F_SITE_OP,
    ARRDBG_NP_F_SITE_KIND,
    ARRDBG_NP_F_OP_LEN,
    ARRDBG_NP_F_KIND_LEN,
    ARRDBG_NP_F_OBJS,        /* pointer: live ndarray objects (below); a reader */
    ARRDBG_NP_F_OBJ_CAP,     /* u64      takes these four as optional */
    ARRDBG_NP_F_OBJ_SIZE,
    ARRDBG_NP_F_OBJ_PTR,
    ARRDBG_NP_NFIELDS
};

struct arrdbg_np_root {
    uint64_t magic;
    uint32_t version;
    uint32_t root_size;
    uint32_t nfields;
    uint32_t pad;
    uint32_t layout[ARRDBG_NP_NFIELDS];
    /* ---- below: found through layout[] ---- */
    struct arrdbg_np_rec *recs;
    uint64_t rec_cap;
    uint64_t rec_count;
    struct arrdbg_np_site *sites;
    uint64_t nsites;
    uint64_t live_bytes;
    uint64_t peak_bytes;
    uint64_t seq;
    void *objs;         /* obj_cap slots of OBJ_SIZE bytes: every live ndarray */
    uint64_t obj_cap;   /* object at OBJ_PTR (0 empty, 1 deleted) */
};

#endif /* ARRDBG_NP_REGISTRY_H */
