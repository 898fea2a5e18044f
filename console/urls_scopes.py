"""URL prefixes that name a scope; every app's scoped routes start with one."""

from __future__ import annotations

ORG = "orgs/<slug:org>/"
PROJECT = ORG + "projects/<slug:project>/"
COMPONENT = PROJECT + "components/<slug:component>/"
