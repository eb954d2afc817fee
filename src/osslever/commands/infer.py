"""``osslever infer PATH``: the strategy profile the repository itself shows, as a profile.yaml to correct."""

from __future__ import annotations

from pathlib import Path

import click

from osslever.commands._options import emit, lang_option, output_option, quiet_option


@click.command(name="infer")
@click.argument("location", default=".", required=False)
@output_option
@quiet_option
@lang_option
def command(location: str, output: Path | None, quiet: bool, lang: str) -> None:
    """Infer a profile from the repository's own files (delivery, category, enterprise edition,
    CLA/DCO, operational complexity); every line says where it came from.

    从仓库自身的文件推断项目画像（交付方式、类别、企业版、CLA/DCO、运维复杂度），每一行都注明来源。
    """
    from osslever.errors import UserError
    from osslever.models.profile_inference import infer_profile, profile_yaml
    from osslever.sources.git.repository import open_repository

    path = Path(location).resolve()
    inferred = infer_profile(path)
    try:
        name = open_repository(str(path)).name  # from the remote or the manifest, as the report names it
    except UserError:
        name = path.name  # a folder that is not a git repository
    emit(profile_yaml(inferred, name, lang), output)
