"""Thin command line: `python -m pipeline COMMAND`. Every command and option is documented in README.md."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from pathlib import Path

from pipeline import __version__
from pipeline.engine import ENGINES
from pipeline.paths import INTERIM, PROCESSED, RAW

STAGES = ("ingest", "temporal", "extract", "validate", "export")
# `eval KIND ...` and `bench KIND ...` hand their remaining arguments to these modules' main(argv).
EVALUATIONS = {
    "timeml": "pipeline.evaluate.timeml",
    "casualties": "pipeline.evaluate.casualties",
    "news": "pipeline.evaluate.news",
}
BENCHMARKS = {"temporal": "pipeline.bench.temporal", "pipeline": "pipeline.bench.run"}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m pipeline",
        description="News event timeline dataset pipeline: raw articles in, validated events and casualty figures out.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--settings", type=Path, help="TOML file overriding settings (see docs/settings.md)")
        p.add_argument("--quiet", action="store_true", help="only warnings and errors on screen")
        p.add_argument("--log-file", type=Path, help="also write the log to this file")

    p = sub.add_parser("run", help="run every stage: raw articles in, validated Parquet and CSV out")
    p.add_argument("--input", type=Path, default=RAW, help="file or folder of raw articles (default data/raw/)")
    p.add_argument("--output", type=Path, default=PROCESSED, help="output folder (default data/processed/)")
    p.add_argument("--work", type=Path, default=INTERIM, help="work folder holding the per-unit cache (default data/interim/)")
    p.add_argument("--engine", choices=ENGINES, default="local", help="local worker processes (default), serial, or dask")
    p.add_argument("--workers", type=int, help="worker processes (default: the usable cores)")
    p.add_argument("--scheduler", help="with --engine dask: address of an existing Dask scheduler (default: a local cluster)")
    p.add_argument("--full", action="store_true", help="ignore the cache and reprocess every input")
    p.add_argument("--partition", action="store_true", help="also write DIR/partitioned/<table>/month=YYYY-MM/ Parquet datasets")
    common(p)

    for stage in STAGES:
        p = sub.add_parser(stage, help=f"run only the {stage} stage (reads and writes the work folder)")
        if stage == "ingest":
            p.add_argument("--input", type=Path, default=RAW, help="file or folder of raw articles (default data/raw/)")
        if stage == "export":
            p.add_argument("--output", type=Path, default=PROCESSED, help="output folder (default data/processed/)")
        p.add_argument("--work", type=Path, default=INTERIM, help="work folder between stages (default data/interim/)")
        common(p)

    p = sub.add_parser("timeline", help="draw the merged event timeline as a PNG (reads the output folder)")
    p.add_argument("--output", type=Path, default=PROCESSED, help="output folder of a run (default data/processed/)")
    p.add_argument("--picture", type=Path, help="PNG file to write (default OUTPUT/timeline.png)")
    p.add_argument("--since", help="first day shown, YYYY-MM-DD (default: zoom to where most events are)")
    p.add_argument("--until", help="last day shown, YYYY-MM-DD")
    p.add_argument("--country", help="only these countries: ISO codes, comma-separated (UA,BF)")
    p.add_argument("--types", help="event types, comma-separated, or `violent` (default) or `all`")

    p = sub.add_parser("eval", help="measure accuracy on annotated data: eval timeml DIR... | eval casualties FILE")
    p.add_argument("kind", choices=sorted(EVALUATIONS))
    p.add_argument("args", nargs=argparse.REMAINDER, help="arguments of that evaluation (try: eval KIND --help)")

    p = sub.add_parser("bench", help="measure speed: bench temporal [DIR...] | bench pipeline [--articles N]")
    p.add_argument("kind", choices=sorted(BENCHMARKS))
    p.add_argument("args", nargs=argparse.REMAINDER, help="arguments of that benchmark (try: bench KIND --help)")
    return parser


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time (test runners and notebooks swap it)."""

    @property
    def stream(self):  # type: ignore[override]
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


def setup_logging(quiet: bool, log_file: Path | None) -> None:
    handlers: list[logging.Handler] = [_StderrHandler()]
    handlers[0].setFormatter(logging.Formatter("%(message)s"))
    if log_file:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        fh = logging.FileHandler(log_file, encoding="utf-8")
        fh.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        handlers.append(fh)
    # Our own log at INFO; libraries (GX is chatty) only at WARNING.
    logging.basicConfig(level=logging.WARNING, handlers=handlers, force=True)
    logging.getLogger("pipeline").setLevel(logging.WARNING if quiet else logging.INFO)


def main(argv: list[str] | None = None) -> int:
    from pipeline import runner

    args = build_parser().parse_args(argv)
    if args.command in ("eval", "bench"):
        module = (EVALUATIONS if args.command == "eval" else BENCHMARKS)[args.kind]
        return importlib.import_module(module).main(args.args)

    if args.command == "timeline":
        from pipeline.timeline import main as timeline_main

        options = {"--output": args.output, "--picture": args.picture, "--since": args.since, "--until": args.until,
                   "--country": args.country, "--types": args.types}  # fmt: skip
        return timeline_main([x for option, v in options.items() if v is not None for x in (option, str(v))])

    setup_logging(args.quiet, args.log_file)
    log = logging.getLogger("pipeline")
    from pipeline.settings import load_settings

    try:
        settings = load_settings(args.settings)
    except (OSError, ValueError) as exc:
        log.error("settings: %s", exc)
        return runner.USAGE
    try:
        if args.command == "run":
            if args.workers is not None and args.workers < 1:
                log.error("--workers must be at least 1")
                return runner.USAGE
            return runner.run(
                args.input, args.output, settings, work=args.work, engine=args.engine, workers=args.workers,
                scheduler=args.scheduler, full=args.full, partition=args.partition,
            )  # fmt: skip
        from pipeline.stepwise import run_stage

        return run_stage(
            args.command,
            input_path=getattr(args, "input", RAW),
            work=args.work,
            out_dir=getattr(args, "output", PROCESSED),
            settings=settings,
        )
    except runner.RunLocked as exc:
        log.error("%s", exc)
        return runner.LOCKED
    except FileNotFoundError as exc:
        log.error("%s", exc)
        return runner.USAGE
    except KeyboardInterrupt:
        log.error("interrupted: previous outputs left intact")
        return 130
    except Exception:
        log.exception("the run crashed; previous outputs left intact")
        return runner.CRASHED
