/* arr_internal.h - every internal header of libarr at once, for the tests
 * and the fuzzers; not installed.  libarr's own files include only the
 * focused headers they use, which form a graph without cycles:
 *
 *   arr_error.h  arr_alloc.h  arr_dtype.h  arr_layout.h    (leaves: arr.h only)
 *   arr_registry.h  arr_tag.h  arr_owner.h  arr_check.h    (the handle core)
 *   arr_copy.h  arr_overlap.h                              (engines)
 *
 * Prefix: arr__ for internal functions. */
#ifndef ARR_INTERNAL_H
#define ARR_INTERNAL_H

#include "arr_alloc.h"
#include "arr_check.h"
#include "arr_copy.h"
#include "arr_dtype.h"
#include "arr_error.h"
#include "arr_layout.h"
#include "arr_overlap.h"
#include "arr_owner.h"
#include "arr_registry.h"
#include "arr_tag.h"

#endif /* ARR_INTERNAL_H */
