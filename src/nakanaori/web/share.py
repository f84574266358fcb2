"""「LINEで送る」: LINE's share URL for a message. The link opens LINE on the user's own device with
the text filled in; nothing passes through this server (the text is only in the link on the page)."""

from __future__ import annotations

from urllib.parse import quote

LINE_SHARE = "https://line.me/R/share?text="


def line_share_url(text: str | None) -> str:
    """``https://line.me/R/share?text=`` + the text, every reserved character percent-encoded
    (UTF-8), the same as ``static/app.js`` builds it while the user edits. A form posts its line breaks
    as CRLF while the text box holds LF: the link carries LF, so it is the same before and after a submit."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    return LINE_SHARE + quote(text, safe="")
