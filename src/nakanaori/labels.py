"""The label contract of ``shared/spec/labels.md``: message labels, register, relationships, stages."""

from __future__ import annotations

from enum import StrEnum


class Relationship(StrEnum):
    partner = "partner"
    friend = "friend"
    work = "work"
    family = "family"


class Stage(StrEnum):
    just_apologized = "just_apologized"
    days_later = "days_later"
    not_forgiven = "not_forgiven"
    cold = "cold"
    no_reply = "no_reply"
    rejected = "rejected"
    awkward = "awkward"
    distance = "distance"
    not_my_fault = "not_my_fault"
    improve = "improve"


class Register(StrEnum):
    casual = "casual"
    polite = "polite"
    honorific = "honorific"


class Purpose(StrEnum):
    """What a message is for: every template has one, and every plan step that sends something names the
    one its example must have (the plan shows a template of that purpose)."""

    thanks = "thanks"  # お礼: for listening, for the time
    apology = "apology"  # 傷つけたことへの謝罪
    forward_note = "forward_note"  # 前向きなひとこと: glad we talked, let's go on
    light_topic = "light_topic"  # 謝罪とは関係のない、いつもの軽い話題
    invitation = "invitation"  # 一緒に何かしようという誘い
    check_in = "check_in"  # 答えを求めない、気づかいの様子うかがい
    step_back = "step_back"  # 距離を置きたい気持ちを受け止め、この件では追いかけないと伝える
    waiting = "waiting"  # 気持ちは変わらない、話せるまで待つ
    acknowledgement = "acknowledgement"  # 相手の怒りやつらさを受け止める
    no_reply_needed = "no_reply_needed"  # 返事はいらないと添えた、短く軽い一通(謝罪は繰り返さない)
    acceptance = "acceptance"  # 相手の決断を受け止め、これまでに感謝する
    as_before = "as_before"  # 気をつかわなくていい、いつもどおりでいよう
    learning = "learning"  # 学んだことと、これから変えること
    progress_report = "progress_report"  # 仕事: 改善の進み具合・約束したことの報告


PURPOSE_JA: dict[str, str] = {
    "thanks": "お礼",
    "apology": "謝罪",
    "forward_note": "前向きなひとこと",
    "light_topic": "いつもの軽い話題",
    "invitation": "誘い",
    "check_in": "様子うかがい",
    "step_back": "距離を受け止める",
    "waiting": "待っていると伝える",
    "acknowledgement": "気持ちを受け止める",
    "no_reply_needed": "返事のいらない一通",
    "acceptance": "決断を受け止める",
    "as_before": "いつもどおりに",
    "learning": "学んだこととこれから",
    "progress_report": "進み具合の報告",
}


GOOD_LABELS: tuple[str, ...] = (
    "apology",
    "responsibility",
    "empathy",
    "gratitude",
    "commitment",
    "patience",
    "forward",
)
NG_LABELS: tuple[str, ...] = (
    "excuse",
    "blame_shift",
    "rushing",
    "entitlement",
    "levity",
    "conditional",
    "minimization",
)
LABELS: tuple[str, ...] = GOOD_LABELS + NG_LABELS

LABEL_JA: dict[str, str] = {
    "apology": "謝罪の言葉",
    "responsibility": "自分の非を具体的に",
    "empathy": "相手への思いやり",
    "gratitude": "感謝",
    "commitment": "変化の意志・再発防止",
    "patience": "相手のペースを尊重",
    "forward": "これからの関係",
    "excuse": "言い訳",
    "blame_shift": "自己正当化・責任転嫁",
    "rushing": "反応を急かす",
    "entitlement": "謝ったことで満足",
    "levity": "軽い冗談・笑い",
    "conditional": "条件付きの謝罪",
    "minimization": "軽視",
}

RELATIONSHIP_JA: dict[str, str] = {
    "partner": "恋人・配偶者",
    "friend": "友だち",
    "work": "職場・取引先",
    "family": "家族",
}

STAGE_JA: dict[str, str] = {
    "just_apologized": "謝ったばかり",
    "days_later": "数日たった",
    "not_forgiven": "まだ許してもらえない",
    "cold": "相手が冷たい",
    "no_reply": "返事がない",
    "rejected": "もう無理と言われた",
    "awkward": "許されたけどぎこちない",
    "distance": "距離を置かれた",
    "not_my_fault": "自分は悪くないと思う",
    "improve": "前より良い関係にしたい",
}

REGISTER_JA: dict[str, str] = {
    "casual": "くだけた話し言葉",
    "polite": "です・ます",
    "honorific": "敬語(謙譲語・尊敬語)",
}


def join_choices(names: list[str] | tuple[str, ...], word: str = "か") -> str:
    """Options for the reader, each in 「」 so that names with their own ・ or () stay whole:
    「です・ます」か「敬語(謙譲語・尊敬語)」; three or more: 「A」「B」か「C」."""
    quoted = [f"「{n}」" for n in dict.fromkeys(names)]
    if len(quoted) <= 1:
        return "".join(quoted)
    return "".join(quoted[:-1]) + word + quoted[-1]


def join_names(names: list[str] | tuple[str, ...]) -> str:
    """A list of names whose own text may hold ・ (「自己正当化・責任転嫁」), joined with 、 so each stays whole."""
    return "、".join(dict.fromkeys(names))


def label_kind(label: str) -> str:
    """``"good"`` for the seven good elements, ``"ng"`` for the seven NG ones."""
    if label in GOOD_LABELS:
        return "good"
    if label in NG_LABELS:
        return "ng"
    raise ValueError(f"unknown label: {label}")


def parse_relationship(value: str | None) -> Relationship | None:
    if value is None or value == "":
        return None
    try:
        return Relationship(value.strip().lower())
    except ValueError:
        choices = ", ".join(r.value for r in Relationship)
        raise ValueError(f"unknown relationship {value!r}; choose one of: {choices}") from None


def parse_stage(value: str | None) -> Stage | None:
    if value is None or value == "":
        return None
    try:
        return Stage(value.strip().lower())
    except ValueError:
        choices = ", ".join(s.value for s in Stage)
        raise ValueError(f"unknown stage {value!r}; choose one of: {choices}") from None


# Registers that fit each relationship (labels.md §1): casual/polite for close people,
# 敬語 or です・ます for work.
RELATIONSHIP_REGISTERS: dict[Relationship, tuple[Register, ...]] = {
    Relationship.partner: (Register.casual, Register.polite),
    Relationship.friend: (Register.casual, Register.polite),
    Relationship.family: (Register.casual, Register.polite),
    Relationship.work: (Register.honorific, Register.polite),
}

# What a message needs at each stage (domain.md §4, §6): every group must be present, and a group
# is satisfied by any one of its labels.
STAGE_ELEMENTS: dict[Stage, tuple[tuple[str, ...], ...]] = {
    Stage.just_apologized: (("gratitude",),),
    Stage.days_later: (("forward",),),
    Stage.not_forgiven: (("patience",),),
    Stage.cold: (("patience", "empathy"),),
    Stage.no_reply: (("patience",),),
    Stage.rejected: (("gratitude",),),
    Stage.awkward: (("forward",),),
    Stage.distance: (("patience",),),
    Stage.not_my_fault: (("empathy",),),
    Stage.improve: (("commitment",), ("forward",)),
}

# Stages where the other person has not answered or needs space: keep it LINE-short.
SHORT_STAGES: frozenset[Stage] = frozenset(
    {Stage.no_reply, Stage.distance, Stage.not_forgiven, Stage.cold, Stage.rejected}
)
SHORT_MAX_CHARS = 80


def missing_stage_elements(stage: str | Stage, labels: list[str] | set[str] | tuple[str, ...]) -> list[str]:
    """The groups of :data:`STAGE_ELEMENTS` not covered by ``labels``, as ``"a"`` or ``"a|b"``."""
    stg = Stage(stage)
    have = set(labels)
    return ["|".join(group) for group in STAGE_ELEMENTS[stg] if not have.intersection(group)]
