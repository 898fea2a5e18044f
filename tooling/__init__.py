"""Tooling: the benchmark (``python -m tooling.benchmark``, ``make bench``)
and the load test (``python -m tooling.loadtest``, ``make load``).

Not a Django app and never imported by the product, so that production does
not carry it (docs/architecture.md). Each tool is a Django management
``Command`` run outside ``manage.py`` by ``tooling.command.main``.
"""
