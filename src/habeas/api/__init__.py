"""The REST API (design §6): `/api/v1`, a thin driver of the services, behind the access policy.

`create_app` builds the ASGI application that `habeas serve` runs: the API and the web
UI (`habeas.web`) on one engine, one law package, one clock and one group committer.
"""

from habeas.api.app import Settings, create_app

__all__ = ["Settings", "create_app"]
