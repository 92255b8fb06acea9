"""Limits of a measured block: sizes ("64 MB", "1.5 GiB", bytes) and counts.

Pure parsing, no NumPy: the pytest plugin reads its options with it before
anything is measured."""

# Sizes: bytes, or a number and a unit, decimal (kB, MB, GB, TB) or binary
# (KiB, MiB, GiB, TiB), case-insensitive, with or without a space.
_UNITS = {"": 1, "b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12,
          "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}


def parse_size(text):
    """Bytes of "64 MB", "1.5 GiB", "1000" or 1000 (an int); ValueError with
    a one-line message otherwise."""
    if isinstance(text, bool):
        raise ValueError(f"bad size {text!r}")
    if isinstance(text, int):
        if text < 0:
            raise ValueError(f"bad size {text!r}: negative")
        return text
    if isinstance(text, float):
        text = repr(text)
    if not isinstance(text, str):
        raise ValueError(f"bad size {text!r}: expected a string like '64 MB' or a number of bytes")
    s = text.strip()
    i = 0
    while i < len(s) and (s[i].isdigit() or s[i] == "."):
        i += 1
    num, unit = s[:i], s[i:].strip().lower()
    try:
        value = float(num)
        factor = _UNITS[unit]
    except (ValueError, KeyError):
        raise ValueError(f"bad size {text!r}: expected bytes or a number and a unit "
                         f"(B, kB, MB, GB, TB, KiB, MiB, GiB, TiB), e.g. '64 MB' or '1.5 GiB'") from None
    n = value * factor
    if not n < 2**63:
        raise ValueError(f"bad size {text!r}: too large")
    return int(round(n))


def parse_count(text, what):
    """A limit on a count (copies, pinned): a non-negative integer."""
    if isinstance(text, bool):
        raise ValueError(f"bad {what} limit {text!r}: expected a whole number >= 0")
    try:
        n = int(text) if isinstance(text, int) else int(str(text).strip(), 10)
    except ValueError:
        raise ValueError(f"bad {what} limit {text!r}: expected a whole number >= 0") from None
    if n < 0:
        raise ValueError(f"bad {what} limit {text!r}: expected a whole number >= 0")
    return n


LIMIT_NAMES = ("peak", "copies", "pinned")


def parse_limits(peak=None, copies=None, pinned=None):
    """{"peak": bytes, "copies": n, "pinned": n} of the limits given (None: no limit)."""
    out = {}
    if peak is not None:
        out["peak"] = parse_size(peak)
    if copies is not None:
        out["copies"] = parse_count(copies, "copies")
    if pinned is not None:
        out["pinned"] = parse_count(pinned, "pinned")
    return out
