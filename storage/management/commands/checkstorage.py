"""``manage.py checkstorage [--quick] [--requeue] [--jobs N] [--no-progress]``.

Checks every file where the database says its bytes are: stored files in the store (size and
sha256), staged files in staging. Problems go to standard output, one line each, then a
summary; a progress bar goes to standard error. Exits 1 when any problem is found, so it can
run from cron or CI. ``--requeue`` also schedules storing every staged file (in-process when
there is no broker).
"""

from __future__ import annotations

import time
from argparse import ArgumentParser
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from itertools import islice
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from projects.models import File, StorageState
from storage.pipeline import STAGED_COPY_MISSING, check_file
from storage.scheduling import enqueue_store

BATCH = 500


class Progress:
    """``checking files [#######.............]  350/1000  35%``, redrawn in place on a
    terminal (at most ten times a second), every tenth of the way otherwise."""

    WIDTH = 30

    def __init__(
        self, write: Callable[[str], object], total: int, *, enabled: bool, terminal: bool
    ) -> None:
        self.write, self.total, self.enabled, self.terminal = write, total, enabled, terminal
        self.done = 0
        self.drawn_at = 0.0
        self.drawn_tenth = -1

    def advance(self, count: int = 1) -> None:
        self.done += count
        if not self.enabled:
            return
        if self.terminal:
            now = time.monotonic()
            if now - self.drawn_at >= 0.1:
                self.drawn_at = now
                self._draw("\r")
        elif (tenth := self._fraction() * 10 // 1) > self.drawn_tenth:
            self.drawn_tenth = int(tenth)
            self._draw("\n")

    def _fraction(self) -> float:
        return self.done / self.total if self.total else 1.0

    def _draw(self, end: str) -> None:
        fraction = self._fraction()
        filled = int(self.WIDTH * fraction)
        bar = "#" * filled + "." * (self.WIDTH - filled)
        width = len(str(self.total))
        text = f"checking files [{bar}] {self.done:>{width}}/{self.total} {fraction:4.0%}"
        self.write(("\r" + text) if end == "\r" else text + "\n")

    def finish(self) -> None:
        if self.enabled and self.terminal:
            self._draw("\r")
            self.write("\n")
        elif self.enabled and self.drawn_tenth < 10:
            self._draw("\n")


class Command(BaseCommand):
    help = "Check that every file's bytes are where the database says, with the right sha256."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--quick",
            action="store_true",
            help="compare sizes, and digests only where the store keeps one (no read-back)",
        )
        parser.add_argument(
            "--requeue", action="store_true", help="schedule storing the files still staged"
        )
        parser.add_argument("--jobs", type=int, default=8, help="parallel checks (default 8)")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(
        self,
        *args: Any,
        quick: bool,
        requeue: bool,
        jobs: int,
        no_progress: bool,
        **options: Any,
    ) -> None:
        files = File.objects.only(
            "pk", "filename", "size", "sha256", "blake2_256", "storage_state"
        ).order_by("pk")
        progress = Progress(
            lambda text: self.stderr.write(text, style_func=lambda x: x, ending=""),
            files.count(),
            enabled=not no_progress,
            terminal=self.stderr.isatty(),
        )
        counts: dict[str, int] = {StorageState.STORED: 0, StorageState.STAGED: 0}
        problems: list[tuple[File, str]] = []
        staged_ids: list[int] = []

        def check(file: File) -> str | None:
            try:
                return check_file(file, deep=not quick)
            except OSError as exc:
                return f"cannot check: {exc}"

        iterator = files.iterator(chunk_size=BATCH)
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            while batch := list(islice(iterator, BATCH)):
                for file, problem in zip(batch, pool.map(check, batch), strict=True):
                    if problem == STAGED_COPY_MISSING:
                        # Stored meanwhile? The copy goes only once the row says stored.
                        file.refresh_from_db(fields=["storage_state"])
                        if file.storage_state == StorageState.STORED:
                            problem = check(file)
                    counts[file.storage_state] = counts.get(file.storage_state, 0) + 1
                    if file.storage_state == StorageState.STAGED:
                        staged_ids.append(file.pk)
                    if problem is not None:
                        problems.append((file, problem))
                progress.advance(len(batch))
        progress.finish()

        for file, problem in problems:
            self.stdout.write(f"PROBLEM {file.filename}: {problem} ({file.storage_state})")
        if requeue:
            for file_id in staged_ids:
                enqueue_store(file_id)
        total = sum(counts.values())
        requeued = f" ({len(staged_ids)} re-queued)" if requeue and staged_ids else ""
        self.stdout.write(
            f"Checked {total} file(s): {counts[StorageState.STORED]} stored, "
            f"{counts[StorageState.STAGED]} staged{requeued}; {len(problems)} problem(s)."
        )
        if problems:
            raise CommandError(f"{len(problems)} file(s) with problems.", returncode=1)
