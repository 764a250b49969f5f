"""News event timeline dataset pipeline: raw articles in, dated events and casualty figures out.

The Python API (`pipeline.api`, for notebooks), beside the command line `python -m pipeline`:

    tables = pipeline.process(records)          # a list of dicts or a DataFrame: every stage in memory, validated
    tables.timeline                             # Arrow tables; tables.to_pandas() gives DataFrames
    saved = pipeline.read_outputs("data/processed")   # a run's output tables, with their native types

`pipeline.Tables` is what both return, `pipeline.Settings` the settings table. These names are loaded on
first use (module `__getattr__`), so `import pipeline` and the command line import neither pyarrow, pandas
nor Great Expectations.
"""

__version__ = "0.1.0"

_API = ("process", "read_outputs", "Tables", "Settings")
__all__ = ["__version__", *_API]


def __getattr__(name: str):
    if name in _API:
        from pipeline import api

        value = getattr(api, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'pipeline' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_API})
