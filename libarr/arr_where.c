/* arr_where.c - call sites for the native checker: function (file:line)
 * through elfutils' libdw when it and debug info are there, otherwise
 * module+offset from the dynamic loader.
 *
 * libdw is opened with dlopen("libdw.so.1") only when a report is written,
 * so neither libarr.so nor a program linking libarr.a depends on it, a
 * clean run never loads it, and a system without it still gets sites that
 * addr2line resolves.  Static functions are found too (libdw reads .symtab
 * and DWARF, not the dynamic symbol table dladdr is limited to), and an
 * inlined function is named by its own name, as its line is. */
#include "arr_where.h"

#include <dlfcn.h>
#include <dwarf.h>
#include <elfutils/libdwfl.h>
#include <inttypes.h>
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The libdw functions used, resolved with dlsym. */
#define ARR__DW_FUNCS(X)                                                                           \
    X(dwfl_begin) X(dwfl_end) X(dwfl_linux_proc_report) X(dwfl_report_end) X(dwfl_addrmodule)   \
    X(dwfl_module_addrname) X(dwfl_module_getsrc) X(dwfl_lineinfo) X(dwfl_module_addrdie)       \
    X(dwfl_linux_proc_find_elf) X(dwfl_standard_find_debuginfo) X(dwarf_getscopes) X(dwarf_tag) \
    X(dwarf_attr_integrate) X(dwarf_formstring)

struct arr__where {
    void *libdw;
    Dwfl *dwfl;
    Dwfl_Callbacks callbacks; /* must outlive dwfl */
    char *debuginfo_path;     /* NULL: libdw's default search */
#define ARR__DW_PTR(name) __typeof__(name) *name;
    ARR__DW_FUNCS(ARR__DW_PTR)
#undef ARR__DW_PTR
    char exe[512]; /* the main program's path ("" until looked up) */
};

static int load_libdw(arr__where_t *w)
{
    w->libdw = dlopen("libdw.so.1", RTLD_LAZY | RTLD_LOCAL);
    if (w->libdw == NULL)
        return -1;
#define ARR__DW_SYM(name)                                                                          \
    if ((*(void **)&w->name = dlsym(w->libdw, #name)) == NULL)                                     \
        return -1;
    ARR__DW_FUNCS(ARR__DW_SYM)
#undef ARR__DW_SYM
    w->callbacks.find_elf = w->dwfl_linux_proc_find_elf;
    w->callbacks.find_debuginfo = w->dwfl_standard_find_debuginfo;
    w->callbacks.debuginfo_path = &w->debuginfo_path;
    w->dwfl = w->dwfl_begin(&w->callbacks);
    if (w->dwfl == NULL)
        return -1;
    /* Every module mapped now: the report runs at exit or on request. */
    if (w->dwfl_linux_proc_report(w->dwfl, getpid()) != 0 ||
        w->dwfl_report_end(w->dwfl, NULL, NULL) != 0) {
        w->dwfl_end(w->dwfl);
        w->dwfl = NULL;
        return -1;
    }
    return 0;
}

arr__where_t *arr__where_open(void)
{
    arr__where_t *w = calloc(1, sizeof *w);
    if (w == NULL)
        return NULL;
    if (load_libdw(w) != 0 && w->libdw != NULL) {
        dlclose(w->libdw);
        w->libdw = NULL;
    }
    return w;
}

void arr__where_close(arr__where_t *w)
{
    if (w == NULL)
        return;
    if (w->dwfl)
        w->dwfl_end(w->dwfl);
    if (w->libdw)
        dlclose(w->libdw);
    free(w);
}

/* The innermost function containing pc, inlined ones included; NULL when
 * there is no DWARF for it. */
static const char *dwarf_function(arr__where_t *w, Dwfl_Module *mod, Dwarf_Addr pc)
{
    Dwarf_Addr bias = 0;
    Dwarf_Die *cu = w->dwfl_module_addrdie(mod, pc, &bias);
    if (cu == NULL)
        return NULL;
    Dwarf_Die *scopes = NULL;
    int n = w->dwarf_getscopes(cu, pc - bias, &scopes);
    const char *name = NULL;
    for (int i = 0; i < n && name == NULL; i++) {
        int tag = w->dwarf_tag(&scopes[i]);
        if (tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine) {
            Dwarf_Attribute attr;
            if (w->dwarf_attr_integrate(&scopes[i], DW_AT_name, &attr))
                name = w->dwarf_formstring(&attr);
        }
    }
    free(scopes); /* the name points into libdw's own data, not here */
    return name;
}

/* "fn (file.c:12)", or "fn" alone when there is no line table for pc;
 * 0 when libdw knows nothing of pc. */
static int format_dwarf(arr__where_t *w, uintptr_t pc, char *buf, size_t cap, int *have_line)
{
    *have_line = 0;
    if (w == NULL || w->dwfl == NULL)
        return 0;
    Dwfl_Module *mod = w->dwfl_addrmodule(w->dwfl, pc);
    if (mod == NULL)
        return 0;
    const char *fn = dwarf_function(w, mod, pc);
    if (fn == NULL)
        fn = w->dwfl_module_addrname(mod, pc); /* .symtab: static functions too */
    Dwfl_Line *line = w->dwfl_module_getsrc(mod, pc);
    int lineno = 0;
    const char *file = line ? w->dwfl_lineinfo(line, NULL, &lineno, NULL, NULL, NULL) : NULL;
    if (file && lineno > 0) {
        const char *base = strrchr(file, '/');
        snprintf(buf, cap, "%s (%s:%d)", fn ? fn : "???", base ? base + 1 : file, lineno);
        *have_line = 1;
        return 1;
    }
    if (fn == NULL)
        return 0;
    snprintf(buf, cap, "%s", fn);
    return 1;
}

/* "module+0xoffset" with the offset as addr2line -e module takes it: the
 * address in the file's own terms (the load bias taken off). */
static int format_module(arr__where_t *w, uintptr_t pc, char *buf, size_t cap)
{
    Dl_info info;
    struct link_map *map = NULL;
    if (dladdr1((const void *)pc, &info, (void **)&map, RTLD_DL_LINKMAP) == 0 || map == NULL)
        return 0;
    const char *module = map->l_name;
    char local[sizeof w->exe];
    if (module == NULL || module[0] == '\0') { /* the main program: the loader has no name */
        char *exe = w ? w->exe : local;
        if (w == NULL || exe[0] == '\0') {
            ssize_t n = readlink("/proc/self/exe", exe, sizeof local - 1);
            exe[n > 0 ? n : 0] = '\0';
        }
        module = exe[0] ? exe : info.dli_fname && info.dli_fname[0] ? info.dli_fname : "?";
    }
    snprintf(buf, cap, "%s+0x%" PRIxPTR, module, pc - (uintptr_t)map->l_addr);
    return 1;
}

void arr__where_format(arr__where_t *w, const void *ret_addr, char *buf, size_t cap)
{
    if (cap == 0)
        return;
    if (ret_addr == NULL) {
        snprintf(buf, cap, "an unknown place");
        return;
    }
    /* The call instruction ends at the return address: look up the byte
     * before it, as debuggers do, so the line is the call's own. */
    uintptr_t pc = (uintptr_t)ret_addr - 1;
    char fn[256], mod[sizeof ((arr__where_t *)0)->exe + 32];
    int have_line;
    int have_fn = format_dwarf(w, pc, fn, sizeof fn, &have_line);
    if (have_fn && have_line) {
        snprintf(buf, cap, "%s", fn);
        return;
    }
    int have_mod = format_module(w, pc, mod, sizeof mod);
    if (have_fn && have_mod)
        snprintf(buf, cap, "%s (%s)", fn, mod);
    else if (have_mod)
        snprintf(buf, cap, "%s", mod);
    else
        snprintf(buf, cap, "%p", ret_addr);
}
