"""``osslever rules``: browse and validate the strategy rule packs.

``list`` and ``show`` read the active rules (built-in pack plus ``--rules`` folders);
``check DIR`` validates a pack the way ``assess --rules DIR`` would load it, and also
reports rules that can never fire and ids that collide.
"""

from __future__ import annotations

import json
from pathlib import Path

import click
import yaml

from osslever.commands._options import emit, lang_option, output_option, quiet_option
from osslever.errors import UserError
from osslever.i18n import t

_rules_option = click.option(
    "--rules",
    "rule_dirs",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Extra rule pack folder (repeatable). 额外规则包。",
)


@click.group("rules")
def command() -> None:
    """Browse and validate strategy rule packs. 浏览和校验战略规则包。"""


@command.command("list")
@_rules_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@quiet_option
@lang_option
@output_option
def list_rules(rule_dirs: tuple[Path, ...], fmt: str, lang: str, output: Path | None) -> None:
    """List active rules: id, kind, target, pack. 列出生效的规则。"""
    from osslever.models.strategy.rules import load_rules

    ruleset = load_rules(list(rule_dirs))
    rows = [
        {
            "id": r.id,
            "kind": r.kind,
            "target": r.target,
            "pack": r.pack,
            "file": r.file,
            "text": r.describe(lang),
        }
        for r in ruleset.rules
    ]
    if fmt == "json":
        emit(
            json.dumps({"rules": rows, "overridden": ruleset.overridden}, ensure_ascii=False, indent=2),
            output,
        )
        return
    width = max(len(r["id"]) for r in rows)
    lines = [t("strategy.rules_cmd.header", lang=lang)]
    lines += [f"{r['id']:<{width}}  {r['kind']:<6}  {r['target']:<40}  {r['pack']}" for r in rows]
    emit("\n".join(lines), output)


@command.command("show")
@click.argument("rule_id")
@_rules_option
@quiet_option
@lang_option
@output_option
def show_rule(rule_id: str, rule_dirs: tuple[Path, ...], lang: str, output: Path | None) -> None:
    """Show one rule: conditions, effect, rationale (zh and en), source. 查看单条规则。"""
    from osslever.models.strategy.rules import load_rules
    from osslever.models.strategy.schema import nearest

    ruleset = load_rules(list(rule_dirs))
    rules = ruleset.by_id()
    rule = rules.get(rule_id)
    if rule is None:
        raise UserError(
            "strategy.rules_cmd.not_found",
            id=rule_id,
            nearest=nearest(rule_id, sorted(rules)) or "-",
        )
    effect: dict = {rule.kind: rule.target}
    if rule.kind == "score":
        effect["points"] = int(rule.points) if rule.points.is_integer() else rule.points
    for key in ("value", "stage", "severity"):
        if getattr(rule, key):
            effect[key] = getattr(rule, key)
    body = {"id": rule.id, "pack": rule.pack, "file": rule.file}
    if rule.priority:
        body["priority"] = rule.priority
    if rule.when:
        body["when"] = rule.when
    if rule.test:
        body["test"] = rule.test
    body["effect"] = effect
    body["text"] = rule.text
    if rule.precondition:
        body["precondition"] = rule.precondition
    body["source"] = rule.source
    emit(yaml.safe_dump(body, allow_unicode=True, sort_keys=False, width=100), output)


@command.command("check")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option(
    "--no-builtin",
    is_flag=True,
    help="Check the folder alone, not layered over the built-in pack. 不叠加内置规则包。",
)
@quiet_option
@lang_option
@click.pass_context
def check_rules(ctx: click.Context, folder: Path, no_builtin: bool, lang: str) -> None:
    """Validate a rule pack: unknown fields and values, unreachable rules, conflicting ids.

    校验规则包：未知字段与取值、不可达规则、冲突的 id。
    """
    from osslever.models.strategy.rules import check_folder, read_folder

    problems = check_folder(folder, with_builtin=not no_builtin)
    for problem in problems:
        click.echo(problem.render(lang))
    errors = sum(1 for p in problems if p.level == "error")
    warnings = sum(1 for p in problems if p.level == "warning")
    if errors:
        click.echo(
            t(
                "strategy.rules_cmd.check_failed",
                lang=lang,
                path=str(folder),
                errors=errors,
                warnings=warnings,
            )
        )
        ctx.exit(1)
    rules, _, _ = read_folder(folder, 1)
    click.echo(
        t(
            "strategy.rules_cmd.check_ok",
            lang=lang,
            path=str(folder),
            count=len(rules),
            warnings=warnings,
        )
    )
