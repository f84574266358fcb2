"""LINE channel settings, read from the environment (never from code or the repository)."""

from __future__ import annotations

import os
from dataclasses import dataclass

DEFAULT_API_BASE = "https://api.line.me"


@dataclass(frozen=True)
class LineSettings:
    channel_secret: str
    access_token: str
    api_base: str = DEFAULT_API_BASE

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> LineSettings | None:
        """``None`` when ``LINE_CHANNEL_SECRET`` or ``LINE_CHANNEL_ACCESS_TOKEN`` is missing.

        ``LINE_API_BASE`` points the client at another host (a local fake in the tests, or a proxy).
        """
        e = os.environ if env is None else env
        secret = (e.get("LINE_CHANNEL_SECRET") or "").strip()
        token = (e.get("LINE_CHANNEL_ACCESS_TOKEN") or "").strip()
        if not secret or not token:
            return None
        base = (e.get("LINE_API_BASE") or "").strip().rstrip("/") or DEFAULT_API_BASE
        return cls(channel_secret=secret, access_token=token, api_base=base)


NOT_CONFIGURED_JA = (
    "LINEボットが設定されていません。環境変数 LINE_CHANNEL_SECRET と LINE_CHANNEL_ACCESS_TOKEN を"
    "設定してから起動してください。"
)
NOT_CONFIGURED_EN = "LINE bot not configured: set LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN"
