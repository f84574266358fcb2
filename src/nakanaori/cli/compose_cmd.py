"""``nakanaori compose``: three messages built from the user's own facts."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from ..errors import InputError
from ..labels import LABEL_JA, REGISTER_JA, RELATIONSHIP_JA, STAGE_JA, join_names
from .common import LazyConsole, fail

console = LazyConsole()


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    del groups

    @app.command()
    def compose(
        relationship: Annotated[str, typer.Option("--relationship", "-r", help="partner|friend|work|family")],
        stage: Annotated[str, typer.Option("--stage", "-s", help="関係の段階(just_apologized など)")],
        did: Annotated[str | None, typer.Option("--did", help="自分がしたこと")] = None,
        will: Annotated[str | None, typer.Option("--will", help="これから変えること")] = None,
        thanks: Annotated[str | None, typer.Option("--thanks", help="感謝していること")] = None,
        register_: Annotated[str | None, typer.Option("--register", help="casual|polite|honorific")] = None,
        as_json: Annotated[bool, typer.Option("--json", help="JSONで出力")] = False,
    ) -> None:
        """あなた自身の言葉(したこと・これから・感謝)から、送る文面を3通り作ります。"""
        from ..compose.composer import compose as run_compose

        try:
            result = run_compose(relationship, stage, did=did, will=will, thanks=thanks, register=register_)
        except InputError as exc:
            fail(exc)
        if as_json:
            sys.stdout.write(result.model_dump_json(indent=2) + "\n")
        else:
            from rich.panel import Panel

            rel = RELATIONSHIP_JA.get(result.relationship, result.relationship)
            stg = STAGE_JA.get(result.stage, result.stage)
            console.rule(f"[bold]文面の案 — {rel} / {stg} / {REGISTER_JA[result.register]}")
            for k, v in enumerate(result.variants, 1):
                labels = join_names([LABEL_JA[x] for x in v.labels])
                console.print(Panel(v.text, title=f"案{k}  スコア {v.score}", subtitle=labels, expand=True))
            for w in result.warnings:
                console.print(f"[yellow]●[/] {w}")
        if not result.variants:
            raise typer.Exit(1)
