"""What `python -m pipeline run|ingest|temporal|extract|validate|export` does once its arguments are parsed.

`pipeline.cli` only parses the command line and calls `command`, which sets up the log, loads the
settings, runs the whole chain (`runner.run`) or one stage (`stepwise.run_stage`) and turns what
happened into an exit code (README "Exit codes").
"""

from __future__ import annotations

import errno
import logging
import sys
from pathlib import Path
from typing import Any


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time (test runners and notebooks swap it)."""

    @property
    def stream(self):  # type: ignore[override]
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


def setup_logging(quiet: bool, log_file: Path | None) -> None:
    """Our log (stage lines, the run summary, errors) to the screen and to `log_file`; `quiet` only
    keeps the screen to warnings and errors: the log file still gets every line.

    Raises OSError when `log_file` cannot be opened for appending (a folder, no permission), after
    setting up the screen, so the caller can say so and stop before any work."""
    screen = _StderrHandler()
    screen.setFormatter(logging.Formatter("%(message)s"))
    if quiet:
        screen.setLevel(logging.WARNING)
    handlers: list[logging.Handler] = [screen]
    # Our own log at INFO; libraries (GX is chatty) only at WARNING.
    logging.basicConfig(level=logging.WARNING, handlers=handlers, force=True)
    logging.getLogger("pipeline").setLevel(logging.INFO)
    if log_file:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        fh = logging.FileHandler(log_file, encoding="utf-8")
        fh.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        logging.getLogger().addHandler(fh)


def command(
    name: str, *, settings_file: Path | None = None, quiet: bool = False, log_file: Path | None = None, **options: Any
) -> int:
    """Run command `name` (`run` or a stage of the chain) with the command line's options; the exit code."""
    from pipeline.run import runner
    from pipeline.run.outdir import OutputRefused

    log = logging.getLogger("pipeline")
    try:
        setup_logging(quiet, log_file)
    except OSError as exc:
        log.error("--log-file %s cannot be opened: %s", log_file, exc.strerror or exc)
        return runner.USAGE
    from pipeline.paths import PROCESSED, RAW
    from pipeline.settings import load_settings

    try:
        settings = load_settings(settings_file)
    except (OSError, ValueError, TypeError) as exc:
        log.error("settings: %s", exc)
        return runner.USAGE
    try:
        if name == "run":
            if options.get("workers") is not None and options["workers"] < 1:
                log.error("--workers must be at least 1")
                return runner.USAGE
            return runner.run(options.pop("input"), options.pop("output"), settings, **options)
        from pipeline.run.stepwise import run_stage

        return run_stage(
            name,
            input_path=options.get("input", RAW),
            work=options["work"],
            out_dir=options.get("output", PROCESSED),
            settings=settings,
            force=options.get("force", False),
        )
    except OutputRefused as exc:
        log.error("%s", exc)
        return runner.USAGE
    except runner.RunLocked as exc:
        log.error("%s", exc)
        return runner.LOCKED
    except FileNotFoundError as exc:
        log.error("%s", exc)
        return runner.USAGE
    except KeyboardInterrupt:
        log.error("interrupted: previous outputs left intact")
        return runner.INTERRUPTED
    except Exception as exc:
        if isinstance(exc, OSError) and _disk_full(exc):
            where = f" ({exc.filename})" if exc.filename else ""
            log.error(
                "the disk is full%s: the run stopped, its unfinished files were removed and the previous outputs "
                "left intact; a run needs room for a second copy of its outputs while it replaces them (free some "
                "space, or give --output and --work on a larger disk)", where,
            )  # fmt: skip
        else:
            log.exception("the run crashed; previous outputs left intact")
        return runner.CRASHED


def _disk_full(exc: OSError) -> bool:
    """Whether an error is a full disk (or quota): Python's own errors carry the errno; Arrow's say it in words."""
    return exc.errno in (errno.ENOSPC, errno.EDQUOT) or "No space left on device" in str(exc)
