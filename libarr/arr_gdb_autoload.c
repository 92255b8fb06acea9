/* arr_gdb_autoload.c - makes gdb load the arrdbg plugin whenever it sees libarr.
 *
 * gdb reads the .debug_gdb_scripts section of every objfile.  This entry is
 * an inline Python script (kind 4, "gdb.inlined-script") rather than a file
 * name (kind 1) because a name is only looked up in gdb's own auto-load
 * directories, which neither the build tree nor a /usr/local install are.
 * The script finds the arrdbg package (ARRDBG_PYTHONPATH, then share/arrdbg
 * next to the library, then the source tree and install prefix baked in at
 * build time) and registers the printers for this objfile.  gdb runs it
 * only if the objfile is in `auto-load safe-path`.
 *
 * The section is "MS" (mergeable strings), so a program that links both the
 * static and the shared library still carries the script once.  In a static
 * link this object is only pulled in when something references
 * arr__gdb_autoload_anchor (libarr's core does).
 */

#ifndef ARRDBG_PYDIR_SOURCE
#define ARRDBG_PYDIR_SOURCE ""
#endif
#ifndef ARRDBG_PYDIR_INSTALL
#define ARRDBG_PYDIR_INSTALL ""
#endif

/* Referenced from the core so static links keep this object (and section). */
const char arr__gdb_autoload_anchor = 0;

#if defined(__ELF__) && defined(__GNUC__)
__asm__(".pushsection \".debug_gdb_scripts\", \"MS\",@progbits,1\n"
        ".byte 4\n"
        ".ascii \"gdb.inlined-script.arrdbg\\n\"\n"
        ".ascii \"import os, sys\\n\"\n"
        ".ascii \"def _arrdbg_autoload():\\n\"\n"
        ".ascii \"    import gdb\\n\"\n"
        ".ascii \"    objfile = gdb.current_objfile()\\n\"\n"
        ".ascii \"    dirs = [os.environ.get('ARRDBG_PYTHONPATH', '')]\\n\"\n"
        ".ascii \"    if objfile is not None and objfile.filename:\\n\"\n"
        ".ascii \"        libdir = os.path.dirname(os.path.realpath(objfile.filename))\\n\"\n"
        ".ascii \"        dirs.append(os.path.join(libdir, '..', 'share', 'arrdbg', 'python'))\\n\"\n"
        ".ascii \"    dirs += ['" ARRDBG_PYDIR_SOURCE "', '" ARRDBG_PYDIR_INSTALL "']\\n\"\n"
        ".ascii \"    for d in dirs:\\n\"\n"
        ".ascii \"        if d and os.path.isfile(os.path.join(d, 'arrdbg_gdb', '__init__.py')):\\n\"\n"
        ".ascii \"            d = os.path.abspath(d)\\n\"\n"
        ".ascii \"            if d not in sys.path:\\n\"\n"
        ".ascii \"                sys.path.insert(0, d)\\n\"\n"
        ".ascii \"            break\\n\"\n"
        ".ascii \"    try:\\n\"\n"
        ".ascii \"        import arrdbg_gdb\\n\"\n"
        ".ascii \"    except ImportError:\\n\"\n"
        ".ascii \"        gdb.write('arrdbg: the gdb plugin for libarr was not found;'\\n\"\n"
        ".ascii \"                  ' set ARRDBG_PYTHONPATH or source gdb/arrdbg.py' + chr(10))\\n\"\n"
        ".ascii \"        return\\n\"\n"
        ".ascii \"    arrdbg_gdb.register(objfile)\\n\"\n"
        ".ascii \"_arrdbg_autoload()\\n\"\n"
        ".ascii \"del _arrdbg_autoload\\n\"\n"
        ".byte 0\n"
        ".popsection\n");
#endif
