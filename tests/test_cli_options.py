"""One CLI vocabulary: shared options everywhere they apply, old spellings still accepted,
exit codes defined once."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from osslever import cli as cli_module
from osslever.cli import cli, main
from osslever.commands._options import db_option, renamed_option, spark_master_option
from osslever.errors import ExitCode
from tests.events_fixtures import SHARED

ROOT = Path(__file__).resolve().parents[1]
PROFILES = ROOT / "examples" / "profiles"
REPO = "kubernetes/kubernetes.github.io"
STORE_COMMANDS = {
    "assess",
    "dossier",
    "export opendigger",
    "forecast",
    "identities",
    "ingest atomgit",
    "ingest downloads",
    "ingest gharchive",
    "ingest git",
    "ingest gitee",
    "ingest github",
    "ingest gitlab",
    "metrics",
    "rank",
    "report",
    "serve",
}


def leaves(group: click.Group = cli, prefix: str = "") -> dict[str, click.Command]:
    ctx = click.Context(group)
    out: dict[str, click.Command] = {}
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None
        path = f"{prefix}{name}"
        if isinstance(command, click.Group):
            out.update(leaves(command, path + " "))
        else:
            out[path] = command
    return out


def visible_options(command: click.Command) -> set[str]:
    return {o for p in command.params if isinstance(p, click.Option) and not p.hidden for o in p.opts}


def test_every_command_speaks_the_shared_vocabulary():
    commands = leaves()
    assert {"report", "metrics", "ingest gharchive", "assess", "finance metrics"} <= set(commands)
    for path, command in commands.items():
        options = visible_options(command)
        assert {"--lang", "--quiet", "-q"} <= options, path
        assert ("--db" in options) == (path in STORE_COMMANDS), path
        if "--engine" in options:
            assert "--spark-master" in options, path
        # the ambiguous old names are never shown: each meant different things in different commands
        assert not options & {"--repo", "--parquet", "--org"}, path


def test_old_spellings_are_hidden_aliases():
    commands = leaves()
    hidden = {
        path: {o for p in c.params if isinstance(p, click.Option) and p.hidden for o in p.opts}
        for path, c in commands.items()
    }
    assert hidden["assess"] == {"--repo"} and hidden["forecast"] == {"--repo"}
    assert hidden["ingest gharchive"] == {"--repo", "--org", "--parquet"}
    assert hidden["metrics"] == {"--parquet"} and hidden["rank"] == {"--parquet"}
    for path in ("assess", "ingest gharchive", "metrics"):
        shown = CliRunner().invoke(cli, [*path.split(), "--help"]).output
        assert "--repo " not in shown and "--parquet " not in shown


def _probe() -> click.Command:
    @click.command()
    @renamed_option("--only-repo", dest="repos", old=("--repo",), multiple=True)
    @renamed_option("--evidence-repo", dest="single", old=("--repo-path",), default=None)
    def probe(repos: tuple[str, ...], single: str | None) -> None:
        click.echo(json.dumps({"repos": list(repos), "single": single}))

    return probe


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], {"repos": [], "single": None}),
        (["--repo", "a/b"], {"repos": ["a/b"], "single": None}),
        (["--only-repo", "a/b", "--repo", "c/d"], {"repos": ["c/d", "a/b"], "single": None}),
        (["--repo", "c/d", "--only-repo", "a/b"], {"repos": ["c/d", "a/b"], "single": None}),
        (["--repo-path", "/x"], {"repos": [], "single": "/x"}),
        (["--evidence-repo", "/y", "--repo-path", "/x"], {"repos": [], "single": "/y"}),
        (["--repo-path", "/x", "--evidence-repo", "/y"], {"repos": [], "single": "/y"}),
    ],
)
def test_an_alias_fills_the_same_parameter_in_either_order(args, expected):
    result = CliRunner().invoke(_probe(), args)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == expected


def test_options_a_body_does_not_take_yet_apply_through_their_variable(tmp_path, monkeypatch):
    monkeypatch.delenv("OSSLEVER_DB", raising=False)
    monkeypatch.delenv("OSSLEVER_SPARK_MASTER", raising=False)

    @click.command()
    @db_option
    @spark_master_option
    def probe() -> None:
        click.echo(f"{os.environ.get('OSSLEVER_DB')} {os.environ.get('OSSLEVER_SPARK_MASTER')}")

    result = CliRunner().invoke(probe, ["--db", str(tmp_path / "x.duckdb"), "--spark-master", "spark://h:7077"])
    assert result.output.strip() == f"{tmp_path / 'x.duckdb'} spark://h:7077"
    assert "OSSLEVER_DB" not in os.environ and "OSSLEVER_SPARK_MASTER" not in os.environ
    monkeypatch.setenv("OSSLEVER_DB", "/kept")
    assert CliRunner().invoke(probe, ["--db", "/other"]).output.strip() == "/other None"
    assert os.environ["OSSLEVER_DB"] == "/kept"


def _events_of(repo: str) -> int:
    """Independent count: records of ``repo`` in the shared sample files (plain gzip + json)."""
    n = 0
    for path in sorted(SHARED.glob("*.json.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            n += sum(1 for line in fh if line.strip() and json.loads(line)["repo"]["name"] == repo)
    return n


def test_ingest_filter_old_and_new_spelling_keep_the_same_events(tmp_path):
    expected = _events_of(REPO)
    assert 0 < expected < 2800
    for spelling in ("--only-repo", "--repo"):
        db = tmp_path / f"{spelling.strip('-')}.duckdb"
        args = ["ingest", "gharchive", str(SHARED), spelling, REPO, "--db", str(db), "--workers", "1", "--lang", "en"]
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, result.output
        assert f"{expected} events kept" in result.output


def test_assess_takes_db_and_both_spellings_of_the_evidence_repository(builder, tmp_path):
    builder.commit("A", "a@example.org", "2026-01-01T00:00:00", {"x": "x\n"})
    builder.commit("B", "b@example.org", "2026-02-01T00:00:00", {"y": "y\n"})
    repo = builder.build()
    docs = []
    for spelling in ("--evidence-repo", "--repo"):
        db = tmp_path / f"{spelling.strip('-')}.duckdb"
        args = ["assess", str(PROFILES / "mysql.yaml"), spelling, str(repo), "--db", str(db), "--format", "json"]
        result = CliRunner().invoke(cli, [*args, "--quiet"])
        assert result.exit_code == 0, result.output
        assert db.is_file()  # the measurement went into the store --db named
        docs.append(json.loads(result.stdout))
    assert docs[0] == docs[1]
    assert docs[0]["inputs"]["measured"]["project.contributors"]["value"] == 2
    assert "OSSLEVER_DB" not in os.environ


def test_exit_codes_are_defined_once_and_documented():
    assert [(c.name, c.value) for c in ExitCode] == [
        ("OK", 0),
        ("FINDINGS", 1),
        ("USER_ERROR", 2),
        ("INTERNAL_ERROR", 70),
        ("INTERRUPTED", 130),
    ]
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    for code in ExitCode:
        assert f"| {code.value} | `{code.name}` |" in text


def test_a_bug_exits_70_with_its_traceback(monkeypatch, capsys):
    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(cli_module.cli, "main", explode)
    with pytest.raises(SystemExit) as done:
        main(["report"])
    assert done.value.code == ExitCode.INTERNAL_ERROR == 70
    err = capsys.readouterr().err
    assert "Traceback" in err and "RuntimeError: boom" in err


def test_a_user_error_exits_2_in_one_line(tmp_path, capsys):
    with pytest.raises(SystemExit) as done:
        main(["report", str(tmp_path / "nope"), "--lang", "en", "-q", "--db", str(tmp_path / "s.duckdb")])
    assert done.value.code == ExitCode.USER_ERROR
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "does not exist" in err


def test_parquet_input_keeps_uris_and_the_old_spelling():
    from osslever.commands._options import parquet_in_option

    @click.command()
    @parquet_in_option("parquet", "input")
    def probe(parquet: str | None) -> None:
        click.echo(repr(parquet))

    for spelling in ("--parquet-in", "--parquet"):
        result = CliRunner().invoke(probe, [spelling, "s3a://bucket/events-parquet"])
        assert result.output.strip() == "'s3a://bucket/events-parquet'"
