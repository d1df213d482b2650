# bench/: benchmarks that print numbers (not part of make check).
