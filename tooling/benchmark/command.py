"""``python -m tooling.benchmark`` (``make bench``): build a synthetic
organization in a database of its own and time the console's pages against
it (see README, "Benchmark").

The command re-runs itself in a child process whose DATABASE_URL points at
the bench database, so settings, connections and migrations all apply to
that database and the console's own data is never touched.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tooling.benchmark import database
from tooling.benchmark.build import SIZES

SIZE_CHOICES = ["S", *SIZES]


class Command(BaseCommand):
    help = "Build an organization of a chosen size in its own database and time the pages."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--size", choices=SIZE_CHOICES, default="S", type=str.upper)
        parser.add_argument("--requests", type=int, default=50, help="Timed requests per page.")
        parser.add_argument("--warmup", type=int, default=5, help="Untimed requests first.")
        parser.add_argument(
            "--json", type=Path, help="Default: bench-results/bench-<size>-<vendor>.json"
        )
        parser.add_argument(
            "--database-url",
            help="The bench database. Default: bench-results/bench-<size>.sqlite3, or "
            "junction_bench_<size> on the PostgreSQL server DATABASE_URL names.",
        )
        parser.add_argument(
            "--rebuild", action="store_true", help="Empty the bench database first."
        )
        parser.add_argument(
            "--serve",
            type=float,
            default=30,
            help="Seconds of wrk load per page under gunicorn after the timings "
            "(0: none). Default: %(default)s.",
        )
        parser.add_argument(
            "--pages",
            help="Only the pages whose keys start with these comma-separated prefixes (see "
            "the JSON's keys), e.g. first-search,floor,admin-services. Default: every page.",
        )
        # Internal: set by the parent for the child that runs in the bench database.
        parser.add_argument("--in-bench-database", action="store_true", help="==SUPPRESS==")

    def handle(self, *args, **options) -> None:
        if options["requests"] < 1:
            raise CommandError("--requests must be at least 1.")
        if options["in_bench_database"]:
            from tooling.benchmark.run import run

            run(
                size=options["size"],
                requests=options["requests"],
                warmup=options["warmup"],
                json_path=options["json"],
                serve_seconds=options["serve"],
                pages=options["pages"].split(",") if options["pages"] else None,
                log=self.stdout.write,
            )
            return
        url = options["database_url"] or database.default_url(options["size"])
        vendor = database.vendor_of(url)
        json_path = options["json"] or (
            database.RESULTS_DIR / f"bench-{options['size'].lower()}-{vendor}.json"
        )
        database.prepare(url, rebuild=options["rebuild"])
        self.stdout.write(f"Bench database: {url}")
        child = [
            sys.executable,
            "-m",
            "tooling.benchmark",
            "--in-bench-database",
            f"--size={options['size']}",
            f"--requests={options['requests']}",
            f"--warmup={options['warmup']}",
            f"--json={json_path.resolve()}",
            f"--serve={options['serve']}",
            *([f"--pages={options['pages']}"] if options["pages"] else []),
        ]
        # DEBUG off, as in production: the figures are those a user would see.
        environment = {**os.environ, "DATABASE_URL": url, "DJANGO_DEBUG": "0"}
        self.stdout.flush()
        completed = subprocess.run(child, env=environment, cwd=settings.BASE_DIR, check=False)
        if completed.returncode != 0:
            raise CommandError(f"The benchmark failed (exit status {completed.returncode}).")
