"""Benchmarks of the course (run with `make bench`)."""
