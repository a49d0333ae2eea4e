"""The API documentation pages (Swagger UI at ``/docs``, ReDoc at ``/redoc``), when ``DOCS_ENABLED``.

Their scripts come from jsDelivr, pinned to an exact version **and** to the file's SHA-384
(Subresource Integrity): a browser runs them only if they are byte for byte what was pinned here, so
a compromised CDN or package cannot run code in a page that holds a bearer token. The page's own
start-up script is served by the service (``/docs/init.js``), so the Content-Security-Policy allows
no inline script at all. The hashes were computed from the npm packages of the same versions
(``npm pack swagger-ui-dist@5.35.0 redoc@2.5.2``; ``openssl dgst -sha384 -binary FILE | openssl base64 -A``).
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response


@dataclass(frozen=True)
class Asset:
    url: str
    integrity: str


SWAGGER_UI_JS = Asset(
    "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5.35.0/swagger-ui-bundle.js",
    "sha384-gjRm0bEPMeTmMh5jT2cHccIwCUZSTd8YC+j0d0sXw0MdGEfScduGpSyF3ZSSLkX9",
)
SWAGGER_UI_CSS = Asset(
    "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5.35.0/swagger-ui.css",
    "sha384-WlYgdmXYOOBWL5apwjDEZwN+U3HmXSSu5R6V5aGxEcf7z+KuRNwBhoxKVN1i3D5I",
)
REDOC_JS = Asset(
    "https://cdn.jsdelivr.net/npm/redoc@2.5.2/bundles/redoc.standalone.js",
    "sha384-70P5pmIdaQdVbxvjhrcTDv1uKcKqalZ3OHi7S2J+uzDl0PW8dO6L+pHOpm9EEjGJ",
)
DOCS_PATHS = ("/docs", "/redoc", "/docs/init.js")

DOCS_CSP = (
    "default-src 'none'; script-src 'self' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    "font-src https://fonts.gstatic.com; img-src 'self' data:; worker-src blob:; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
"""No inline script; scripts only from the service and the pinned jsDelivr files (their integrity
checked by the browser); ReDoc's web worker from a blob; the OpenAPI document from the service."""

INIT_JS = """window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
  });
};
"""


def _script(asset: Asset) -> str:
    return f'<script src="{asset.url}" integrity="{asset.integrity}" crossorigin="anonymous"></script>'


def docs_router(title: str) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    swagger = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<link rel="stylesheet" href="{SWAGGER_UI_CSS.url}" integrity="{SWAGGER_UI_CSS.integrity}" crossorigin="anonymous">
</head><body><div id="swagger-ui"></div>
{_script(SWAGGER_UI_JS)}
<script src="/docs/init.js"></script>
</body></html>
"""
    redoc = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>
<body><redoc spec-url="/openapi.json"></redoc>
{_script(REDOC_JS)}
</body></html>
"""

    @router.get("/docs")
    async def swagger_ui() -> HTMLResponse:
        return HTMLResponse(swagger)

    @router.get("/docs/init.js")
    async def swagger_init() -> Response:
        return Response(INIT_JS, media_type="text/javascript")

    @router.get("/redoc")
    async def redoc_page() -> HTMLResponse:
        return HTMLResponse(redoc)

    return router
