import os

from django.apps import AppConfig
from django.conf import settings


class OAuthConfig(AppConfig):
    name = "oauth"
    verbose_name = "OAuth 2.0 authorization server"

    def ready(self) -> None:
        # Authlib refuses plain HTTP on any host but localhost. Junction
        # decides about transport itself: with JUNCTION_HTTPS on, its views
        # refuse plain HTTP; off (development, a loopback or private
        # network), Authlib must not refuse what the console serves.
        if not settings.JUNCTION_HTTPS:
            os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")
