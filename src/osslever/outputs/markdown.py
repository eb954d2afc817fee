"""Markdown rendering of the report, for pasting into docs and issues.

Markdown renderers pass HTML through, so untrusted text (author names) is
escaped for both Markdown syntax and HTML.
"""

from __future__ import annotations

import re

from osslever.i18n import t
from osslever.outputs import last_release_text
from osslever.outputs.license_render import check_line, state_name

_SPECIAL = re.compile(r"([\\`*_\[\]|])")


def org_label(name: str, lang: str) -> str:
    """An organization as a person reads it: the two categories that are not companies
    ("unknown": no evidence; "independent": a personal domain) in the reader's language."""
    if name in ("unknown", "independent"):
        return t(f"report.org_{name}", lang)
    return name


def escape(text: object) -> str:
    value = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _SPECIAL.sub(r"\\\1", value).replace("\n", " ")


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def render_report(doc: dict, lang: str) -> str:
    c, repo = doc["community"], doc["repository"]
    out = [f"# {escape(t('report.title', lang, name=repo['name']))}", ""]
    out.append(
        f"{t('report.repository', lang)}: {escape(repo['slug'] or repo['path'])} · "
        f"{t('report.ref', lang)}: `{escape(repo['ref'])}` · {t('report.head', lang)}: `{repo['head'][:12]}`"
    )
    if repo["shallow"]:
        out += ["", f"> **{t('report.shallow_warning', lang)}**"]
    out += [
        "",
        f"## {t('report.headline', lang)}",
        "",
        t("report.window", lang, start=c["window_12m"]["start"], end=c["window_12m"]["end"]),
        "",
        "| | |",
        "|---|---:|",
    ]
    for key in (
        "commits_total",
        "contributors_total",
        "active_contributors_12m",
        "new_contributors_12m",
        "bus_factor_12m",
        "elephant_factor_12m",
        "bots_total",
        "first_commit",
        "last_commit",
    ):
        out.append(f"| {t('report.' + key, lang)} | {c[key]} |")
    if c.get("window_12m"):
        out.append(f"| {t('report.window_12m', lang)} | {c['window_12m']['start']} – {c['window_12m']['end']} |")
    spdx = doc["license"].get("spdx") or t("report.license_none", lang)
    out.append(f"| {t('report.license', lang)} | {escape(spdx)} |")
    out += ["", f"## {t('report.reading', lang)}", ""]
    out += [f"- {escape(r['text'])} `{r['id']}`" for r in doc["readings"]]
    out += [
        "",
        f"## {t('report.organizations', lang)}",
        "",
        f"| {t('report.organization', lang)} | {t('report.share', lang)} |",
        "|---|---:|",
    ]
    out += [f"| {escape(org_label(o['name'], lang))} | {o['share']:.1%} |" for o in c["organizations_12m"][:15]]
    rel = c.get("releases") or {}
    if rel.get("releases_total") is not None:
        latest, when = last_release_text(rel, lang)
        out += [
            "",
            t(
                "report.releases_counted",
                lang,
                n=rel["releases_total"],
                latest=escape(latest),
                date=escape(when),
                pre=rel.get("prereleases_total", 0),
                other=len(rel.get("tags_not_versions") or []),
            ),
        ]
    out += [
        "",
        t("report.segments", lang, **c["contributor_segments_12m"]),
        "",
        f"## {t('report.top_contributors', lang)}",
        "",
        f"| {t('report.contributor', lang)} | {t('report.organization', lang)} | {t('report.commits', lang)} |",
        "|---|---|---:|",
    ]
    out += [
        f"| {escape(p['name'])} | {escape(org_label(p['organization'], lang))} | {p['commits']} |"
        for p in c["top_contributors_12m"]
    ]
    out += [
        "",
        f"## {t('report.top_contributors_all', lang)}",
        "",
        f"| {t('report.contributor', lang)} | {t('report.organization', lang)} | {t('report.commits', lang)} |",
        "|---|---|---:|",
    ]
    out += [
        f"| {escape(p['name'])} | {escape(org_label(p['organization'], lang))} | {p['commits']} |"
        for p in c["top_contributors_all"]
    ]
    out += [
        "",
        f"## {t('report.retention', lang)}",
        "",
        "| "
        + " | ".join(
            [t("report.cohort", lang), t("report.contributors", lang)]
            + [t("report.after", lang, n=n) for n in (1, 3, 6, 12)]
        )
        + " |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    out += [
        f"| {row['cohort']} | {row['contributors']} | "
        + " | ".join(_pct(row[n]) for n in ("1m", "3m", "6m", "12m"))
        + " |"
        for row in c["retention_cohorts"]
    ]
    rel, mnt = c["releases"], c["maintained"]
    out += [
        "",
        f"## {t('report.releases', lang)}",
        "",
        t(
            "report.releases_line",
            lang,
            total=rel["releases_total"],
            recent=rel["releases_12m"],
            gap=rel["median_days_between_releases"] if rel["median_days_between_releases"] is not None else "—",
            gap_12m=rel["median_days_between_releases_12m"]
            if rel["median_days_between_releases_12m"] is not None
            else "—",
            last=escape(last_release_text(rel, lang)[0]),
            date=escape(last_release_text(rel, lang)[1]),
        ),
        "",
        t(
            "report.maintained",
            lang,
            as_of=mnt["as_of"],
            months=mnt["months_with_commits_12"],
            weeks=mnt["weeks_with_commits_12"],
        ),
        "",
        f"## {t('report.monthly_commits', lang)}",
        "",
        "| " + " | ".join(t(f"report.{k}", lang) for k in ("month", "commits", "active", "new")) + " | + | - |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    out += [
        f"| {m['month']} | {m['commits']} | {m['active_contributors']} | {m['new_contributors']} | "
        f"{m['lines_added']} | {m['lines_deleted']} |"
        for m in c["monthly"][-24:]
    ]
    lic = doc["license"]
    out += [
        "",
        f"## {t('report.license', lang)}: {escape(lic.get('spdx') or t('report.license_none', lang))}",
        "",
        t(
            "report.license_files",
            lang,
            files=escape(", ".join(lic.get("files", [])) or "—"),
            deps=lic.get("dependencies_total", 0),
            check=escape(check_line(lic, lang)),
        ),
    ]
    if lic.get("history"):
        out += [
            "",
            f"| {t('report.license_changed', lang)} | {t('report.license_from', lang)} | "
            f"{t('report.license_to', lang)} | {t('report.license_commit', lang)} |",
            "|---|---|---|---|",
        ]
        out += [
            f"| {h['date']} | {escape(state_name(h['from'], lang))} | {escape(state_name(h['to'], lang))} "
            f"| `{h['commit'][:10]}` |"
            for h in lic["history"]
        ]
    if lic.get("implications"):
        out += ["", f"### {t('report.license_implications', lang)}", ""]
        out += [f"- {escape(i['text'])} `{i['rule']}`" for i in lic["implications"]]
    events = doc.get("events")
    if events and events.get("monthly"):
        rows = events["monthly"][-12:]
        keys = [k for k in rows[0] if k != "month"]
        out += [
            "",
            f"## {t('report.events', lang)}",
            "",
            f"| {t('report.month', lang)} | " + " | ".join(keys) + " |",
            "|---|" + "---:|" * len(keys),
        ]
        out += [
            f"| {r['month']} | " + " | ".join("—" if r[k] is None else str(r[k]) for k in keys) + " |" for r in rows
        ]
        out += ["", t("report.events_source", lang)]
    for package in doc.get("downloads") or []:
        out += [
            "",
            f"## {t('downloads.section', lang)}: {escape(package['ecosystem'])}:{escape(package['package'])}",
            "",
        ]
        if package.get("last_30_days"):
            out.append(t("downloads.last_30", lang, **package["last_30_days"]))
        for sample in package.get("samples", [])[-3:]:
            if sample["kind"] == "cumulative":
                out.append(t("downloads.cumulative", lang, value=sample["value"], read_at=sample["read_at"][:10]))
            else:
                window = sample["kind"].removeprefix("window_")
                out.append(
                    t("downloads.window", lang, window=window, value=sample["value"], read_at=sample["read_at"][:10])
                )
        if package.get("monthly"):
            out += [
                "",
                f"| {t('downloads.month', lang)} | {t('downloads.section', lang)} | {t('downloads.coverage', lang)} |",
                "|---|---:|---:|",
            ]
            for month in package["monthly"][-12:]:
                value = t("downloads.not_measured", lang) if month["downloads"] is None else str(month["downloads"])
                out.append(f"| {month['month']} | {value} | {month['coverage']:.0%} |")
    out += [
        "",
        f"_{t('report.definitions', lang)}_",
        "",
        f"_{t('report.generated', lang, version=doc['generated']['version'], at=doc['generated']['at'])}_",
        "",
    ]
    return "\n".join(out)
