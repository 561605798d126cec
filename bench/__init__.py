"""Nianbao benchmarks: `python -m bench` runs them all; each prints a ratio against an in-run baseline."""
