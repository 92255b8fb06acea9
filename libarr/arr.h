/* arr.h - libarr: a C11 ndarray library with NumPy's view/copy semantics.
 *
 * Ownership in one line: every function that returns an arr_t * returns a NEW
 * HANDLE that the caller must release with arr_free(), views included.  A view
 * borrows its owner's buffer; a copy owns a buffer of its own.  Functions whose
 * docs say "borrowed" return pointers the caller must not free.
 *
 * Errors: no function aborts or exits on bad input.  Functions returning a
 * pointer return NULL, functions returning int return -1 (unless documented
 * otherwise); both set a thread-local error read with arr_errcode() and
 * arr_errmsg().  Each function's doc lists the codes it can set ("Errors:"),
 * except one said here once: an arr_t * argument that is NULL gives
 * ARR_EINVAL and one that is not a live handle gives ARR_ENOTLIVE, before
 * anything else (tests/unit/test_errors_doc.c checks the lists against the
 * sources).
 *
 * The struct is defined here on purpose: debuggers (the arrdbg gdb plugin) and
 * the arrcheck Valgrind tool read it from memory.  Treat the fields as
 * read-only; use the functions to change anything.  See docs/DESIGN.md.
 */
#ifndef ARR_H
#define ARR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ARR_VERSION_MAJOR 0
#define ARR_VERSION_MINOR 1
#define ARR_MAXDIMS 32
#define ARR_LABEL_MAX 48 /* bytes, including the terminating NUL */

/* Magic numbers in arr_t.magic: debuggers and the tools use them to tell a
 * live handle from garbage or a freed one. */
#define ARR_MAGIC_LIVE 0x41525231u  /* "ARR1" */
#define ARR_MAGIC_FREED 0x44454144u /* "DEAD" */

typedef enum arr_dtype {
    ARR_BOOL = 0,
    ARR_INT8,
    ARR_INT16,
    ARR_INT32,
    ARR_INT64,
    ARR_UINT8,
    ARR_UINT16,
    ARR_UINT32,
    ARR_UINT64,
    ARR_FLOAT32,
    ARR_FLOAT64,
    ARR_COMPLEX64,
    ARR_COMPLEX128,
    ARR_NDTYPES
} arr_dtype_t;

/* Bits of arr_t.flags, named as NumPy names them. */
enum arr_flag {
    ARR_C_CONTIGUOUS = 1 << 0,
    ARR_F_CONTIGUOUS = 1 << 1,
    ARR_OWNDATA = 1 << 2,
    ARR_WRITEABLE = 1 << 3,
};

typedef enum arr_order {
    ARR_ORDER_C = 'C',
    ARR_ORDER_F = 'F',
    ARR_ORDER_A = 'A', /* F if the source is F-contiguous and not C-contiguous, else C */
    ARR_ORDER_K = 'K', /* keep the source's memory order as closely as possible */
} arr_order_t;

typedef enum arr_copy_mode {
    ARR_COPY_NEVER = 0,      /* a copy would be needed: fail with ARR_ECOPY */
    ARR_COPY_IF_NEEDED = 1,  /* return a view when possible, else a copy */
} arr_copy_mode_t;

/* How an array was made (arr_t.op).  Owners: CREATE ops and COPY ops.
 * The COPY ops are the ones whose results the tools call "copies". */
typedef enum arr_op {
    ARR_OP_NONE = 0,
    /* owners made from nothing */
    ARR_OP_EMPTY,
    ARR_OP_ZEROS,
    ARR_OP_FULL,
    ARR_OP_ARANGE,
    ARR_OP_WRAP,
    /* views */
    ARR_OP_VIEW,
    ARR_OP_SLICE,
    ARR_OP_TRANSPOSE,
    ARR_OP_SWAPAXES,
    ARR_OP_SQUEEZE,
    ARR_OP_EXPAND_DIMS,
    ARR_OP_FLIP,
    ARR_OP_BROADCAST_TO,
    ARR_OP_DIAGONAL,
    ARR_OP_RESHAPE,          /* reshape that needed no copy: a view */
    ARR_OP_ASCONTIGUOUS,     /* ascontiguous of a C-contiguous array: a view */
    ARR_OP_ASFORTRAN,        /* asfortran of an F-contiguous array: a view */
    /* copies (owners made from another array's data) */
    ARR_OP_COPY,
    ARR_OP_ASTYPE,
    ARR_OP_ASCONTIGUOUS_COPY,
    ARR_OP_ASFORTRAN_COPY,
    ARR_OP_RESHAPE_COPY,
    ARR_OP_LOAD,             /* read from a file (reserved for .npy support) */
    ARR_NOPS
} arr_op_t;

typedef enum arr_err {
    ARR_OK = 0,
    ARR_EINVAL,     /* bad argument (NULL, bad dtype, bad axis, bad order, ...) */
    ARR_ENOMEM,     /* allocation failed */
    ARR_EOVERFLOW,  /* a size computation would overflow */
    ARR_EINDEX,     /* index out of range */
    ARR_ESYNTAX,    /* slice specification does not parse */
    ARR_ESHAPE,     /* shapes do not match or do not broadcast */
    ARR_ECOPY,      /* a copy is needed but ARR_COPY_NEVER was given */
    ARR_EREADONLY,  /* write into a read-only array */
    ARR_ENOTLIVE,   /* the handle is not a live array (freed, or never one) */
    ARR_EORPHAN,    /* the operation needs the base's buffer, which was freed */
    ARR_ETOOHARD,   /* shares_memory exceeded max_work */
    ARR_ETYPE,      /* operation not defined for this dtype */
} arr_err_t;

/* Cross-reference of an owner to the live views of its buffer.  Debuggers walk
 * owner->views_head / view->view_next; both lists are also reachable through
 * the registry. */
typedef struct arr arr_t;

struct arr {
    /* Summary fields first, so a debugger reads one short block per array. */
    uint32_t magic;        /* ARR_MAGIC_LIVE while live */
    int32_t ndim;          /* 0..ARR_MAXDIMS */
    uint64_t id;           /* unique, never reused, starts at 1 */
    int32_t dtype;         /* arr_dtype_t */
    int32_t itemsize;      /* bytes per element */
    int32_t flags;         /* enum arr_flag bits */
    int32_t op;            /* arr_op_t: how this array was made */
    uint64_t source_id;    /* id of the array it was made from (0: none) */
    uint64_t base_id;      /* id of the ultimate owner; own id for an owner */
    int32_t is_view;       /* 1 for a view, 0 for an owner */
    int32_t orphaned;      /* view whose owner was freed while it lived */
    char *data;            /* first element (may lie inside the buffer) */
    arr_t *base;           /* views: the ultimate owner (NumPy's collapsed
                              base); NULL for owners and orphaned views */
    int64_t offset;        /* views: data - owner's data, in bytes, fixed at
                              creation (still valid once orphaned) */
    void *buffer;          /* owners: start of the allocation (NULL for wrap);
                              views: the owner's buffer start */
    int64_t buffer_bytes;  /* owners: bytes allocated (0 for wrap) */
    const void *made_at;   /* return address of the public call that made it */
    int64_t nviews;        /* owners: live views (also orphans, for views: 0) */
    arr_t *views_head;     /* owners: first live view */
    arr_t *view_next;      /* views: next sibling view of the same owner */
    arr_t *view_prev;
    int64_t registry_slot; /* index in arr_registry.items */
    struct arr_quarantine *quarantine; /* orphaned views under Valgrind */
    uint64_t vg_block;     /* owners: memcheck block-description handle + 1
                              (0: none); see VALGRIND_CREATE_BLOCK */
    void (*release)(void *buffer, int64_t bytes); /* owners: how the buffer
                              is released (NULL: free(), e.g. munmap for a
                              mapped file); see arr__new_owner_external */
    char label[ARR_LABEL_MAX];
    int64_t shape[ARR_MAXDIMS];
    int64_t strides[ARR_MAXDIMS]; /* in bytes, may be negative or zero */
};

/* Sentinel for an omitted start/stop in arr_index_t. */
#define ARR_NONE INT64_MIN
/* For arr_squeeze and arr_flip: act on every axis (NumPy's axis=None). */
#define ARR_ALL_AXES (-2147483647 - 1)

typedef enum arr_index_kind {
    ARR_IDX_SLICE = 0, /* start:stop:step, each may be ARR_NONE */
    ARR_IDX_INT,       /* an integer: drops the axis (start holds it) */
    ARR_IDX_NEWAXIS,   /* None / newaxis: inserts a length-1 axis */
    ARR_IDX_ELLIPSIS,  /* ...: as many full slices as needed */
} arr_index_kind_t;

typedef struct arr_index {
    arr_index_kind_t kind;
    int64_t start, stop, step; /* SLICE: each may be ARR_NONE (omitted; a
                                  step of ARR_NONE means 1); a step of 0 is an
                                  error (ARR_EINDEX).  INT: start is the index */
} arr_index_t;

/* Answers of arr_shares_memory / arr_may_share_memory. */
enum arr_share {
    ARR_SHARES_NO = 0,
    ARR_SHARES_YES = 1,
    ARR_SHARES_TOO_HARD = 2,
};
/* max_work values with NumPy's meaning. */
#define ARR_MAX_WORK_EXACT (-1) /* solve exactly, however long it takes */
#define ARR_MAX_WORK_BOUNDS 0   /* only compare memory bounds: overlapping
                                   bounds give ARR_SHARES_TOO_HARD */

typedef struct arr_stats {
    int64_t live_owners;
    int64_t live_views;
    int64_t live_orphans;   /* views whose owner was freed */
    int64_t live_bytes;     /* bytes in live owners' buffers (a buffer kept in
                               quarantine under Valgrind no longer counts) */
    int64_t peak_bytes;
    int64_t live_copy_bytes;
    int64_t created_owners;
    int64_t created_views;
    int64_t created_copies;
    int64_t freed;
} arr_stats_t;

/* ---- dtypes ---------------------------------------------------------- */
const char *arr_dtype_name(arr_dtype_t dtype); /* "float64"...; "?" if bad */
int arr_dtype_size(arr_dtype_t dtype);         /* bytes; -1 if bad */
const char *arr_op_name(arr_op_t op);          /* "copy", "slice", ... */
bool arr_op_is_copy(arr_op_t op);              /* made by copying data */

/* ---- creation: owners (caller owns the returned handle) --------------- */

/* Errors: ARR_EINVAL (bad dtype or ndim, NULL shape, negative dimension),
 * ARR_EOVERFLOW (size), ARR_ENOMEM. */
arr_t *arr_empty(int ndim, const int64_t *shape, arr_dtype_t dtype);
arr_t *arr_zeros(int ndim, const int64_t *shape, arr_dtype_t dtype);
arr_t *arr_full(int ndim, const int64_t *shape, arr_dtype_t dtype, double value);
/* 1-D, like np.arange(start, stop, step, dtype): ceil((stop-start)/step)
 * elements, value i is start + i*step converted to dtype.
 * Errors: ARR_EINVAL (bad dtype, step 0, a NaN or infinite bound),
 * ARR_ETYPE (a bool range of more than 2 elements), ARR_EOVERFLOW,
 * ARR_ENOMEM. */
arr_t *arr_arange(double start, double stop, double step, arr_dtype_t dtype);
/* An owner over memory the caller keeps (no OWNDATA; libarr never frees it).
 * strides NULL means C order.  writeable 0 makes it read-only.
 * Errors: ARR_EINVAL (bad dtype or ndim, NULL shape, negative dimension,
 * NULL data for a non-empty array), ARR_EOVERFLOW (the size, or the byte
 * extent the strides span, overflows int64), ARR_ENOMEM. */
arr_t *arr_wrap(void *data, int ndim, const int64_t *shape,
                const int64_t *strides, arr_dtype_t dtype, int writeable);

/* ---- views: never copy data (caller owns the returned handle) --------- */
/* Every view function: ARR_EORPHAN (a is an orphaned view: its memory is
 * gone), ARR_ENOMEM; and those listed with each. */
arr_t *arr_view(arr_t *a); /* Errors: ARR_EORPHAN, ARR_ENOMEM. */
/* NumPy basic indexing: "1:4, ::-1, 2, None, ..." (also "newaxis").
 * Errors: ARR_ESYNTAX (arr_slice: spec does not parse), ARR_EINDEX (index
 * out of range, too many indices, step 0), ARR_EINVAL (NULL spec or idx, bad
 * kind, more than ARR_MAXDIMS axes), ARR_EORPHAN, ARR_ENOMEM. */
arr_t *arr_slice(arr_t *a, const char *spec);
arr_t *arr_slicev(arr_t *a, int nidx, const arr_index_t *idx);
/* axes NULL: reverse the axes; else a permutation of a's ndim axes (negative
 * count from the end), exactly ndim entries read.
 * Errors: ARR_EINVAL (axis out of range, repeated axis), ARR_EORPHAN,
 * ARR_ENOMEM. */
arr_t *arr_transpose(arr_t *a, const int *axes);
/* The same with the length of axes given and checked: naxes != ndim is
 * ARR_EINVAL "axes don't match array" (NumPy's ValueError).  axes NULL with
 * naxes 0: reverse.  Errors: ARR_EINVAL, ARR_EORPHAN, ARR_ENOMEM. */
arr_t *arr_transpose_n(arr_t *a, int naxes, const int *axes);
/* Errors: ARR_EINVAL (axis out of range; squeeze: the axis is not of
 * length 1; expand_dims: already ARR_MAXDIMS axes), ARR_EORPHAN,
 * ARR_ENOMEM. */
arr_t *arr_swapaxes(arr_t *a, int axis1, int axis2);
arr_t *arr_squeeze(arr_t *a, int axis);          /* or ARR_ALL_AXES */
arr_t *arr_expand_dims(arr_t *a, int axis);
arr_t *arr_flip(arr_t *a, int axis);             /* or ARR_ALL_AXES */
/* Read-only view with zero strides on broadcast axes.
 * Errors: ARR_ESHAPE (does not broadcast), ARR_EINVAL (bad ndim, NULL shape,
 * negative dimension), ARR_EOVERFLOW, ARR_EORPHAN, ARR_ENOMEM. */
arr_t *arr_broadcast_to(arr_t *a, int ndim, const int64_t *shape);
/* Read-only view, as NumPy >= 1.9's a.diagonal().
 * Errors: ARR_EINVAL (fewer than 2 axes, bad or equal axes), ARR_EORPHAN,
 * ARR_ENOMEM. */
arr_t *arr_diagonal(arr_t *a, int64_t offset, int axis1, int axis2);
/* C-order reshape; one unknown dimension allowed (-1; as in NumPy 1.24 any
 * negative value means "unknown").  A view when NumPy's no-copy algorithm
 * finds strides; otherwise a copy (ARR_COPY_IF_NEEDED) or an ARR_ECOPY
 * error (ARR_COPY_NEVER).  A copy is made with its final shape.
 * Errors: ARR_ESHAPE (sizes differ), ARR_ECOPY, ARR_EINVAL (bad ndim or
 * mode, NULL shape, two unknown dimensions), ARR_EOVERFLOW, ARR_EORPHAN,
 * ARR_ENOMEM. */
arr_t *arr_reshape(arr_t *a, int ndim, const int64_t *shape, arr_copy_mode_t mode);

/* ---- copies (caller owns the returned handle) ------------------------ */
/* Every copy function: ARR_EORPHAN (a is an orphaned view), ARR_EOVERFLOW,
 * ARR_ENOMEM; arr_copy: ARR_EINVAL (bad order); arr_astype: ARR_EINVAL (bad
 * dtype). */
arr_t *arr_copy(const arr_t *a, arr_order_t order);
/* A view of a when it is already C-contiguous, else a C-ordered copy.
 * Errors: ARR_EORPHAN, ARR_EOVERFLOW, ARR_ENOMEM (ARR_EINVAL: see the top). */
arr_t *arr_ascontiguous(arr_t *a);
/* A view of a when it is already F-contiguous, else an F-ordered copy.
 * Errors: ARR_EORPHAN, ARR_EOVERFLOW, ARR_ENOMEM (ARR_EINVAL: see the top). */
arr_t *arr_asfortran(arr_t *a);
/* Always a copy (NumPy's astype(copy=True)), casting='unsafe'; layout as
 * order K.  Float to integer truncates; NaN, inf and out-of-range values give
 * the target's minimum (no undefined behaviour).
 * Errors: ARR_EINVAL (bad dtype), ARR_EORPHAN, ARR_EOVERFLOW, ARR_ENOMEM. */
arr_t *arr_astype(const arr_t *a, arr_dtype_t dtype);
/* dst[...] = src with broadcasting and casting; correct when they overlap.
 * Errors: ARR_EREADONLY (dst not writeable), ARR_ESHAPE (src does not
 * broadcast to dst), ARR_EORPHAN (either), ARR_EOVERFLOW, ARR_ENOMEM (the
 * scratch copy of an overlapping src), ARR_EINVAL. */
int arr_copyto(arr_t *dst, const arr_t *src);

/* ---- queries ---------------------------------------------------------- */
/* Errors: only the NULL / not-live ones of the top comment (an orphaned
 * view still answers: its fields are kept). */
bool arr_is_view(const arr_t *a);
arr_t *arr_base(const arr_t *a);  /* borrowed; NULL for owners, orphans */
int arr_flags(const arr_t *a);    /* enum arr_flag bits; -1 on error */
int64_t arr_size(const arr_t *a); /* elements; -1 on error */
int64_t arr_nbytes(const arr_t *a);
int arr_ndim(const arr_t *a);
arr_dtype_t arr_dtype(const arr_t *a);
const int64_t *arr_shape(const arr_t *a);   /* borrowed */
const int64_t *arr_strides(const arr_t *a); /* borrowed */
void *arr_data(const arr_t *a);             /* borrowed */
uint64_t arr_id(const arr_t *a);
/* Memory bounds overlap: ARR_SHARES_YES / ARR_SHARES_NO, -1 on error.
 * Errors: ARR_ENOTLIVE / ARR_EINVAL (a or b not a live handle). */
int arr_may_share_memory(const arr_t *a, const arr_t *b);
/* Exact overlap (NumPy's bounded Diophantine solver): ARR_SHARES_YES,
 * ARR_SHARES_NO, ARR_SHARES_TOO_HARD (also sets ARR_ETOOHARD), -1 on error.
 * max_work: ARR_MAX_WORK_EXACT, ARR_MAX_WORK_BOUNDS, or a positive bound,
 * counted as NumPy 1.24 counts it, so np.shares_memory(a, b, max_work=w)
 * and arr_shares_memory(a, b, w) give the same answer or both "too hard"
 * (NumPy's OverflowError, for equations beyond 64 bits, is TOO_HARD here).
 * An orphaned view is compared by its addresses (nothing is read).
 * Errors: ARR_ENOTLIVE / ARR_EINVAL (a or b not a live handle; max_work
 * below -1), ARR_ETOOHARD (with the TOO_HARD answer). */
int arr_shares_memory(const arr_t *a, const arr_t *b, int64_t max_work);

/* ---- elements and small math ----------------------------------------- */
/* Pointer to element index[0..ndim) (negative indices count from the end);
 * borrowed.  NULL + ARR_EINDEX when out of range.
 * Errors (all four): ARR_EINDEX, ARR_EINVAL (NULL index or out), ARR_EORPHAN
 * (a is an orphaned view: its memory is gone); set/fill: ARR_EREADONLY. */
void *arr_ptr(const arr_t *a, const int64_t *index);
int arr_get_f64(const arr_t *a, const int64_t *index, double *out);
int arr_set_f64(arr_t *a, const int64_t *index, double value);
int arr_fill(arr_t *a, double value);
/* Sum / mean of all elements, pairwise summation as NumPy does.  Complex
 * arrays: the real part; use arr_sum_complex for both.
 * Errors: ARR_EINVAL (NULL out), ARR_EORPHAN, ARR_ENOMEM. */
int arr_sum(const arr_t *a, double *out);
int arr_sum_complex(const arr_t *a, double *re, double *im);
int arr_mean(const arr_t *a, double *out);
/* 1 if same shape and equal values (NumPy's array_equal), 0 if not, -1 error.
 * Errors: ARR_EORPHAN. */
int arr_equal(const arr_t *a, const arr_t *b);

/* ---- lifetime ---------------------------------------------------------- */
/* Releases a handle.  Freeing an owner releases its buffer at once, even
 * while views live: they become orphaned (see docs/DESIGN.md).  NULL is a
 * no-op; a handle that is not live gives -1 / ARR_ENOTLIVE and touches
 * nothing. */
int arr_free(arr_t *a);
/* Errors: only the NULL / not-live ones of the top comment (arr_set_label:
 * also a NULL label, ARR_EINVAL). */
int arr_set_label(arr_t *a, const char *label); /* truncated to 47 bytes */
const char *arr_label(const arr_t *a);          /* borrowed; "" if none */
/* Nonzero when a is a live handle (looked up in the registry, never read). */
bool arr_is_live(const arr_t *a);

/* ---- errors ------------------------------------------------------------ */
arr_err_t arr_errcode(void);   /* of the last failed call in this thread */
const char *arr_errmsg(void);  /* borrowed, thread-local */
void arr_clear_error(void);
const char *arr_strerror(arr_err_t code);

/* ---- accounting and the native checker -------------------------------- */
arr_stats_t arr_stats(void);
/* Writes the findings (copies, arrays and views never freed, orphaned
 * views) to f, grouped by the call that made them ("function (file:line)"
 * through libdw when available, else "module+0xoffset"), largest first,
 * then a LEAK SUMMARY line; writes nothing when there are none.  Returns
 * their number; f NULL only counts.
 *
 * The native checker: with the environment variable ARR_CHECK set (and not
 * "0") libarr writes this report after the program's atexit handlers and
 * destructors (to ARR_CHECK_FILE, else to stderr if fd 2 is still the file
 * it was at start) and, when there are findings, exits with code 3, or
 * ARR_CHECK_EXITCODE (0..255; 0 keeps the program's own exit status).  A
 * dlclose()d libarr.so reports and lets the program go on; a fork()ed child
 * reports only the arrays it made. */
int64_t arr_report_leaks(FILE *f);

/* ---- the registry, for debuggers ------------------------------------- */
/* Every live handle is in arr_registry.items[0 .. count).  It lives in
 * libarr's data segment so a debugger finds it by symbol on a live process,
 * a core file or through vgdb.  Writers hold an internal lock; readers from
 * another thread must not rely on it (use arr_stats()). */
#define ARR_REGISTRY_MAGIC 0x52454731u /* "REG1" */
/* arr_registry.layout_version: bumped whenever struct arr, struct
 * arr_registry or arr_stats_t change (tests/gdb/layout_versions fails until
 * it is), so a debugger without debug info knows whether its offsets hold.
 * 2: struct arr with vg_block and release. */
#define ARR_LAYOUT_VERSION 2u
struct arr_registry {
    uint32_t magic;          /* ARR_REGISTRY_MAGIC once initialised */
    uint32_t layout_version; /* ARR_LAYOUT_VERSION */
    arr_t **items;
    int64_t count;
    int64_t capacity;
    uint64_t next_id;
    arr_stats_t stats;
};
extern struct arr_registry arr_registry;

/* ==== .npy files (arr_npy.c) ============================================
 * NumPy's .npy format, versions 1.0, 2.0 and 3.0, for every libarr dtype, C or
 * Fortran order, little- or big-endian.  Format notes: libarr/arr_npy.c. */

typedef enum arr_load_mode {
    ARR_LOAD_COPY = 0,       /* read into a fresh owner (np.load) */
    ARR_LOAD_MMAP_READONLY,  /* map the file read-only (mmap_mode='r'): an
                                owner without WRITEABLE */
    ARR_LOAD_MMAP_COPY,      /* map copy-on-write (mmap_mode='c'): writeable,
                                the file never changes */
    ARR_LOAD_MMAP_READWRITE, /* map shared (mmap_mode='r+'): writes reach the
                                file */
} arr_load_mode_t;

/* What a .npy header says (arr_npy_parse_header / arr_npy_read_header). */
typedef struct arr_npy_header {
    int version_major, version_minor; /* 1.0, 2.0 or 3.0 */
    arr_dtype_t dtype;
    int big_endian;         /* data stored big-endian ('>' descr, itemsize > 1) */
    int fortran_order;
    int ndim;
    int64_t shape[ARR_MAXDIMS];
    int64_t data_offset;    /* bytes before the data: magic + length + header */
    int64_t data_bytes;     /* bytes of data the header asks for */
} arr_npy_header_t;

/* A new owner (op "load") with the file's array.  The mmap modes map the
 * file: the owner's buffer is the mapping and arr_free unmaps it; Fortran-order
 * files keep F strides.  Mapping refuses (ARR_ETYPE) big-endian data with
 * itemsize > 1 and (ARR_EINVAL) data not aligned to its itemsize in the file:
 * load those with ARR_LOAD_COPY, which byte-swaps into a native owner.
 * The header is read as NumPy reads it (a Python dict literal; the descr as
 * np.dtype() reads a string, e.g. '<f8', 'f8', '<d', 'float64'; a NUL byte
 * anywhere is refused, as Python refuses it).  Only a regular file is read:
 * a FIFO, socket, device or directory is refused at once (the path is opened
 * with O_NONBLOCK, so nothing ever blocks).
 * SIGBUS: a mapped file that something truncates while it is mapped raises
 * SIGBUS on the next access to the pages past its new end (as with any
 * mmap, NumPy's memmap included).  Do not truncate or replace in place a
 * file while it is mapped; arr_save_npy and arr_create_npy never do (they
 * rename a new file into place: the mapping keeps the old inode).  If other
 * processes may truncate it, load with ARR_LOAD_COPY instead.
 * Errors: ARR_EINVAL (NULL path, bad mode, I/O error, not a regular file,
 * malformed or truncated file; the message says which), ARR_ETYPE (a dtype
 * libarr lacks, or big-endian data to map), ARR_EOVERFLOW, ARR_ENOMEM. */
arr_t *arr_load_npy(const char *path, arr_load_mode_t mode);
/* Writes a (any strides) as np.save would: little-endian, C order, or F order
 * when a is F-contiguous and not C-contiguous; version 1.0 unless the header
 * needs 2.0; header padded to 64 bytes, byte for byte np.save's file.
 * The file is written under a temporary name next to the target and renamed
 * into place only when complete: a failed save leaves the old file as it was.
 * The file keeps what np.save (which writes in place) keeps: a symlink (or a
 * chain of them) is written through to its final target, the old file's
 * permission bits and, where the process may set them, owner and group go
 * to the new file; a new file gets 0666 less the umask.  Hard links are NOT
 * kept: the path given gets a new inode and the file's other names keep the
 * old contents (np.save would rewrite the shared inode, not atomically).
 * Extended attributes and ACLs are not copied.  The target's directory must
 * be writable (for the temporary file), where np.save only needs the file
 * to be.  A file the process may not write is refused, as np.save's open()
 * refuses it, not replaced.  Only a regular file (or nothing) may be at the
 * target: anything else is refused (ARR_EINVAL).
 * Errors: ARR_ENOTLIVE / ARR_EINVAL (a not a live handle), ARR_EORPHAN,
 * ARR_EINVAL (NULL or bad path, I/O error), ARR_EOVERFLOW, ARR_ENOMEM. */
int arr_save_npy(const arr_t *a, const char *path);
/* Creates (or replaces) a .npy file of the given shape, zero-filled, and
 * returns it mapped shared and writeable, as numpy.lib.format.open_memmap
 * (mode 'w+').  order: ARR_ORDER_C or ARR_ORDER_F.  Built under a temporary
 * name and renamed over path only on success, with arr_save_npy's rules
 * (symlinks followed, mode and owner kept, hard links not kept, only regular
 * files replaced): a failure leaves whatever was at path untouched.
 * Errors: ARR_EINVAL (NULL or bad path, bad dtype, ndim or order, negative
 * dimension, I/O error, not a regular file), ARR_EOVERFLOW (size),
 * ARR_ENOMEM (no memory or no space). */
arr_t *arr_create_npy(const char *path, int ndim, const int64_t *shape, arr_dtype_t dtype,
                      arr_order_t order);
/* Parses a header from the first len bytes of a file (the data need not
 * follow).  0, or -1 with an error naming what is wrong: ARR_EINVAL (NULL
 * arguments, malformed or truncated header), ARR_ETYPE (a dtype libarr
 * lacks), ARR_EOVERFLOW (a shape whose size overflows). */
int arr_npy_parse_header(const void *bytes, size_t len, arr_npy_header_t *out);
/* Reads and parses path's header, and checks the file holds the data.  Only
 * a regular file is opened, never blocking (as arr_load_npy).
 * Errors: ARR_EINVAL (NULL argument, I/O error, not a regular file,
 * malformed or truncated file), ARR_ETYPE, ARR_EOVERFLOW, ARR_ENOMEM. */
int arr_npy_read_header(const char *path, arr_npy_header_t *out);
/* Lets the pages under a's elements leave the process's resident memory
 * when a's owner is a file mapping from arr_load_npy (read-only or shared)
 * or arr_create_npy: they are read back from the file if touched again.
 * Returns the bytes released (0 when a is in ordinary memory or a
 * copy-on-write mapping, whose changed pages would be lost), -1 on error.
 * Errors: ARR_EORPHAN (a is an orphaned view), ARR_EINVAL (madvise failed). */
int64_t arr_drop_pages(const arr_t *a);

/* ==== chunks (arr_chunks.c) ==============================================
 * Block-by-block processing: views over blocks of an array, and reductions
 * that only ever hold one block. */

typedef struct arr_chunks arr_chunks_t;

/* An iterator over blocks of a: along axes[0..naxes) blocks of chunk_len[i]
 * indices (the last block of an axis may be shorter), whole along the other
 * axes.  Blocks come in nested-loop order, axes[naxes-1] fastest.  naxes 0:
 * one block, all of a.  The iterator borrows a: free it before a.
 * Errors: ARR_EINVAL (bad naxes, axis or chunk length, NULL arrays, a
 * repeated axis), ARR_EORPHAN, ARR_ENOMEM. */
arr_chunks_t *arr_chunks(arr_t *a, int naxes, const int *axes, const int64_t *chunk_len);
/* The next block as a NEW view handle (op "slice") the caller frees, or NULL:
 * at the end with arr_errcode() == ARR_OK, or on error.
 * Errors: ARR_EINVAL (NULL it; a freed: not live), ARR_EORPHAN (a became
 * an orphan), ARR_ENOMEM. */
arr_t *arr_chunks_next(arr_chunks_t *it);
/* Borrowed: the index of the last block's first element along every axis of
 * a (ndim values); NULL before the first block.  Errors (both): ARR_EINVAL
 * (NULL it). */
const int64_t *arr_chunks_start(const arr_chunks_t *it);
int64_t arr_chunks_count(const arr_chunks_t *it); /* blocks in all */
void arr_chunks_free(arr_chunks_t *it);

/* Sum / mean of all elements of a, read through blocks of about chunk_bytes
 * (0: 8 MiB) along a's outermost axes in memory order; blocks of a file
 * mapping are dropped from resident memory once summed (arr_drop_pages).
 * The result is bit-identical to arr_sum / arr_mean (and so to NumPy's
 * np.add.reduce for float and complex dtypes): the same elements are added
 * in the same order and groups.  Complex: the real part.
 * Errors: ARR_EINVAL (NULL out, negative chunk_bytes), ARR_EORPHAN,
 * ARR_ENOMEM. */
int arr_chunked_sum(const arr_t *a, int64_t chunk_bytes, double *out);
int arr_chunked_mean(const arr_t *a, int64_t chunk_bytes, double *out);

#ifdef __cplusplus
}
#endif
#endif /* ARR_H */
