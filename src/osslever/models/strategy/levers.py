"""What would change the answer: the levers a founder can pull, ranked by effect.

Issue 12: single-field flips such as "product category infrastructure → ai_model" are
not choices anyone has.  A lever (``data/strategy/decision.yaml`` ``levers``) is a
change a founder can make — add an enterprise tier, launch a hosted edition, sign a
CLA, land a US$1M customer, donate to a foundation, open the core, relicense, offer an
API.  Each is tried on a copy of the facts; the new joint decision and investor verdict
are compared with the current ones.  Levers that change the stance rank first, then the
model, then the verdict, then those that only strengthen the current answer.  Texts are
plain words in the chosen language, never field paths.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from osslever.i18n import t
from osslever.models.strategy import conditions, decision
from osslever.models.strategy.conditions import TRUE
from osslever.models.strategy.data import catalogue


def apply(lever: dict, values: dict[str, Any]) -> dict[str, Any]:
    """The facts after pulling ``lever`` (a copy)."""
    out = dict(values)
    for path, value in (lever.get("set") or {}).items():
        out[path] = list(value) if isinstance(value, list) else value
    for path, items in (lever.get("add") or {}).items():
        current = list(out.get(path) or [])
        out[path] = current + [i for i in items if i not in current]
    for path, low in (lever.get("at_least") or {}).items():
        out[path] = max(float(out.get(path) or 0.0), float(low))
    return out


def search(
    dec: decision.Decision,
    provenance: dict[str, str],
    verdict_of: Callable[[decision.Decision], str],
    lang: str,
) -> list[dict]:
    """Every applicable lever with its effect on stance, model and investor verdict."""
    base_verdict = verdict_of(dec)
    base_total = dec.best.total if dec.best else 0.0
    names = catalogue()["models"]
    rows = []
    for lever in decision.config()["levers"]:
        if lever.get("unless") and conditions.evaluate(lever["unless"], dec.values).state == TRUE:
            continue
        changed = apply(lever, dec.values)
        prov = dict(provenance)
        for path in {*(lever.get("set") or {}), *(lever.get("add") or {}), *(lever.get("at_least") or {})}:
            prov[path] = "scenario"
        after = decision.decide(changed, prov)
        verdict = verdict_of(after)
        effect = {
            "stance": after.stance != dec.stance,
            "model": after.model != dec.model,
            "verdict": verdict != base_verdict,
        }
        gain = round((after.best.total if after.best else 0.0) - base_total, 4)
        parts = []
        if effect["stance"]:
            parts.append(
                t(
                    "strategy.lever.stance",
                    lang=lang,
                    before=t(f"strategy.report.stance_value.{dec.stance}", lang=lang),
                    after=t(f"strategy.report.stance_value.{after.stance}", lang=lang),
                )
            )
        if effect["model"] and after.model:
            parts.append(t("strategy.lever.model", lang=lang, model=names[after.model]["name"][lang]))
        if effect["verdict"]:
            parts.append(
                t(
                    "strategy.lever.verdict",
                    lang=lang,
                    verdict=t(f"strategy.investor.verdict.{verdict}", lang=lang),
                )
            )
        if not parts:
            key = "strategy.lever.stronger" if gain > 0 else "strategy.lever.no_change"
            parts.append(t(key, lang=lang))
        name = lever["name"].get(lang) or lever["name"]["en"]
        sep = "；" if lang == "zh" else "; "
        rows.append(
            {
                "id": lever["id"],
                "name": name,
                "changes": effect,
                "stance": after.stance,
                "model": after.model,
                "verdict": verdict,
                "gain": gain,
                "text": f"{name}: {sep.join(parts)}",
            }
        )
    rows.sort(
        key=lambda r: (
            not r["changes"]["stance"],
            not r["changes"]["model"],
            not r["changes"]["verdict"],
            -r["gain"],
            r["id"],
        )
    )
    return rows
