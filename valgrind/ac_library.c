/* ac_library.c - which stack frames belong to an array library.
 *
 * Stacks of "made at" / "freed at" start at the library's public call, and
 * profile mode charges a library's work to its caller; both need to know
 * which code is the library's.  The library says so itself with
 * ARRCHECK_LIBRARY (arrcheck.h, struct arrcheck_library): a source
 * directory name, a shared-object name and/or a function-name prefix.
 * libarr declares {"libarr", "arr_", "libarr", "libarr.so"}; any other
 * library declares its own.  Nothing about libarr is built in: before any
 * declaration no frame is a library's.
 *
 * Cost: ac_library_owns runs once per distinct code address (ac_profile.c
 * caches the answer per address and recomputes it when ac_library_generation
 * changes): O(libraries x name length).
 */
#include "pub_tool_basics.h"
#include "pub_tool_aspacemgr.h"
#include "pub_tool_libcbase.h"
#include "pub_tool_libcprint.h"
#include "pub_tool_vki.h"
#include "ac_include.h"
#include "arrcheck.h"

#define AC_MAX_LIBRARIES 16
#define AC_LIB_STR 64 /* longer names are refused, not cut */

typedef struct {
    HChar name[AC_LIB_STR], prefix[AC_LIB_STR], srcdir[AC_LIB_STR], object[AC_LIB_STR];
} ACLibrary;

static ACLibrary ac_libraries[AC_MAX_LIBRARIES];
static UInt ac_n_libraries;
UInt ac_library_generation;

/* Reads an optional string field of the request into out ("" for NULL);
 * False (after a warning) when unreadable or too long. */
static Bool ac_library_string(ThreadId tid, const HChar *what, Addr p, HChar *out)
{
    if (!ac_client_string(p, out, AC_LIB_STR)) {
        ac_warn(tid, "LIBRARY: %s pointer %#lx is not readable", what, p);
        return False;
    }
    if (VG_(strlen)(out) == AC_LIB_STR - 1) {
        ac_warn(tid, "LIBRARY: %s is longer than %d bytes", what, AC_LIB_STR - 2);
        return False;
    }
    return True;
}

void ac_library_declare(ThreadId tid, Addr info_addr)
{
    struct arrcheck_library info;
    UInt head[2]; /* version, size; every read goes through ac_client_copy */
    if (info_addr == 0 || !ac_client_copy(head, info_addr, sizeof head)) {
        ac_warn(tid, "LIBRARY: info pointer %#lx is not readable client memory", info_addr);
        return;
    }
    UInt version = head[0], size = head[1];
    if (version != ARRCHECK_PROTOCOL_VERSION || size != sizeof info) {
        ac_warn(tid, "LIBRARY: protocol version %u size %u, but this arrcheck speaks version %u "
                "size %lu", version, size, ARRCHECK_PROTOCOL_VERSION, (unsigned long)sizeof info);
        return;
    }
    if (!ac_client_copy(&info, info_addr, sizeof info)) {
        ac_warn(tid, "LIBRARY: info struct at %#lx is not readable", info_addr);
        return;
    }
    ACLibrary lib;
    if (!ac_library_string(tid, "name", (Addr)info.name, lib.name) ||
        !ac_library_string(tid, "prefix", (Addr)info.prefix, lib.prefix) ||
        !ac_library_string(tid, "srcdir", (Addr)info.srcdir, lib.srcdir) ||
        !ac_library_string(tid, "object", (Addr)info.object, lib.object))
        return;
    if (!lib.name[0]) {
        ac_warn(tid, "LIBRARY: a library needs a name");
        return;
    }
    UInt i = 0;
    while (i < ac_n_libraries && VG_(strcmp)(ac_libraries[i].name, lib.name) != 0)
        i++;
    if (i == AC_MAX_LIBRARIES) {
        ac_warn(tid, "LIBRARY: more than %d libraries; '%s' ignored", AC_MAX_LIBRARIES, lib.name);
        return;
    }
    if (i == ac_n_libraries)
        ac_n_libraries++;
    ac_libraries[i] = lib;
    ac_library_generation++;
}

static Bool ac_starts_with(const HChar *s, const HChar *prefix)
{
    return s && prefix[0] && VG_(strncmp)(s, prefix, VG_(strlen)(prefix)) == 0;
}

/* Is the directory holding dir/file named `name`?  dir may be empty and
 * file may carry directories ("libarr/arr_owner.c"). */
static Bool ac_in_dir_named(const HChar *dir, const HChar *file, const HChar *name)
{
    HChar path[512];
    VG_(snprintf)(path, sizeof path, "%s%s%s", dir ? dir : "", dir ? "/" : "", file);
    HChar *slash = VG_(strrchr)(path, '/');
    if (!slash)
        return False;
    *slash = '\0';
    const HChar *last = VG_(strrchr)(path, '/');
    last = last ? last + 1 : path;
    return VG_(strcmp)(last, name) == 0;
}

static Bool ac_library_owns_one(const ACLibrary *lib, const HChar *file, const HChar *dir,
                                const HChar *fn, const HChar *obj)
{
    if (file && lib->srcdir[0])
        return ac_in_dir_named(dir, file, lib->srcdir);
    if (obj && lib->object[0]) {
        const HChar *base = VG_(strrchr)(obj, '/');
        if (ac_starts_with(base ? base + 1 : obj, lib->object))
            return True;
    }
    return ac_starts_with(fn, lib->prefix);
}

Bool ac_library_owns(const HChar *file, const HChar *dir, const HChar *fn, const HChar *obj)
{
    for (UInt i = 0; i < ac_n_libraries; i++)
        if (ac_library_owns_one(&ac_libraries[i], file, dir, fn, obj))
            return True;
    return False;
}
