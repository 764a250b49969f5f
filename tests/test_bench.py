"""Benchmarks are commands, not timed tests: check that they run and report, not how fast."""

from __future__ import annotations

import json

from pipeline.bench.corpus import articles, next_day, write_corpus
from pipeline.bench.run import NEXT_DAY, main


def test_generated_articles_are_deterministic_news_length_and_unique():
    first, again = list(articles(30, seed=7)), list(articles(30, seed=7))
    assert first == again
    assert all(2800 <= len(a["text"]) <= 6000 for a in first)
    assert len({a["text"] for a in first}) == 30


def test_corpus_files(tmp_path):
    files, size = write_corpus(tmp_path, 25, per_file=10)
    assert files == 3 and size == sum(p.stat().st_size for p in tmp_path.iterdir())


def test_bench_pipeline_reports_rates_memory_and_ratio(tmp_path, capsys):
    assert main(["--articles", "40", "--per-file", "20", "--workers", "1", "--baseline-sample", "3", "--dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    report = json.loads(out[out.index("{") : out.rindex("}") + 1])
    assert report["articles"] == 40 and report["exit_code"] == 0
    for key in ("articles_per_second", "mb_per_second", "peak_memory_mb", "pipeline_over_dateparser", "timeline_rows"):
        assert report[key] > 0
    assert report["second_run_processed_units"] == 0  # nothing new: nothing processed
    # the nightly run: one new file is the one unit processed
    assert report["new_file_run_processed_units"] == 1 and report["new_file_run_exit_code"] == 0
    assert report["new_file_articles"] == NEXT_DAY and report["new_file_run_seconds"] > 0
    # the baseline of the nightly figure: copying the output files it rewrote
    assert report["output_mb"] > 0 and report["new_file_run_over_copying_the_outputs"] > 0
    # where the wall time went: the merge's parts add up to the merge (each rounded to 0.01 s)
    for split in (report["wall_split_seconds"], report["new_file_run_split_seconds"]):
        parts = [split[f"merge_{k}"] for k in ("tables", "timeline", "finish")]
        assert all(p >= 0 for p in parts) and split["merge_tables"] > 0 and split["merge_timeline"] > 0
        assert abs(sum(parts) - split["merge"]) <= 0.03


def test_bench_on_a_corpus_folder_leaves_it_untouched(tmp_path, capsys):
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 30, per_file=15)
    before = sorted((p.name, p.stat().st_size) for p in corpus.iterdir())
    assert main(["--corpus", str(corpus), "--workers", "1", "--baseline-sample", "2", "--dir", str(tmp_path / "b")]) == 0
    out = capsys.readouterr().out
    report = json.loads(out[out.index("{") : out.rindex("}") + 1])
    assert report["articles"] == 30 and report["new_file_run_processed_units"] == 1
    assert sorted((p.name, p.stat().st_size) for p in corpus.iterdir()) == before  # the nightly file went elsewhere


def test_next_day_articles_are_new_and_all_on_the_day_after_the_archive():
    archive = list(articles(200))
    new = next_day(20)
    assert {a["published"] for a in new} == {"2024-12-29"}
    assert max(a["published"] for a in archive) < "2024-12-29"
    assert not {a["id"] for a in new} & {a["id"] for a in archive}


def test_single_files_hold_the_same_articles_in_every_kind(tmp_path):
    from pipeline.bench.corpus import SINGLE_FILE_KINDS, write_single_files

    files, size = write_single_files(tmp_path, 8, per_folder=5)
    names = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert files == len(names) == 10 and size == sum((tmp_path / n).stat().st_size for n in names)  # 2 sidecars
    assert {n.rsplit(".", 1)[1] for n in names} == {"md", "txt", "json", "html"} and len(SINGLE_FILE_KINDS) == 4
    assert names[:3] == ["part-0000/bench-0000000.md", "part-0000/bench-0000001.json", "part-0000/bench-0000001.txt"]


def test_bench_single_files_compares_with_batches_in_one_run(tmp_path, capsys):
    assert main(["--single-files", "--articles", "20", "--per-file", "10", "--workers", "1", "--dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    report = json.loads(out[out.index("{") : out.rindex("}") + 1])
    for layout in ("batches", "single_files"):
        assert report[layout]["accepted"] == 20 and report[layout]["articles_per_second"] > 0
    assert report["single_files"]["files"] == 25 and report["batches_over_single_files"] > 0
    assert "articles/s as single files" in out
