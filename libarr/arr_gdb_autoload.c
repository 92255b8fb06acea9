/* arr_gdb_autoload.c - makes gdb load the arrdbg plugin for a program
 * linked with the static libarr.a.
 *
 * gdb reads the .debug_gdb_scripts section of every objfile (gdb manual,
 * "The .debug_gdb_scripts section"): entries of a kind byte and a
 * NUL-terminated string.  This object carries one, fixed when it is
 * compiled:
 *
 *   - ARRDBG_GDB_SCRIPT (the installed libarr.a; gdb/gdb.mk): kind 1, the
 *     absolute file name of a Python script in gdb's own auto-load
 *     directory (/usr/share/gdb/auto-load/arrdbg/libarr.a-gdb.py).  gdb
 *     trusts that directory by default, so the plugin loads with no
 *     "auto-loading has been declined" warning and no safe-path edit, as
 *     libstdc++'s printers do; the script imports arrdbg_gdb from the
 *     install prefix.
 *   - ARRDBG_PYDIR (the build tree's libarr.a): kind 4, an inline script
 *     that puts ONE directory, the source tree's gdb/python, on sys.path
 *     and imports arrdbg_gdb from it.  gdb runs it only if the program is
 *     in `auto-load safe-path` (gdb/README.md, "Loading").
 *
 * Nothing is looked up relative to the program, the library or the
 * current directory, and no environment variable redirects the import.
 *
 * The shared library carries no entry (ARRDBG_SHARED_OBJECT): gdb finds
 * its script as a file, libarr.so.VERSION-gdb.py, beside the build tree's
 * library or in gdb's own auto-load directory once installed, and no
 * build path is inside an installed library.
 *
 * The section is "aMS": mergeable strings, so a program that links the
 * static library twice still carries the entry once; allocated, as Rust's
 * is, so `strip --strip-debug` (dh_strip on libarr.a, a user's `strip -g`)
 * keeps it: it names a script and costs a few bytes of memory.  In a static link
 * this object is only pulled in when something references
 * arr__gdb_autoload_anchor (libarr's core does).
 */

/* Referenced from the core so static links keep this object (and section). */
const char arr__gdb_autoload_anchor = 0;

#if !defined(ARRDBG_SHARED_OBJECT)
/* Named by the installed libarr.so, a linker script (`make install`):
 * EXTERN(arr__gdb_autoload_exe) pulls this object out of libarr.a into a
 * program linked with -larr against the shared library, so its
 * .debug_gdb_scripts entry is in the program itself and gdb loads the
 * plugin with the program, before libarr.so is loaded (`help arr` at once).
 * libarr.so does not define it. */
const char arr__gdb_autoload_exe = 0;
#endif

#if defined(__ELF__) && defined(__GNUC__) && !defined(ARRDBG_SHARED_OBJECT) && defined(ARRDBG_GDB_SCRIPT)
__asm__(".pushsection \".debug_gdb_scripts\", \"aMS\",@progbits,1\n"
        ".byte 1\n"
        ".asciz \"" ARRDBG_GDB_SCRIPT "\"\n"
        ".popsection\n");
#elif defined(__ELF__) && defined(__GNUC__) && !defined(ARRDBG_SHARED_OBJECT) && defined(ARRDBG_PYDIR)
__asm__(".pushsection \".debug_gdb_scripts\", \"aMS\",@progbits,1\n"
        ".byte 4\n"
        ".ascii \"gdb.inlined-script.arrdbg\\n\"\n"
        ".ascii \"import os, sys\\n\"\n"
        ".ascii \"def _arrdbg_autoload():\\n\"\n"
        ".ascii \"    import gdb\\n\"\n"
        ".ascii \"    d = '" ARRDBG_PYDIR "'\\n\"\n"
        ".ascii \"    if not os.path.isfile(os.path.join(d, 'arrdbg_gdb', '__init__.py')):\\n\"\n"
        ".ascii \"        gdb.write('arrdbg: the gdb plugin for libarr is not in ' + d + chr(10))\\n\"\n"
        ".ascii \"        return\\n\"\n"
        ".ascii \"    if d not in sys.path:\\n\"\n"
        ".ascii \"        sys.path.insert(0, d)\\n\"\n"
        ".ascii \"    import arrdbg_gdb\\n\"\n"
        ".ascii \"    arrdbg_gdb.register(gdb.current_objfile())\\n\"\n"
        ".ascii \"_arrdbg_autoload()\\n\"\n"
        ".ascii \"del _arrdbg_autoload\\n\"\n"
        ".byte 0\n"
        ".popsection\n");
#endif
