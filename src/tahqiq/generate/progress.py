"""Progress display on stderr (Rich), or nothing at all when disabled."""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.progress import Progress as RichProgress


class Progress:
    def __init__(self, enabled: bool = True):
        self.enabled = enabled
        self._p: RichProgress | None = None
        self._stage: TaskID | None = None
        self._tasks: dict[str, TaskID] = {}

    def __enter__(self) -> Progress:
        if self.enabled:
            self._p = RichProgress(
                SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                TimeElapsedColumn(), console=Console(stderr=True), transient=False,
            )
            self._p.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        if self._p is not None:
            self._finish_stage()
            self._p.__exit__(*exc)

    def _finish_stage(self) -> None:
        if self._p is not None and self._stage is not None:
            self._p.update(self._stage, total=1, completed=1)
            self._stage = None

    def stage(self, description: str) -> None:
        """A step without a known size (shown with a spinner until the next step starts)."""
        if self._p is None:
            return
        self._finish_stage()
        self._stage = self._p.add_task(description, total=None)

    def file(self, name: str, total: int) -> None:
        if self._p is None:
            return
        self._finish_stage()
        self._tasks[name] = self._p.add_task(f"Writing {name}", total=max(total, 1))

    def tick(self, name: str, n: int) -> None:
        if self._p is not None and name in self._tasks:
            self._p.advance(self._tasks[name], n)
