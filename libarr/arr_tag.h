/* arr_tag.h - internal: telling Valgrind about arrays (arr_tag.c).  Every
 * request sits behind arr__on_valgrind(), one predictable branch on a plain
 * load natively; the work itself is out of line and cold.  Depends on arr.h
 * and Valgrind's headers only. */
#ifndef ARR_TAG_H
#define ARR_TAG_H

#include "arr.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <valgrind/memcheck.h>

/* True when running under Valgrind (set once before main).  Tests may set it
 * natively to exercise the quarantine paths: the client requests themselves
 * are no-ops outside Valgrind. */
extern bool arr__under_valgrind;

/* True under an arrcheck that hands out ids (level 3): arr__tool_id() is
 * the next one (0: none left). */
extern bool arr__tool_ids;
uint64_t arr__tool_id(void);

static inline bool arr__on_valgrind(void)
{
#ifdef NVALGRIND
    return false;
#else
    return __builtin_expect(arr__under_valgrind, 0);
#endif
}

/* The helpers below take vg = arr__on_valgrind(), read once by their
 * caller: a function that touches several links or slots then pays one load
 * of the flag, and with a constant vg (see arr_free) none at all.
 *
 * Registry slots hold real handle pointers, for debuggers.  Under memcheck
 * each slot is marked undefined once written, so the leak scan does not take
 * the registry for a reference to every array; libarr marks a slot defined
 * again just before it reads it. */
static inline void arr__hide_slot(arr_t **slot, bool vg)
{
    (void)slot;
    if (vg)
        (void)VALGRIND_MAKE_MEM_UNDEFINED(slot, sizeof *slot);
}

static inline void arr__show_slot(arr_t **slot, bool vg)
{
    (void)slot;
    if (vg)
        (void)VALGRIND_MAKE_MEM_DEFINED(slot, sizeof *slot);
}

/* The owner->views list links are hidden the same way: otherwise a view
 * handle nobody points to would look "still reachable" through its owner.
 * Every read of a link goes through arr__link_get, every write through
 * arr__link_set. */
static inline arr_t *arr__link_get(arr_t *const *field, bool vg)
{
    if (vg)
        (void)VALGRIND_MAKE_MEM_DEFINED(field, sizeof *field);
    arr_t *value = *field;
    if (vg)
        (void)VALGRIND_MAKE_MEM_UNDEFINED(field, sizeof *field);
    return value;
}

static inline void arr__link_set(arr_t **field, arr_t *value, bool vg)
{
    *field = value;
    if (vg)
        (void)VALGRIND_MAKE_MEM_UNDEFINED(field, sizeof *field);
}

/* Writes "arr #3 float64 shape (3, 4) ..." into buf (truncated to cap). */
void arr__describe(const arr_t *a, char *buf, size_t cap);

/* ARRCHECK_OWNER_CREATED / _VIEW_CREATED for a.  owner_buffer / owner_bytes:
 * the owner's buffer start (its data for wrapped memory) and size, captured
 * by the caller while the owner was certainly alive. */
void arr__emit_created_slow(const arr_t *a, const void *owner_buffer, int64_t owner_bytes);
/* Names a->buffer for memcheck ("<prefix>arr #3 float64 ..."), replacing
 * any previous name; at most a few thousand live names (memcheck searches
 * them linearly). */
void arr__name_block_slow(arr_t *a, const char *prefix);
/* Drops a memcheck block name made by arr__name_block_slow (0: none). */
void arr__forget_block_name(uint64_t *vg_block);

/* Callers test arr__on_valgrind() once and call the _slow functions above
 * under it: natively one predictable branch, the work out of line (cold),
 * and a tool's stack shows the call in the .c file that made the array. */

#endif /* ARR_TAG_H */
