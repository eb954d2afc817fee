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


def write_atomic(path: Path, content: str | bytes, mode: int | None = None) -> None:
    """Replace ``path`` with ``content`` (text as UTF-8) in one step; raises ``OSError``.

    ``mode``: the file's permissions (an existing file's, to keep them); default 0666
    minus the umask. The data reaches the disk (fsync) before the rename, so a crash
    right after leaves the old file or the new one, never an empty one.
    """
    fd, tmp = tempfile.mkstemp(prefix=".osslever-", dir=path.absolute().parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content.encode("utf-8") if isinstance(content, str) else content)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask() if mode is None else mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
