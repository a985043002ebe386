"""``/docs`` and ``/redoc`` work with no network: every file they load is served by the app itself."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

REFERENCE = re.compile(r"""(?:src|href|url)\s*[=:(]\s*['"]?([^'"\s)>]+)""", re.IGNORECASE)
CALLS = re.compile(r"""(?:spec-url|openapi_url|url)\s*[:=]\s*['"]([^'"]+)['"]""")


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_api_docs_reference_no_external_host(client: TestClient, page: str) -> None:
    response = client.get(page)
    assert response.status_code == 200 and "text/html" in response.headers["content-type"]
    html = response.text
    assert "://" not in html, "the page names an external host"
    references = set(REFERENCE.findall(html)) | set(CALLS.findall(html))
    assert "/openapi.json" in references
    assets = {r for r in references if r.startswith("/docs-assets/")}
    assert len(assets) >= (3 if page == "/docs" else 2)
    assert not [r for r in references if r.startswith(("http", "//"))]
    for reference in (r for r in references if r.startswith("/")):
        fetched = client.get(reference)
        assert fetched.status_code == 200 and len(fetched.content) > 100, reference


def test_the_swagger_bundle_is_the_real_one(client: TestClient) -> None:
    bundle = client.get("/docs-assets/swagger-ui-bundle.js")
    assert bundle.status_code == 200 and "SwaggerUIBundle" in bundle.text
    assert "Redoc" in client.get("/docs-assets/redoc.standalone.js").text
