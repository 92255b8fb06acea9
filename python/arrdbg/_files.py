"""Report files: reading one (load_report) and writing one (write_text).

A regular file (or a new path) is written whole through a temporary file
and a rename, so a reader never sees half a report; a FIFO, a device or a
symlink is written into, never replaced (`--html /dev/stdout`, a named pipe,
a link to where reports are kept)."""
import json
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


def load_report(path):
    """A report dict from a JSON file; ValueError with a one-line reason."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise ValueError(f"{path}: {e.strerror or e}") from None
    try:
        data = json.loads(raw)
    except RecursionError:
        raise ValueError(f"{path}: not a report (JSON nested too deeply)") from None
    except (ValueError, UnicodeDecodeError) as e:
        raise ValueError(f"{path}: not JSON ({e})") from None
    if not isinstance(data, dict) or data.get("format") != "arrdbg-numpy-report":
        raise ValueError(f"{path}: not an arrdbg report (no \"format\": \"arrdbg-numpy-report\")")
    try:
        import jsonschema
    except ImportError:
        return data
    from . import schema
    err = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(schema()).iter_errors(data))
    if err is not None:
        where = "/".join(str(x) for x in err.absolute_path) or "the top level"
        msg = err.message if len(err.message) < 200 else err.message[:200] + "..."
        raise ValueError(f"{path}: not a valid arrdbg report: at {where}: {msg}")
    return data
