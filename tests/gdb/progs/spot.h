/* spot.h - breakpoint spots for the gdb tests.  The scripts stop at
 * arrdbg_spot(N) and look at the caller's locals (compiled with -O0). */
#ifndef ARRDBG_SPOT_H
#define ARRDBG_SPOT_H

__attribute__((noinline)) static void arrdbg_spot(int n)
{
    __asm__ volatile("" : : "r"(n) : "memory");
}

#endif
