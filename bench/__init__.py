"""The national-scale benchmark (`make bench`, see docs/benchmarks.md)."""
