"""The composition root: where the rooms are put together and nowhere else. The web application
(`create_app`: the JSON API of `tahqiq.api`, the pages of `tahqiq.web`, the static assets) and the
registry of every room's tables. The CLI builds on it; no room imports it."""

from tahqiq.compose.app import create_app

__all__ = ["create_app"]
