"""Headless Chromium for the HTML tests: load a page from disk, return the
DOM after its scripts ran (and the browser's own log), or a screenshot."""
import os
import shutil
import subprocess
import tempfile

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-extensions", "--disable-background-networking", "--disable-sync",
         "--hide-scrollbars", "--mute-audio"]


def _run(args, timeout):
    prof = tempfile.mkdtemp(prefix="arrdbg-chromium.")
    try:
        p = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={prof}", *args],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout,
                           start_new_session=True)
        return p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
    finally:
        shutil.rmtree(prof, ignore_errors=True)


def dom(path, timeout=90, budget_ms=5000, fragment=""):
    """(the serialised DOM after the page's scripts ran, chromium's log);
    fragment: what follows # in the address."""
    url = "file://" + os.path.abspath(path) + ("#" + fragment if fragment else "")
    return _run(["--enable-logging=stderr", "--v=0", f"--virtual-time-budget={budget_ms}",
                 "--dump-dom", url], timeout)


def screenshot(path, png, size="1280,1700", timeout=90):
    _run([f"--screenshot={os.path.abspath(png)}", f"--window-size={size}",
          "--virtual-time-budget=3000", "file://" + os.path.abspath(path)], timeout)
    return os.path.exists(png) and os.path.getsize(png) > 0
