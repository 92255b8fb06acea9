/* arr_anchor.h - internal: objects a static link must keep although no
 * call reaches them.  arr_registry.c (linked by every libarr call) refers
 * to both, so any program using libarr.a carries the .debug_gdb_scripts
 * entry (arr_gdb_autoload.c) and the ARR_CHECK=1 constructor (arr_check.c).
 * These are references that keep an object in the link, not calls: the
 * checker calls down into the registry, and nothing calls up into it. */
#ifndef ARR_ANCHOR_H
#define ARR_ANCHOR_H

extern const char arr__gdb_autoload_anchor;
extern const char arr__check_anchor;

#endif /* ARR_ANCHOR_H */
