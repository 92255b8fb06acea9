/* arr_where.h - internal: where a return address was called from, for the
 * native checker's reports (arr_where.c). */
#ifndef ARR_WHERE_H
#define ARR_WHERE_H

#include <stddef.h>

typedef struct arr__where arr__where_t;

/* Opens a symbolizer for this process.  libdw (elfutils) is loaded with
 * dlopen on first use, so programs never link it; without it, or without
 * debug info, sites are given as module+0xoffset.  NULL when out of memory:
 * arr__where_format still works then (module+offset only). */
arr__where_t *arr__where_open(void);
/* Writes the call site of ret_addr (a return address, as recorded in
 * made_at) into buf: "zscore (pipeline.c:62)" with debug info,
 * "zscore (/path/prog+0x11a8)" with a symbol table only, else
 * "/path/prog+0x11a8"; the offset is the call instruction's address as
 * `addr2line -e /path/prog 0x11a8` expects.  Never fails. */
void arr__where_format(arr__where_t *w, const void *ret_addr, char *buf, size_t cap);
void arr__where_close(arr__where_t *w);

#endif /* ARR_WHERE_H */
