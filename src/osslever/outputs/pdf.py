"""Print an HTML page to PDF with headless Chromium — a real layout engine, so tables,
inline SVG charts, CSS paged media and CJK text come out as the browser shows them.

Why a browser and not a PDF library: the reports are already HTML with inline CSS and
SVG; a second renderer would be a second layout to keep in step, and pure-Python PDF
writers do not shape CJK text or follow ``@page``. Chromium is Debian's ``chromium``
(``.ci/apt-packages``), found on PATH or named by ``$OSSLEVER_CHROMIUM``.

The page is printed offline and inert: it is written to a private temporary folder and
opened as ``file://``; a Content-Security-Policy is put first in its ``<head>`` (no
scripts, no fetches — inline styles, ``data:`` images and fonts only), every request
that would still leave goes to a proxy that does not exist (loopback included) and
host names do not resolve. The browser gets a throw-away profile, its own process
group (so a timeout kills every child it started) and an argument list, never a shell.
The PDF is checked (``%PDF-``) and written atomically (``files.write_atomic``):
Chromium reports success even when it failed to write, and a half-written file must
never replace a good one.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import stat
import subprocess
import tempfile
from pathlib import Path

from osslever.errors import UserError
from osslever.outputs.files import write_atomic

BROWSERS: tuple[str, ...] = ("chromium", "chromium-browser", "google-chrome")
"""Names looked up on PATH, in this order, when ``$OSSLEVER_CHROMIUM`` is not set."""

ENV_VAR = "OSSLEVER_CHROMIUM"

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:"
"""What the printed page may load: nothing from outside the HTML string itself."""

_OFFLINE_FLAGS: tuple[str, ...] = (
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-domain-reliability",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--disable-client-side-phishing-detection",
    "--disable-breakpad",
    "--no-first-run",
    "--no-default-browser-check",
    "--proxy-server=127.0.0.1:9",  # the discard port: nothing listens, every request fails
    "--proxy-bypass-list=<-loopback>",  # ... loopback too (Chromium bypasses it by default)
    "--host-resolver-rules=MAP * ~NOTFOUND",
)

_HEAD = re.compile(rb"<head\b[^>]*>", re.IGNORECASE)


def find_browser() -> str:
    """The Chromium to print with: ``$OSSLEVER_CHROMIUM`` if set, else the first of ``BROWSERS``."""
    chosen = os.environ.get(ENV_VAR)
    if chosen:
        found = shutil.which(chosen)
        if found is None:
            raise UserError("pdf.browser_not_found", variable=ENV_VAR, path=chosen)
        return found
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    raise UserError("pdf.no_browser", names=", ".join(BROWSERS), variable=ENV_VAR)


def _inert(html: str) -> bytes:
    """The page with our CSP first in ``<head>``: a second policy can only narrow the page's own."""
    data = html.encode("utf-8")
    meta = f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'.encode()
    head = _HEAD.search(data)
    if head is None:
        return meta + data  # the parser opens <head> for a leading <meta>
    return data[: head.end()] + meta + data[head.end() :]


def _last_message(stderr: bytes) -> str:
    """Chromium's last error line, without its ``[pid:tid:time:ERROR:file]`` prefix.

    D-Bus and crash-reporter complaints are dropped: a headless browser in a container
    always has them (no system bus, no /sys/…/cpufreq) and they never say why printing failed.
    """
    lines = [ln.strip() for ln in stderr.decode("utf-8", "replace").splitlines() if ln.strip()]
    useful = [ln for ln in lines if "dbus" not in ln.lower() and "crashpad" not in ln]
    if not useful:
        return "-"
    line = next((ln for ln in reversed(useful) if ":ERROR:" in ln or ":FATAL:" in ln), useful[-1])
    return re.sub(r"^\[[^\]]*\]\s*", "", line)[:300]


def command(browser: str, page: Path, pdf: Path, profile: Path) -> list[str]:
    """The argument list: headless, offline, a fresh profile, no header or footer on the pages."""
    args = [browser, "--headless", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars", "--mute-audio"]
    if os.geteuid() == 0:
        args.append("--no-sandbox")  # Chromium refuses to start its sandbox as root
    return [
        *args,
        *_OFFLINE_FLAGS,
        f"--user-data-dir={profile}",
        "--no-pdf-header-footer",
        f"--print-to-pdf={pdf}",
        page.as_uri(),
    ]


def render_pdf(html: str, *, timeout: float = 120) -> bytes:
    """The PDF of ``html`` as bytes; ``UserError`` when there is no browser or it fails.

    Page size and margins come from the page's own ``@page`` rule (``styles.print_css``).
    """
    browser = find_browser()
    with tempfile.TemporaryDirectory(prefix="osslever-pdf-") as tmp:
        folder = Path(tmp)
        page, pdf, profile = folder / "page.html", folder / "page.pdf", folder / "profile"
        page.write_bytes(_inert(html))
        proc = subprocess.Popen(
            command(browser, page, pdf, profile),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            cwd=folder,
            start_new_session=True,  # its own process group: a timeout ends the renderers too
        )
        try:
            _, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            _, stderr = proc.communicate()
            raise UserError("pdf.timeout", seconds=f"{timeout:g}", detail=_last_message(stderr)) from None
        except BaseException:  # Ctrl-C: leave no browser behind
            _kill_group(proc)
            proc.wait()
            raise
        _kill_group(proc)  # helpers that outlived the browser (zygote, crashpad)
        if proc.returncode != 0:
            raise UserError("pdf.failed", code=proc.returncode, detail=_last_message(stderr))
        data = pdf.read_bytes() if pdf.is_file() else b""
        if not data.startswith(b"%PDF-"):
            if b"crashpad" in stderr:  # the crash reporter speaks: a renderer died (a page too big?)
                raise UserError("pdf.crashed")
            raise UserError("pdf.no_output", detail=_last_message(stderr))
        return data


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL the process group this module created for the browser (and nothing else)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)


def html_to_pdf(html: str, out: Path, *, timeout: float = 120) -> None:
    """Print ``html`` to the PDF file ``out``, atomically; an existing file keeps its mode."""
    data = render_pdf(html, timeout=timeout)
    folder = out.absolute().parent
    if not folder.is_dir():
        raise UserError("output.no_folder", path=str(folder))
    try:
        mode = stat.S_IMODE(out.stat().st_mode) if out.is_file() else None
        write_atomic(out, data, mode=mode)
    except OSError as exc:
        raise UserError("output.write_failed", path=str(out), detail=exc.strerror or str(exc)) from exc
