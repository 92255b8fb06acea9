"""Writing a report file the way a user expects.

A regular file (or a new path) is written whole through a temporary file
and a rename, so a reader never sees half a report; a FIFO, a device or a
symlink is written into, never replaced (`--html /dev/stdout`, a named pipe,
a link to where reports are kept)."""
import os
import stat


def write_text(path, text):
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        st = None
    if st is not None and not stat.S_ISREG(st.st_mode):
        if stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError(f"{path}: is a directory")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return
    tmp = f"{path}.tmp{os.getpid()}"
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
