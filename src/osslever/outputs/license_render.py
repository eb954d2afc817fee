"""The license document for people: a terminal table view and Markdown.

Both render the already-localised JSON document (``document.localize``), so
what a person reads is exactly what the JSON says.
"""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table

from osslever.i18n import catalog, listing, t
from osslever.outputs import escape

MAX_ROWS = 40


def _v(key: str, lang: str, **params: object) -> str:
    return t(f"license.view.{key}", lang=lang, **params)


def check_line(doc: dict, lang: str) -> str:
    """How far the conflict check could look ("not checked" when no shipped license is known)."""
    check = doc.get("dependency_check")
    if not check:  # a document from before the check was recorded
        return _v("no_conflicts", lang) if not doc.get("conflicts") else str(len(doc["conflicts"]))
    text = check["text"]
    return text if isinstance(text, str) else text.get(lang) or text["en"]


def state_name(expression: str | None, lang: str) -> str:
    """A license expression as a person reads it: SPDX's ``NONE``/``NOASSERTION`` in words."""
    words = {"NONE": "no_license", "NOASSERTION": "unrecognised"}
    return _v(words[expression], lang) if expression in words else str(expression)


def _categories(lic: dict, lang: str) -> str:
    """ScanCode's categories of the license in the reader's language (as they are when unnamed)."""
    names = [catalog(lang).get(f"license.view.categories.{c}", c) for c in lic.get("category") or []]
    return listing(names, lang) or "-"


def _mode(mode: str, lang: str) -> str:
    return _v(f"modes.{mode}", lang)


def _source(source: str, lang: str) -> str:
    return _v(f"sources.{source}", lang)


def _license_line(doc: dict, lang: str) -> str:
    lic = doc["license"]
    if lic["spdx"] == "NONE":
        return _v("none", lang)
    return lic["spdx"]


def render_table(doc: dict, lang: str, width: int = 120) -> str:
    buf = io.StringIO()
    console = Console(file=buf, width=width, no_color=True, highlight=False, soft_wrap=False)
    lic = doc["license"]
    console.print(_v("title", lang, path=doc["repository"]["path"]))
    console.print(
        f"{_v('license', lang)}: {_license_line(doc, lang)}   "
        f"{_v('confidence', lang)}: {lic['confidence']:.2f}   "
        f"{_v('category', lang)}: {_categories(lic, lang)}"
    )
    if lic.get("files"):
        console.print(f"{_v('files', lang)}: {', '.join(lic['files'])}")
    for scoped in lic.get("scoped") or []:
        console.print(f"{_v('scoped', lang)}: {scoped['path']}/ → {scoped['spdx']}")
    for note in lic.get("notes") or []:
        console.print(f"• {note['text']}")

    history = Table(title=_v("history", lang), show_lines=False)
    for col in ("date", "change", "commit"):
        history.add_column(_v(col, lang))
    for event in doc["history"]:
        history.add_row(
            event["date"], f"{state_name(event['from'], lang)} → {state_name(event['to'], lang)}", event["commit"][:12]
        )
    if doc["history"]:
        console.print(history)
    else:
        console.print(f"{_v('history', lang)}: {_v('no_history', lang)}")

    deps = doc["dependencies"]
    unknown = sum(1 for d in deps if not d.get("license"))
    console.print(_v("dependencies_summary", lang, count=len(deps), unknown=unknown))
    if deps:
        table = Table(title=_v("dependencies", lang))
        for col in ("ecosystem", "name", "version", "license", "source"):
            table.add_column(_v(col, lang))
        for dep in deps[:MAX_ROWS]:
            table.add_row(
                dep["ecosystem"],
                dep["name"],
                str(dep.get("version") or ""),
                dep.get("license") or _v("unknown", lang),
                _source(dep["source"], lang),
            )
        console.print(table)
        if len(deps) > MAX_ROWS:
            console.print(_v("more", lang, count=len(deps) - MAX_ROWS))

    if doc["conflicts"]:
        table = Table(title=_v("conflicts", lang))
        for col in ("dependency", "license", "mode", "reason"):
            table.add_column(_v(col, lang))
        for row in doc["conflicts"][:MAX_ROWS]:
            table.add_row(row["dependency"], row["license"], _mode(row["mode"], lang), str(row["reason"]))
        console.print(table)
    console.print(f"{_v('conflicts', lang)}: {check_line(doc, lang)}", markup=False)

    if doc.get("obligations"):
        console.print(f"\n{_v('obligations', lang)}")
        for row in doc["obligations"]:
            console.print(f"• [{_mode(row['mode'], lang)}] {row['reason']} ({len(row['dependencies'])})", markup=False)

    if doc["implications"]:
        console.print(f"\n{_v('implications', lang)}")
        for row in doc["implications"]:
            console.print(f"• {row['text']}  [{row['rule']}]", markup=False)
    if doc.get("problems"):
        console.print(f"\n{_v('problems', lang)}")
        for problem in doc["problems"]:
            console.print(f"• {problem['text']}", markup=False)
    return buf.getvalue()


def _md_cell(value: object) -> str:
    return escape.md(value)  # package names, paths and notes come from the scanned repository


def render_markdown(doc: dict, lang: str) -> str:
    lic = doc["license"]
    lines = [f"# {_md_cell(_v('title', lang, path=doc['repository']['path']))}", ""]
    lines.append(f"- **{_v('license', lang)}**: {escape.md_code(_license_line(doc, lang))}")
    lines.append(f"- **{_v('confidence', lang)}**: {lic['confidence']:.2f}")
    if lic.get("files"):
        lines.append(f"- **{_v('files', lang)}**: " + ", ".join(escape.md_code(f) for f in lic["files"]))
    for scoped in lic.get("scoped") or []:
        where, spdx = escape.md_code(scoped["path"] + "/"), escape.md_code(scoped["spdx"])
        lines.append(f"- **{_v('scoped', lang)}**: {where} → {spdx}")
    for note in lic.get("notes") or []:
        lines.append(f"- {_md_cell(note['text'])}")
    lines += ["", f"## {_v('history', lang)}", ""]
    if doc["history"]:
        lines += [f"| {_v('date', lang)} | {_v('change', lang)} | {_v('commit', lang)} |", "|---|---|---|"]
        lines += [
            f"| {e['date']} | {_md_cell(state_name(e['from'], lang))} → {_md_cell(state_name(e['to'], lang))} "
            f"| `{e['commit'][:12]}` |"
            for e in doc["history"]
        ]
    else:
        lines.append(_v("no_history", lang))
    deps = doc["dependencies"]
    unknown = sum(1 for d in deps if not d.get("license"))
    lines += [
        "",
        f"## {_v('dependencies', lang)}",
        "",
        _v("dependencies_summary", lang, count=len(deps), unknown=unknown),
        "",
    ]
    if deps:
        lines += [
            f"| {_v('ecosystem', lang)} | {_v('name', lang)} | {_v('version', lang)} | "
            f"{_v('license', lang)} | {_v('source', lang)} |",
            "|---|---|---|---|---|",
        ]
        lines += [
            f"| {_md_cell(d['ecosystem'])} | {_md_cell(d['name'])} | {_md_cell(d.get('version'))} | "
            f"{_md_cell(d.get('license') or _v('unknown', lang))} | {_md_cell(_source(d['source'], lang))} |"
            for d in deps
        ]
    lines += ["", f"## {_v('conflicts', lang)}", ""]
    if doc["conflicts"]:
        lines += [
            f"| {_v('dependency', lang)} | {_v('license', lang)} | {_v('mode', lang)} | {_v('reason', lang)} |",
            "|---|---|---|---|",
        ]
        lines += [
            f"| {_md_cell(c['dependency'])} | {_md_cell(c['license'])} | {_mode(c['mode'], lang)} "
            f"| {_md_cell(c['reason'])} |"
            for c in doc["conflicts"]
        ]
        lines.append("")
    lines.append(_md_cell(check_line(doc, lang)))
    if doc.get("obligations"):
        lines += ["", f"## {_v('obligations', lang)}", ""]
        lines += [
            f"- **{_mode(o['mode'], lang)}** ({len(o['dependencies'])}): {_md_cell(o['reason'])}"
            for o in doc["obligations"]
        ]
    lines += ["", f"## {_v('implications', lang)}", ""]
    for row in doc["implications"]:
        lines.append(f"- {_md_cell(row['text'])} ({escape.md_code(row['rule'])}; {_md_cell(row['source'])})")
    if doc.get("problems"):
        lines += ["", f"## {_v('problems', lang)}", ""]
        lines += [f"- {_md_cell(p['text'])}" for p in doc["problems"]]
    return "\n".join(lines) + "\n"
