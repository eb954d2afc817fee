"""The server's security model, in one place.

* **Where it listens**: 127.0.0.1 unless told otherwise; any other address needs
  a token (``osslever serve`` refuses to start without one).
* **Who may ask**: with a token, every request but ``/login`` and ``/static``
  must carry ``Authorization: Bearer <token>`` (scripts) or the session cookie
  that ``/login`` sets after checking the token (browsers). Both comparisons are
  constant-time (``hmac.compare_digest``). The token is never logged, echoed,
  rendered or put in a URL; the cookie holds a random session id, not the token.
* **What a page may do**: a strict Content-Security-Policy (scripts only from
  this server, no inline script, no eval, no framing), ``nosniff``, no referrer.
  Data reaches scripts as JSON (API responses, or an escaped
  ``<script type="application/json">`` block), never as executable code.
* **Cross-site requests**: state-changing methods must come from this origin
  (``Origin``/``Sec-Fetch-Site`` checked), and the cookie is ``SameSite=Strict``.
* **DNS rebinding**: on loopback only ``localhost``/loopback ``Host`` headers are served.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import secrets
import threading
from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]
SESSION_COOKIE = "osslever_session"
OPEN_PATHS = ("/login", "/static/")
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1", "[::1]")


def is_loopback(host: str) -> bool:
    if host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class Sessions:
    """Browser sessions opened by ``/login``; only their SHA-256 is kept."""

    def __init__(self) -> None:
        self._ids: set[str] = set()
        self._lock = threading.Lock()

    def open(self) -> str:
        value = secrets.token_urlsafe(32)
        with self._lock:
            self._ids.add(hashlib.sha256(value.encode()).hexdigest())
        return value

    def valid(self, value: str) -> bool:
        digest = hashlib.sha256(value.encode()).hexdigest()
        with self._lock:
            return digest in self._ids


def token_matches(token: str, offered: str) -> bool:
    return hmac.compare_digest(token.encode("utf-8"), offered.encode("utf-8", "surrogateescape"))


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None


def _cookie(scope: Scope, name: str) -> str | None:
    raw = _header(scope, b"cookie") or ""
    for part in raw.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None


async def _send_simple(
    send: Send, status: int, body: bytes, content_type: bytes, extra: Iterable[tuple[bytes, bytes]] = ()
) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", content_type), (b"content-length", str(len(body)).encode()), *extra],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _error_json(code: str, message: str) -> bytes:
    return json.dumps({"error": {"code": code, "message": message}}, ensure_ascii=False).encode()


class SecurityMiddleware:
    """Headers on every response; host, origin and token checks before the app sees a request."""

    def __init__(
        self,
        app: ASGIApp,
        token: str | None = None,
        sessions: Sessions | None = None,
        allowed_hosts: Iterable[str] | None = None,
    ) -> None:
        self.app = app
        self.token = token or None
        self.sessions = sessions or Sessions()
        self.allowed_hosts = None if allowed_hosts is None else {h.lower() for h in allowed_hosts}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [(k, v) for k, v in HEADERS if k not in names]
            await send(message)

        refusal = self._refusal(scope)
        if refusal is not None:
            status, code, message, extra = refusal
            path = scope.get("path", "")
            if status == 401 and not path.startswith("/api/") and scope.get("method") == "GET":
                await _send_simple(
                    send_with_headers,
                    303,
                    b"",
                    b"text/plain",
                    [(b"location", b"/login"), (b"cache-control", b"no-store")],
                )
                return
            await _send_simple(send_with_headers, status, _error_json(code, message), b"application/json", extra)
            return
        await self.app(scope, receive, send_with_headers)

    def _refusal(self, scope: Scope) -> tuple[int, str, str, list[tuple[bytes, bytes]]] | None:
        host = (_header(scope, b"host") or "").lower()
        host_name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        if self.allowed_hosts is not None and host_name not in self.allowed_hosts:
            return 400, "bad_host", "this server does not answer for that Host header", []
        method = scope.get("method", "GET")
        if method not in ("GET", "HEAD", "OPTIONS"):
            origin = _header(scope, b"origin")
            site = _header(scope, b"sec-fetch-site")
            if site is not None and site not in ("same-origin", "none"):
                return 403, "cross_site", "cross-site requests are refused", []
            if origin is not None and origin != "null" and urlsplit(origin).netloc.lower() != host:
                return 403, "cross_site", "cross-site requests are refused", []
            if origin == "null":
                return 403, "cross_site", "cross-site requests are refused", []
        if self.token is None:
            return None
        path = scope.get("path", "")
        if path == "/login" or path.startswith("/static/"):
            return None
        auth = _header(scope, b"authorization") or ""
        scheme, _, offered = auth.partition(" ")
        if scheme.lower() == "bearer" and token_matches(self.token, offered.strip()):
            return None
        cookie = _cookie(scope, SESSION_COOKIE)
        if cookie and self.sessions.valid(cookie):
            return None
        return (
            401,
            "unauthorized",
            "a valid Authorization: Bearer token is required",
            [(b"www-authenticate", b'Bearer realm="osslever"')],
        )
