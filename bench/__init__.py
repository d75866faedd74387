"""Benchmarks of dingdian-rules: ``python -m bench.run``."""
