"""Issue 11: people, bots, organizations and releases measured right.

Every scenario is a small repository built with ``git fast-import`` whose answer
was worked out by hand (written next to each commit); each test fails on the
code before issue 11 (e-mail-only identities, ``\\bbot$`` patterns, public
providers counted as "independent", tags reachable from HEAD only).
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess

import pytest

from osslever.api import report_document
from osslever.identity import names
from osslever.metrics.community.release_cadence import parse
from osslever.outputs import svg
from tests.gitrepo import RepoBuilder

AS_OF = dt.date(2026, 10, 20)


def _report(path, tmp_path, **kw):
    kw.setdefault("as_of", AS_OF)
    return report_document(str(path), db=tmp_path / "s.duckdb", **kw)


def _people(doc) -> dict[str, int]:
    return {p["name"]: p["commits"] for p in doc["community"]["top_contributors_all"]}


# --- one person, several identities -------------------------------------------------


@pytest.fixture
def people_repo(builder: RepoBuilder):
    b = builder
    # Bai Jiangjie: four e-mails, four spellings (pinyin order reversed, run together, camel case)
    b.commit("Bai Jiangjie", "bugatti_it@163.com", "2026-01-05T08:00:00", {"a": "1\n"})
    b.commit("Jiangjie Bai", "jiangjie.bai@fit2cloud.com", "2026-02-05T08:00:00", {"a": "2\n"})
    b.commit("Bai", "baijiangjie@gmail.com", "2026-03-05T08:00:00", {"a": "3\n"})
    b.commit("BaiJiangJie", "32935519+BaiJiangJie@users.noreply.github.com", "2026-04-05T08:00:00", {"a": "4\n"})
    # feng626: one qq address under two names, plus the GitHub noreply address of login feng626
    b.commit("feng", "1304903146@qq.com", "2026-01-06T08:00:00", {"b": "1\n"})
    b.commit("feng626", "1304903146@qq.com", "2026-02-06T08:00:00", {"b": "2\n"})
    b.commit("feng626", "57284900+feng626@users.noreply.github.com", "2026-03-06T08:00:00", {"b": "3\n"})
    # Evan You: the same full name at gmail and at the project's domain
    b.commit("Evan You", "yyx990803@gmail.com", "2026-01-07T08:00:00", {"c": "1\n"})
    b.commit("Evan You", "evan@vuejs.org", "2026-05-07T08:00:00", {"c": "2\n"})
    # two different people who are both just "feng" / "Bai": too common to merge
    b.commit("feng", "other.feng@163.com", "2026-05-08T08:00:00", {"d": "1\n"})
    b.commit("Bai", "bai@126.com", "2026-05-09T08:00:00", {"d": "2\n"})
    # a renamed GitHub account: same numeric id, two logins
    b.commit("old-login", "777+old-login@users.noreply.github.com", "2026-06-01T08:00:00", {"e": "1\n"})
    b.commit("new-login", "777+new-login@users.noreply.github.com", "2026-07-01T08:00:00", {"e": "2\n"})
    # role names never merge anyone
    b.commit("root", "root@host-a.example.net", "2026-07-02T08:00:00", {"f": "1\n"})
    b.commit("root", "root@host-b.example.net", "2026-07-03T08:00:00", {"f": "2\n"})
    return b.build()


def test_one_person_many_identities(people_repo, tmp_path):
    c = _report(people_repo, tmp_path)["community"]
    # people: Bai Jiangjie, feng626, Evan You, other feng, other Bai, the renamed account, two roots
    assert c["contributors_total"] == 8
    by_commits = sorted(p["commits"] for p in c["top_contributors_all"])
    assert by_commits == [1, 1, 1, 1, 2, 2, 3, 4]


def test_identities_cli_writes_a_file_to_feed_back(people_repo, tmp_path):
    from click.testing import CliRunner

    from osslever.cli import cli as main

    out = tmp_path / "aff.yaml"
    db = str(tmp_path / "s.duckdb")
    res = CliRunner().invoke(
        main, ["identities", str(people_repo), "--db", db, "--format", "affiliations", "-o", str(out), "-q"]
    )
    assert res.exit_code == 0, res.output
    text = out.read_text()
    assert "bugatti_it@163.com" in text and "people:" in text
    # fed back unchanged, it gives the same people; the text listing says why in Chinese
    again = CliRunner().invoke(
        main, ["identities", str(people_repo), "--db", db, "--affiliations", str(out), "--lang", "zh"]
    )
    assert again.exit_code == 0, again.output
    assert "8 人" in again.output and "姓名" in again.output


def test_identities_command_lists_people_with_reasons(people_repo, tmp_path):
    from osslever.api import identities_document

    doc = identities_document(str(people_repo), db=tmp_path / "s.duckdb")
    bai = next(p for p in doc["people"] if "bugatti_it@163.com" in [i["email"] for i in p["identities"]])
    assert sorted(i["email"] for i in bai["identities"]) == [
        "32935519+baijiangjie@users.noreply.github.com",
        "baijiangjie@gmail.com",
        "bugatti_it@163.com",
        "jiangjie.bai@fit2cloud.com",
    ]
    assert {m["rule"] for m in bai["merges"]} <= {"name", "name_reversed", "handle", "github_login", "name_and_local"}
    assert len(bai["merges"]) == 3 and 0 < bai["confidence"] < 1
    renamed = next(p for p in doc["people"] if p["key"].startswith("777+"))
    assert [m["rule"] for m in renamed["merges"]] == ["github_id"] and renamed["confidence"] == 1.0


def test_user_file_splits_an_automatic_merge(people_repo, tmp_path):
    aff = tmp_path / "people.yaml"
    aff.write_text("people:\n  Evan at home: [yyx990803@gmail.com]\n  Evan at work: [evan@vuejs.org]\n")
    c = _report(people_repo, tmp_path, affiliations=aff)["community"]
    assert c["contributors_total"] == 9  # the user's file wins over the name merge


def test_mailmap_still_wins(builder, tmp_path):
    b = builder
    b.commit("Ann Lee", "ann@a.org", "2026-01-01T00:00:00", {".mailmap": "Ann Lee <ann@a.org> <zed@z.org>\n"})
    b.commit("Zed Quux", "zed@z.org", "2026-02-01T00:00:00", {"x": "1\n"})
    c = _report(b.build(), tmp_path)["community"]
    assert c["contributors_total"] == 1


def test_name_keys_ignore_case_accents_order_and_spacing():
    keys = lambda n: {k for _, k in names.name_keys(n)}  # noqa: E731
    assert "baijiangjie" in keys("Bai Jiangjie") & keys("Jiangjie.Bai") & keys("BaiJiangJie") & keys("baijiangjie")
    assert keys("Matěj Černý") == keys("matej cerny")
    assert keys("Bai") == set() and keys("admin") == set() and keys("root") == set()
    assert keys("christopher") == set()  # a common given name alone says nothing
    assert names.noreply("57284900+feng626@users.noreply.github.com") == ("57284900", "feng626")
    assert names.noreply("feng626@users.noreply.github.com") == (None, "feng626")


# --- bots ------------------------------------------------------------------------------


def test_release_bots_are_bots(builder, tmp_path):
    b = builder
    b.commit("fit2bot", "68588906+fit2bot@users.noreply.github.com", "2026-01-01T00:00:00", {"a": "1\n"})
    b.commit("fit2bot", "robot@jumpserver.org", "2026-02-01T00:00:00", {"a": "2\n"})
    b.commit("Release Train", "robot@example.org", "2026-03-01T00:00:00", {"a": "3\n"})
    b.commit("Jo Talbot", "jo@talbot.example.net", "2026-04-01T00:00:00", {"a": "4\n"})  # a surname, not a bot
    path = b.build()
    c = _report(path, tmp_path)["community"]
    assert (c["contributors_total"], c["bots_total"]) == (1, 2)  # fit2bot (two e-mails) and robot@
    from osslever.api import identities_document

    doc = identities_document(str(path), db=tmp_path / "s.duckdb")
    reasons = {p["name"]: p["bot"]["kind"] for p in doc["people"] if p["bot"]}
    assert reasons == {"fit2bot": "known_account", "Release Train": "email_pattern"}


# --- organizations -------------------------------------------------------------------


@pytest.fixture
def org_repo(tmp_path):
    b = RepoBuilder(tmp_path / "widget")
    # Ann: company address from 2026-03-01 to 2026-04-01; her gmail commits on 2026-05-01
    # (inside the 183-day margin) count for ACME, her gmail commit of 2025-06-01 does not.
    b.commit("Ann Lee", "ann.lee@gmail.com", "2025-06-01T00:00:00", {"a": "1\n"})
    b.commit("Ann Lee", "ann@acme-corp.com", "2026-03-01T00:00:00", {"a": "2\n"})
    b.commit("Ann Lee", "ann@acme-corp.com", "2026-04-01T00:00:00", {"a": "3\n"})
    b.commit("Ann Lee", "ann.lee@gmail.com", "2026-05-01T00:00:00", {"a": "4\n"})
    b.commit("Ann Lee", "ann.lee@gmail.com", "2026-05-02T00:00:00", {"a": "5\n"})
    # Daniel Roe writes from his own domain: independent, not a company
    b.commit("Daniel Roe", "daniel@roe.dev", "2026-06-01T00:00:00", {"b": "1\n"})
    # the project's own domain (repository "widget") names no employer
    b.commit("Wen Widget", "wen@widget.org", "2026-07-01T00:00:00", {"c": "1\n"})
    # public providers are no evidence
    b.commit("Qi Zhang", "12345@qq.com", "2026-08-01T00:00:00", {"d": "1\n"})
    return b.build()


def test_organizations_use_evidence_over_time(org_repo, tmp_path):
    c = _report(org_repo, tmp_path)["community"]
    # window 2025-11 … 2026-10: Ann 4 (2 acme-corp + 2 gmail in her ACME period), Daniel 1, Wen 1, Qi 1
    shares = {o["name"]: o["commits"] for o in c["organizations_12m"]}
    assert shares == {"acme-corp.com": 4, "independent": 1, "unknown": 2}
    top = c["organization_top_evidence"]
    assert top["name"] == "acme-corp.com" and c["organization_top"] == "acme-corp.com"
    assert top["by_evidence"] == {"email_domain": 2, "person_period": 2}
    # known = 4 + 1 (independent) of 7; unknown 2 of 7
    assert (top["commits_with_evidence"], top["commits_total"]) == (5, 7)
    assert c["organization_top_share"] == round(4 / 5, 4)
    assert top["unknown_share"] == round(2 / 7, 4)
    assert (top["share_of_all"], top["share_of_all_max"]) == (round(4 / 7, 4), round(6 / 7, 4))


def test_whole_history_gmail_before_the_period_is_unknown(org_repo, tmp_path):
    doc = _report(org_repo, tmp_path, as_of=dt.date(2025, 6, 30))
    shares = {o["name"]: o["commits"] for o in doc["community"]["organizations_12m"]}
    assert shares == {"unknown": 1}  # 2025-06-01 is 273 days before ACME's first commit


# --- releases ---------------------------------------------------------------------------


@pytest.fixture
def release_repo(builder):
    b = builder
    b.commit("Ann Lee", "ann@a.org", "2024-01-01T00:00:00", {"a": "1\n"}, label="base")
    b.commit("Ann Lee", "ann@a.org", "2024-02-01T00:00:00", {"a": "2\n"}, label="old_line")
    b.commit("Ann Lee", "ann@a.org", "2024-03-01T00:00:00", {"a": "3\n"}, label="main2")
    # release branches: commits only the tags reach
    b.commit("Ann Lee", "ann@a.org", "2024-06-01T00:00:00", {"r": "1\n"}, parent="main2", label="v2")
    b.commit("Ann Lee", "ann@a.org", "2024-07-01T00:00:00", {"r": "2\n"}, parent="old_line", label="v1p")
    b.commit("Ann Lee", "ann@a.org", "2024-08-01T00:00:00", {"r": "3\n"}, parent="main2", label="rc")
    b.commit("Ann Lee", "ann@a.org", "2024-09-01T00:00:00", {"a": "4\n"}, parent="main2")
    b.tag("v1.0.0", "2024-02-02T00:00:00", "old_line")
    b.tag("v2.0.0", "2024-06-02T00:00:00", "v2")
    b.tag("v1.9.1", "2024-07-02T00:00:00", "v1p")  # a patch to the old line, tagged later
    b.tag("v2.1.0-rc.1", "2024-08-02T00:00:00", "rc")
    b.tag("with-deprecated-diskstore", "2024-08-03T00:00:00", "base")
    return b.build()


def test_releases_from_all_tags_in_version_order(release_repo, tmp_path):
    r = _report(release_repo, tmp_path, as_of=dt.date(2024, 9, 30))["community"]["releases"]
    assert r["releases_total"] == 3  # v1.0.0, v2.0.0, v1.9.1
    assert (r["last_release"], r["last_release_date"]) == ("v2.0.0", "2024-06-02")
    assert r["last_tagged_release"] == "v1.9.1"
    assert r["releases_off_ref"] == 2  # v2.0.0 and v1.9.1 are on release branches
    assert (r["prereleases_total"], r["last_prerelease"]) == (1, "v2.1.0-rc.1")
    assert r["tags_not_versions"] == ["with-deprecated-diskstore"]
    # gaps by date: 02-02 → 06-02 (121 days) → 07-02 (30 days): median 75.5
    assert r["median_days_between_releases"] == 75.5


def test_newest_release_of_a_day_is_its_highest_version(builder, tmp_path):
    """Three maintained lines tagged on one day, the oldest line last (as redis did on 2024-10-02)."""
    b = builder
    b.commit("Ann Lee", "ann@a.org", "2024-01-01T00:00:00", {"a": "1\n"}, label="base")
    b.tag("v6.2.0", "2024-02-01T00:00:00", "base")
    b.tag("v7.4.1", "2024-10-02T09:00:00", "base")
    b.tag("v7.2.6", "2024-10-02T09:30:00", "base")
    b.tag("v6.2.16", "2024-10-02T10:00:00", "base")
    r = _report(b.build(), tmp_path, as_of=dt.date(2024, 12, 1))["community"]["releases"]
    assert (r["last_release"], r["last_release_date"]) == ("v7.4.1", "2024-10-02")
    assert (r["last_tagged_release"], r["last_tagged_release_date"]) == ("v7.4.1", "2024-10-02")


def test_version_parsing():
    assert parse("8.0-m01").prerelease and parse("v3.6.0-rc.5").prerelease
    assert not parse("7.4.1").prerelease and parse("7.4.1").numbers == (7, 4, 1)
    assert parse("twitter-20100825") is None and parse("with-deprecated-diskstore") is None
    assert parse("v10.0.0").sort_key() > parse("v9.12.3").sort_key() > parse("v9.12.3-rc.1").sort_key()


# --- smaller -----------------------------------------------------------------------------


def test_young_project_is_young_not_unmaintained(builder, tmp_path):
    b = builder
    b.commit("Ann Lee", "ann@a.org", "2026-10-11T00:00:00", {"a": "1\n"})
    b.commit("Ann Lee", "ann@a.org", "2026-10-15T00:00:00", {"a": "2\n"})
    doc = _report(b.build(), tmp_path)
    m = doc["community"]["maintained"]
    assert (m["status"], m["age_days"], m["is_maintained"]) == ("young", 9, None)
    ids = {r["id"] for r in doc["readings"]}
    assert "community.young" in ids and "community.not_maintained" not in ids


def test_window_says_what_it_ends_with(builder, tmp_path):
    builder.commit("Ann Lee", "ann@a.org", "2026-03-11T00:00:00", {"a": "1\n"})
    path = builder.build()
    given = _report(path, tmp_path)["community"]
    assert given["window_12m"] == {"start": "2025-11-01", "end": "2026-10-31", "ends_with": "as_of"}
    assert given["as_of"] == "2026-10-20"
    default = report_document(str(path), db=tmp_path / "s.duckdb")["community"]
    assert default["window_12m"] == {"start": "2025-04-01", "end": "2026-03-31", "ends_with": "last_commit"}


def test_bare_repository_named_from_manifest_or_remote(tmp_path):
    b = RepoBuilder(tmp_path / "mirror" / "repo")
    b.commit("Ann Lee", "ann@a.org", "2026-01-01T00:00:00", {"package.json": json.dumps({"name": "@acme/widget"})})
    bare = b.build(bare=True)
    assert _report(bare, tmp_path)["repository"]["name"] == "widget"
    remote = ["git", "--git-dir", str(bare), "remote", "add", "origin", "https://github.com/acme/gadget.git"]
    subprocess.run(remote, check=True)
    again = report_document(str(bare), db=tmp_path / "other.duckdb", as_of=AS_OF)
    assert again["repository"]["name"] == "gadget"


def test_one_month_line_chart_draws_its_point():
    chart = svg.line_chart(["2026-01"], {"commits": [3]}, "t")
    assert "<circle" in chart and "commits: 3" in chart


def test_assess_reads_the_same_top_organization_share(org_repo, tmp_path):
    from osslever.models.strategy import evidence_from_documents

    doc = _report(org_repo, tmp_path)
    ev = evidence_from_documents(report=doc)
    assert ev["community.top_org_share_12m"]["value"] == doc["community"]["organization_top_share"] == 0.8
    assert ev["community.organizations_12m"]["value"] == 1  # acme-corp.com; independent and unknown left out


def test_every_share_says_its_evidence(org_repo, tmp_path):
    orgs = {o["name"]: o["evidence"] for o in _report(org_repo, tmp_path)["community"]["organizations_12m"]}
    assert orgs == {
        "acme-corp.com": {"email_domain": 2, "person_period": 2},
        "independent": {"personal_domain": 1},
        "unknown": {"none": 2},
    }


def test_a_failed_ingest_leaves_no_ghost_project(tmp_path):
    """Issue 11: a history row written before an ingest that failed showed up in the web list."""
    from osslever.store import Store
    from osslever.web.projects import list_projects

    with Store(tmp_path / "g.duckdb") as store:
        store.execute(
            "INSERT INTO git_histories (location, git_dir, ref, name, slug, updated_at)"
            " VALUES ('/gone', '/gone/.git', 'HEAD', 'gone', NULL, now())"
        )
        assert [p["name"] for p in list_projects(store)["projects"]] == []
        store.execute("UPDATE git_histories SET complete = true")  # an empty repository, fully read
        assert [p["name"] for p in list_projects(store)["projects"]] == ["gone"]


def test_a_mail_forwarding_service_names_no_employer():
    """Pobox sells personal forwarding addresses to anyone (git's maintainer commits as
    gitster@pobox.com): it is a public provider, not a vendor that makes half of git."""
    from osslever.identity.organizations import domain_evidence, organization_of

    assert organization_of("gitster@pobox.com") == "unknown"
    assert domain_evidence("gitster@pobox.com").kind == "public_provider"
    assert organization_of("someone@us.ibm.com") == "IBM"  # a company address still names its employer
