"""Benchmarks for issue 5: `python -m tests.bench [--quick] [--only NAME,...]`.

Not collected by pytest (pyproject ignores tests/bench, and no file here is named test_*).
Each benchmark prints a table whose last column is a ratio measured side by side in the same run.
"""
