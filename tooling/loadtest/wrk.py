"""The pages to load and wrk, which loads them from a second process."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ObjectDoesNotExist

# Short names for the benchmark's page keys; any other GET page key of
# tooling.benchmark.measure.pages() may be given as it is.
PAGE_ALIASES = {
    "connections": "connections-project",
    "marketplace": "marketplace",
    "floor": "floor",
}
DEFAULT_PAGES = ["connections", "marketplace", "floor"]

# One connection per wrk thread: a thread then has one request in flight at a
# time, so each response belongs to the path it last sent. That is what lets
# the mixed run count responses per page.
# The session cookie and the pages come from a file named by the only
# argument, never on wrk's command line, which `ps` shows to every user of
# the machine (a token request's page carries a client secret). The file's
# first line is the cookie; each next line a page, its fields separated by
# tabs: method, path, "1" when it is sent with the cookie, body, then its
# headers as "Name: value".
WRK_SCRIPT = """
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("first", #threads)
end

function init(args)
  local file = assert(io.open(args[1], "r"))
  local cookie = file:read("*l")
  requests = {}
  for line in file:lines() do
    local fields = {}
    for value in (line .. "\t"):gmatch("([^\t]*)\t") do table.insert(fields, value) end
    local method, path, signed_in, body = fields[1], fields[2], fields[3], fields[4]
    local headers = {}
    if signed_in == "1" then headers["Cookie"] = cookie end
    for index = 5, #fields do
      local name, value = fields[index]:match("^([^:]+): (.*)$")
      headers[name] = value
    end
    if body == "" then body = nil end
    table.insert(requests, wrk.format(method, path, headers, body))
  end
  file:close()
  sent = first or 0
  current = 1
  counts = {}
end

function request()
  current = sent % #requests + 1
  sent = sent + 1
  return requests[current]
end

function response(status, headers, body)
  -- String keys ("<page> <status>"): Debian's wrk 4.1 crashed copying a
  -- table with integer keys out of a thread in done().
  local key = current .. " " .. status
  counts[key] = (counts[key] or 0) + 1
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("@summary %.0f %.0f %.0f %.0f %.0f %.0f %.0f\\n",
    summary.duration, summary.requests, e.connect, e.read, e.write, e.status, e.timeout))
  io.write(string.format("@latency %.0f %.0f %.0f\\n",
    latency:percentile(50), latency:percentile(99), latency.max))
  for _, thread in ipairs(threads) do
    for key, count in pairs(thread:get("counts")) do
      io.write(string.format("@count %s %.0f\\n", key, count))
    end
  end
end
"""


@dataclass
class LoadPage:
    name: str
    key: str
    label: str
    path: str
    method: str = "GET"
    # The authorization server's credentials, a runtime token, an ETag
    # (never on a command line).
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""
    signed_in: bool = True
    expected_status: int = 200
    requests: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    rps: float = 0.0

    @property
    def errors(self) -> int:
        expected = str(self.expected_status)
        return sum(count for status, count in self.statuses.items() if status != expected)

    def request_headers(self, cookie: str) -> dict[str, str]:
        return {**({"Cookie": cookie} if self.signed_in else {}), **self.headers}


@dataclass
class WrkRun:
    pages: list[LoadPage]
    duration_s: float = 0.0
    requests: int = 0
    socket_errors: dict[str, int] = field(default_factory=dict)
    non_2xx_3xx: int = 0
    latency_ms: dict[str, float] = field(default_factory=dict)
    output: str = ""


def resolve_pages(names: list[str], organization: str) -> list[LoadPage]:
    from tooling.benchmark.measure import pages, select_targets

    try:
        targets = select_targets(organization)
    except ObjectDoesNotExist as error:
        raise ValueError(f"No organization {organization!r} in this database.") from error
    by_key = {page.key: page for page in pages(targets)}
    chosen = []
    for name in names:
        key = PAGE_ALIASES.get(name, name)
        page = by_key.get(key)
        if page is None or not _loadable(page):
            known = sorted(PAGE_ALIASES) + sorted(
                k for k, p in by_key.items() if _loadable(p) and k not in PAGE_ALIASES
            )
            raise ValueError(f"Unknown page {name!r}; choose from {', '.join(known)}.")
        load_page = LoadPage(
            name=name,
            key=key,
            label=page.label,
            path=page.url,
            signed_in=page.signed_in,
            expected_status=page.expected_status,
        )
        if page.form is not None:
            load_page.body, headers = page.form()
            load_page.method = "POST"
            load_page.headers = {**headers, "Content-Type": "application/x-www-form-urlencoded"}
        elif page.sent_headers is not None:
            load_page.headers = page.sent_headers()
        chosen.append(load_page)
    return chosen


def _loadable(page) -> bool:
    """A GET (signed in, or with headers made when sent), or a form POST of
    the authorization server."""
    return page.form is not None or (page.method == "GET" and not page.headers)


def requests_file(cookie: str, pages: list[LoadPage]) -> str:
    """What WRK_SCRIPT reads: the cookie, then one line per page."""
    lines = [cookie] + [
        "\t".join(
            (
                page.method,
                page.path,
                "1" if page.signed_in else "",
                page.body,
                *(f"{name}: {value}" for name, value in page.headers.items()),
            )
        )
        for page in pages
    ]
    return "\n".join(lines) + "\n"


def run_wrk(
    *,
    wrk: str,
    base_url: str,
    requests_path: Path,
    pages: list[LoadPage],
    seconds: float,
    connections: int,
    timeout: float,
    script_path: Path,
) -> WrkRun:
    command = [
        wrk,
        f"--threads={connections}",
        f"--connections={connections}",
        f"--duration={max(1, round(seconds))}s",
        f"--timeout={max(1, round(timeout))}s",
        f"--script={script_path}",
        base_url,
        "--",
        str(requests_path),
    ]
    completed = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + timeout + 60, check=False
    )
    run = WrkRun(pages=pages, output=completed.stdout + completed.stderr)
    if completed.returncode != 0:
        raise RuntimeError(f"wrk failed ({completed.returncode}):\n{run.output}")
    _read_wrk_output(run)
    return run


def _read_wrk_output(run: WrkRun) -> None:
    summary = None
    for line in run.output.splitlines():
        if not line.startswith("@"):
            continue
        word, *values = line.split()
        if word == "@summary":
            summary = [int(v) for v in values]
        elif word == "@latency":
            p50, p99, worst = (int(v) / 1000 for v in values)
            run.latency_ms = {"p50": p50, "p99": p99, "max": worst}
        elif word == "@count":
            index, status, count = values
            page = run.pages[int(index) - 1]
            page.statuses[status] = page.statuses.get(status, 0) + int(count)
    if summary is None:
        raise RuntimeError(f"wrk printed no summary (its Lua script did not run):\n{run.output}")
    duration_us, requests, connect, read, write, status, timed_out = summary
    run.duration_s = duration_us / 1_000_000
    run.requests = requests
    run.socket_errors = {"connect": connect, "read": read, "write": write, "timeout": timed_out}
    run.non_2xx_3xx = status
    for page in run.pages:
        page.requests = sum(page.statuses.values())
        page.rps = page.requests / run.duration_s if run.duration_s else 0.0
