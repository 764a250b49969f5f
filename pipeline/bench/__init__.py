"""Benchmarks of pipeline stages (single process, one core)."""
