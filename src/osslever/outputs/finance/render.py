"""Human views of the finance documents: plain-text table, Markdown, and one-file HTML.

All three render the JSON document (never recompute), in the chosen language.
HTML goes through Jinja2 with autoescape on; charts are inline SVG (charts.py).
"""

from __future__ import annotations

import json
import unicodedata

from osslever.i18n import default_lang, t
from osslever.outputs import escape, styles, templating
from osslever.outputs import svg as charts

MOVES = ("new", "expansion", "reactivation", "contraction", "churn")


def L(key: str) -> str:  # noqa: N802 - short on purpose: used in every template line
    return t(f"finance.label.{key}")


def F(key: str) -> str:  # noqa: N802
    return t(f"finance.forecast.{key}")


def money(x: float | None) -> str:
    return "–" if x is None else f"{x:,.2f}"


def ratio(x: float | None) -> str:
    return L("none") if x is None else f"{x:.1%}"


def to_json(doc: dict) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2)


# --- plain text / Markdown --------------------------------------------------------------


def _table(headers: list[str], rows: list[list[str]], markdown: bool) -> str:
    if markdown:  # cells hold customer, plan, scenario and model names: untrusted
        lines = ["| " + " | ".join(map(escape.md, headers)) + " |", "|" + "---|" * len(headers)]
        lines += ["| " + " | ".join(map(escape.md, r)) + " |" for r in rows]
        return "\n".join(lines)
    widths = [max(_width(h), *(_width(r[i]) for r in rows)) if rows else _width(h) for i, h in enumerate(headers)]

    def line(cells: list[str]) -> str:
        padded = []
        for i, (cell, w) in enumerate(zip(cells, widths, strict=True)):
            gap = " " * (w - _width(cell))
            padded.append(cell + gap if i == 0 else gap + cell)
        return "  ".join(padded).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *map(line, rows)])


def _width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def metrics_text(doc: dict, markdown: bool = False) -> str:
    h = "## " if markdown else ""
    title = f"{L('title')} — {L('as_of')} {doc['as_of']} ({doc['currency']})"
    out = [f"{'# ' if markdown else ''}{title}", ""]
    summary = [
        [L("mrr"), money(doc["mrr"])],
        [L("arr"), money(doc["arr"])],
        [L("customers"), str(doc["customers"])],
        [L("nrr_12m"), ratio(doc["nrr_12m"])],
        [L("grr_12m"), ratio(doc["grr_12m"])],
        [L("logo_churn_12m"), ratio(doc["logo_churn_12m"])],
        [
            L("customers_arr_1m_plus"),
            L("none") if doc["customers_arr_1m_plus"] is None else str(doc["customers_arr_1m_plus"]),
        ],
        *[[f"{L('concentration')} {L(k)}", ratio(v)] for k, v in doc["concentration"].items()],
    ]
    out += [_table(["", ""], summary, markdown), "", f"{h}{L('movements')}", ""]
    moves = doc["movements"][-12:]
    out.append(
        _table(
            [L("month"), *(L(m) for m in MOVES), L("mrr_end")],
            [[m["month"], *(money(m[k]) for k in MOVES), money(m["mrr_end"])] for m in moves],
            markdown,
        )
    )
    if doc["acv_distribution"]["bands"]:
        out += ["", f"{h}{L('acv')}", ""]
        out.append(
            _table(
                [L("band"), L("customers"), L("arr")],
                [[b["band"], str(b["customers"]), money(b["arr"])] for b in doc["acv_distribution"]["bands"]],
                markdown,
            )
        )
    if doc["skipped_rows_total"]:
        from osslever.sources.billing import describe_problem

        out += ["", f"{h}{L('skipped')} ({doc['skipped_rows_total']})", ""]
        out.append(
            _table(
                [L("row"), L("column"), L("problem")],
                [[str(s["row"]), str(s["column"]), describe_problem(s, doc["currency"])] for s in doc["skipped_rows"]],
                markdown,
            )
        )
    if doc["notes"]:
        out += ["", f"{h}{L('notes')}", "", *(f"- {escape.md(n) if markdown else n}" for n in doc["notes"])]
    out += ["", L("definitions")]
    return "\n".join(out) + "\n"


def forecast_text(doc: dict, markdown: bool = False) -> str:
    h = "## " if markdown else ""
    out = [
        f"{'# ' if markdown else ''}{F('title')} — {escape.md(doc['scenario']) if markdown else doc['scenario']}",
        "",
        f"{F('horizon')}: {doc['horizon_months']} · {F('paths')}: {doc['paths']} · {F('seed')}: {doc['seed']}",
        "",
    ]
    rows = []
    for m in doc["models"]:
        rows.append(
            [
                m["id"] + ("" if m["recurring"] else " *"),
                *(money(m["arr"][p]) for p in ("p10", "p50", "p90")),
                f"{m['customers']['p50']:,.0f}",
                money(m["cash"]["p50"]),
                _crossing(m["thresholds"]["arr_1m"]),
                _crossing(m["thresholds"].get("customer_1m")),
            ]
        )
    out.append(
        _table(
            [
                F("model"),
                f"ARR {F('p10')}",
                f"ARR {F('p50')}",
                f"ARR {F('p90')}",
                f"{F('customers_at_horizon')} {F('p50')}",
                f"{F('cash_at_horizon')} P50",
                F("arr_1m"),
                F("customer_1m"),
            ],
            rows,
            markdown,
        )
    )
    if any(not m["recurring"] for m in doc["models"]):
        out += ["", f"* {F('recurring_no')}"]
    for m in doc["models"]:
        out += ["", f"{h}{escape.md(m['id']) if markdown else m['id']} — {F('tornado')}", ""]
        out.append(
            _table(
                [F("input"), F("low"), F("high"), "ARR @P10", "ARR @P90"],
                [
                    [r["input"], f"{r['low']:g}", f"{r['high']:g}", money(r["arr_low"]), money(r["arr_high"])]
                    for r in m["tornado"][:5]
                ],
                markdown,
            )
        )
    if doc["defaults_used"]:
        out += ["", f"{h}{F('defaults')}", ""]
        out.append(
            _table(
                [F("input"), F("value"), F("source")],
                [[d["path"], json.dumps(d["value"]), d["source"] or ""] for d in doc["defaults_used"]],
                markdown,
            )
        )
    for note in doc.get("notes", []):
        out += ["", f"- {escape.md(note) if markdown else note}"]
    return "\n".join(out) + "\n"


def _crossing(c: dict | None) -> str:
    if not c:
        return "–"
    if not c["probability"]:
        return F("never")
    month = c["median_month"] or c["median_month_if_crossed"]
    return f"{c['probability']:.0%} · m{month}"


# --- HTML -----------------------------------------------------------------------------


_ENV = templating.environment(
    "outputs/templates",
    globals={"L": L, "F": F, "money": money, "ratio": ratio, "crossing": _crossing, **styles.template_globals()},
)


def metrics_html(doc: dict) -> str:
    moves = doc["movements"][-12:]
    chart_waterfall = None
    if moves:
        steps = [
            (
                L("start"),
                moves[0]["mrr_end"]
                - sum(moves[0][k] for k in ("new", "expansion", "reactivation"))
                + moves[0]["contraction"]
                + moves[0]["churn"],
            )
        ]
        for k in MOVES:
            sign = 1 if k in ("new", "expansion", "reactivation") else -1
            steps.append((L(k), sign * sum(m[k] for m in moves)))
        steps.append((L("end"), moves[-1]["mrr_end"]))
        chart_waterfall = charts.waterfall(steps, L("waterfall"))
    chart_heat = (
        charts.heatmap([(c["cohort"], c["revenue_retention"]) for c in doc["cohorts"]], L("cohorts"))
        if doc["cohorts"]
        else None
    )
    chart_conc = charts.bars([(L(k), v) for k, v in doc["concentration"].items() if v is not None], L("concentration"))
    from osslever.sources.billing import describe_problem

    skipped = [dict(s, text=describe_problem(s, doc["currency"])) for s in doc["skipped_rows"]]
    return _ENV.get_template("finance_metrics.html.j2").render(
        doc=doc,
        lang=default_lang(),
        moves=moves,
        skipped=skipped,
        MOVES=MOVES,
        chart_waterfall=chart_waterfall,
        chart_heat=chart_heat,
        chart_conc=chart_conc,
    )


def forecast_html(doc: dict) -> str:
    models = []
    for m in doc["models"]:
        series = {p: [row["arr"][p] for row in m["monthly"]] for p in ("p10", "p50", "p90")}
        models.append(
            {
                **m,
                "chart": charts.band(
                    series["p10"], series["p50"], series["p90"], f"{m['id']} — {F('arr_chart')}", threshold=1_000_000.0
                ),
                "tornado_chart": charts.tornado(
                    [(r["input"], r["arr_low"], r["arr_high"], r["base_arr"]) for r in m["tornado"]],
                    f"{m['id']} — {F('tornado')}",
                )
                if m["tornado"]
                else None,
            }
        )
    return _ENV.get_template("finance_forecast.html.j2").render(doc=doc, models=models, lang=default_lang())
