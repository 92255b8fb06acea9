/* arr_internal.h - every internal header of libarr at once, for the tests
 * and the fuzzers; not installed.  libarr's own files include only the
 * focused headers they use.  One job per file:
 *
 *   arr_error.c/.h    the thread-local error (arr__fail, arr_errmsg)
 *   arr_alloc.c/.h    allocation with failure injection for the tests
 *   arr_dtype.c/.h    dtype and op tables, element conversion, CPU probe
 *   arr_layout.c/.h   sizes, axes, contiguity, extents, shape formatting
 *   arr_iter.h        the N-d iterator over 1-3 operands (header only)
 *   arr_registry.c/.h the live registry, handle checks, arr_stats
 *   arr_tag.c/.h      Valgrind client requests and memcheck block names
 *   arr_owner.c/.h    owners, views, the creation calls
 *   arr_free.c        arr_free, orphans, quarantine
 *   arr_query.c       labels and accessors
 *   arr_check.c       the native checker (ARR_CHECK=1, arr_report_leaks)
 *   arr_where.c/.h    call sites for its reports (libdw, dlopen'ed)
 *   arr_anchor.h      what a static link must keep (gdb script, checker)
 *   arr_copy.c/.h     the copy engine;  arr_overlap.c/.h  memory overlap
 *   arr_view.c, arr_math.c, arr_chunks.c, arr_npy.c, arr_gdb_autoload.c
 *
 * Modules call only downwards (checked with nm; the two link anchors of
 * arr_anchor.h are not calls): error, alloc, dtype, layout at the bottom;
 * registry and tag on them; owner, free, query, check above; then overlap,
 * copy, math, view, chunks, npy.
 *
 * Prefix: arr__ for internal functions. */
#ifndef ARR_INTERNAL_H
#define ARR_INTERNAL_H

#include "arr_alloc.h"
#include "arr_anchor.h"
#include "arr_copy.h"
#include "arr_dtype.h"
#include "arr_error.h"
#include "arr_iter.h"
#include "arr_layout.h"
#include "arr_overlap.h"
#include "arr_owner.h"
#include "arr_registry.h"
#include "arr_tag.h"
#include "arr_where.h"

#endif /* ARR_INTERNAL_H */
