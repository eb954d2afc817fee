"""``osslever assess``: reason about a project profile — stance, business models,
license, investor readiness, risks — with every conclusion traced to rules and evidence.

``osslever assess --interactive`` asks the profile questions instead and writes the
profile file, validating each answer as it is typed.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import click
import yaml

from osslever import i18n
from osslever.commands._options import (
    billing_option,
    db_option,
    emit,
    evidence_repo_option,
    lang_option,
    output_option,
    quiet_option,
)
from osslever.errors import UserError
from osslever.i18n import t


@click.command("assess")
@click.argument("profile", required=False, type=click.Path(dir_okay=False, path_type=Path))
@evidence_repo_option("Repository (path or URL) to measure: community metrics and license. 要度量的仓库。")
@billing_option("Billing CSV to measure finance metrics from. 计费数据文件。")
@click.option(
    "--scenario",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Partial profile whose values override (a what-if scenario). 情景文件。",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["md", "html", "json"]),
    default="md",
    show_default=True,
    help="Output format. 输出格式。",
)
@click.option(
    "--rules",
    "rule_dirs",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Extra rule pack folder (repeatable); same ids override built-in rules. 额外规则包。",
)
@click.option(
    "--interactive",
    is_flag=True,
    help="Ask the profile questions and write PROFILE (default profile.yaml). 交互式生成画像。",
)
@db_option
@quiet_option
@lang_option
@output_option
def command(
    profile: Path | None,
    repo: str | None,
    billing: Path | None,
    scenario: Path | None,
    fmt: str,
    rule_dirs: tuple[Path, ...],
    interactive: bool,
    lang: str,
    output: Path | None,
) -> None:
    """Assess a project profile: open/closed/hybrid, business-model fit, license, readiness, risks.

    评估项目画像：开源/闭源/混合、商业模式匹配、许可证、融资准备度与风险。
    """
    if interactive:
        target = profile or output or Path("profile.yaml")
        _interactive(target, lang)
        return
    if profile is None:
        raise UserError("strategy.need_profile")
    from osslever.models.strategy import load_profile
    from osslever.models.strategy.profile import load_scenario
    from osslever.outputs.strategy import render_html, render_json, render_markdown
    from osslever.workspace import Workspace

    doc_profile = load_profile(profile)
    with Workspace(lang=lang) as ws:
        documents = measured_documents(ws, repo, billing)
        doc = ws.assess(
            doc_profile,
            documents,
            rule_dirs=rule_dirs,
            scenario=load_scenario(scenario) if scenario else None,
        )
    renderer = {"json": render_json, "md": render_markdown, "html": render_html}[fmt]
    emit(renderer(doc), output)


def measured_documents(ws: Any, repo: str | None, billing: Path | None) -> dict[str, Any]:
    """What ``assess`` measures: ``--repo`` refreshed into the store first (as ``osslever
    report`` does), then the documents ``Workspace.measured`` gathers, as the web page does."""
    history = ws.refresh_report(repo) if repo else None
    return ws.measured(history, location=repo or None, billing=billing)


# --- interactive questionnaire -------------------------------------------------------------

_YES = {"y", "yes", "true", "是", "对", "1"}
_NO = {"n", "no", "false", "否", "不", "0"}


def _interactive(target: Path, lang: str) -> None:
    from osslever.models.strategy.profile import validate_profile

    if target.exists() and not click.confirm(
        t("strategy.interactive.overwrite", lang=lang, path=str(target)), default=False
    ):
        raise UserError("strategy.output_exists", path=str(target))
    profile = validate_profile(ask(None, lang), source=str(target))
    text = yaml.safe_dump(profile, allow_unicode=True, sort_keys=False)
    emit(text, target)
    click.echo(t("strategy.interactive.written", lang=lang, path=str(target)))
    i18n.use(lang)


def ask(paths: list[str] | None, lang: str) -> dict[str, Any]:
    """Ask the profile questions (``paths``, or every askable field), re-asking a bad answer;
    returns the answers as a (nested) partial profile. Shared by ``assess --interactive`` and
    ``dossier --interactive`` (which asks only what the repository cannot show)."""
    from osslever.models.strategy.profile import check_value, unflatten
    from osslever.models.strategy.schema import profile_fields

    click.echo(t("strategy.interactive.intro", lang=lang))
    answers: dict[str, Any] = {}
    for path, field in profile_fields().items():
        if not field.ask or (paths is not None and path not in paths):
            continue
        question = t(f"strategy.question.{path}", lang=lang)
        hint = ""
        if field.type == "enum":
            hint = f" [{'/'.join(field.values)}]"
        elif field.type == "enum_list":
            hint = f" [{t('strategy.interactive.list_hint', lang=lang)}: {', '.join(field.values)}]"
        elif field.type == "bool":
            hint = " [yes/no]"

        def parse(text: str, field=field) -> Any:
            text = (text or "").strip()
            if not text:
                if field.required:
                    raise click.BadParameter(t("strategy.interactive.invalid", lang=lang, detail=field.path))
                return None
            value: Any = text
            if field.type == "enum_list":
                value = [v.strip() for v in text.replace("，", ",").split(",") if v.strip()]
            elif field.type == "bool":
                low = text.lower()
                value = True if low in _YES else False if low in _NO else text
            elif field.type in ("integer", "number"):
                # a non-number stays text, and check_value names the expected type
                with contextlib.suppress(ValueError):
                    value = int(text) if field.type == "integer" else float(text)
            try:
                return check_value(field, value, "<answer>")
            except UserError as exc:
                raise click.BadParameter(t("strategy.interactive.invalid", lang=lang, detail=exc.render(lang))) from exc

        value = click.prompt(f"{question}{hint}", default="", show_default=False, value_proc=parse)
        if value not in (None, "", []):
            answers[path] = value
    return unflatten(answers)
