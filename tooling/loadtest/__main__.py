"""``python -m tooling.loadtest`` (``make load``): see command.py."""

from tooling.command import main

main("tooling.loadtest.command", "loadtest")
