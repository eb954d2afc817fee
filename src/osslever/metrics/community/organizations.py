"""Organizational diversity (CHAOSS "Organizational Diversity"): each organization's
share of the window's commits by non-bot authors, "independent" and "unknown" included,
and the one definition of the *top organization share* that report, web and assess use.
https://chaoss.community/kb/metric-organizational-diversity/

Every commit's organization carries its evidence (``commit_facts.org_evidence``):
the user's affiliation file, the address's company domain, the same person's
company address in the surrounding period, a personal domain ("independent"), or
none ("unknown": public mail providers, noreply addresses, the project's domain).
"""

from __future__ import annotations

from osslever.engines import Engine
from osslever.metrics.windows import Window

NOT_ORGANIZATIONS = ("independent", "unknown")


def organization_shares(engine: Engine, window: Window) -> list[dict]:
    """Each organization's share of the window's commits, with the commits per kind of evidence."""
    rows = engine.query(
        "SELECT organization AS name, count(*) AS commits, count(DISTINCT identity) AS contributors"
        " FROM commit_facts WHERE NOT is_bot AND day >= ? AND day < ?"
        " GROUP BY organization ORDER BY commits DESC, name",
        [window.start, window.end],
    )
    evidence: dict[str, dict[str, int]] = {}
    for r in engine.query(
        "SELECT organization, org_evidence, count(*) AS n FROM commit_facts"
        " WHERE NOT is_bot AND day >= ? AND day < ? GROUP BY ALL ORDER BY ALL",
        [window.start, window.end],
    ):
        evidence.setdefault(r["organization"], {})[r["org_evidence"]] = r["n"]
    total = sum(r["commits"] for r in rows)
    return [
        {
            "name": r["name"],
            "share": round(r["commits"] / total, 4),
            "commits": r["commits"],
            "contributors": r["contributors"],
            "evidence": evidence.get(r["name"], {}),
        }
        for r in rows
    ]


def top_organization(engine: Engine, window: Window) -> dict:
    """The organization with most commits in the window, and how sure that share is.

    Definition (the only one in osslever): over the window's commits by people
    (bots excluded), ``share`` = the top organization's commits ÷ the commits
    whose organization is known (any company, or "independent"). Because that
    denominator may be a small part of the history, the result also states
    ``evidence_share`` (commits with any organization evidence ÷ all),
    ``unknown_share`` (= 1 − evidence_share), and the bounds on the share of
    *all* commits: ``share_of_all`` (if no unknown commit is theirs) and
    ``share_of_all_max`` (if every unknown commit is). ``by_evidence`` counts
    the top organization's commits per kind of evidence.
    """
    rows = engine.query(
        "SELECT organization, org_evidence, count(*) AS n FROM commit_facts"
        " WHERE NOT is_bot AND day >= ? AND day < ? GROUP BY ALL",
        [window.start, window.end],
    )
    total = sum(r["n"] for r in rows)
    unknown = sum(r["n"] for r in rows if r["organization"] == "unknown")
    known = total - unknown
    per_org: dict[str, int] = {}
    for r in rows:
        if r["organization"] not in NOT_ORGANIZATIONS:
            per_org[r["organization"]] = per_org.get(r["organization"], 0) + r["n"]
    top = min(per_org, key=lambda o: (-per_org[o], o)) if per_org else None
    commits = per_org.get(top, 0) if top else 0

    def ratio(a: int, b: int) -> float | None:
        return round(a / b, 4) if b else None

    return {
        "name": top,
        "commits": commits,
        "share": ratio(commits, known) if top else None,
        "commits_total": total,
        "commits_with_evidence": known,
        "evidence_share": ratio(known, total),
        "unknown_share": ratio(unknown, total),
        "share_of_all": ratio(commits, total) if top else None,
        "share_of_all_max": ratio(commits + unknown, total) if top else None,
        "by_evidence": {
            r["org_evidence"]: r["n"] for r in sorted(rows, key=lambda r: r["org_evidence"]) if r["organization"] == top
        },
    }
