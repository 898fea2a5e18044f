"""Which failed log-ins lock a client out: django-axes' AXES_LOCKOUT_PARAMETERS.

Two limits, each over the cool-off period: AXES_FAILURE_LIMIT failures for
one username from one address lock that pair (someone guessing a password),
and the higher JUNCTION_LOGIN_ADDRESS_FAILURE_LIMIT failures from one
address, whatever the usernames, lock the address (someone trying a few
passwords on many usernames). Axes compares every group of parameters with
the one AXES_FAILURE_LIMIT, so the address joins the groups only once its
own count has reached its own limit; its count, already past
AXES_FAILURE_LIMIT, then locks it. Below that limit a log-in that succeeds
resets only its pair's count, so a spray's count is not wiped by the spraying
address signing in to an account of its own, and an office behind one NAT
address is not locked by one person's typos.
"""

from __future__ import annotations

from axes.attempts import get_cool_off_threshold
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum

USERNAME_AND_ADDRESS = ["username", "ip_address"]


def lockout_parameters(request_or_attempt: object, credentials: dict | None = None) -> list:
    # Axes also passes an AccessAttempt, or a request it has not annotated
    # (utils.reset_request): those are judged by the pair alone.
    address = getattr(request_or_attempt, "axes_ip_address", None)
    if address is not None and (
        address_failures(request_or_attempt, address)
        >= settings.JUNCTION_LOGIN_ADDRESS_FAILURE_LIMIT
    ):
        return [USERNAME_AND_ADDRESS, "ip_address"]
    return [USERNAME_AND_ADDRESS]


def address_failures(request: object, address: str) -> int:
    """Failed log-ins from ``address`` within the cool-off, over all usernames."""
    attempts = AccessAttempt.objects.filter(
        ip_address=address, attempt_time__gte=get_cool_off_threshold(request)
    )
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
