"""Benchmark the whole pipeline (ingest to validated Parquet and CSV) on generated articles.

    python -m pipeline bench pipeline [--articles N] [--workers N] [--engine local|dask] [--dir DIR]
    python -m pipeline bench pipeline --single-files [--articles N] ...

Prints articles/s, MB/s, peak resident memory of the whole process tree, the share of time spent in
validation, the time of a second run with nothing new, and dateparser's `search_dates` alone over a
sample of the same articles, measured in the same run, with the ratio; then a nightly run: one new file
of the next day's articles added beside the archive (its seconds, and the units it processed), against
copying the output files it rewrites, measured right after it on the same disk. The output contract is one
Parquet and one CSV file per table, so a nightly run writes every byte of them again (17.6 GB at a million
articles): copying them is the least such a run can take on that disk, and the ratio shows what the run
adds to it. Both runs' wall time is split into scanning, processing and the merge, and the merge into its
parts (`merge_tables`: the data tables; `merge_timeline`; `merge_finish`: manifest and publishing).

With `--single-files`, the same articles are written twice, as JSON Lines batches and as an archive of one
file per article (in turn front matter, text + sidecar, news-please JSON, HTML page), and both are run in
this one process, one after the other; it prints the articles/s of each and their ratio, and the CPU time an
article took in each (the process and its workers: a fairer comparison when other work shares the cores).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

NEXT_DAY = 200  # articles in the nightly file of the third run

class PeakMemory:
    """Samples the memory of this process and all its children; keeps the peak of the sum.

    Each process counts its proportional set size (PSS: private pages, plus shared pages divided among the
    processes sharing them) where the system reports it (Linux), else its resident size. Summing resident
    sizes would count the pages a forked worker shares with the main process (the gazetteer, the
    libraries) once per process."""

    def __init__(self, interval: float = 0.5) -> None:
        import psutil

        self.proc = psutil.Process()
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _sample(self) -> int:
        total = 0
        for p in [self.proc, *self.proc.children(recursive=True)]:
            try:
                total += _pss(p)
            except Exception:  # a child may exit between listing and reading
                pass
        return total

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._sample())
            self._stop.wait(self.interval)

    def __enter__(self) -> "PeakMemory":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def _pss(p) -> int:
    try:
        return p.memory_full_info().pss
    except AttributeError:  # no PSS on this system
        return p.memory_info().rss


def dateparser_rate(texts: list[tuple[str, date]]) -> float:
    from datetime import datetime

    from dateparser.search import search_dates

    t0 = time.perf_counter()
    for text, ref in texts:
        search_dates(text, languages=["en"], settings={"RELATIVE_BASE": datetime(ref.year, ref.month, ref.day)})
    return len(texts) / (time.perf_counter() - t0)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline bench pipeline", description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=20_000, help="articles to generate (default 20000)")
    parser.add_argument("--per-file", type=int, default=2000, help="articles per JSON Lines file (default 2000)")
    parser.add_argument("--workers", type=int, help="worker processes (default: the usable cores)")
    parser.add_argument("--engine", default="local", choices=["local", "serial", "dask"])
    parser.add_argument("--dir", type=Path, help="work in this folder (kept); default: a temporary folder, removed")
    parser.add_argument("--corpus", type=Path, help="use this folder of generated JSON Lines instead of generating")
    parser.add_argument("--baseline-sample", type=int, default=300, help="articles given to dateparser (default 300)")
    parser.add_argument(
        "--single-files", action="store_true",
        help="also run the same articles as one file each (front matter, sidecar, news-please JSON, HTML) and compare",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if args.single_files:
        return single_files(args)

    from pipeline.run import runner
    from pipeline.bench.corpus import articles, next_day, write_corpus
    from pipeline.settings import Settings

    base = args.dir or Path(tempfile.mkdtemp(prefix="pipeline-bench-"))
    raw, out, work = base / "raw", base / "out", base / "work"
    try:
        t0 = time.perf_counter()
        if args.corpus:  # linked into a folder of the bench's own, so that the nightly file below never lands in it
            batches = sorted(args.corpus.glob("*.jsonl"))
            raw.mkdir(parents=True)
            for p in batches:
                (raw / p.name).symlink_to(p.resolve())
            files, size = len(batches), sum(p.stat().st_size for p in batches)
            args.articles = sum(sum(1 for _ in open(p, "rb")) for p in batches)
            print(f"corpus: {args.articles} articles, {files} files, {size / 1e6:.1f} MB in {args.corpus}")
        else:
            files, size = write_corpus(raw, args.articles, args.per_file)
            print(f"corpus: {args.articles} articles, {files} files, {size / 1e6:.1f} MB generated in {time.perf_counter() - t0:.1f}s")
        settings = Settings(progress="never", follow_symlinks_outside_input=bool(args.corpus))
        with PeakMemory() as mem:
            t0 = time.perf_counter()
            outcome = runner.execute(raw, out, settings, work=work, engine=args.engine, workers=args.workers, full=True)
            wall = time.perf_counter() - t0
        t0 = time.perf_counter()
        again = runner.execute(raw, out, settings, work=work, engine=args.engine, workers=args.workers)
        second = time.perf_counter() - t0
        # a nightly run: one new file of the next day's articles beside the archive
        with open(raw / "zz-next-day.jsonl", "w", encoding="utf-8") as fh:
            fh.writelines(json.dumps(r) + "\n" for r in next_day(NEXT_DAY))
        with PeakMemory() as mem_next:
            t0 = time.perf_counter()
            nightly = runner.execute(raw, out, settings, work=work, engine=args.engine, workers=args.workers)
            third = time.perf_counter() - t0
        out_bytes, copy_seconds = copy_outputs(out, base / "copy-of-out")
        sample = [(r["text"], date.fromisoformat(r["published"])) for r, _ in zip(articles(args.baseline_sample), range(args.baseline_sample))]
        dp_rate = dateparser_rate(sample)
    finally:
        if args.dir is None:
            shutil.rmtree(base, ignore_errors=True)

    s = outcome.seconds or {}
    rows = (outcome.manifest or {}).get("row_counts", {})
    cpu = {k[4:]: v for k, v in s.items() if k.startswith("cpu_")}
    rate = args.articles / wall
    validate_share = cpu.get("validate", 0.0) / max(sum(cpu.values()), 1e-9)
    report = {
        "articles": args.articles,
        "exit_code": outcome.exit_code,
        "wall_seconds": round(wall, 2),
        "articles_per_second": round(rate, 1),
        "mb_per_second": round(size / 1e6 / wall, 2),
        "peak_memory_mb": round(mem.peak / 2**20, 1),
        "wall_split_seconds": {k: round(v, 2) for k, v in s.items() if not k.startswith("cpu_")},
        "cpu_seconds_by_stage": {k: round(v, 2) for k, v in cpu.items()},
        "validation_share_of_stage_cpu": round(validate_share, 3),
        "timeline_rows": rows.get("timeline"),
        "timeline_links_rows": rows.get("timeline_links"),
        "second_run_seconds": round(second, 2),
        "second_run_processed_units": again.processed_units,
        "new_file_articles": NEXT_DAY,
        "new_file_run_seconds": round(third, 2),
        "new_file_run_processed_units": nightly.processed_units,
        "new_file_run_exit_code": nightly.exit_code,
        "new_file_run_peak_memory_mb": round(mem_next.peak / 2**20, 1),
        "new_file_run_split_seconds": {k: round(v, 2) for k, v in (nightly.seconds or {}).items() if not k.startswith("cpu_")},
        "output_mb": round(out_bytes / 1e6, 1),
        "copying_the_outputs_seconds": round(copy_seconds, 3),
        "new_file_run_over_copying_the_outputs": round(third / max(copy_seconds, 1e-9), 2),
        "dateparser_search_dates_articles_per_second": round(dp_rate, 1),
        "dateparser_sample": len(sample),
        "pipeline_over_dateparser": round(rate / dp_rate, 2),
    }
    print(json.dumps(report, indent=2))
    print(
        f"\nwhole pipeline: {rate:.0f} articles/s, {size / 1e6 / wall:.1f} MB/s, peak memory {mem.peak / 2**20:.0f} MB, "
        f"timeline {rows.get('timeline')} rows; dateparser search_dates alone: {dp_rate:.1f} articles/s; "
        f"ratio {rate / dp_rate:.1f}x; a new file of {NEXT_DAY} articles: {third:.1f}s, "
        f"{third / max(copy_seconds, 1e-9):.1f}x the {copy_seconds:.1f}s that copying its {out_bytes / 1e9:.2f} GB of outputs took"
    )
    return 0 if outcome.exit_code in (runner.OK, runner.OK_WITH_REJECTS) else 1


def copy_outputs(out: Path, scratch: Path) -> tuple[int, float]:
    """(bytes, seconds) of copying the output files of `out` to `scratch` (then removed): the bytes a run that
    rewrites them writes, on the same disk. Pending writes are flushed first (not timed), so the copy does not
    wait for the run's."""
    files = [p for p in sorted(out.iterdir()) if p.is_file()]
    os.sync()
    scratch.mkdir()
    try:
        t0 = time.perf_counter()
        for p in files:
            shutil.copyfile(p, scratch / p.name)  # the kernel copies (sendfile) where it can
        return sum(p.stat().st_size for p in files), time.perf_counter() - t0
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _cpu_seconds() -> float:
    """CPU time (user + system) of this process and of its children that have ended (the pool's workers)."""
    import resource

    return sum(t for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN) for t in resource.getrusage(who)[:2])


def _timed(raw: Path, out: Path, work: Path, args: argparse.Namespace) -> tuple[object, float, float]:
    """The run's outcome, its wall time and the CPU time it used (less sensitive than wall time to other work
    sharing the cores, so the two layouts compare fairly on a busy machine)."""
    from pipeline.run import runner
    from pipeline.settings import Settings

    cpu0, t0 = _cpu_seconds(), time.perf_counter()
    outcome = runner.execute(raw, out, Settings(progress="never"), work=work, engine=args.engine,
                             workers=args.workers, full=True)  # fmt: skip
    return outcome, time.perf_counter() - t0, _cpu_seconds() - cpu0


def single_files(args: argparse.Namespace) -> int:
    """The same articles as JSON Lines batches and as one file each, run one after the other in this process."""
    from pipeline.bench.corpus import SINGLE_FILE_KINDS, write_corpus, write_single_files
    from pipeline.run import runner

    base = args.dir or Path(tempfile.mkdtemp(prefix="pipeline-bench-"))
    report: dict[str, object] = {"articles": args.articles, "single_file_kinds": list(SINGLE_FILE_KINDS)}
    rates: dict[str, float] = {}
    cpu_ms: dict[str, float] = {}
    try:
        layouts = {"batches": lambda d: write_corpus(d, args.articles, args.per_file),
                   "single_files": lambda d: write_single_files(d, args.articles)}  # fmt: skip
        for layout, write in layouts.items():
            raw = base / f"raw-{layout}"
            shutil.rmtree(raw, ignore_errors=True)
            files, size = write(raw)
            outcome, wall, cpu = _timed(raw, base / f"out-{layout}", base / f"work-{layout}", args)
            data = outcome.manifest or {}
            rates[layout] = args.articles / wall
            cpu_ms[layout] = cpu / args.articles * 1000
            report[layout] = {
                "files": files, "mb": round(size / 1e6, 1), "exit_code": outcome.exit_code,
                "accepted": data.get("accounting", {}).get("accepted"),
                "rejects_by_reason": data.get("rejects_by_reason"), "wall_seconds": round(wall, 2),
                "articles_per_second": round(rates[layout], 1), "cpu_ms_per_article": round(cpu_ms[layout], 2),
                "load_average_after": round(os.getloadavg()[0], 2),
                "wall_split_seconds": {k: round(v, 2) for k, v in (outcome.seconds or {}).items() if not k.startswith("cpu_")},
                "cpu_seconds_by_stage": {k[4:]: round(v, 2) for k, v in (outcome.seconds or {}).items() if k.startswith("cpu_")},
            }  # fmt: skip
            ok = outcome.exit_code in (runner.OK, runner.OK_WITH_REJECTS)
            if not ok:
                break
    finally:
        if args.dir is None:
            shutil.rmtree(base, ignore_errors=True)
    if len(rates) == 2:
        report["batches_over_single_files"] = round(rates["batches"] / rates["single_files"], 2)
        report["cpu_single_files_over_batches"] = round(cpu_ms["single_files"] / cpu_ms["batches"], 2)
    print(json.dumps(report, indent=2))
    if len(rates) == 2:
        print(
            f"\n{args.articles} articles: {rates['single_files']:.0f} articles/s as single files, "
            f"{rates['batches']:.0f} articles/s in JSON Lines batches (batches {rates['batches'] / rates['single_files']:.2f}x "
            f"faster); CPU {cpu_ms['single_files']:.1f} ms against {cpu_ms['batches']:.1f} ms an article "
            f"({cpu_ms['single_files'] / cpu_ms['batches']:.2f}x)"
        )
    return 0 if len(rates) == 2 else 1
