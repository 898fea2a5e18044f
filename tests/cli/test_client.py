"""The CLI's HTTP client on the answers a live Junction does not give but a
proxy in front of it, or a wrong address, may: httpx's MockTransport plays
that server (tests/cli/test_commands.py runs the real one)."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime

import httpx
import pytest
from junction_cli import client
from junction_cli.errors import ExitCode, JunctionError, UsageProblem
from junction_cli.files import write_private

URL = "https://junction.test/prefix/?ignored=1"


def _answering(response: httpx.Response) -> httpx.MockTransport:
    return httpx.MockTransport(lambda request: response)


def _failure(response: httpx.Response, output_format: str = "dotenv") -> JunctionError:
    with pytest.raises(JunctionError) as raised:
        client.pull(URL, "jrt_token", output_format, transport=_answering(response))
    return raised.value


def test_it_asks_the_endpoint_under_the_address_with_the_bearer_token():
    seen: list[httpx.Request] = []

    def server(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, text="A='1'\n")

    body = client.pull(URL, " jrt_token\n", "shell", transport=httpx.MockTransport(server))

    assert body == b"A='1'\n"
    [request] = seen
    assert request.url.path == "/prefix/api/v1/runtime/config"
    assert dict(request.url.params) == {"format": "shell"}
    assert request.headers["Authorization"] == "Bearer jrt_token"


@pytest.mark.parametrize("token", ["jrt_a\nb", "jrt_é", "jrt_a b"])
def test_a_token_that_cannot_be_one_is_refused_without_being_shown(token):
    with pytest.raises(UsageProblem) as raised:
        client.pull(URL, token, transport=_answering(httpx.Response(200)))

    assert token.strip() not in str(raised.value)


def test_a_web_page_is_never_taken_for_configuration():
    error = _failure(httpx.Response(200, html="<html>Sign in</html>"))

    assert error.exit_code == ExitCode.UNEXPECTED_ANSWER
    assert "web page" in str(error)


def test_a_server_error_shows_the_status():
    error = _failure(httpx.Response(502, text="Bad Gateway\n<hr>nginx"))

    assert error.exit_code == ExitCode.UNEXPECTED_ANSWER
    assert str(error) == "https://junction.test/prefix answered HTTP 502"


def test_a_refusal_without_a_description_still_names_the_setting():
    error = _failure(httpx.Response(401, text="no"))

    assert error.exit_code == ExitCode.TOKEN_REFUSED
    assert "JUNCTION_TOKEN" in str(error)


def test_a_server_description_stays_on_one_line():
    description = "first line\nsecond line " + "x" * 500
    error = _failure(httpx.Response(401, json={"error_description": description}))

    assert "\n" not in str(error)
    assert len(str(error)) < 400


def test_a_configuration_that_is_not_the_json_format_is_refused():
    body = json.dumps({"environment": "Development", "variables": {"A": 1}, "pending": []})
    with pytest.raises(JunctionError) as raised:
        client.configuration(URL, "jrt_token", transport=_answering(httpx.Response(200, text=body)))

    assert raised.value.exit_code == ExitCode.UNEXPECTED_ANSWER


@pytest.mark.parametrize(
    ("retry_after", "hint"),
    [
        ("42", "retry in 42 s"),
        ("Sat, 05 Dec 2026 10:00:30 GMT", "retry in 30 s"),
        ("Sat, 05 Dec 2026 09:59:00 GMT", "retry in 0 s"),
        ("soon", "retry later"),
        (None, "retry later"),
    ],
)
def test_retry_after_is_read_as_seconds_or_a_date(retry_after, hint):
    now = datetime(2026, 12, 5, 10, 0, 0, tzinfo=UTC)

    assert client.retry_hint(retry_after, now) == hint


def test_pending_comments_are_read_from_the_text_formats():
    body = b"# Junction: the component A in Development.\n# pending: Books: Not deployed: yet.\n"

    assert client.pending_in(body, "dotenv") == [client.Pending("Books", "Not deployed: yet.")]


@pytest.mark.parametrize(
    "url", ["junction.test", "ftp://junction.test", "https://", "https://user:pw@junction.test"]
)
def test_an_address_that_is_not_an_http_origin_is_a_usage_error(url):
    with pytest.raises(UsageProblem):
        client.pull(url, "jrt_token", transport=_answering(httpx.Response(200)))


def test_a_private_file_replaces_a_readable_one_and_leaves_nothing_beside_it(tmp_path):
    target = tmp_path / "values.env"
    target.write_text("OLD=1\n")
    target.chmod(0o644)

    write_private(target, b"NEW='2'\n")

    assert target.read_bytes() == b"NEW='2'\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [path.name for path in tmp_path.iterdir()] == ["values.env"]


def test_a_file_in_a_missing_folder_is_a_usage_error(tmp_path):
    with pytest.raises(UsageProblem) as raised:
        write_private(tmp_path / "missing" / "values.env", b"A='1'\n")

    assert "No such file or directory" in str(raised.value)
