/* ac_client.c - reading the client's memory from tool code, never faulting,
 * and warning about bad client requests.
 *
 * A mapping the address space manager calls readable may still fault: a
 * MAP_SHARED file mapping past the end of its file raises SIGBUS, and the
 * client may change protections behind our back.  Every read of client
 * memory made on behalf of a client request goes through ac_client_copy:
 * a fault catcher turns the signal into a longjmp, and the signal mask,
 * which the kernel changed on entry to the handler we leave by longjmp, is
 * put back (else the next fault would kill the process).
 */
#include "pub_tool_basics.h"
#include "pub_tool_aspacemgr.h"
#include "pub_tool_libcbase.h"
#include "pub_tool_libcprint.h"
#include "pub_tool_options.h"
#include "pub_tool_stacktrace.h"
#include "pub_tool_libcsetjmp.h"
#include "pub_tool_libcsignal.h"
#include "pub_tool_signals.h"
#include "pub_tool_vki.h"

#include "ac_include.h"

Bool ac_client_readable(Addr a, SizeT len)
{
    if (len == 0)
        return True;
    if (a + len < a)
        return False;
    return VG_(am_is_valid_for_client)(a, len, VKI_PROT_READ);
}

static VG_MINIMAL_JMP_BUF(ac_copy_jmp);

static void ac_copy_catcher(Int sig, Addr addr)
{
    (void)addr;
    if (sig == VKI_SIGSEGV || sig == VKI_SIGBUS)
        VG_MINIMAL_LONGJMP(ac_copy_jmp);
}

Bool ac_client_copy(void *dst, Addr src, SizeT len)
{
    if (!ac_client_readable(src, len))
        return False;
    if (len == 0)
        return True;
    /* Anonymous memory the manager calls readable cannot fault (client
     * threads do not run while the tool does): no signal mask syscalls. */
    const NSegment *seg = VG_(am_find_nsegment)(src);
    if (seg && seg->kind == SkAnonC && src + len - 1 <= seg->end) {
        VG_(memcpy)(dst, (const void *)src, len);
        return True;
    }
    vki_sigset_t mask;
    VG_(sigprocmask)(VKI_SIG_SETMASK, NULL, &mask);
    fault_catcher_t prev = VG_(set_fault_catcher)(ac_copy_catcher);
    volatile Bool ok = True;
    if (VG_MINIMAL_SETJMP(ac_copy_jmp) == 0) {
        VG_(memcpy)(dst, (const void *)src, len);
    } else {
        ok = False;
        VG_(sigprocmask)(VKI_SIG_SETMASK, &mask, NULL);
    }
    VG_(set_fault_catcher)(prev);
    return ok;
}

/* Bytes of the UTF-8 sequence that starts with lead byte c (1 for ASCII
 * and for bytes that cannot start one). */
static Int ac_utf8_lead_len(UChar c)
{
    return c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xC2 && c <= 0xDF ? 2 : 1;
}

Bool ac_client_string(Addr p, HChar *buf, Int nbuf)
{
    buf[0] = '\0';
    if (p == 0)
        return True;
    /* Page by page: the string may end just before an unreadable page. */
    Int n = 0;
    for (;;) {
        Addr a = p + (Addr)n;
        if (a < p)
            return (buf[0] = '\0', False);
        Int chunk = (Int)(VG_PGROUNDDN(a) + VKI_PAGE_SIZE - a);
        if (chunk > nbuf - 1 - n)
            chunk = nbuf - 1 - n;
        if (chunk <= 0)
            break;
        if (!ac_client_copy(buf + n, a, (SizeT)chunk)) {
            buf[0] = '\0';
            return False;
        }
        for (Int i = n; i < n + chunk; i++)
            if (buf[i] == '\0')
                return True;
        n += chunk;
    }
    /* Too long: cut before a UTF-8 character the limit splits. */
    buf[nbuf - 1] = '\0';
    Int cut = nbuf - 1;
    for (Int back = 1; back <= 3 && cut - back >= 0; back++) {
        UChar c = (UChar)buf[cut - back];
        if ((c & 0xC0) != 0x80) {
            if (c >= 0xC0 && ac_utf8_lead_len(c) > back)
                buf[cut - back] = '\0';
            break;
        }
    }
    return True;
}

/* ---- warnings about bogus requests ---------------------------------------- */

static UInt ac_n_warnings;
#define AC_MAX_WARNINGS 50

void ac_warn(ThreadId tid, const HChar *fmt, ...)
{
    HChar msg[256];
    va_list ap;
    if (++ac_n_warnings > AC_MAX_WARNINGS) {
        if (ac_n_warnings == AC_MAX_WARNINGS + 1)
            VG_(umsg)("Warning: arrcheck: more than %d bad requests; "
                      "not reporting any more\n", AC_MAX_WARNINGS);
        return;
    }
    va_start(ap, fmt);
    VG_(vsnprintf)(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (VG_(clo_xml)) {
        /* A stack outside an <error> must sit in a <clientmsg>. */
        VG_(printf_xml)("<clientmsg>\n  <tid>%u</tid>\n  <text>Warning: arrcheck: %pS</text>\n",
                        tid, msg);
        VG_(get_and_pp_StackTrace)(tid, VG_(clo_backtrace_size));
        VG_(printf_xml)("</clientmsg>\n");
    } else {
        VG_(umsg)("Warning: arrcheck: %s\n", msg);
        VG_(get_and_pp_StackTrace)(tid, VG_(clo_backtrace_size));
    }
}
