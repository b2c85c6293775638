"""The web UI: server-rendered pages (Jinja2) on the same services as the API."""

from __future__ import annotations

from fastapi import FastAPI


def mount(app: FastAPI) -> None:
    """Add the web UI's routes and static files to `app`."""
