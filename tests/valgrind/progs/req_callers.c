/* A leak made three calls deep, for --num-callers. */
#include "req_common.h"

void level3(void);
void level2(void);
void level1(void);

void level3(void)
{
    int64_t shape[1] = {1};
    struct arrcheck_array_info info = req_info(1, 1, calloc(1, 64), NULL, 0, 1, shape);
    info.owndata = 0;
    (void)ARRCHECK_OWNER_CREATED(&info);
}
void level2(void) { level3(); }
void level1(void) { level2(); }

int main(void)
{
    level1();
    return 0;
}
