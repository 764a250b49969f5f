"""Ingest: raw files in, one Article or Reject per input article out (work in progress)."""

from pipeline.ingest.dateline import Dateline, parse_dateline, rules_version

RULES_VERSION = rules_version()

__all__ = ["Dateline", "RULES_VERSION", "parse_dateline"]
