"""Root Typer app. Each capability registers its commands from its own module."""

from __future__ import annotations

import typer

from . import advise_cmd, check_cmd, compose_cmd, feedback_cmd, plan_cmd, serve_cmd, worker_cmd

app = typer.Typer(
    name="nakanaori",
    help="仲直り — 謝ったあとに送る言葉をチェックし、状況に合う助言・文面・予定をつくります。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

eval_app = typer.Typer(help="ラベル付きデータで精度を測ります。", no_args_is_help=True)
kb_app = typer.Typer(help="知識ベース(YAML)を検証します。", no_args_is_help=True)
app.add_typer(eval_app, name="eval")
app.add_typer(kb_app, name="kb")
GROUPS: dict[str, typer.Typer] = {"eval": eval_app, "kb": kb_app}

for module in (check_cmd, advise_cmd, compose_cmd, plan_cmd, serve_cmd, worker_cmd, feedback_cmd):
    module.register(app, GROUPS)


def main() -> None:
    app()
