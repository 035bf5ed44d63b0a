"""Guanxi benchmarks: ``python -m benchmarks.run`` (``make bench``) writes docs/benchmarks.md.

- ``run``: the orchestrator. For each database (SQLite under var/bench/, and PostgreSQL when it
  answers) it creates a fresh database, migrates it, seeds it with ``GUANXI_BENCH_CUSTOMERS``
  customers in a child process whose time and peak memory it measures, then runs ``measure``.
- ``measure``: a child process with Django set up on that database; it runs every function in
  ``suite.BENCHMARKS`` and prints the results as JSON.
- ``suite``: the list of benchmark functions. A domain adds a module (like ``web`` or
  ``customers``) with a ``BENCHMARKS`` list and names it in ``suite.MODULES``.
- ``report``: the Markdown report.
"""
