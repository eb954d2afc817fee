"""Writing output files: atomically, with the ordinary permissions of the user's umask.

One function for every file osslever writes for a person (reports, exports,
profiles): the text goes to a temporary file in the target folder, which then
replaces the target in one ``os.replace`` — a crash never leaves half a file.
``mkstemp`` creates its file at 0600; a report or an export is an ordinary file,
so the mode is set to what ``open()`` would have given (0666 minus the umask).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path: Path, content: str | bytes) -> None:
    """Replace ``path`` with ``content`` (text as UTF-8) in one step; raises ``OSError``."""
    fd, tmp = tempfile.mkstemp(prefix=".osslever-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content.encode("utf-8") if isinstance(content, str) else content)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
