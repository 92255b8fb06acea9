/* Labels no report may break (issue 13): control bytes, ESC, newline, CR,
 * tab, bytes that are not UTF-8, a backslash, and a long multi-byte label
 * that libarr cuts at 47 bytes in the middle of a character.  All leaked,
 * so every report shows them; run with --xml=yes as well. */
#include "arr.h"

static const char *const labels[] = {
    "ctl\x01" "x",
    "esc\x1b[31mred",
    "two\nlines\rcr\ttab",
    "bad\xff\xfe utf8",
    "back\\slash & <tag>",
    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", /* 50 bytes of "é" */
};

static void leak_labelled(int i)
{
    int64_t n = 2;
    arr_t *a = arr_zeros(1, &n, ARR_INT8);
    arr_set_label(a, labels[i]);
}

/* One line each: each leak is its own loss record, with its label shown. */
int main(void)
{
    leak_labelled(0);
    leak_labelled(1);
    leak_labelled(2);
    leak_labelled(3);
    leak_labelled(4);
    leak_labelled(5);
    return 0;
}
