"""Swagger UI at `/api/docs`, served from an installed package's own files (`swagger-ui-py`,
whose `static/` is Swagger UI 5, the first to read OpenAPI 3.1), never from a CDN: a closed
network has none, and script fetched from elsewhere would run on the register's own origin.
Only the files are used (the package's module is not even imported). The page starts Swagger
UI from a file of ours (`static/swagger-init.js`): no inline script, so the strict CSP holds.
Without the package installed there is no `/api/docs` (the contract stays at /openapi.json)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

OWN = Path(__file__).with_name("static")
PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>habeas API</title>
<link rel="stylesheet" href="/api/docs/ui/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/api/docs/ui/swagger-ui-bundle.js"></script>
<script src="/api/docs/own/swagger-init.js"></script>
</body>
</html>
"""


def mount(app: FastAPI) -> bool:
    """Add `/api/docs` to `app` if the Swagger UI package is installed; whether it was."""
    found = importlib.util.find_spec("swagger_ui")
    if found is None or not found.submodule_search_locations:
        return False
    files = Path(next(iter(found.submodule_search_locations))) / "static"
    if not (files / "swagger-ui-bundle.js").is_file():
        return False

    async def docs() -> HTMLResponse:
        return HTMLResponse(PAGE)

    app.add_api_route("/api/docs", docs, include_in_schema=False, methods=["GET"])
    app.mount("/api/docs/ui", StaticFiles(directory=files), name="swagger-ui")
    app.mount("/api/docs/own", StaticFiles(directory=OWN), name="swagger-own")
    return True
