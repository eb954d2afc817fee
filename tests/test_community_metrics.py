"""Community metrics on a repository whose answers were computed by hand.

The scenario (author dates UTC; last commit 2026-10-15, so the 12-month
window is 2025-11-01 … 2026-10-31):

  #  author                         date                 notes
  1  Alice <alice@redhat.com>       2024-03-10           before the window
  2  Alice                          2025-10-31 23:59:59  one second before the window
  3  Alice                          2025-11-01 00:00:00  first second of the window, tag v1.0
  4  Alice                          2026-01-05
  5  Alice                          2026-02-05
  6  Bob <bob@us.ibm.com>           2026-03-01           IBM via parent domain ibm.com
  7  Bob                            2026-04-01           tag v1.1
  8  Carol <Carol@GMAIL.com>        2026-05-01           upper case e-mail → carol@gmail.com
  9  Carol W <carol@old.example.net> 2026-06-01          .mailmap → carol@gmail.com
 10  dependabot[bot]                2026-07-01           bot
 11  Eve <eve@acme-corp.com>        2026-09-01
 12  Dave <dave@qq.com>             2026-10-15           qq.com: no evidence → unknown, tag v2.0
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from osslever.api import report_document
from osslever.identity.affiliations import load as load_affiliations

MAILMAP = "Carol <carol@gmail.com> Carol W <carol@old.example.net>\n"
BOT = ("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com")


@pytest.fixture
def scenario(builder):
    b = builder
    b.commit("Alice", "alice@redhat.com", "2024-03-10T10:00:00", {".mailmap": MAILMAP, "a": "1\n2\n"})
    b.commit("Alice", "alice@redhat.com", "2025-10-31T23:59:59", {"a": "1\n2\n3\n"})
    b.commit("Alice", "alice@redhat.com", "2025-11-01T00:00:00", {"a": "1\n"}, label="c3")
    b.commit("Alice", "alice@redhat.com", "2026-01-05T08:00:00", {"b": "b\n"})
    b.commit("Alice", "alice@redhat.com", "2026-02-05T08:00:00", {"c": "c\n"})
    b.commit("Bob", "bob@us.ibm.com", "2026-03-01T08:00:00", {"d": "d\n"})
    b.commit("Bob", "bob@us.ibm.com", "2026-04-01T08:00:00", {"e": "e\n"}, label="c7")
    b.commit("Carol", "Carol@GMAIL.com", "2026-05-01T08:00:00", {"f": "f\n"})
    b.commit("Carol W", "carol@old.example.net", "2026-06-01T08:00:00", {"g": "g\n"})
    b.commit(*BOT, "2026-07-01T08:00:00", {"h": "h\n"})
    b.commit("Eve", "eve@acme-corp.com", "2026-09-01T08:00:00", {"i": "i\n"})
    b.commit("Dave", "dave@qq.com", "2026-10-15T08:00:00", {"j": "j\n"}, label="c12")
    b.tag("v1.0", "2025-11-02T00:00:00", "c3")
    b.tag("v1.1", "2026-04-02T00:00:00", "c7")
    b.tag("v2.0", "2026-10-16T00:00:00", "c12")
    return b.build()


def _report(path, tmp_path, **kw):
    return report_document(str(path), db=tmp_path / "s.duckdb", as_of=dt.date(2026, 10, 20), **kw)


def test_headline_numbers(scenario, tmp_path):
    c = _report(scenario, tmp_path)["community"]
    assert c["commits_total"] == 12
    assert c["contributors_total"] == 5  # alice, bob, carol (two e-mails), eve, dave
    assert c["bots_total"] == 1
    assert (c["first_commit"], c["last_commit"]) == ("2024-03-10", "2026-10-15")
    assert c["window_12m"] == {"start": "2025-11-01", "end": "2026-10-31", "ends_with": "as_of"}
    assert c["active_contributors_12m"] == 5
    assert c["new_contributors_12m"] == 4  # all but alice
    # window commits by people: alice 3, bob 2, carol 2, eve 1, dave 1 (total 9):
    # 3 < 4.5, 3 + 2 = 5 >= 4.5 → 2
    assert c["bus_factor_12m"] == 2
    # affiliated commits: Red Hat 3, IBM 2, acme-corp.com 1 → 3 >= 6/2 → 1
    assert c["elephant_factor_12m"] == 1


def test_organization_shares(scenario, tmp_path):
    shares = {o["name"]: o["share"] for o in _report(scenario, tmp_path)["community"]["organizations_12m"]}
    assert shares == {
        "Red Hat": round(3 / 9, 4),
        "unknown": round(3 / 9, 4),  # gmail and qq.com say nothing about an employer (issue 11)
        "IBM": round(2 / 9, 4),
        "acme-corp.com": round(1 / 9, 4),
    }


def test_segments_retention_releases_maintained(scenario, tmp_path):
    c = _report(scenario, tmp_path)["community"]
    # cumulative share before each: alice 0, bob 3/9, carol 5/9, dave 7/9 (< .8), eve 8/9
    assert c["contributor_segments_12m"] == {"core": 4, "regular": 1, "casual": 0}
    # months lived / observed: alice 23/31, bob 1/7, carol 1/5, eve 0/1, dave 0/0
    assert c["retention"] == {"1m": 0.75, "3m": round(1 / 3, 4), "6m": 0.5, "12m": 1.0}
    gaps = [(dt.date(2026, 4, 2) - dt.date(2025, 11, 2)).days, (dt.date(2026, 10, 16) - dt.date(2026, 4, 2)).days]
    assert c["releases"]["releases_total"] == 3
    assert c["releases"]["releases_12m"] == 3
    assert c["releases"]["median_days_between_releases"] == sum(gaps) / 2
    assert c["releases"]["last_release"] == "v2.0"
    m = c["maintained"]
    # non-bot months Nov-25..Oct-26: 11, 1, 2, 3, 4, 5, 6, 9, 10 → 9; last 90 days: Sep 1, Oct 15
    assert (m["months_with_commits_12"], m["commits_last_90_days"], m["weeks_with_commits_12"]) == (9, 2, 2)
    assert m["is_maintained"] is True


def test_monthly_series(scenario, tmp_path):
    monthly = {m["month"]: m for m in _report(scenario, tmp_path)["community"]["monthly"]}
    assert len(monthly) == 32  # 2024-03 … 2026-10, gaps filled
    assert monthly["2024-04"]["commits"] == 0
    assert monthly["2025-11"] == {
        "month": "2025-11",
        "commits": 1,
        "active_contributors": 1,
        "new_contributors": 0,
        "lines_added": 0,
        "lines_deleted": 2,
    }
    assert monthly["2026-07"]["commits"] == 1 and monthly["2026-07"]["active_contributors"] == 0
    assert monthly["2026-03"]["new_contributors"] == 1


def test_mailmap_edit_reresolves_without_rereading(scenario, tmp_path):
    first = _report(scenario, tmp_path)["community"]
    (scenario / ".mailmap").write_text("")  # drop the alias: carol becomes two people
    second = _report(scenario, tmp_path)["community"]
    assert (first["contributors_total"], second["contributors_total"]) == (5, 6)


def test_affiliation_file_overrides_by_date_and_parent_domain(scenario, tmp_path):
    aff = tmp_path / "aff.yaml"
    aff.write_text(
        "identities:\n"
        "  carol@gmail.com:\n"
        "    - {organization: Carol Consulting, from: 2026-05-15}\n"
        "domains:\n"
        "  ibm.com: IBM Research\n"
    )
    doc = _report(scenario, tmp_path, affiliations=aff)
    shares = {o["name"]: o["commits"] for o in doc["community"]["organizations_12m"]}
    assert shares == {"Red Hat": 3, "IBM Research": 2, "unknown": 2, "Carol Consulting": 1, "acme-corp.com": 1}
    assert doc["community"]["identity"]["affiliation_entries"] == 2
    assert len(load_affiliations(aff)) == 2


def test_readings_follow_the_numbers(scenario, tmp_path):
    doc = _report(scenario, tmp_path, lang="zh")
    ids = {r["id"] for r in doc["readings"]}
    # bus factor 2; Red Hat holds 3 of the 6 affiliated commits (>= 50%) with elephant factor 1
    assert {"community.bus_factor_low", "community.single_vendor", "community.maintained"} <= ids
    assert "community.bus_factor_one" not in ids and "community.not_maintained" not in ids
    text = " ".join(r["text"] for r in doc["readings"])
    assert "两个人" in text and "Red Hat" in text
    json.dumps(doc)  # the document is JSON-serialisable as is


def test_the_release_rhythm_of_the_window_is_not_the_history_s(builder, tmp_path):
    """Weekly releases long ago, two release days in the window: the history's median gap
    is short, the window's (the gaps that end in it) is what the project does now."""
    b = builder
    for i, day in enumerate(("2024-01-01", "2024-01-08", "2024-01-15", "2025-12-01", "2026-06-01")):
        b.commit("Alice", "alice@redhat.com", f"{day}T08:00:00", {"a": f"{i}\n"}, label=f"r{i}")
    b.commit("Alice", "alice@redhat.com", "2026-10-15T08:00:00", {"b": "b\n"})
    days = ("2024-01-01", "2024-01-08", "2024-01-15", "2025-12-01", "2026-06-01")
    for i, name in enumerate(("v0.1", "v0.2", "v0.3", "v1.0", "v1.1")):
        b.tag(name, f"{days[i]}T09:00:00", f"r{i}")
    b.tag("v0.3.1", "2025-12-01T10:00:00", "r2")  # the old line patched the day v1.0 came out
    c = _report(b.build(), tmp_path)["community"]["releases"]
    d = [dt.date(2024, 1, 1), dt.date(2024, 1, 8), dt.date(2024, 1, 15), dt.date(2025, 12, 1), dt.date(2026, 6, 1)]
    gaps = [(y - x).days for x, y in zip(d, d[1:], strict=False)]  # 7, 7, 686, 182
    assert (c["releases_total"], c["releases_12m"]) == (6, 3)
    # gaps between release days: the two tags of 2025-12-01 are one release, not a gap of 0
    assert c["median_days_between_releases"] == (7 + 182) / 2  # sorted 7, 7, 182, 686
    assert c["median_days_between_releases_12m"] == (gaps[2] + gaps[3]) / 2  # the two that end after 2025-11-01
