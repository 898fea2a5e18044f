"""``python -m tooling.loadtest`` (``make load``): gunicorn with 2 workers on a free loopback port
against this DATABASE_URL, DEBUG off, loaded by wrk with a signed-in
session (see tooling/loadtest/__init__.py and SECURITY.md, "Load")."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from tooling import loadtest


class Command(BaseCommand):
    help = "Serve Junction with gunicorn and load its pages with wrk; non-zero exit on any error."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--pages",
            default=",".join(loadtest.DEFAULT_PAGES),
            help="Comma-separated: connections, marketplace, floor, or a page key of "
            "`make bench`. Default: %(default)s.",
        )
        parser.add_argument(
            "--seconds", type=float, default=60, help="Load per run (default %(default)s)."
        )
        parser.add_argument(
            "--mixed",
            action="store_true",
            help="One run rotating through all the pages, instead of one run per page.",
        )
        parser.add_argument("--organization", default="acme", help="Default: %(default)s.")
        parser.add_argument(
            "--username", default="demo", help="Who is signed in (default: %(default)s)."
        )
        parser.add_argument("--workers", type=int, default=2, help="gunicorn workers.")
        parser.add_argument(
            "--connections", type=int, default=4, help="Concurrent wrk connections."
        )
        parser.add_argument(
            "--timeout", type=float, default=10, help="A slower response is an error (s)."
        )
        parser.add_argument("--json", type=Path, help="Also write the figures here.")

    def handle(self, *args, **options) -> None:
        if options["seconds"] < 1:
            raise CommandError("--seconds must be at least 1.")
        names = [name.strip() for name in options["pages"].split(",") if name.strip()]
        if not names:
            raise CommandError("--pages names no page.")
        try:
            result = loadtest.loadtest(
                page_names=names,
                seconds=options["seconds"],
                organization=options["organization"],
                username=options["username"],
                mixed=options["mixed"],
                workers=options["workers"],
                connections=options["connections"],
                timeout=options["timeout"],
                log=self.stdout.write,
            )
        except (RuntimeError, ValueError, LookupError) as error:
            raise CommandError(str(error)) from error
        except DatabaseError as error:
            raise CommandError(
                f"{error} (run `migrate` and `seed_demo` on this database first)"
            ) from error
        self.stdout.write(loadtest.table(result))
        if options["json"]:
            loadtest.write_json(result, options["json"])
            self.stdout.write(f"Figures written to {options['json']}")
        if result["errors"]:
            raise CommandError(f"{result['errors']} errors under load.")
