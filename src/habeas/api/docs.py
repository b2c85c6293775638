"""Swagger UI at `/api/docs`, served from the package's own files (the `swagger-ui-bundle`
package, pinned by its version), never from a CDN: a closed network has none, and script
fetched from elsewhere would run on the register's own origin. The page starts it from a
file of ours (`static/swagger-init.js`): no inline script, so the strict CSP holds.
Without the package installed there is no `/api/docs` (the contract stays at /openapi.json)."""

from __future__ import annotations

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
    try:
        from swagger_ui_bundle import swagger_ui_path
    except ImportError:
        return False

    async def docs() -> HTMLResponse:
        return HTMLResponse(PAGE)

    app.add_api_route("/api/docs", docs, include_in_schema=False, methods=["GET"])
    app.mount("/api/docs/ui", StaticFiles(directory=str(swagger_ui_path)), name="swagger-ui")
    app.mount("/api/docs/own", StaticFiles(directory=OWN), name="swagger-own")
    return True
