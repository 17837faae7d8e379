"""Benchmarks, each run from the project's root as `python -m bench.<name>`; figures go to BENCHMARKS.md."""
