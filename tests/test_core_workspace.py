"""The core's own pieces: GH Archive re-download of damaged hours, the Jinja policy, refusals."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest

from osslever.errors import UserError
from osslever.outputs.templating import environment
from osslever.sources.gharchive.download import Downloader
from osslever.sources.gharchive.reader import Filter
from osslever.workspace import Workspace
from tests.test_events_download import _gz, _Server


def test_a_damaged_download_is_fetched_again_and_counted_once(tmp_path: Path):
    # the cached copy of the hour is cut (a disk or an old run damaged it); the server has it whole
    name = "2024-01-01-0.json.gz"
    whole = _gz(30)
    folder = tmp_path / "gharchive"
    folder.mkdir()
    (folder / name).write_bytes(whole[: len(whole) // 2])
    with _Server({name: whole}) as srv, Workspace(tmp_path / "s.duckdb") as ws:
        downloader = Downloader(srv.url, folder, sleep=lambda s: None)
        report = ws.ingest_gharchive([folder / name], Filter.of(), downloader=downloader, workers=1)
        stored = ws.store.rows("SELECT count(*) AS n, count(DISTINCT event_id) AS ids FROM gh_events")[0]
        requested = [n for n, _ in srv.requests]
    assert report.failed == [] and report.files_ingested == 1
    assert (stored["n"], stored["ids"]) == (30, 30)  # _gz(30) holds 30 distinct events
    assert requested == [name]  # fetched again exactly once
    assert (folder / name).read_bytes() == whole


def test_refresh_steps_refuse_a_read_only_workspace(tmp_path: Path):
    db = tmp_path / "s.duckdb"
    with Workspace(db) as ws:
        assert ws.store.path == db  # opening (read-write) creates the store
    with Workspace(db, read_only=True) as ws, pytest.raises(UserError) as refused:
        ws.refresh_openrank()
    assert refused.value.key == "store.read_only"


def test_templates_may_test_a_missing_field_but_never_print_it():
    env = environment("web/templates")
    assert env.from_string("{% if doc.events.monthly %}x{% else %}none{% endif %}").render(doc={}) == "none"
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ doc.events }}").render(doc={})
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{% for m in doc.events %}{{ m }}{% endfor %}").render(doc={})
    # autoescape: stored text is text
    assert env.from_string("{{ name }}").render(name="<b>x</b>") == "&lt;b&gt;x&lt;/b&gt;"
