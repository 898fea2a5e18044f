"""``python -m tooling.benchmark`` (``make bench``): see command.py."""

from tooling.command import main

main("tooling.benchmark.command", "benchmark")
