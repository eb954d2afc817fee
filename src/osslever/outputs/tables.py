"""Plain-text tables of the ``metrics`` and ``rank`` documents (the CLI's default output).

Renderings of the documents only, like Markdown and HTML: every number shown
is a field of the JSON document, so the table and ``--format json`` agree.
"""

from __future__ import annotations

import io
from typing import Any

from osslever.i18n import t


def metrics_table(doc: dict[str, Any], lang: str) -> str:
    """The ``metrics`` document as a rich table (name, value, note)."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=t("metrics.title", lang=lang, repo=doc["repo"], period=doc["period"]))
    table.add_column(t("metrics.metric", lang=lang))
    table.add_column(t("metrics.value", lang=lang), justify="right")
    table.add_column(t("metrics.note", lang=lang))
    for name, value in doc["metrics"].items():
        if isinstance(value, dict):
            shown = ", ".join(f"{k}={v}" for k, v in value.items())
        else:
            shown = "—" if value is None else str(value)
        table.add_row(name, shown, doc["notes"].get(name, ""))
    console = Console(record=True, width=120, file=io.StringIO())
    console.print(table)
    return console.export_text()


def rank_table(doc: dict[str, Any]) -> str:
    """The ``rank`` document as aligned columns (rank, repository, value)."""
    by = t(f"rank.by_{doc['by']}")
    if not doc["items"]:
        return "\n".join(note["text"] for note in doc["notes"])
    lines = [t("rank.title", top=len(doc["items"]), by=by, period=doc["period"])]
    width = max(len(t("rank.col_repo")), *(len(i["repo"]) for i in doc["items"]))
    value = t("rank.col_value", by=by)
    head = f"{t('rank.col_rank'):>4}  {t('rank.col_repo'):<{width}}  {value:>12}"
    lines += [head, "-" * len(head)]
    for item in doc["items"]:
        lines.append(f"{item['rank']:>4}  {item['repo']:<{width}}  {item['value']:>12.3f}")
    return "\n".join(lines)
