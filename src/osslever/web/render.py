"""HTML pages: Jinja2 with autoescape, the chosen language, and data for scripts as escaped JSON.

Every string a page shows comes from the i18n catalogs (``locales/*/web.yaml``
and the report's own labels). Data for charts is passed with Jinja's
``tojson`` filter inside ``<script type="application/json">``: it escapes
``<``, ``>``, ``&`` and ``'`` so no stored text (an author called
``</script>``...) can end the block, and the browser never executes it.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse

from osslever import __version__, glossary, i18n
from osslever.i18n import t
from osslever.outputs import templating

LANG_COOKIE = "osslever_lang"

# Strings the scripts show (chart legends, progress, errors), sent with each page.
SCRIPT_KEYS = (
    "web.js.loading",
    "web.js.failed",
    "web.js.queued",
    "web.js.running",
    "web.js.done",
    "web.js.open",
    "web.js.saved",
    "web.js.uploaded",
    "web.js.no_data",
    "web.js.assessing",
    "web.js.pick_file",
    "web.js.overridden",
    "report.active",
    "report.new",
    "report.commits",
    "report.added",
    "report.deleted",
)

SCRIPT_PREFIXES = ("web.metric.", "web.finance.movement.")


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    return templating.environment("web/templates", filters={"num": number, "pct": percent})


def number(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:,.2f}".rstrip("0").rstrip(".")
    return str(value)


def percent(value: Any) -> str:
    return "—" if value is None else f"{float(value):.0%}"


def request_lang(request: Request) -> str:
    chosen = request.query_params.get("lang")
    if chosen in i18n.LANGUAGES:
        return chosen
    cookie = request.cookies.get(LANG_COOKIE)
    if cookie in i18n.LANGUAGES:
        return cookie
    return i18n.default_lang()


def site_context(request: Request, lang: str) -> dict[str, Any]:
    """What every template of the site is rendered with: translator, language switch, path."""
    other = "zh" if lang == "en" else "en"

    def tr(key: str, **params: object) -> str:
        return t(key, lang, **params)

    return {
        "request": request,
        "lang": lang,
        "t": tr,
        # evidence as the glossary names it ("市场阶段 = 成熟期"), never a field path
        "field_name": lambda path: glossary.field_name(path, lang),
        "value_name": lambda path, value: glossary.value_name(path, value, lang),
        "version": __version__,
        "switch_url": request.url.path + "?" + request.url.include_query_params(lang=other).query,
        "switch_label": t("web.switch_to", lang),
        "path": request.url.path,
    }


def remember_lang(request: Request, response: HTMLResponse) -> HTMLResponse:
    """A language chosen with ``?lang=`` sticks (cookie) for the pages that follow."""
    chosen = request.query_params.get("lang")
    if chosen in i18n.LANGUAGES:
        response.set_cookie(LANG_COOKIE, chosen, max_age=365 * 86400, samesite="strict", httponly=True)
    return response


def page(request: Request, template: str, lang: str, status: int = 200, **context: Any) -> HTMLResponse:
    """Render ``template`` with the language switch, nav and the script data block."""
    script = dict(context.pop("script", {}))
    catalog = i18n.catalog(lang)
    keys = [*SCRIPT_KEYS, *(k for k in catalog if k.startswith(SCRIPT_PREFIXES))]
    script["t"] = {key: t(key, lang) for key in keys}
    script["lang"] = lang
    html = environment().get_template(template).render(**site_context(request, lang), script=script, **context)
    response = HTMLResponse(html, status_code=status, headers={"cache-control": "no-store"})
    return remember_lang(request, response)
