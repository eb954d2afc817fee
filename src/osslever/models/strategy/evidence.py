"""Map measured documents of other osslever parts onto profile paths, with provenance.

Shapes follow ../shared/contracts/cli-json.md: the ``report`` document (community
metrics from git), the ``license`` document, the ``finance metrics`` document and an
events ``metrics`` document.  Each mapped value says which document and key it came
from, so the assess output can show "measured (report: community.bus_factor_12m)".
Values a document cannot support (null) are left out: unknown, never zero.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from osslever.models.strategy.data import load_data


def _put(out: dict, path: str, value: Any, source: str) -> None:
    if value is None:
        return
    if isinstance(value, float) and value != value:  # NaN
        return
    out[path] = {"value": value, "source": source}


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def evidence_from_documents(
    report: dict | None = None,
    license: dict | None = None,  # noqa: A002
    finance: dict | None = None,
    events: dict | None = None,
) -> dict:
    """``{profile path: {"value": v, "source": "report:community.x"}}`` from documents."""
    out: dict[str, dict] = {}
    if report:
        _from_report(report, out)
    if license:
        _from_license(license, out)
    if finance:
        _from_finance(finance, out)
    if events:
        _from_events(events, out)
    return out


def _from_report(doc: dict, out: dict) -> None:
    _downloads(doc.get("downloads"), out, "report")
    c = doc.get("community") or {}
    _put(
        out,
        "project.contributors",
        _int(c.get("contributors_total")),
        "report:community.contributors_total",
    )
    active = _int(c.get("active_contributors_12m"))
    _put(out, "project.active_contributors", active, "report:community.active_contributors_12m")
    _put(out, "project.bus_factor", _int(c.get("bus_factor_12m")), "report:community.bus_factor_12m")
    vendors = _vendors_measured(c)
    if vendors:
        _put(
            out,
            "project.elephant_factor",
            _int(c.get("elephant_factor_12m")) or None,  # 0: no organization known at all
            "report:community.elephant_factor_12m",
        )
    new = _int(c.get("new_contributors_12m"))
    _put(out, "community.new_contributors_12m", new, "report:community.new_contributors_12m")
    if active and new is not None and new <= active:
        # share of this year's contributors who had contributed before: a retention proxy
        _put(
            out,
            "community.returning_share_12m",
            round((active - new) / active, 4),
            "report:community.(active_contributors_12m-new_contributors_12m)/active_contributors_12m",
        )
    orgs = c.get("organizations_12m")
    if isinstance(orgs, list):
        named = [o for o in orgs if isinstance(o, dict) and o.get("name") not in ("independent", "unknown")]
        _put(out, "community.organizations_12m", len(named), "report:community.organizations_12m")
        shares = [_num(o.get("share")) for o in named if _num(o.get("share")) is not None]
        top = _num(c.get("organization_top_share"))  # the one definition (metrics.community.organizations)
        # (not when too few commits show an organization to speak of a vendor's share)
        if vendors and top is not None:
            _put(out, "community.top_org_share_12m", top, "report:community.organization_top_share")
        elif vendors and shares:
            _put(
                out,
                "community.top_org_share_12m",
                max(shares),
                "report:community.organizations_12m",
            )
    first = c.get("first_commit")
    last = c.get("last_commit")
    try:
        if first and last:
            age = (date.fromisoformat(str(last)[:10]) - date.fromisoformat(str(first)[:10])).days
            _put(
                out,
                "community.age_years",
                round(age / 365.25, 2),
                "report:community.last_commit-first_commit",
            )
    except ValueError:
        pass
    spdx = (doc.get("license") or {}).get("spdx")
    if spdx:
        _put(out, "project.license", str(spdx), "report:license.spdx")


def _vendors_measured(community: dict) -> bool:
    """Whether enough of the window's commits show an organization for vendor figures to mean
    anything (``organization_evidence_min``, ``data/strategy/evidence.yaml``). A report without
    the evidence share (older documents) is taken as it is."""
    share = _num((community.get("organization_top_evidence") or {}).get("evidence_share"))
    return share is None or share >= float(load_data("evidence.yaml")["organization_evidence_min"])


def _from_license(doc: dict, out: dict) -> None:
    lic = doc.get("license") or {}
    if lic.get("spdx"):
        _put(out, "project.license", str(lic["spdx"]), "license:license.spdx")
    if lic.get("spdx") and isinstance(lic.get("scoped"), list):
        # A folder under a license that is not open (proprietary, source-available) is a closed
        # part beside the open code; an unrecognised text counts only in a folder named like
        # an enterprise edition (``ee/``; the names are profile inference's), not in a vendored
        # library whose license text osslever does not know.
        from osslever.models.license.families import families_of_expression, rule_spelling
        from osslever.models.profile_inference import signals

        ee_folders = set(signals()["enterprise_edition"]["folders"])
        closed = []
        for scoped in lic["scoped"]:
            fams = {rule_spelling(f) for f in families_of_expression(str(scoped.get("spdx") or "NOASSERTION"))}
            named_ee = str(scoped.get("path", "")).split("/")[-1].lower() in ee_folders
            if fams & {"proprietary", "source_available", "non_commercial"} or (fams <= {"unknown"} and named_ee):
                closed.append(scoped["path"])
        _put(out, "license.closed_parts", bool(closed), "license:license.scoped")
    conflicts = doc.get("conflicts")
    checked = (doc.get("dependency_check") or {}).get("status") != "not_checked"
    if isinstance(conflicts, list) and checked:  # no known dependency license: nothing measured
        _put(out, "license.conflict_count", len(conflicts), "license:conflicts")
    history = doc.get("history")
    if isinstance(history, list):
        from osslever.models.license.history import relicensings

        _put(out, "license.relicensed", bool(relicensings(history)), "license:history")


def _from_finance(doc: dict, out: dict) -> None:
    """Delegates to the one owner of finance → profile evidence (issue 10)."""
    from osslever.models.finance.evidence import measured_fields

    for path, (value, source) in measured_fields(doc).items():
        _put(out, path, value, source)


def _downloads(downloads: object, out: dict, where: str) -> None:
    """``project.monthly_downloads``: the newest month every package measured whole."""
    if isinstance(downloads, list) and downloads and "project.monthly_downloads" not in out:
        from osslever.metrics.downloads import latest_full_month

        month = latest_full_month(downloads)
        if month:
            _put(out, "project.monthly_downloads", month["downloads"], f"{where}:downloads@{month['month']}")


def _signals(signals: object, out: dict) -> None:
    """Star quality and a hard fork (issue 14), as facts the risk rules read."""
    if not isinstance(signals, dict):
        return
    stars = signals.get("star_quality") or {}
    if stars.get("stars"):
        _put(out, "community.star_lockstep_share", (stars.get("lockstep") or {}).get("share"), "events:signals")
        inactive = (stars.get("no_other_activity") or {}).get("share")
        _put(out, "community.star_inactive_share", inactive, "events:signals")
    fork = signals.get("hard_fork") or {}
    if fork.get("core_contributors"):
        level = (fork.get("risk") or {}).get("level") or "none"
        _put(out, "community.hard_fork", level, "events:signals.hard_fork")


def _from_events(doc: dict, out: dict) -> None:
    metrics = doc.get("metrics") if isinstance(doc.get("metrics"), dict) else doc
    period = doc.get("period", "")
    _downloads(doc.get("downloads"), out, "events")
    _signals(doc.get("signals"), out)
    if _int(metrics.get("stars_total")) is not None:
        _put(out, "project.stars", _int(metrics["stars_total"]), "events:metrics.stars_total")
    elif not period and _int(metrics.get("stars")) is not None:
        # without a period the document is a running total; with one, `stars` counts only
        # the stars gained in that period and would understate the total
        _put(out, "project.stars", _int(metrics["stars"]), "events:metrics.stars")
    _put(
        out,
        "community.participants",
        _int(metrics.get("participants")),
        f"events:metrics.participants{'@' + period if period else ''}",
    )
    opened = _num(metrics.get("change_requests"))
    accepted = _num(metrics.get("change_requests_accepted"))
    if opened and accepted is not None:
        _put(
            out,
            "community.change_request_acceptance",
            round(min(1.0, accepted / opened), 4),
            "events:metrics.change_requests_accepted/change_requests",
        )
    for key in ("time_to_first_response_hours", "first_response_hours"):
        if _num(metrics.get(key)) is not None:
            _put(out, "community.first_response_hours", _num(metrics[key]), f"events:metrics.{key}")
            break
