"""「この指摘は違う」 / 「見落としを報告」 in the LINE bot, with an explicit consent step (issue 13 §4).

Nothing is stored until the user has said yes twice: first to sending the feedback at all (a confirm
with はい / いいえ), then to whether the message goes with it (文面も送る / 送らない). Only then
:func:`nakanaori.journal.feedback.record_feedback` writes one row — with the text only after 文面も送る.

The bot keeps no copy of a checked draft. Instead the draft travels in the postback data of the
buttons (LINE returns it only when the user taps one): the check bubble's buttons carry it, the bot
re-runs ``check`` on it to list the findings (``check`` is deterministic), and each later button
carries it on. Postback data holds at most 300 characters, so a draft of more than
:data:`MAX_CARRIED` characters is not carried: its buttons carry the register and a short list of the
findings' labels and sources instead, and the feedback is stored without the text (the bot says so).

Postback data: ``a=fbd`` (dispute) / ``a=fbm`` (missed) / ``a=fbx`` (no), with ``s`` the step
(``pick`` the finding or label, ``ok`` asks consent, ``txt`` asks about the text, ``save`` stores),
``i`` the finding's index, ``l`` the label, ``x`` 1 when the text goes along, ``r`` the relationship,
``g`` the register, ``f`` the carried findings (``label~source`` joined by ``,``) and — always last, as
written — ``t`` the draft.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode

from ..labels import GOOD_LABELS, LABEL_JA, LABELS, NG_LABELS, Register, Relationship
from .flex import GOOD, MUTED, NG, Msg, _bubble, _clip, _t, flex, postback_action, quick_reply, text

MAX_DATA = 300  # LINE's limit for postback data (characters)
MAX_CARRIED = 240  # a draft up to this long rides along in every feedback button
DISPUTE_LABEL = "この指摘は違う"
MISSED_LABEL = "見落としを報告"


@dataclass(frozen=True)
class Found:
    label: str
    source: str | None
    start: int | None = None
    end: int | None = None
    snippet: str = ""


@dataclass
class Context:
    """What a feedback button knows: the draft (when carried) or the findings' labels and sources."""

    relationship: str | None
    register: str | None
    text: str | None
    findings: list[Found]

    def params(self) -> dict[str, str]:
        p: dict[str, str] = {}
        if self.relationship:
            p["r"] = self.relationship
        if self.text is None:
            if self.register:
                p["g"] = self.register
            p["f"] = ",".join(f"{f.label}~{f.source or ''}" for f in self.findings)
        return p


def encode(action: str, params: dict[str, str], text: str | None) -> str:
    data = urlencode({"a": action, **params}, safe="~,")
    if text is not None:
        data += "&t=" + text
    return data


def decode(data: str) -> dict[str, str]:
    head, sep, draft = data.partition("&t=")
    q = {k: v[0] for k, v in parse_qs(head).items() if v}
    if sep:
        q["t"] = draft
    return q


def context_from_report(report: Any) -> Context:
    found = [Found(f.label, f.rule, f.start, f.end, f.text) for f in report.findings]
    carried = report.text if len(report.text) <= MAX_CARRIED else None
    return Context(report.relationship, report.register, carried, found)


def _fits(ctx: Context) -> Context:
    """Without the text, keep one finding per label — the NG ones first, as they are the ones people
    dispute — as many as fit in the postback data."""
    if ctx.text is not None:
        return ctx
    kept: list[Found] = []
    for f in sorted(ctx.findings, key=lambda f: f.label not in NG_LABELS):
        if any(k.label == f.label for k in kept):
            continue
        trial = Context(ctx.relationship, ctx.register, None, [*kept, f])
        if len(encode("fbd", {"s": "save", "i": "99", "x": "0", **trial.params()}, None)) > MAX_DATA:
            break
        kept.append(f)
    return Context(ctx.relationship, ctx.register, None, kept)


def context_from_data(q: dict[str, str]) -> Context | None:
    """Rebuild what the button knew; ``None`` when the data is not ours or no longer readable."""
    rel = q.get("r") if q.get("r") in Relationship.__members__ else None
    draft = q.get("t")
    if draft is not None:
        from ..check.checker import check
        from ..errors import InputError

        if not draft or len(draft) > MAX_CARRIED:
            return None
        try:
            report = check(draft, relationship=rel)
        except InputError:
            return None
        ctx = context_from_report(report)
        return Context(rel, ctx.register, draft, ctx.findings)
    reg = q.get("g") if q.get("g") in Register.__members__ else None
    found = []
    for part in (q.get("f") or "").split(","):
        label, _, source = part.partition("~")
        if label in LABELS:
            found.append(Found(label, source or None))
    return Context(rel, reg, None, found)


# ---------------------------------------------------------------- the check bubble's buttons


def feedback_buttons(report: Any) -> list[Msg]:
    """「この指摘は違う」 (when there is a finding) and 「見落としを報告」 for the check bubble's footer."""
    ctx = _fits(context_from_report(report))
    buttons: list[Msg] = []
    if report.findings:
        data = encode("fbd", {"s": "pick", **ctx.params()}, ctx.text)
        buttons.append(_link(postback_action(DISPUTE_LABEL, data, DISPUTE_LABEL)))
    data = encode("fbm", {"s": "pick", **ctx.params()}, ctx.text)
    buttons.append(_link(postback_action(MISSED_LABEL, data, MISSED_LABEL)))
    return buttons


def _link(action: Msg) -> Msg:
    return {"type": "button", "style": "link", "height": "sm", "color": MUTED, "action": action}


# ---------------------------------------------------------------- the conversation


def _finding_label(f: Found) -> str:
    mark = "×" if f.label in NG_LABELS else "○"
    name = LABEL_JA.get(f.label, f.label)
    return f"{mark}{name}" + (f"「{f.snippet}」" if f.snippet else "")


NO = "やめておく"
THANKS = (
    "ありがとう。受け取ったよ。\n"
    "送ってくれた内容は、担当の人が目を通してから分析の見直しに使うね。"
    "あとから「データ削除」でいつでも消せるよ。"
)
THANKS_NO_TEXT = "ありがとう。ラベルと指摘の出どころだけを受け取ったよ(文面は保存していないよ)。"
TOO_LONG_NOTE = "文面が長いので、文面は送らずにラベルと指摘の出どころだけを受け取ったよ。"
CANCELLED = "わかった、何も送らずにおくね。"
STALE = "ごめんね、このボタンの内容がもう読み取れなかったよ。もう一度チェックしてから試してね。"


def pick_finding(q: dict[str, str]) -> list[Msg]:
    ctx = context_from_data(q)
    if ctx is None or not ctx.findings:
        return [text(STALE)]
    items = []
    for i, f in enumerate(ctx.findings[:12]):
        data = encode("fbd", {"s": "ok", "i": str(i), **ctx.params()}, ctx.text)
        items.append(postback_action(_finding_label(f), data, _clip(_finding_label(f), 60)))
    items.append(postback_action(NO, "a=fbx", NO))
    return [text("どの指摘が違うと思う?下のボタンから選んでね。", quick=quick_reply(items))]


def pick_label(q: dict[str, str]) -> list[Msg]:
    ctx = context_from_data(q)
    if ctx is None:
        return [text(STALE)]
    found = {f.label for f in ctx.findings}
    bubbles = []
    for title, color, labels in (("直したいところ", NG, NG_LABELS), ("いいところ", GOOD, GOOD_LABELS)):
        buttons = []
        for label in labels:
            data = encode("fbm", {"s": "ok", "l": label, **ctx.params()}, ctx.text)
            name = LABEL_JA[label] + (" (指摘あり)" if label in found else "")
            buttons.append(_link(postback_action(name, data, f"見落とし:{LABEL_JA[label]}")) | {"color": color})
        bubbles.append(_bubble(f"見落とし:{title}", [_t("見落としていたものを選んでね。", color=MUTED)], buttons))
    return [flex("見落としていたものを選んでね", {"type": "carousel", "contents": bubbles})]


def _chosen(kind: str, q: dict[str, str], ctx: Context) -> tuple[str, str | None, int | None, int | None] | None:
    """(label, source, start, end) the user chose, or None when the data does not say."""
    if kind == "dispute":
        i = q.get("i", "")
        if not i.isdigit() or int(i) >= len(ctx.findings):
            return None
        f = ctx.findings[int(i)]
        return f.label, f.source, f.start, f.end
    label = q.get("l")
    return (label, None, None, None) if label in LABELS else None


def _confirm(body: str, yes: Msg, no: Msg, alt: str) -> Msg:
    return {
        "type": "template",
        "altText": _clip(alt, 400),
        "template": {"type": "confirm", "text": _clip(body, 240), "actions": [yes, no]},
    }


def ask_consent(kind: str, q: dict[str, str]) -> list[Msg]:
    ctx = context_from_data(q)
    chosen = ctx and _chosen(kind, q, ctx)
    if ctx is None or not chosen:
        return [text(STALE)]
    action = "fbd" if kind == "dispute" else "fbm"
    keep: dict[str, str] = {k: q[k] for k in ("i", "l") if k in q}
    name = LABEL_JA[chosen[0]]
    what = f"「{name}」の指摘は違う" if kind == "dispute" else f"「{name}」を見落としていた"
    later = "文面も送るかは、このあと選べるよ。" if ctx.text is not None else "文面は長いので送らないよ。"
    body = f"{what}、と仲直りに知らせてもいい?分析を見直すのに使うよ。送るのはラベルや文体などだけ。{later}"
    next_step = "txt" if ctx.text is not None else "save"
    yes = postback_action("はい", encode(action, {"s": next_step, **keep, "x": "0", **ctx.params()}, ctx.text), "はい")
    return [_confirm(body, yes, postback_action("いいえ", "a=fbx", "いいえ"), f"{what}、と知らせる?")]


def ask_text(kind: str, q: dict[str, str]) -> list[Msg]:
    ctx = context_from_data(q)
    if ctx is None or ctx.text is None or not _chosen(kind, q, ctx):
        return [text(STALE)]
    action = "fbd" if kind == "dispute" else "fbm"
    keep: dict[str, str] = {k: q[k] for k in ("i", "l") if k in q}
    body = "文面も一緒に送る?送ると分析の見直しのために文面を保存するよ。送らなければ、文面は保存しないよ。"
    with_text = postback_action("文面も送る", encode(action, {"s": "save", **keep, "x": "1", **ctx.params()}, ctx.text))
    without = postback_action("送らない", encode(action, {"s": "save", **keep, "x": "0", **ctx.params()}, ctx.text))
    return [
        _confirm(body, with_text | {"displayText": "文面も送る"}, without | {"displayText": "文面は送らない"}, body)
    ]


@dataclass(frozen=True)
class ToStore:
    kind: str
    label: str
    source: str | None
    register: str | None
    relationship: str | None
    text: str | None
    span: tuple[int, int] | None
    note: str


def to_store(kind: str, q: dict[str, str]) -> ToStore | None:
    """What the user agreed to store (after both answers), or None when the data is not readable."""
    ctx = context_from_data(q)
    chosen = ctx and _chosen(kind, q, ctx)
    if ctx is None or not chosen:
        return None
    label, source, start, end = chosen
    share = q.get("x") == "1" and ctx.text is not None
    span = (start, end) if share and start is not None and end is not None else None
    if share:
        note = THANKS
    elif ctx.text is None:
        note = TOO_LONG_NOTE + "\n" + THANKS.split("\n", 1)[1]
    else:
        note = THANKS_NO_TEXT
    return ToStore(kind, label, source, ctx.register, ctx.relationship, ctx.text if share else None, span, note)
