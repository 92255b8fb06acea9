/* invalid_free_borrowed_base.c - freeing a borrowed pointer.
 *
 * arr_base() returns the view's owner as a BORROWED pointer.  This code
 * frees it as if it were a new handle, which frees the owner while the view
 * lives (orphaning it); the owner's real handle is then freed a second
 * time at the end.
 *
 * expect native:
 * expect memcheck:
 * expect arrcheck: OrphanedView=1 InvalidFree=1
 */
#include "sample.h"

int main(void)
{
    arr_t *img = must(arr_zeros(2, (int64_t[]){8, 8}, ARR_UINT8), "zeros");
    arr_t *crop = must(arr_slice(img, "2:6, 2:6"), "slice");
    arr_t *owner = arr_base(crop); /* borrowed: crop's owner, i.e. img */
    printf("crop is a view of #%llu\n", (unsigned long long)arr_id(owner));
    arr_free(owner); /* BUG: not ours to free (and crop still lives) */
    arr_free(crop);
    arr_free(img); /* the second free of the same array */
    return 0;
}
