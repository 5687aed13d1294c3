"""The Lambda@Edge routing decision on CloudFront's own event shapes (AWS, "Lambda@Edge event structure")."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from components.edge import seo_routing as routing

GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
SECRET = "s3cr3t-from-the-origin"
ORIGIN = "origin.betterprompts.io"


def _event(event_type: str, uri: str, agent: str, extra_headers: dict[str, str] | None = None) -> dict[str, Any]:
    headers = {"host": [{"key": "Host", "value": "d111111abcdef8.cloudfront.net"}], "user-agent": [{"key": "User-Agent", "value": agent}]}
    for name, value in (extra_headers or {}).items():
        headers[name.lower()] = [{"key": name, "value": value}]
    request: dict[str, Any] = {"clientIp": "203.0.113.178", "headers": headers, "method": "GET", "querystring": "", "uri": uri}
    if event_type == "origin-request":
        request["origin"] = {
            "s3": {
                "authMethod": "none",
                "domainName": "assets.s3.us-east-1.amazonaws.com",
                "path": "",
                "region": "us-east-1",
                "customHeaders": {
                    "x-betterprompts-render-origin": [{"key": "X-BetterPrompts-Render-Origin", "value": ORIGIN}],
                    "x-origin-verify": [{"key": "X-Origin-Verify", "value": SECRET}],
                },
            }
        }
    return {"Records": [{"cf": {"config": {"distributionId": "EDFDVBD6EXAMPLE", "eventType": event_type, "requestId": "r"}, "request": request}}]}


def _through(uri: str, agent: str, extra: dict[str, str] | None = None) -> dict[str, Any]:
    """Viewer request, then (on a miss) origin request with the headers the cache policy forwards."""
    viewer = routing.handler(_event("viewer-request", uri, agent, extra), None)
    event = _event("origin-request", viewer["uri"], agent)
    event["Records"][0]["cf"]["request"]["headers"] = copy.deepcopy(viewer["headers"])
    return routing.handler(event, None)


@pytest.mark.parametrize("agent", [GOOGLEBOT, "Mozilla/5.0 (compatible; bingbot/2.0)", "facebookexternalhit/1.1", "Twitterbot/1.0", "LinkedInBot/1.0"])
def test_a_crawlers_page_goes_to_the_server_rendered_path_on_the_load_balancer(agent: str) -> None:
    request = _through("/prompts/42", agent)
    assert request["uri"] == "/render/prompts/42"
    custom = request["origin"]["custom"]
    assert (custom["domainName"], custom["protocol"], custom["port"], custom["sslProtocols"]) == (ORIGIN, "https", 443, ["TLSv1.2"])
    assert custom["customHeaders"] == {"x-origin-verify": [{"key": "X-Origin-Verify", "value": SECRET}]}
    assert request["headers"]["host"] == [{"key": "Host", "value": ORIGIN}]


def test_the_home_page_for_a_crawler_is_render_itself() -> None:
    assert _through("/", GOOGLEBOT)["uri"] == "/render"


def test_people_get_the_static_apps_shell_for_every_page() -> None:
    request = _through("/prompts/42", CHROME)
    assert request["uri"] == "/index.html"
    assert "custom" not in request["origin"]
    # The load balancer's name and secret never reach S3.
    assert request["origin"]["s3"]["customHeaders"] == {}


@pytest.mark.parametrize("agent", [GOOGLEBOT, CHROME])
def test_files_come_from_the_bucket_for_everyone(agent: str) -> None:
    request = _through("/assets/app.3f2a9c.js", agent)
    assert request["uri"] == "/assets/app.3f2a9c.js"
    assert "custom" not in request["origin"] and request["origin"]["s3"]["customHeaders"] == {}


def test_a_viewer_cannot_ask_for_the_crawler_variant_itself() -> None:
    viewer = routing.handler(_event("viewer-request", "/prompts", CHROME, {"X-BetterPrompts-Render": "crawler"}), None)
    assert "x-betterprompts-render" not in viewer["headers"]
    assert _through("/prompts", CHROME, {"X-BetterPrompts-Render": "crawler"})["uri"] == "/index.html"


def test_the_viewer_event_marks_crawlers_pages_only() -> None:
    marked = routing.handler(_event("viewer-request", "/about", GOOGLEBOT), None)
    assert marked["headers"]["x-betterprompts-render"] == [{"key": "X-BetterPrompts-Render", "value": "crawler"}]
    assert marked["uri"] == "/about"
    assert "x-betterprompts-render" not in routing.handler(_event("viewer-request", "/favicon.ico", GOOGLEBOT), None)["headers"]


def test_without_the_origin_headers_a_crawler_still_gets_the_app() -> None:
    event = _event("origin-request", "/about", GOOGLEBOT, {"X-BetterPrompts-Render": "crawler"})
    event["Records"][0]["cf"]["request"]["origin"]["s3"]["customHeaders"] = {}
    assert routing.handler(event, None)["uri"] == "/index.html"


def test_crawler_detection() -> None:
    assert routing.is_crawler(GOOGLEBOT) and routing.is_crawler("DuckDuckBot/1.1")
    assert not routing.is_crawler(CHROME) and not routing.is_crawler(None) and not routing.is_crawler("")
    assert routing.is_page("/") and routing.is_page("/prompts/42") and not routing.is_page("/robots.txt")


def test_the_package_is_standard_library_only() -> None:
    import ast
    from pathlib import Path

    tree = ast.parse(Path(routing.__file__).read_text())
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    assert imported <= {"__future__", "posixpath", "typing"}
