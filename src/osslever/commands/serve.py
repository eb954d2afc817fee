"""``osslever serve``: the local web dashboard and REST API over the store.

Listens on 127.0.0.1 by default. Any other address makes the dashboard
reachable from other machines, so it needs a token (read from an environment
variable, never from the command line where ``ps`` would show it).
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from osslever.commands._options import db_option, lang_option, quiet_option
from osslever.errors import UserError
from osslever.i18n import t

MIN_TOKEN = 16


@click.command("serve")
@db_option
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; anything but loopback needs a token. 监听地址。",
)
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True, help="Port. 端口。")
@click.option(
    "--token-env",
    default="OSSLEVER_TOKEN",
    show_default=True,
    metavar="NAME",
    help="Environment variable holding the access token (Authorization: Bearer). 令牌所在的环境变量。",
)
@click.option(
    "--read-only",
    "read_only",
    is_flag=True,
    help="Open the store read-only: every page, no uploads, profiles or ingests. 只读打开数据库。",
)
@lang_option
@quiet_option
def command(db: Path | None, host: str, port: int, token_env: str, read_only: bool, lang: str, quiet: bool) -> None:
    """Serve the dashboard and the JSON API (see docs/web.md).

    启动本地看板与 JSON API（见 docs/web.md）。
    """
    from osslever.web.security import LOOPBACK_NAMES, is_loopback

    token = os.environ.get(token_env) or None
    loopback = is_loopback(host)
    if not loopback and token is None:
        raise UserError("web.token_required", host=host, env=token_env)
    if token is not None and len(token) < MIN_TOKEN:
        raise UserError("web.token_too_short", env=token_env, length=MIN_TOKEN)

    import uvicorn

    from osslever.web import create_app

    app = create_app(db, token=token, allowed_hosts=LOOPBACK_NAMES if loopback else None, read_only=read_only)
    shown = f"[{host}]" if ":" in host else host
    click.echo(t("web.serve.listening", url=f"http://{shown}:{port}/", db=str(app.state.backend.path)), err=True)
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level="warning" if quiet else "info",
        access_log=not quiet,
        server_header=False,
        proxy_headers=False,
    )
