"""Messages the bot sends, as LINE message objects (plain dicts, validated by the SDK when sent).

Flex bubbles are laid out for a phone: one idea per block, short lines that wrap, one clear button.
Postback data is a short query string (``a=<action>&...``); the state behind it is in the database.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

from ..labels import REGISTER_JA, RELATIONSHIP_JA, STAGE_JA, join_choices
from .core import JST, AdviceView

Msg = dict[str, Any]

ACCENT = "#E4766B"  # warm coral: the product's colour
GOOD = "#2E8B57"
NG = "#C0392B"
MUTED = "#8C8C8C"
VERDICT_COLOR = {"send": GOOD, "improve": "#B7791F", "counter": NG}

MENU_CONSULT = "相談する"
MENU_CHECK = "下書きをチェック"
MENU_REMINDERS = "予定を見る"
MENU_HELP = "使い方"
REMIND_ME = "リマインドして"
DELETE_DATA = "データ削除"

WEEKDAY_JA = "月火水木金土日"

RELATIONSHIP_BUTTONS = {
    "partner": "恋人・パートナー",
    "friend": "友だち",
    "work": "職場・取引先",
    "family": "家族",
}


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def message_action(label: str, text: str | None = None) -> Msg:
    return {"type": "message", "label": _clip(label, 20), "text": text or label}


def postback_action(label: str, data: str, display: str | None = None) -> Msg:
    action: Msg = {"type": "postback", "label": _clip(label, 20), "data": data}
    if display:
        action["displayText"] = display
    return action


SHARE_LABEL = "LINEで送る"
SHARE_BASE = "https://line.me/R/share?text="  # LINE's own share screen: the text goes from the phone
MAX_URI = 1000  # LINE's limit for a URI action's uri


def share_uri(body: str) -> str | None:
    """LINE's share URL for *body* (URL-encoded), or None when it would not fit in a URI action."""
    uri = SHARE_BASE + quote(body, safe="")
    return uri if len(uri) <= MAX_URI else None


def share_action(body: str, label: str = SHARE_LABEL) -> Msg | None:
    """「LINEで送る」: opens LINE's share screen with *body* on the user's phone — nothing passes
    through our server. None when the text is too long for LINE's URL."""
    uri = share_uri(body)
    return {"type": "uri", "label": _clip(label, 20), "uri": uri} if uri else None


def quick_reply(actions: list[Msg]) -> Msg:
    return {"items": [{"type": "action", "action": a} for a in actions[:13]]}


def menu_quick_reply() -> Msg:
    return quick_reply([message_action(x) for x in (MENU_CONSULT, MENU_CHECK, MENU_REMINDERS, MENU_HELP)])


def text(body: str, *, quick: Msg | None = None) -> Msg:
    msg: Msg = {"type": "text", "text": body[:5000]}
    if quick:
        msg["quickReply"] = quick
    return msg


def _t(body: str, **kw: Any) -> Msg:
    out: Msg = {"type": "text", "text": body or " ", "wrap": True, "size": kw.pop("size", "sm")}
    out.update(kw)
    return out


def _section(title: str, color: str = ACCENT) -> Msg:
    return _t(title, weight="bold", color=color, size="sm", margin="lg")


def _bullets(lines: list[str], limit: int = 4) -> list[Msg]:
    return [
        {
            "type": "box",
            "layout": "baseline",
            "spacing": "sm",
            "margin": "sm",
            "contents": [_t("・", flex=0, color=MUTED), _t(_clip(line, 140), flex=1)],
        }
        for line in lines[:limit]
    ]


def _bubble(header: str, body: list[Msg], footer: list[Msg] | None = None, *, sub: str = "") -> Msg:
    head: list[Msg] = [_t(header, weight="bold", size="md", color="#FFFFFF")]
    if sub:
        head.append(_t(sub, size="xs", color="#FFFFFF"))
    bubble: Msg = {
        "type": "bubble",
        "size": "mega",
        "header": {
            "type": "box",
            "layout": "vertical",
            "backgroundColor": ACCENT,
            "paddingAll": "md",
            "contents": head,
        },
        "body": {"type": "box", "layout": "vertical", "spacing": "sm", "contents": body},
    }
    if footer:
        bubble["footer"] = {"type": "box", "layout": "vertical", "spacing": "sm", "contents": footer}
    return bubble


def _button(action: Msg, *, primary: bool = True) -> Msg:
    return {
        "type": "button",
        "style": "primary" if primary else "secondary",
        "color": ACCENT if primary else "#EEEEEE",
        "height": "sm",
        "action": action,
    }


def flex(alt: str, contents: Msg, *, quick: Msg | None = None) -> Msg:
    msg: Msg = {"type": "flex", "altText": _clip(alt, 400), "contents": contents}
    if quick:
        msg["quickReply"] = quick
    return msg


# ---------------------------------------------------------------- fixed texts

GREETING = (
    "友だち追加ありがとう。謝ったあとの言葉選びを手伝う「仲直り」だよ。\n"
    "何て送ればいいのか、いつ連絡すればいいのか、迷ったときに一緒に考えるね。\n\n"
    "下のボタンから始めてね。状況をそのまま書いて送ってくれても大丈夫。"
)

HELP = (
    "できることはこの4つだよ。\n\n"
    "① 相談する\n誰とどんな状況かを教えてくれたら、"
    "気をつけたいこと・連絡するタイミング・文面の例を出すね。\n\n"
    "② 下書きをチェック\n送る前の文面を見て、いいところと直したほうがいいところを伝えるよ。"
    "「チェック:」から始めて送ってもOK。\n\n"
    "③ リマインド\n相談のあとに「リマインドして」と送ると、次に連絡するといい日にお知らせするよ。"
    "「予定を見る」で確認や取り消しができるよ。\n\n"
    "④ データ削除\n「データ削除」と送ると、このトークで保存した内容をすべて消すよ。"
)

ASK_RELATIONSHIP = "誰とのことか教えてね。状況をそのまま文章で送ってくれてもいいよ。"
ASK_STAGE = "今はどんな状況?いちばん近いものを選んでね。"
ASK_DRAFT = "チェックしたい文面を、そのまま送ってね。"
NEED_ADVICE_FIRST = "リマインドは相談のあとに設定できるよ。まずは「相談する」から状況を教えてね。"
NO_REMINDERS = "いま予定しているリマインドはないよ。相談のあとに「リマインドして」と送ると設定できるよ。"
STICKER = "スタンプありがとう。文章で送ってくれたら、相談や下書きのチェックができるよ。"
IMAGE = "ごめんね、画像の中の文字はまだ読めないんだ。文面をテキストで送ってもらえるかな?"
OTHER_MEDIA = "ごめんね、いまはテキストのメッセージだけ受け取れるよ。文章で送ってもらえるかな?"
DELETED = (
    "このトークで保存していた内容(相談の記録・予定・リマインド・会話の途中経過)をすべて削除したよ。\n"
    "また必要になったら、いつでも話しかけてね。"
)
GROUP_NOTICE = (
    "「仲直り」です。謝ったあとの相談はとても個人的な内容なので、グループやトークルームではお返事しません。"
    "ご利用の際は、このアカウントとの1対1のトークで話しかけてください。"
)
NO_SITUATION = (
    "状況がうまく読み取れなかったよ。誰に謝って、そのあと相手がどうしているかを書いてみてね"
    "(例:「彼氏に謝ったけど既読スルー」)。下のボタンから選んでもいいよ。"
)
OWN_WORDS = "自分の言葉に少し直して使ってね。"
STEP_SENT = "送ったんだね。記録しておいたよ。返事はすぐに来なくても大丈夫。焦らず待とうね。"
ERROR = "ごめんね、うまく処理できなかったみたい。少し時間をおいて、もう一度送ってもらえるかな。"


def too_long(n: int, limit: int) -> str:
    return f"長すぎて読みきれなかった…({n:,}文字)。{limit:,}文字以内にして、もう一度送ってね。"


def empty_text() -> str:
    return "文面が空っぽみたい。チェックしたい文章を送ってね。"


# ---------------------------------------------------------------- questions


def relationship_question(prefix: str = "") -> Msg:
    actions = [postback_action(label, f"a=rel&v={key}", label) for key, label in RELATIONSHIP_BUTTONS.items()]
    return text((prefix + "\n" if prefix else "") + ASK_RELATIONSHIP, quick=quick_reply(actions))


def stage_question(relationship: str | None, prefix: str = "") -> Msg:
    actions = [postback_action(label, f"a=stage&v={key}", label) for key, label in STAGE_JA.items()]
    who = RELATIONSHIP_JA.get(relationship or "", "")
    lead = f"{who}とのことだね。" if who else ""
    return text((prefix + "\n" if prefix else "") + lead + ASK_STAGE, quick=quick_reply(actions))


# ---------------------------------------------------------------- advice


def advice_message(view: AdviceView) -> Msg:
    """A carousel: the advice first, then one bubble per template with «この文面でチェック»."""
    body: list[Msg] = []
    if view.do:
        body.append(_section("大事にしたいこと"))
        body.extend(_bullets(view.do))
    if view.avoid:
        body.append(_section("避けたいこと", NG))
        body.extend(_bullets(view.avoid, 3))
    if view.timing:
        body.append(_section("連絡するタイミング"))
        body.append(_t(_clip(view.timing, 240)))
    if view.channel:
        body.append(_section("伝え方"))
        body.append(_t(_clip(view.channel, 200)))
    if not body:
        body.append(_t("焦らず、相手の気持ちを大切にしていこうね。"))
    footer = [
        _button(postback_action(REMIND_ME, "a=remind", REMIND_ME)),
        _button(message_action("ほかの状況で相談", MENU_CONSULT), primary=False),
    ]
    bubbles = [_bubble(view.title or "アドバイス", body, footer, sub="今のあなたへのアドバイス")]
    for i, tpl in enumerate(view.templates[:3]):
        buttons = [_button(postback_action("この文面でチェック", f"a=tpl&i={i}", "この文面でチェック"))]
        share = share_action(tpl)
        if share:
            buttons.append(_button(share, primary=False))
        bubbles.append(
            _bubble(
                f"文面の例 {i + 1}",
                [_t(tpl, size="md"), _t(OWN_WORDS, size="xs", color=MUTED, margin="lg")],
                buttons,
            )
        )
    alt = f"{view.title}のアドバイスと文面の例" if view.title else "アドバイスと文面の例"
    return flex(alt, {"type": "carousel", "contents": bubbles}, quick=menu_quick_reply())


# ---------------------------------------------------------------- draft check


def check_message(report: Any, footer: list[Msg] | None = None) -> Msg:
    """Findings of ``check``: what is good, what to change and why, and the suggested wording.
    *footer*: the feedback buttons (``nakanaori.line.feedback``); the quick replies offer
    「LINEで送る」 with the checked text."""
    goods = [f for f in report.findings if f.kind == "good"]
    ngs = [f for f in report.findings if f.kind == "ng"]
    body: list[Msg] = []
    # the answer first: can I send this? then how many places to fix
    v = report.verdict
    body.append(_t(v.headline, size="lg", weight="bold", color=VERDICT_COLOR.get(v.level, ACCENT)))
    if v.fix_count:
        body.append(_t(f"直すところ {v.fix_count} つ", weight="bold", margin="sm"))
    body.append(_t(v.summary, size="xs", color=MUTED, margin="sm"))
    body.append(_section("いいところ", GOOD))
    if goods:
        seen: set[str] = set()
        for f in goods:
            if f.label in seen:
                continue
            seen.add(f.label)
            body.append(_t(f"○ {f.label_ja}:「{_clip(f.text, 30)}」", color=GOOD))
            if f.hint:  # praise is earned: a will to change asks for the concrete change
                body.append(_t(_clip(f.hint, 120), size="xs"))
            if len(seen) >= 5:
                break
    else:
        body.append(_t("謝る言葉や感謝の言葉が入ると、気持ちがもっと伝わるよ。"))
    body.append(_section("直したいところ", NG))
    if ngs:
        for f in ngs[:5]:
            body.append(_t(f"× {f.label_ja}:「{_clip(f.text, 30)}」", color=NG, weight="bold"))
            if f.why:
                body.append(_t(_clip(f.why, 160), size="xs"))
            if f.suggestion:
                body.append(_t(f"→ {_clip(f.suggestion, 120)}", size="sm", color=ACCENT))
    else:
        body.append(_t("気になる表現は見つからなかったよ。"))
    if report.register_ok is False and report.expected_registers:
        want = join_choices([REGISTER_JA.get(str(r), str(r)) for r in report.expected_registers])
        body.append(_section("言葉づかい"))
        body.append(_t(f"この相手には{want}のほうが合いそう。"))
    tips = list(dict.fromkeys(report.next_edits))[:2]
    if tips:
        body.append(_section("ひとこと"))
        body.extend(_bullets(tips, 2))
    alt = f"下書きチェック:{v.headline}"
    actions = [message_action("もう一度チェック", MENU_CHECK), message_action(MENU_CONSULT)]
    share = share_action(report.text)
    if share:
        actions.insert(0, share)
    return flex(alt, _bubble("下書きチェックの結果", body, footer), quick=quick_reply(actions))


# ---------------------------------------------------------------- reminders


def format_when(when: dt.datetime) -> str:
    local = when.astimezone(JST)
    return f"{local.month}月{local.day}日({WEEKDAY_JA[local.weekday()]}){local:%H:%M}"


def reminders_message(items: list[tuple[int, dt.datetime, str]], *, lead: str = "") -> Msg:
    """Pending reminders (id, due, title), each with a «取り消す» button."""
    rows: list[Msg] = []
    if lead:
        rows.append(_t(lead))
    for rid, due, title in items[:10]:
        rows.append(
            {
                "type": "box",
                "layout": "horizontal",
                "margin": "lg",
                "spacing": "sm",
                "contents": [
                    {
                        "type": "box",
                        "layout": "vertical",
                        "flex": 3,
                        "contents": [
                            _t(format_when(due), size="xs", color=MUTED),
                            _t(_clip(title, 60), size="sm"),
                        ],
                    },
                    {
                        "type": "button",
                        "flex": 2,
                        "style": "secondary",
                        "height": "sm",
                        "gravity": "center",
                        "action": postback_action("取り消す", f"a=cancel&id={rid}", "リマインドを取り消す"),
                    },
                ],
            }
        )
    if len(items) > 10:
        rows.append(_t(f"ほか{len(items) - 10}件", size="xs", color=MUTED))
    bubble = _bubble("リマインドの予定", rows)
    return flex(f"リマインドの予定({len(items)}件)", bubble, quick=menu_quick_reply())


SENT_LABEL = "送ったよ"


def reminder_message(body: str, step_id: int | None, template: str) -> Msg:
    """The reminder push: its text, and — when the step has an example — the quick replies
    「LINEで送る」 (the example, through LINE's share screen) and 「送ったよ」 (marks the step as sent in
    the journal; a URI action cannot tell us that it was used)."""
    actions: list[Msg] = []
    if template:
        share = share_action(template)
        if share:
            actions.append(share)
        if step_id:
            actions.append(postback_action(SENT_LABEL, f"a=sent&id={step_id}", SENT_LABEL))
    return text(body, quick=quick_reply(actions) if actions else None)


def reminder_push_text(title: str, reason: str, template: str) -> str:
    parts = [f"【仲直り リマインド】\n{title}"]
    if reason:
        parts.append(reason)
    if template:
        parts.append(f"文面の例:\n{template}")
    parts.append("相手に送る前に、頭に「チェック:」をつけてここに送ってくれたら、一緒に文面を見るよ。")
    return "\n\n".join(parts)
