/* ac_heap.c - the client's malloc'd blocks, for the leak scan.
 *
 * arrcheck replaces malloc, calloc, realloc, memalign, free, new and
 * delete (vgpreload_arrcheck-<platform>.so, Valgrind's replacement
 * preload) and keeps every live block's start and size, as memcheck does.
 * The leak scan needs both facts memcheck uses: the client heap itself is
 * no root (a freed block, or the old block of a realloc, holds stale
 * pointers), and a heap block counts only when it is reached from a root
 * or from another reached block.  The blocks come from the core's client
 * arena (VG_(cli_malloc)), whose segments the address space manager marks
 * as client heap (isCH), so the root scan skips them whole.
 *
 * A block's 16-byte redzones keep a pointer just past one block from
 * naming the next block's start (memcheck's default redzone too).
 */
#include "pub_tool_basics.h"
#include "pub_tool_hashtable.h"
#include "pub_tool_libcbase.h"
#include "pub_tool_mallocfree.h"
#include "pub_tool_replacemalloc.h"
#include "pub_tool_tooliface.h"

#include "ac_include.h"

typedef struct ACHeapNode {
    struct ACHeapNode *next;
    UWord key; /* the block's start */
    SizeT size;
    ULong serial; /* allocations before it */
} ACHeapNode;

static VgHashTable *ac_heap;
static ULong ac_heap_count;

/* The core's allocator panics on an alignment that is not a power of two
 * or is above 16 MiB: such a request fails here instead. */
#define AC_MAX_ALIGN (16 * 1024 * 1024)

static void *ac_heap_new(SizeT align, SizeT size, Bool zero)
{
    if ((SSizeT)size < 0)
        return NULL; /* a negative size passed as size_t: fails as in glibc */
    if (align > AC_MAX_ALIGN || (align & (align - 1)) != 0)
        return NULL;
    void *p = VG_(cli_malloc)(align, size);
    if (p == NULL)
        return NULL;
    if (zero)
        VG_(memset)(p, 0, size);
    ACHeapNode *n = VG_(malloc)("ac.heap.node", sizeof *n);
    n->key = (UWord)p;
    n->size = size;
    n->serial = ++ac_heap_count;
    VG_(HT_add_node)(ac_heap, n);
    return p;
}

static void *ac_malloc(ThreadId tid, SizeT n)
{
    (void)tid;
    return ac_heap_new(VG_(clo_alignment), n, False);
}

static void *ac_memalign(ThreadId tid, SizeT align, SizeT n)
{
    (void)tid;
    return ac_heap_new(align, n, False);
}

static void *ac_new_aligned(ThreadId tid, SizeT n, SizeT align)
{
    (void)tid;
    return ac_heap_new(align, n, False);
}

static void *ac_calloc(ThreadId tid, SizeT nmemb, SizeT size1)
{
    (void)tid;
    if (size1 != 0 && nmemb > (SizeT)-1 / size1)
        return NULL; /* the product overflows */
    return ac_heap_new(VG_(clo_alignment), nmemb * size1, True);
}

/* A pointer that is no live block (a double free, a stray pointer) is
 * left alone: reporting it is memcheck's job. */
static void ac_free(ThreadId tid, void *p)
{
    ACHeapNode *n = VG_(HT_remove)(ac_heap, (UWord)p);
    if (n == NULL)
        return;
    ac_storage_freed(tid, (Addr)p, n->size);
    VG_(cli_free)(p);
    VG_(free)(n);
}

static void ac_delete_aligned(ThreadId tid, void *p, SizeT align)
{
    (void)align;
    ac_free(tid, p);
}

/* Always a new block (as memcheck): the old one is freed, so what it held
 * is no root afterwards. */
static void *ac_realloc(ThreadId tid, void *p, SizeT size)
{
    if (p == NULL)
        return ac_malloc(tid, size);
    ACHeapNode *old = VG_(HT_lookup)(ac_heap, (UWord)p);
    if (old == NULL)
        return NULL;
    if (size == 0) { /* glibc: frees, returns NULL */
        ac_free(tid, p);
        return NULL;
    }
    void *fresh = ac_heap_new(VG_(clo_alignment), size, False);
    if (fresh == NULL)
        return NULL; /* the old block stays */
    VG_(memcpy)(fresh, p, old->size < size ? old->size : size);
    ac_free(tid, p);
    return fresh;
}

static SizeT ac_usable_size(ThreadId tid, void *p)
{
    (void)tid;
    ACHeapNode *n = VG_(HT_lookup)(ac_heap, (UWord)p);
    return n ? n->size : 0;
}

void ac_heap_init(void)
{
    ac_heap = VG_(HT_construct)("ac.heap");
    VG_(needs_malloc_replacement)(ac_malloc, ac_malloc, ac_new_aligned, ac_malloc, ac_new_aligned,
                                  ac_memalign, ac_calloc, ac_free, ac_free, ac_delete_aligned,
                                  ac_free, ac_delete_aligned, ac_realloc, ac_usable_size, 16);
}

Bool ac_heap_process_option(const HChar *arg)
{
    return VG_(replacement_malloc_process_cmd_line_option)(arg);
}

ULong ac_heap_now(void)
{
    return ac_heap_count;
}

Bool ac_heap_allocated_since(Addr a, ULong then)
{
    const ACHeapNode *n = VG_(HT_lookup)(ac_heap, a);
    return n != NULL && n->serial > then;
}

static Int ac_cmp_block(const void *a, const void *b)
{
    const ACHeapBlock *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

ACHeapBlock *ac_heap_blocks(ULong *n_out)
{
    UInt n = 0;
    VgHashNode **nodes = VG_(HT_to_array)(ac_heap, &n);
    ACHeapBlock *out = VG_(malloc)("ac.heap.blocks", (n ? n : 1) * sizeof *out);
    for (UInt i = 0; i < n; i++) {
        const ACHeapNode *h = (const ACHeapNode *)nodes[i];
        out[i].start = h->key;
        out[i].size = h->size;
    }
    if (nodes)
        VG_(free)(nodes);
    VG_(ssort)(out, n, sizeof *out, ac_cmp_block);
    *n_out = n;
    return out;
}
