"""What keeps the sandbox page to the person at this machine, and its content inert.

- Requests must name the address the page was opened at: with the default loopback binding, a
  ``Host`` other than 127.0.0.1, localhost or [::1] (with the page's port) is refused, so another
  site cannot reach the page through a DNS name it controls.
- Actions are POSTs with a JSON body and no foreign ``Origin``: a form or a script on another
  site cannot send one without the browser's cross-origin check, which the page never passes.
- Every answer forbids scripts, styles and pictures from anywhere but the page itself, inline
  scripts included, and framing by other sites: even a message that slipped markup past the page
  could not run.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def allowed_hosts(host: str, port: int) -> frozenset[str] | None:
    """The ``Host`` values a page bound to ``host`` answers; None (any) when it was bound to a
    non-loopback address on purpose, whose names the page cannot know."""
    if not is_loopback(host):
        return None
    return frozenset(f"{name}:{port}" for name in ("127.0.0.1", "localhost", "[::1]"))


def guard(hosts: Callable[[], frozenset[str] | None]) -> Middleware:
    """A middleware that refuses requests for other hosts and actions from other origins."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        wanted = hosts()
        if wanted is not None and request.host not in wanted:
            return web.json_response({"ok": False, "error": "unknown host"}, status=421)
        if request.method not in ("GET", "HEAD"):
            if request.content_type != "application/json":
                return web.json_response({"ok": False, "error": "expected JSON"}, status=415)
            origin = request.headers.get("Origin")
            if origin is not None and origin != f"http://{request.host}":
                return web.json_response({"ok": False, "error": "foreign origin"}, status=403)
        return await handler(request)

    return middleware


async def add_security_headers(request: web.Request, response: web.StreamResponse) -> None:
    """Set on every answer, streams included, just before its headers go out."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
