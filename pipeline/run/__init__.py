"""Orchestration, in one package: the chain of stages is declared once and every way of running it walks it.

    chain      the chain of stages (`CHAIN`) and the stage functions over in-memory tables
    runner     `run` / `execute`: plan the input units, process what changed, merge, publish, keep the books
    batch      the per-unit work (worker side) and the merge of the per-unit cache into the outputs
    engine     run one task function serially, on local worker processes, or on Dask
    stepwise   one stage at a time through the work folder (`python -m pipeline ingest|...|export`)
    manifest   what a run records about itself: inputs, versions, counts, validation, the files it wrote
    outdir     the output folder is the pipeline's, and only that: where a run may write, what it owns
    commands   what a command does once `pipeline.cli` has parsed it: logging, settings, exit codes

Nothing below this package imports it: the settings and the stages (ingest, temporal, extract,
validate, export, timeline) know nothing of how they are run.
"""
