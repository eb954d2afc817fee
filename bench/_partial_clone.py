"""Run osslever on the fetched mirrors, which are partial clones (blobs left out).

``git log --numstat`` and the license scan need file contents the mirrors do not
hold, so for the identity checks and the accuracy benchmark only, line counts are
read as 0 (``--numstat`` dropped) and the license section is left out. Nothing
identity-related depends on either.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator


@contextlib.contextmanager
def without_blobs() -> Iterator[None]:
    from osslever.outputs import report
    from osslever.sources.git import command, log

    real_popen, real_summary = command.popen, report.cached_summary

    def popen(git_dir, args, *rest, **kw):
        return real_popen(git_dir, [a for a in args if a != "--numstat"], *rest, **kw)

    log.command.popen = popen
    report.cached_summary = lambda *a, **k: None
    try:
        yield
    finally:
        log.command.popen = real_popen
        report.cached_summary = real_summary
