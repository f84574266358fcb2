"""ガイド: the knowledge base as readable, cross-linked pages.

Stage and relationship pages come from ``knowledge/guidance.yaml``; the example messages from
``knowledge/templates``; the NG behaviours from the label set. The few framing paragraphs below
(principles, the three steps) are the product's own words for the domain facts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..advise.guidance import load_guidance
from ..advise.templates import templates_for
from ..labels import LABEL_JA, NG_LABELS, RELATIONSHIP_JA, STAGE_JA, Relationship, Stage

PRINCIPLES: list[tuple[str, str]] = [
    (
        "謝ったところが、スタートです",
        "謝罪はゴールではなく、信頼を取り戻していく道のりの入り口です。大事なのは、そのあとに何を言い、何をするかです。",
    ),
    (
        "「ごめん」に、これからを添える",
        "謝るだけでは、気持ちの半分しか届きません。「次はこうする」という変わる意思を添えてはじめて、言葉に重みが出ます。",
    ),
    (
        "言葉と行動をセットで",
        "約束を守る、相手の立場で考える、小さな気づかいを続ける。言葉を行動で裏づけることが、信頼を戻すいちばんの近道です。",
    ),
    (
        "説明より、共感を",
        "相手が求めているのは事情の説明ではなく、「つらい思いをさせた」とわかってもらうことです。",
    ),
    (
        "やりがちな三つに気をつける",
        "謝った直後の冗談、相手の反応を急かすこと、「自分は悪くない」という言い分。とくに自己正当化は、謝罪そのものを打ち消してしまいます。",
    ),
]

STRENGTH: list[tuple[str, str]] = [
    ("感謝を添える", "話を聞いてくれたこと、時間をつくってくれたこと、許してくれたことに「ありがとう」を。"),
    ("自分の非を具体的に", "「悪かった」で終わらせず、何がいけなかったのかを自分の言葉で。"),
    ("相手の気持ちを主語に", "自分の事情ではなく、相手がどう感じたか、どんな立場だったかを中心に。"),
]

THREE_STEPS: list[tuple[str, str, str]] = [
    ("謝る", "まず一言、自分の言葉で謝ります。", "apology"),
    ("自分の非を具体的に", "何がいけなかったのかを、ひとつに絞って書きます。", "responsibility"),
    ("これからを約束する", "次にどうするかを、小さくても具体的に伝えます。", "commitment"),
]

NG_EXPLAINED: dict[str, str] = {
    "excuse": "「でも、あのときは…」と事情を並べると、謝罪が言い訳に変わって聞こえます。",
    "blame_shift": "「そっちにも原因がある」と返すのは、いちばん関係をこじらせる言い方です。",
    "rushing": "「もう許してくれた?」「返事まだ?」は、相手のペースを奪ってしまいます。",
    "entitlement": (
        "「謝ったんだからもういいでしょ」は、謝れば済むという態度に聞こえ、謝罪の意味を自分で消してしまいます。"
    ),
    "levity": "謝った直後の「(笑)」や軽いノリは、反省していないように見えます。",
    "conditional": ("「嫌な思いをしたなら」と条件をつけると、相手の受け取り方のせいにしているように聞こえます。"),
    "minimization": "「そんなに怒ること?」は、相手の気持ちを小さく扱うことになります。",
}


@dataclass
class Link:
    href: str
    title: str
    note: str = ""


@dataclass
class GuidePage:
    slug: str
    title: str
    lead: str = ""
    sections: list[tuple[str, list[str]]] = field(default_factory=list)  # (heading, paragraphs/items)
    donts: list[tuple[str, str]] = field(default_factory=list)
    examples: list[tuple[str, str]] = field(default_factory=list)  # (id, text)
    related: list[Link] = field(default_factory=list)
    compose_link: str | None = None


def index() -> dict[str, list[Link]]:
    g = load_guidance()
    return {
        "basics": [
            Link("/guide/principles", "謝ったあとの基本", "まず押さえたい考え方"),
            Link(
                "/guide/three-steps",
                "信頼を取り戻すメッセージの3ステップ",
                g.related[0].summary if g.related else "",
            ),
            Link("/guide/dont", "謝ったあとにやってはいけないこと", "言い訳・急かす・済んだことにする"),
            Link("/guide/examples", "恋人・友だちへの謝罪メッセージ例", "関係と状況に合った文例"),
            Link("/guide/channel", "LINEで謝るのは失礼?", "伝え方の選び方"),
        ],
        "relationships": [
            Link(f"/guide/relationship/{r.value}", RELATIONSHIP_JA[r.value], g.relationships[r].focus)
            for r in Relationship
        ],
        "stages": [Link(f"/guide/stage/{s.value}", STAGE_JA[s.value], g.stages[s].summary) for s in Stage],
    }


def _rel_links(exclude: str | None = None) -> list[Link]:
    return [
        Link(f"/guide/relationship/{r.value}", RELATIONSHIP_JA[r.value]) for r in Relationship if r.value != exclude
    ]


def _stage_links(stages: list[Stage]) -> list[Link]:
    return [Link(f"/guide/stage/{s.value}", STAGE_JA[s.value]) for s in stages]


def page(slug: str, name: str | None = None) -> GuidePage | None:
    g = load_guidance()
    if slug == "principles":
        return GuidePage(
            slug,
            "謝ったあとの基本",
            "謝罪は一度言って終わりではなく、そのあとの関わり方まで含めたものです。",
            sections=[(t, [b]) for t, b in PRINCIPLES]
            + [("言葉に力を持たせる三つのこと", [f"{t}:{b}" for t, b in STRENGTH])],
            related=[
                Link("/guide/three-steps", "3ステップで組み立てる"),
                Link("/guide/dont", "やってはいけないこと"),
                *_rel_links(),
            ],
        )
    if slug == "three-steps":
        return GuidePage(
            slug,
            "信頼を取り戻すメッセージの3ステップ",
            "短くていいので、この順番で組み立てます。",
            sections=[
                (f"{k}. {t}", [b, f"チェックでは「{LABEL_JA[lab]}」として色がつきます。"])
                for k, (t, b, lab) in enumerate(THREE_STEPS, 1)
            ]
            + [("最後にひとこと", ["聞いてくれたことへの「ありがとう」を添えると、ぐっと温かくなります。"])],
            related=[
                Link("/", "書いた文をチェックする"),
                Link("/compose", "事実から文面をつくる"),
                Link("/guide/examples", "文例を見る"),
            ],
        )
    if slug == "dont":
        stage_donts = [(f"{STAGE_JA[s.value]}:{d.what}", d.why) for s in Stage for d in g.stages[s].dont][:12]
        return GuidePage(
            slug,
            "謝ったあとにやってはいけないこと",
            "せっかくの謝罪を台なしにしやすい言い方と行動です。",
            sections=[("言葉で気をつけたい七つ", [f"{LABEL_JA[lab]}:{NG_EXPLAINED[lab]}" for lab in NG_LABELS])],
            donts=stage_donts,
            related=[
                Link("/guide/principles", "基本の考え方"),
                *_stage_links([Stage.not_forgiven, Stage.no_reply]),
            ],
        )
    if slug == "channel":
        c = g.channels
        return GuidePage(
            slug,
            "LINEで謝るのは失礼?",
            c.unknown,
            sections=[
                ("小さな行き違い", [c.small]),
                ("信頼に関わること", [c.serious]),
                ("会えないとき", [c.message_only]),
                ("返事を待っているとき", [c.wait]),
                ("仕事の相手", [c.work, c.work_wait]),
            ],
            related=[
                *_stage_links([Stage.just_apologized, Stage.no_reply]),
                Link("/guide/relationship/work", "職場・取引先"),
            ],
        )
    if slug == "examples":
        rel = name if name in ("partner", "friend", "family", "work") else "partner"
        examples = []
        for s in (Stage.just_apologized, Stage.days_later, Stage.no_reply, Stage.awkward):
            for t in templates_for(rel, s.value)[:2]:
                examples.append((t.id, f"【{STAGE_JA[s.value]}】{t.text}"))
        return GuidePage(
            slug,
            f"{RELATIONSHIP_JA[rel]}への謝罪メッセージ例",
            "そのまま送らず、自分の言葉に直してからチェックしましょう。",
            examples=examples,
            related=[
                Link(f"/guide/examples?relationship={r.value}", f"{RELATIONSHIP_JA[r.value]}の文例")
                for r in Relationship
                if r.value != rel
            ]
            + [Link("/guide/three-steps", "3ステップ")],
            compose_link=f"/compose?relationship={rel}",
        )
    if slug == "relationship" and name:
        try:
            rel_e = Relationship(name)
        except ValueError:
            return None
        rg = g.relationships[rel_e]
        return GuidePage(
            slug,
            f"{RELATIONSHIP_JA[rel_e.value]}との仲直り",
            rg.focus,
            sections=[("心がけたいこと", rg.do), ("言葉づかい", [rg.tone])],
            donts=[(d.what, d.why) for d in rg.dont],
            related=[
                *_stage_links(list(Stage)[:6]),
                Link(f"/guide/examples?relationship={rel_e.value}", "文例"),
                *_rel_links(rel_e.value),
            ],
            compose_link=f"/compose?relationship={rel_e.value}",
        )
    if slug == "stage" and name:
        try:
            stg = Stage(name)
        except ValueError:
            return None
        sg = g.stages[stg]
        timing = sg.timing
        basis = "謝った日" if timing.basis == "apology" else "最後に連絡した日"
        when = (
            f"{basis}から{timing.earliest_days}日後"
            if timing.earliest_days == timing.latest_days
            else f"{basis}から{timing.earliest_days}〜{timing.latest_days}日後"
        )
        if timing.earliest_days == 0 and timing.latest_days > 0:
            when = f"{basis}から{timing.latest_days}日以内"
        if timing.earliest_days == timing.latest_days == 0:
            when = "謝った当日" if timing.basis == "apology" else "最後に連絡したその日"
        others = [s for s in Stage if s != stg]
        return GuidePage(
            slug,
            STAGE_JA[stg.value],
            sg.summary,
            sections=[("できること", sg.do), ("なぜ", [sg.why]), ("次の連絡の目安", [f"{when}。{timing.note}"])],
            donts=[(d.what, d.why) for d in sg.dont],
            related=[*_rel_links(), *_stage_links(others[:4]), Link("/guide/dont", "やってはいけないこと")],
            compose_link=f"/compose?stage={stg.value}",
        )
    return None
