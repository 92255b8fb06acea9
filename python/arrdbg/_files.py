"""Reading a saved report (html, diff): JSON, an arrdbg report, valid
against report.schema.json, or a one-line ValueError saying why not.
(Writing one: _run.write_file.)"""
import json


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
