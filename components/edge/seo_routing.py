"""Lambda@Edge: "dynamic rendering for SEO" (seed "4. Application Layer").

One function, associated twice with the distribution's default behaviour (the static app):

- **viewer-request** (every request, before the cache): a page request (no file extension) from a
  crawler's user agent gets the header ``x-betterprompts-render: crawler``; the header is always
  removed from what viewers send, so nobody can ask for the other variant. The default behaviour's
  cache policy puts this header in the cache key: crawlers and people get separate cache entries.
- **origin-request** (cache misses only): a crawler's page goes to the load balancer's server-rendered
  path, ``/render<path>`` on the frontend; anyone else's page is the static app's ``/index.html``
  (client-side routing); files (scripts, styles, images) come from the assets bucket for everyone.

Lambda@Edge has no environment variables, so the two values the load balancer needs (its name and the
``X-Origin-Verify`` secret) are custom headers on the assets origin, which CloudFront hands to this
function with the origin; the function takes them off before the request reaches S3.

Standard library only: this file is the whole deployment package (``handler`` is its entry point).
"""

from __future__ import annotations

import posixpath
from typing import Any

RENDER_HEADER = "x-betterprompts-render"
"""Set by the viewer-request event for crawlers' page requests; part of the default behaviour's cache key."""
CRAWLER = "crawler"
RENDER_PREFIX = "/render"
"""The frontend's server-rendered pages on the load balancer (its ``/render`` and ``/render/*`` route)."""
ORIGIN_NAME_HEADER = "x-betterprompts-render-origin"
"""Assets-origin custom header carrying the load balancer's name (CloudFront connects to it)."""
ORIGIN_SECRET_HEADER = "x-origin-verify"
"""Assets-origin custom header carrying the secret the load balancer's listener rules require."""
APP_SHELL = "/index.html"

# Substrings of user agents of search engines and link-preview crawlers that do not run the app's
# JavaScript (or index what they are served first). Lower case.
CRAWLER_AGENTS = (
    "googlebot",
    "google-inspectiontool",
    "bingbot",
    "yandex",
    "baiduspider",
    "duckduckbot",
    "slurp",
    "applebot",
    "facebookexternalhit",
    "facebot",
    "twitterbot",
    "linkedinbot",
    "slackbot",
    "discordbot",
    "whatsapp",
    "telegrambot",
    "pinterestbot",
    "redditbot",
    "embedly",
    "petalbot",
)


def is_crawler(user_agent: str | None) -> bool:
    """A known crawler's user agent (case-insensitive substring match)."""
    agent = (user_agent or "").lower()
    return any(token in agent for token in CRAWLER_AGENTS)


def is_page(uri: str) -> bool:
    """A route of the app (``/``, ``/prompts/42``), not a file (``/assets/app.3f2a.js``)."""
    return "." not in posixpath.basename(uri)


def _header(headers: dict[str, Any], name: str) -> str | None:
    values = headers.get(name) or []
    return values[0]["value"] if values else None


def viewer_request(request: dict[str, Any]) -> dict[str, Any]:
    """Mark crawlers' page requests; drop any mark a viewer sent itself."""
    headers = request.setdefault("headers", {})
    headers.pop(RENDER_HEADER, None)
    if is_page(request["uri"]) and is_crawler(_header(headers, "user-agent")):
        headers[RENDER_HEADER] = [{"key": "X-BetterPrompts-Render", "value": CRAWLER}]
    return request


def origin_request(request: dict[str, Any]) -> dict[str, Any]:
    """Crawlers' pages to the load balancer's /render path; other pages to the app shell; files unchanged."""
    headers = request.setdefault("headers", {})
    s3 = request.get("origin", {}).get("s3", {})
    custom = s3.get("customHeaders", {})
    origin_name = _header(custom, ORIGIN_NAME_HEADER)
    secret = _header(custom, ORIGIN_SECRET_HEADER)
    # Never forwarded to S3.
    custom.pop(ORIGIN_NAME_HEADER, None)
    custom.pop(ORIGIN_SECRET_HEADER, None)
    # The mark is in the cache key, so it stays on the request (S3 and the frontend ignore it).
    crawler = _header(headers, RENDER_HEADER) == CRAWLER
    if not is_page(request["uri"]):
        return request
    if not crawler or not origin_name or not secret:
        request["uri"] = APP_SHELL
        return request
    path = request["uri"].rstrip("/")
    request["uri"] = RENDER_PREFIX + path if path else RENDER_PREFIX
    request["origin"] = {
        "custom": {
            "domainName": origin_name,
            "port": 443,
            "protocol": "https",
            "path": "",
            "sslProtocols": ["TLSv1.2"],
            "readTimeout": 30,
            "keepaliveTimeout": 5,
            "customHeaders": {ORIGIN_SECRET_HEADER: [{"key": "X-Origin-Verify", "value": secret}]},
        }
    }
    # The load balancer's certificate is for its own name.
    headers["host"] = [{"key": "Host", "value": origin_name}]
    return request


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Lambda@Edge entry point: one record, its event type decides."""
    cf = event["Records"][0]["cf"]
    request = cf["request"]
    if cf["config"]["eventType"] == "viewer-request":
        return viewer_request(request)
    return origin_request(request)
