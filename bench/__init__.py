"""Blogsite's load benchmark: run it with `bench/run` (see README's Performance section)."""
