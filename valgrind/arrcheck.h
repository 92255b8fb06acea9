/* arrcheck.h - client requests understood by the arrcheck Valgrind tool.
 *
 * Built on Debian's <valgrind/valgrind.h> exactly as memcheck.h is: each
 * request costs a few instructions when the program is not running under
 * Valgrind, returns its default value under a tool that does not know it
 * (memcheck, none, ...), and compiles away with -DNVALGRIND.
 *
 * libarr emits these for every owner and view it makes and frees; any other
 * array library may emit them too.  Protocol (see docs/DESIGN.md):
 *
 *   ARRCHECK_OWNER_CREATED(&info)   an owner and its buffer exist
 *   ARRCHECK_VIEW_CREATED(&info)    a view of owner info.base_id exists
 *   ARRCHECK_FREED(id, handle)      a handle was released
 *   ARRCHECK_LABEL(id, "name")      a label was set
 *   ARRCHECK_OWNER_FREED_WITH_VIEWS(id, nviews)
 *                                   sent just before ARRCHECK_FREED of an
 *                                   owner that still has nviews live views
 *   ARRCHECK_FREED_TO_QUARANTINE(id, handle)
 *                                   an owner with no live view was released
 *                                   (like ARRCHECK_FREED: its bytes count as
 *                                   freed from now on), but the library keeps
 *                                   its buffer allocated, unused, until
 *                                   ARRCHECK_QUARANTINE_RELEASED(buffer):
 *                                   any access to it meanwhile is a
 *                                   DanglingAccess (arrdbg's NumPy handler)
 *   ARRCHECK_QUARANTINE_RELEASED(buffer)
 *                                   the last orphan of a quarantined buffer
 *                                   is gone, or the library gives back a
 *                                   buffer it sent FREED_TO_QUARANTINE for;
 *                                   the buffer is about to be freed
 *   ARRCHECK_LEAK_CHECK()           report findings now (like
 *                                   VALGRIND_DO_LEAK_CHECK); returns the
 *                                   number of findings
 *   ARRCHECK_IGNORE_RANGE(addr, len)
 *                                   memory that holds bookkeeping pointers
 *                                   (a registry) and must not count as a
 *                                   root when deciding reachability
 *   ARRCHECK_LIBRARY(&lib)          the library says which stack frames are
 *                                   its own (see struct arrcheck_library),
 *                                   once, before its first array
 *
 * Level 2 (ARRCHECK_LEVEL; a level-1 arrcheck warns once per unknown request
 * and returns 0, so ask ARRCHECK_RUNNING() first):
 *   ARRCHECK_RUNNING()              the level this arrcheck speaks; 0 when
 *                                   not under arrcheck (any other tool,
 *                                   natively, or a level-1 arrcheck)
 *   ARRCHECK_VALUE_VIEW_CREATED(&info)
 *                                   a view that is a value the program
 *                                   holds (GSL's gsl_matrix_view): never
 *                                   FREED; it lives as long as the storage
 *                                   at info.handle: a stack frame that
 *                                   returns, ARRCHECK_STORAGE_FREED over it,
 *                                   or a new array made at the same handle
 *                                   retires it.  Returns 1 when the storage
 *                                   is on no thread's stack (heap, global):
 *                                   then the library should send
 *                                   STORAGE_FREED when such memory goes
 *   ARRCHECK_STORAGE_FREED(addr, len)
 *                                   value views held in [addr, addr + len)
 *                                   are gone (the heap block holding them
 *                                   was freed)
 *   ARRCHECK_COPIED(id, source_id)  owner #id was just filled with a copy
 *                                   of array #source_id (an alloc followed
 *                                   by a memcpy): it is a copy from now on
 *   ARRCHECK_ID_OF(handle)          the id of the live array at handle, 0
 *                                   when none; ARRCHECK_BASE_ID_OF(handle):
 *                                   its owner's id (its own for an owner),
 *                                   so a library needs no table of its own
 *
 * Level 3:
 *   ARRCHECK_NEW_ID()               an id for a new array, unique in the
 *                                   process across every library that asks
 *                                   (libarr, the GSL adapter): above every
 *                                   id handed out or sent so far, never
 *                                   reused; 0 below level 3.  A library
 *                                   that numbers its arrays itself (1, 2,
 *                                   ...) shares the id space with the
 *                                   others: its ids are unique only if it
 *                                   is the one library in the process
 *
 * Every request that carries a struct passes its address; the struct starts
 * with (version, size) so a tool built for another protocol can say so
 * instead of misreading it.  All requests return 0 when not under arrcheck.
 */
#ifndef ARRCHECK_H
#define ARRCHECK_H

#include <stdint.h>

/* valgrind.h turns every request into its default value under NVALGRIND. */
#include <valgrind/valgrind.h>

#define ARRCHECK_PROTOCOL_VERSION 1u /* of the structs below */
#define ARRCHECK_LEVEL 3u            /* of the requests: ARRCHECK_RUNNING() */

/* arrcheck_array_info.dtype: the element types the tools name (libarr's
 * arr_dtype_t has the same values).  dtype_name is what reports print. */
typedef enum {
    ARRCHECK_DTYPE_BOOL = 0,
    ARRCHECK_DTYPE_INT8,
    ARRCHECK_DTYPE_INT16,
    ARRCHECK_DTYPE_INT32,
    ARRCHECK_DTYPE_INT64,
    ARRCHECK_DTYPE_UINT8,
    ARRCHECK_DTYPE_UINT16,
    ARRCHECK_DTYPE_UINT32,
    ARRCHECK_DTYPE_UINT64,
    ARRCHECK_DTYPE_FLOAT32,
    ARRCHECK_DTYPE_FLOAT64,
    ARRCHECK_DTYPE_COMPLEX64,
    ARRCHECK_DTYPE_COMPLEX128,
    ARRCHECK_DTYPE_OTHER = 255 /* any other: dtype_name says what */
} arrcheck_dtype_t;

/* Limits of the protocol.  A library may use smaller ones (libarr checks
 * at compile time that its ARR_MAXDIMS and ARR_LABEL_MAX fit); a request
 * beyond them is refused with a warning. */
#define ARRCHECK_MAX_NDIM 32   /* arrcheck_array_info.ndim is 0..this */
#define ARRCHECK_LABEL_MAX 48  /* label bytes the tool keeps, with the NUL
                                  (a longer label is cut) */

/* Labels that name a source place.  A library whose arrays are made by
 * code without line information (arrdbg's NumPy handler: the Python
 * interpreter) may label each owner with where it was made, "FILE:LINE",
 * and once it is freed "FILE:MADE..FREED" or "FILE:MADE..FILE2:FREED",
 * each maybe followed by " (event N)" (arrdbg: the NumPy event that made it,
 * when its id is not N) (FILE has a '.' and no ':' or blanks, e.g. "prog.py": "weights:3" is no
 * place; the whole label within ARRCHECK_LABEL_MAX, never cut).  arr-report
 * then uses those places for arrays whose own stack frame has no source
 * line: its per-line table is by FILE:LINE. */

/* What a finding is called, and the one-line summary that ends a report:
 * libarr's ARR_CHECK=1 report (prefixed "libarr: ") and the gdb plugin's
 * `arr leaks` print these words and this line; programs parse the line
 * (samples/run builds its pattern from this format).  Its numbers, in
 * order: findings, copies never freed, arrays never freed, their bytes,
 * views never freed, orphaned views.  (The arrcheck tool reports findings
 * as Valgrind errors of kinds LeakedCopy, LeakedArray, LeakedView,
 * OrphanedView; read those from --xml=yes.) */
#define ARRCHECK_FINDING_COPY "copy never freed"
#define ARRCHECK_FINDING_ARRAY "array never freed"
#define ARRCHECK_FINDING_VIEW "view never freed"
#define ARRCHECK_FINDING_ORPHAN "orphaned view: its base was freed first"
#define ARRCHECK_LEAK_SUMMARY_FORMAT                                                 \
    "LEAK SUMMARY: %lld findings: %lld copies and %lld arrays never freed (%lld bytes), " \
    "%lld views never freed, %lld orphaned views"

typedef enum {
    VG_USERREQ__ARR_OWNER_CREATED = VG_USERREQ_TOOL_BASE('A', 'C'),
    VG_USERREQ__ARR_VIEW_CREATED,
    VG_USERREQ__ARR_FREED,
    VG_USERREQ__ARR_LABEL,
    VG_USERREQ__ARR_OWNER_FREED_WITH_VIEWS,
    VG_USERREQ__ARR_QUARANTINE_RELEASED,
    VG_USERREQ__ARR_LEAK_CHECK,
    VG_USERREQ__ARR_IGNORE_RANGE,
    VG_USERREQ__ARR_LIBRARY,
    VG_USERREQ__ARR_FREED_TO_QUARANTINE,
    /* level 2 */
    VG_USERREQ__ARR_RUNNING,
    VG_USERREQ__ARR_VALUE_VIEW_CREATED,
    VG_USERREQ__ARR_STORAGE_FREED,
    VG_USERREQ__ARR_COPIED,
    VG_USERREQ__ARR_ID_OF,
    /* level 3 */
    VG_USERREQ__ARR_NEW_ID,
} arrcheck_client_request_t;

/* Passed (by address) with OWNER_CREATED and VIEW_CREATED.  Pointers point
 * into the client's memory and are valid only during the request: a tool
 * copies what it keeps. */
struct arrcheck_array_info {
    uint32_t version;        /* ARRCHECK_PROTOCOL_VERSION */
    uint32_t size;           /* sizeof(struct arrcheck_array_info) */
    uint64_t id;             /* unique, never reused, nonzero
                                (ARRCHECK_NEW_ID() gives one) */
    uint64_t base_id;        /* views: the owner's id; owners: own id */
    uint64_t source_id;      /* the array it was made from; 0: none */
    const void *handle;      /* the array handle (arr_t *) */
    uint64_t handle_bytes;   /* sizeof the handle object */
    const void *buffer;      /* owners: buffer start; views: owner's buffer */
    uint64_t buffer_bytes;   /* owners: bytes of the buffer (0: not owned,
                                e.g. wrapped caller memory) */
    int64_t extent_lo;       /* views: byte extent [lo, hi) relative to */
    int64_t extent_hi;       /*   the owner's buffer start; owners: 0, bytes */
    int32_t dtype;           /* arrcheck_dtype_t */
    int32_t itemsize;
    int32_t ndim;
    int32_t op;              /* arr_op_t */
    int32_t is_copy;         /* owners made by copying another array */
    int32_t owndata;         /* owners: the buffer is the library's to free */
    const int64_t *shape;    /* ndim entries */
    const int64_t *strides;  /* ndim entries, bytes */
    const char *dtype_name;  /* "float64" */
    const char *op_name;     /* "copy", "slice", ... */
    const char *label;       /* may be NULL or "" */
};

/* Passed (by address) with LIBRARY: who the library is, so that the tool's
 * stacks start at the library's public call (its inner frames are dropped)
 * and its profile attributes work to the caller.  A stack frame is the
 * library's when
 *   - the frame has source line info and srcdir is set: the directory that
 *     holds the frame's source file is named srcdir ("libarr");
 *   - otherwise, object is set and the frame's shared object's file name
 *     starts with it ("libarr.so");
 *   - otherwise (or when neither says yes), prefix is set and the frame's
 *     function name starts with it ("arr_", "mat_").
 * Any of them may be NULL.  Strings are copied during the request.  Several
 * libraries may declare themselves; sending the same name again replaces
 * its rule.  Without any declaration no frame is dropped. */
struct arrcheck_library {
    uint32_t version;    /* ARRCHECK_PROTOCOL_VERSION */
    uint32_t size;       /* sizeof(struct arrcheck_library) */
    const char *name;    /* "libarr": shown in messages; required */
    const char *prefix;  /* function-name prefix of its code, or NULL */
    const char *srcdir;  /* last directory of its source files, or NULL */
    const char *object;  /* file-name prefix of its shared object, or NULL */
};

#define ARRCHECK_OWNER_CREATED(info)                                                 \
    VALGRIND_DO_CLIENT_REQUEST_EXPR(0, VG_USERREQ__ARR_OWNER_CREATED, (info), 0, 0, 0, 0)
#define ARRCHECK_VIEW_CREATED(info)                                                  \
    VALGRIND_DO_CLIENT_REQUEST_EXPR(0, VG_USERREQ__ARR_VIEW_CREATED, (info), 0, 0, 0, 0)
#define ARRCHECK_FREED(id, handle)                                                   \
    VALGRIND_DO_CLIENT_REQUEST_EXPR(0, VG_USERREQ__ARR_FREED, (id), (handle), 0, 0, 0)
#define ARRCHECK_FREED_TO_QUARANTINE(id, handle)                                     \
    VALGRIND_DO_CLIENT_REQUEST_EXPR(0, VG_USERREQ__ARR_FREED_TO_QUARANTINE, (id),     \
                                    (handle), 0, 0, 0)
#define ARRCHECK_LABEL(id, label)                                                    \
    VALGRIND_DO_CLIENT_REQUEST_EXPR(0, VG_USERREQ__ARR_LABEL, (id), (label), 0, 0, 0)
#define ARRCHECK_OWNER_FREED_WITH_VIEWS(id, nviews)                                  \
    VALGRIND_DO_CLIENT_REQUEST_EXPR(0, VG_USERREQ__ARR_OWNER_FREED_WITH_VIEWS, (id),  \
                                    (nviews), 0, 0, 0)
#define ARRCHECK_QUARANTINE_RELEASED(buffer)                                         \
    VALGRIND_DO_CLIENT_REQUEST_EXPR(0, VG_USERREQ__ARR_QUARANTINE_RELEASED, (buffer), \
                                    0, 0, 0, 0)
#define ARRCHECK_LEAK_CHECK()                                                        \
    VALGRIND_DO_CLIENT_REQUEST_EXPR(0, VG_USERREQ__ARR_LEAK_CHECK, 0, 0, 0, 0, 0)
#define ARRCHECK_IGNORE_RANGE(addr, len)                                             \
    VALGRIND_DO_CLIENT_REQUEST_EXPR(0, VG_USERREQ__ARR_IGNORE_RANGE, (addr), (len), 0, \
                                    0, 0)

#define ARRCHECK_LIBRARY(lib)                                                        \
    VALGRIND_DO_CLIENT_REQUEST_EXPR(0, VG_USERREQ__ARR_LIBRARY, (lib), 0, 0, 0, 0)

/* Level 2: see the list at the top. */
#define ARRCHECK_RUNNING()                                                           \
    VALGRIND_DO_CLIENT_REQUEST_EXPR(0, VG_USERREQ__ARR_RUNNING, 0, 0, 0, 0, 0)
#define ARRCHECK_VALUE_VIEW_CREATED(info)                                            \
    VALGRIND_DO_CLIENT_REQUEST_EXPR(0, VG_USERREQ__ARR_VALUE_VIEW_CREATED, (info), 0, \
                                    0, 0, 0)
#define ARRCHECK_STORAGE_FREED(addr, len)                                            \
    VALGRIND_DO_CLIENT_REQUEST_EXPR(0, VG_USERREQ__ARR_STORAGE_FREED, (addr), (len), \
                                    0, 0, 0)
#define ARRCHECK_COPIED(id, source_id)                                               \
    VALGRIND_DO_CLIENT_REQUEST_EXPR(0, VG_USERREQ__ARR_COPIED, (id), (source_id), 0, \
                                    0, 0)
#define ARRCHECK_ID_OF(handle)                                                       \
    VALGRIND_DO_CLIENT_REQUEST_EXPR(0, VG_USERREQ__ARR_ID_OF, (handle), 0, 0, 0, 0)
#define ARRCHECK_BASE_ID_OF(handle)                                                  \
    VALGRIND_DO_CLIENT_REQUEST_EXPR(0, VG_USERREQ__ARR_ID_OF, (handle), 1, 0, 0, 0)

/* Level 3: see the list at the top. */
#define ARRCHECK_NEW_ID()                                                            \
    VALGRIND_DO_CLIENT_REQUEST_EXPR(0, VG_USERREQ__ARR_NEW_ID, 0, 0, 0, 0, 0)

#endif /* ARRCHECK_H */
