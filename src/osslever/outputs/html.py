"""HTML rendering: Jinja2 with autoescape on, inline CSS and SVG, one file, offline."""

from __future__ import annotations

from functools import lru_cache

import jinja2
from markupsafe import Markup

from osslever.i18n import t
from osslever.outputs import last_release_text, styles, svg, templating
from osslever.outputs.license_render import check_line, state_name
from osslever.outputs.markdown import org_label


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """Autoescape everything: author names and commit data are untrusted."""
    return templating.environment("outputs/templates", globals=styles.template_globals())


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def heat(value: float | None) -> str:
    if value is None:
        return "#fff"
    return f"rgba(37,99,235,{0.08 + 0.6 * value:.2f})"


def _charts(doc: dict, lang: str) -> dict[str, Markup]:
    c = doc["community"]
    months = [m["month"] for m in c.get("monthly", [])]
    col = {
        k: [m[k] for m in c.get("monthly", [])]
        for k in ("commits", "active_contributors", "new_contributors", "lines_added", "lines_deleted")
    }
    orgs = c.get("organizations_12m", [])
    top = [(org_label(o["name"], lang), o["share"]) for o in orgs[:10]]
    rest = sum(o["share"] for o in orgs[10:])
    if rest > 0:
        top.append((t("report.others", lang), round(rest, 4)))
    charts = {
        "commits": svg.bar_chart(months, col["commits"], t("report.monthly_commits", lang)),
        "contributors": svg.line_chart(
            months,
            {t("report.active", lang): col["active_contributors"], t("report.new", lang): col["new_contributors"]},
            t("report.monthly_contributors", lang),
        ),
        "lines": svg.mirrored_bars(
            months,
            col["lines_added"],
            col["lines_deleted"],
            (t("report.added", lang), t("report.deleted", lang)),
            t("report.lines_changed", lang),
        ),
        "organizations": svg.share_bars(top, t("report.organizations", lang)),
    }
    events = doc.get("events") or {}
    series = events.get("monthly") if isinstance(events, dict) else None
    if series:
        labels = [row["month"] for row in series]
        keys = [k for k in series[0] if k != "month"][:4]
        charts["events"] = svg.line_chart(
            labels, {k: [row.get(k) or 0 for row in series] for k in keys}, t("report.events", lang)
        )
    return charts


def render_report(doc: dict, lang: str) -> str:
    template = environment().get_template("report.html.j2")

    def tr(key: str, **params: object) -> str:
        return t(key, lang, **params)

    return template.render(
        doc=doc,
        lang=lang,
        t=tr,
        pct=pct,
        heat=heat,
        charts=_charts(doc, lang),
        license_check=lambda lic: check_line(lic, lang),
        license_state=lambda expression: state_name(expression, lang),
        org=lambda name: org_label(name, lang),
        last_release=lambda releases: last_release_text(releases, lang),
    )
