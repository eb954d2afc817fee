"""Clone URLs: what may be shown and stored, and how credentials reach git without either.

``https://user:token@host/r.git`` is a common way to clone a private repository.
The userinfo part is a secret: git itself strips it before it prints or stores a
URL (``transport_anonymize_url`` in git's transport.c). osslever does the same at
the door — ``redact`` is the one function every consumer uses, so the report,
the SBOM, error lines, the store and the cache folder only ever see the
anonymised URL. The credentials reach git through the environment, as a
credential helper scoped to the URL's host that answers only ``get``: they are
never on a command line (visible in the process list), never written into the
clone's ``config``, and never stored by the user's own credential helpers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import unquote

_SCHEME_URL = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<authority>[^/?#]*)(?P<rest>.*)$", re.DOTALL)

# Answers git's "get" request with the two values from its own environment; the
# helper text is constant (no input is ever spliced into it).
_HELPER = (
    '!f() { test "$1" = get || return 0; '
    'printf \'username=%s\\npassword=%s\\n\' "$OSSLEVER_GIT_USERNAME" "$OSSLEVER_GIT_PASSWORD"; }; f'
)


def redact(url: str) -> str:
    """``url`` without its userinfo (``scheme://user:secret@host/p`` → ``scheme://host/p``).

    scp-like addresses (``git@host:path``) keep their user: it cannot carry a
    password, and git needs it to log in over ssh.
    """
    match = _SCHEME_URL.match(url)
    if not match or "@" not in match["authority"]:
        return url
    host = match["authority"].rpartition("@")[2]
    return f"{match['scheme']}://{host}{match['rest']}"


def scrub(text: str, url: str) -> str:
    """``text`` (e.g. a git error line) with the URL's userinfo removed wherever it appears."""
    match = _SCHEME_URL.match(url)
    if not match or "@" not in match["authority"]:
        return text
    userinfo = match["authority"].rpartition("@")[0]
    text = text.replace(url, redact(url)).replace(userinfo + "@", "")
    for secret in {userinfo, *userinfo.split(":", 1), unquote(userinfo)}:
        if len(secret) >= 4:
            text = text.replace(secret, "***")
    return text


@dataclass(frozen=True)
class CloneSource:
    """How to hand a URL to git: the address for its command line and the credential env."""

    display: str  # anonymised: safe to print, store and hash
    address: str  # what git is given on its command line (no password, ever)
    env: dict[str, str] = field(default_factory=dict, repr=False)


def clone_source(url: str) -> CloneSource:
    """Split a clone URL into what git sees on its command line and a credential helper.

    http(s): the whole userinfo (a token is often the *user* part) moves into the
    helper, scoped to ``scheme://host``, so a redirect to another host never gets
    it. ssh: the user name stays in the address (ssh needs it); a password there
    is dropped, as ssh never reads it. Other schemes: userinfo has no meaning and
    is dropped.
    """
    display = redact(url)
    match = _SCHEME_URL.match(url)
    if not match or "@" not in match["authority"]:
        return CloneSource(display, url)
    scheme = match["scheme"].lower()
    userinfo, _, host = match["authority"].rpartition("@")
    user, _, password = userinfo.partition(":")
    if scheme in ("http", "https"):
        env = {
            "GIT_CONFIG_COUNT": "2",
            "GIT_CONFIG_KEY_0": "credential.helper",
            "GIT_CONFIG_VALUE_0": "",
            "GIT_CONFIG_KEY_1": f"credential.{scheme}://{host}.helper",
            "GIT_CONFIG_VALUE_1": _HELPER,
            "OSSLEVER_GIT_USERNAME": unquote(user),
            "OSSLEVER_GIT_PASSWORD": unquote(password),
        }
        return CloneSource(display, display, env)
    if scheme in ("ssh", "git+ssh", "ssh+git") and user:
        return CloneSource(display, f"{match['scheme']}://{user}@{host}{match['rest']}")
    return CloneSource(display, display)
