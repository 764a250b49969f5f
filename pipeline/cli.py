"""Thin command line: `python -m pipeline COMMAND` (or `news-pipeline COMMAND`). It only parses arguments: the
run and the stage commands are `pipeline.run.commands.command`. Every command and option is documented in README.md."""

from __future__ import annotations

import argparse
import importlib
from pathlib import Path

from pipeline import __version__
from pipeline.paths import INTERIM, PROCESSED, RAW
from pipeline.run.chain import CHAIN, INPUT, OUTPUT
from pipeline.run.engine import ENGINES

# `eval KIND ...` and `bench KIND ...` hand their remaining arguments to these modules' main(argv).
EVALUATIONS = {
    "timeml": "pipeline.evaluate.timeml",
    "casualties": "pipeline.evaluate.casualties",
    "news": "pipeline.evaluate.news",
    "timeline": "pipeline.evaluate.timeline",
}
BENCHMARKS = {"temporal": "pipeline.bench.temporal", "pipeline": "pipeline.bench.run", "dense": "pipeline.bench.dense"}


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
    p.add_argument("--force", action="store_true", help="write into an output folder that holds files no run wrote (they are left alone)")
    common(p)

    for n, stage in enumerate(CHAIN, 1):
        p = sub.add_parser(stage.name, help=f"stage {n} alone: {stage.help} (through the work folder)")
        if INPUT in stage.reads:
            p.add_argument("--input", type=Path, default=RAW, help="file or folder of raw articles (default data/raw/)")
        if OUTPUT in stage.writes:
            p.add_argument("--output", type=Path, default=PROCESSED, help="output folder (default data/processed/)")
            p.add_argument("--force", action="store_true", help="write into an output folder that holds files no run wrote (they are left alone)")
        p.add_argument("--work", type=Path, default=INTERIM, help="work folder between stages (default data/interim/)")
        common(p)

    p = sub.add_parser("timeline", help="draw the merged event timeline as a PNG (reads the output folder)")
    p.add_argument("--output", type=Path, default=PROCESSED, help="output folder of a run (default data/processed/)")
    p.add_argument("--picture", type=Path, help="PNG file to write (default OUTPUT/timeline.png); a .html path writes the interactive page")
    p.add_argument("--since", help="first day shown, YYYY-MM-DD (default: zoom to where most events are)")
    p.add_argument("--until", help="last day shown, YYYY-MM-DD")
    p.add_argument("--country", help="only these countries: ISO codes, comma-separated (UA,BF)")
    p.add_argument("--types", help="event types, comma-separated, or `violent` (default) or `all`")

    p = sub.add_parser("eval", help="measure accuracy on annotated data: eval timeml DIR... | eval casualties FILE | eval news DIR | eval timeline FILE --key K")
    p.add_argument("kind", choices=sorted(EVALUATIONS))
    p.add_argument("args", nargs=argparse.REMAINDER, help="arguments of that evaluation (try: eval KIND --help)")

    p = sub.add_parser("bench", help="measure speed: bench temporal [DIR...] | bench pipeline [--articles N]")
    p.add_argument("kind", choices=sorted(BENCHMARKS))
    p.add_argument("args", nargs=argparse.REMAINDER, help="arguments of that benchmark (try: bench KIND --help)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command in ("eval", "bench"):
        module = (EVALUATIONS if args.command == "eval" else BENCHMARKS)[args.kind]
        return importlib.import_module(module).main(args.args)

    if args.command == "timeline":
        from pipeline.timeline import main as timeline_main

        options = {"--output": args.output, "--picture": args.picture, "--since": args.since, "--until": args.until,
                   "--country": args.country, "--types": args.types}  # fmt: skip
        return timeline_main([x for option, v in options.items() if v is not None for x in (option, str(v))])

    from pipeline.run.commands import command

    options = {k: v for k, v in vars(args).items() if k not in ("command", "settings", "quiet", "log_file")}
    return command(args.command, settings_file=args.settings, quiet=args.quiet, log_file=args.log_file, **options)
