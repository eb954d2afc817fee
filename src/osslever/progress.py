"""Progress reporting for long work, silent when asked or when not on a terminal.

Ingest code calls ``Progress.start/advance/finish`` and never knows whether a
bar is drawn; tests and ``--quiet`` get the silent one.
"""

from __future__ import annotations

import sys
from typing import Protocol


class Progress(Protocol):
    def start(self, description: str, total: int | None) -> None: ...
    def advance(self, n: int) -> None: ...
    def finish(self) -> None: ...


class Silent:
    def start(self, description: str, total: int | None) -> None:
        pass

    def advance(self, n: int) -> None:
        pass

    def finish(self) -> None:
        pass


class Bar:
    """A rich progress bar on stderr: done / total, rate, time left."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            TaskProgressColumn,
            TextColumn,
            TimeRemainingColumn,
        )
        from rich.progress import Progress as RichProgress

        self._rich = RichProgress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._task: int | None = None

    def start(self, description: str, total: int | None) -> None:
        self._rich.start()
        self._task = self._rich.add_task(description, total=total, rate="")

    def advance(self, n: int) -> None:
        if self._task is None:
            return
        self._rich.advance(self._task, n)
        speed = self._rich.tasks[0].speed
        if speed:
            self._rich.update(self._task, rate=f"{speed:,.0f}/s")

    def finish(self) -> None:
        if self._task is not None:
            self._rich.stop()
            self._task = None


def make_progress(quiet: bool) -> Progress:
    """A bar on an interactive stderr, nothing otherwise."""
    if quiet or not sys.stderr.isatty():
        return Silent()
    return Bar()
