"""``compose``: write a follow-up message from the user's own facts, in the register the relationship needs.

The user gives up to three facts in their own words — what I did (``did``), what I will change
(``will``), what I'm thankful for (``thanks``). Each is parsed and conjugated into the sentence
(:mod:`nakanaori.compose.conjugate`), framed by short sentences that carry what the stage needs (thanks the
same day, patience when there is no reply …). Candidates are run through ``check``; those with an NG
element are dropped, the rest are ordered by whether they carry the stage's elements and their score.
A fact that itself contains an NG element (an excuse in ``did``) is left out, with a warning.
"""

from __future__ import annotations

import re
import warnings
from itertools import product
from typing import cast

from pydantic import BaseModel, Field

from ..check.checker import CheckReport, check
from ..errors import InputError
from ..labels import (
    LABEL_JA,
    REGISTER_JA,
    RELATIONSHIP_JA,
    RELATIONSHIP_REGISTERS,
    Register,
    Relationship,
    Stage,
    join_choices,
    missing_stage_elements,
)
from ..labels import parse_relationship as _parse_rel
from ..labels import parse_stage as _parse_stage
from ..text.tokenizer import tokenize
from .conjugate import ConjugationError, Predicate, apology_clause, clean, parse, thanks_clause, will_clause
from .guard import broken_join
from .phrases import RegisterName, WorkPolite, phrases

warnings.filterwarnings("ignore", message='Field name "register"', category=UserWarning)

MAX_FACT_CHARS = 200
FACT_JA = {"did": "したこと", "will": "これから変えること", "thanks": "感謝していること"}
_SURROGATES = re.compile("[\ud800-\udfff]")
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")
_ALREADY_PREFIXED = re.compile(r"^(これから|次から|次回から|今後|明日から|来週から|もう二度と|二度と)")

# stages where the other person needs space: no promise-making, keep it short
NO_PROMISE_STAGES = {Stage.no_reply, Stage.distance, Stage.rejected}
# stages whose guidance says not to bring the apology back (あの件をむし返す / 謝罪をもう一度くり返す)
NO_APOLOGY_STAGES = {Stage.days_later, Stage.awkward}
# best first: the verdict for the stage (check's ``verdict.level``)
_VERDICT_ORDER = {"send": 0, "improve": 1, "counter": 2, "none": 3}


class Variant(BaseModel):
    text: str
    register: str = Field(...)  # required (see CheckReport.register)
    labels: list[str]
    score: int | None
    stage_elements_ok: bool
    report: CheckReport
    shape: int = 0  # which of the stage's three structures (compose.yaml ``shapes``) the text is built on


class Composition(BaseModel):
    relationship: str
    stage: str
    register: str = Field(...)  # required (see CheckReport.register)
    facts: dict[str, str | None]
    used_facts: list[str]
    variants: list[Variant]
    warnings: list[str] = Field(default_factory=list)


# --- input validation ----------------------------------------------------------------------------


def _bad(message_ja: str, message_en: str, code: str = "bad_option") -> InputError:
    return InputError(code, message_ja, message_en)


def _clean_fact(name: str, value: str | None) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise _bad(f"「{FACT_JA[name]}」は文字列で入力してください。", f"{name} must be a string")
    # lone surrogates cannot be encoded (the tokenizer and any output would fail on them): drop them,
    # as normalisation does for checked text
    text = " ".join(_SURROGATES.sub("", value).split())
    if not text:
        return None
    if len(text) > MAX_FACT_CHARS:
        raise _bad(
            f"「{FACT_JA[name]}」が長すぎます({len(text):,}文字)。1つの事実は{MAX_FACT_CHARS}文字以内で、短く書いてください。",
            f"{name} too long: {len(text)} > {MAX_FACT_CHARS} characters",
            code="too_long",
        )
    if not _JAPANESE.search(text):
        raise _bad(
            f"「{FACT_JA[name]}」に日本語が見つかりません。日本語で書いてください(例:「約束の時間に遅れた」)。",
            f"{name} has no Japanese text",
        )
    return text


_FACT_EXAMPLES = {"did": "約束の時間に遅れた", "will": "出る30分前にアラームをかける", "thanks": "話を聞いてくれた"}


def _why_not_a_sentence(text: str) -> tuple[str, str]:
    """What is wrong with a fact that does not parse, in the user's terms (ja) and for logs (en):
    only an apology or thanks word, an ending in a particle, or an ending in another word."""
    phrase = clean(text)
    if not phrase:
        return "「ごめん」「ありがとう」のような言葉だけでは、何についてなのかが分かりません。", "no content"
    words = [m for m in tokenize(phrase) if m.pos[0] not in ("補助記号", "空白")]
    if not words:
        return "記号だけでは、何についてなのかが分かりません。", "no content"
    last = words[-1]
    if last.pos[0] == "助詞":
        return f"「{last.surface}」のような助詞で終わる形は使えません。", "ends in a particle"
    return f"「{last.surface}」で終わっていて、文になっていません。", f"ends in a {last.pos[0]}"


def _parse_fact(name: str, text: str) -> Predicate:
    try:
        return parse(text)
    except ConjugationError:
        why_ja, why_en = _why_not_a_sentence(text)
        raise _bad(
            f"「{FACT_JA[name]}」を、動詞などで終わる文の形で書いてください(例:「{_FACT_EXAMPLES[name]}」)。{why_ja}",
            f"{name} does not end in a predicate: {why_en}",
        ) from None


def _resolve(relationship: str, stage: str, register: str | None) -> tuple[Relationship, Stage, str]:
    try:
        rel = _parse_rel(relationship)
        stg = _parse_stage(stage)
    except ValueError as exc:
        raise _bad(f"指定が正しくありません: {exc}", str(exc)) from None
    if rel is None or stg is None:
        raise _bad("関係(--relationship)と段階(--stage)を指定してください。", "relationship and stage are required")
    fits = RELATIONSHIP_REGISTERS[rel]
    if register is None or register == "":
        return rel, stg, fits[0].value
    try:
        reg = Register(register.strip().lower())
    except ValueError:
        choices = ", ".join(r.value for r in Register)
        raise _bad(
            f"文体 {register!r} は使えません。{choices} から選んでください。", f"unknown register {register!r}"
        ) from None
    if reg not in fits:
        ok = join_choices([REGISTER_JA[r.value] for r in fits])
        raise _bad(
            f"{RELATIONSHIP_JA[rel.value]}には「{REGISTER_JA[reg.value]}」は合いません。{ok}を選んでください。",
            f"register {reg.value} does not fit {rel.value}",
        )
    return rel, stg, reg.value


# --- composing ------------------------------------------------------------------------------------


def _apology(p: Predicate, reg: RegisterName, stage: Stage, k: int) -> str:
    pool = phrases().apology_hurt if stage in (Stage.not_my_fault, Stage.cold) else phrases().apology
    return pool[reg][k].format(c=apology_clause(p, reg), cc=apology_clause(p, reg, colloquial=True))


def _work_polite(reg: RegisterName, work: bool) -> WorkPolite | None:
    """The work bank when writing to work in です・ます (the polite bank is written for people close to the user)."""
    return phrases().work_polite if work and reg == "polite" else None


def _thanks(p: Predicate, reg: RegisterName, k: int, close: bool, work: bool = False) -> str:
    t = thanks_clause(p, reg, close=close)
    sep = "" if t.endswith("を") else "、"
    wp = _work_polite(reg, work)
    return (wp.thanks if wp else phrases().thanks[reg])[k].format(t=t, sep=sep)


def _will(p: Predicate, source: str, reg: RegisterName, k: int) -> str:
    w = will_clause(p, reg)
    ws = will_clause(p, reg, soft=True)
    if _ALREADY_PREFIXED.match(source):
        return (ws if k == 1 and reg == "casual" else w) + "。"
    return phrases().will[reg][k].format(w=w, ws=ws)


def _candidate(
    stage: Stage,
    reg: RegisterName,
    did: Predicate | None,
    will: tuple[Predicate, str] | None,
    thanks: Predicate | None,
    shape: int,
    k: int,
    k_closer: int,
    close: bool = False,
    work: bool = False,
) -> str:
    """One text on the stage's structure ``shape`` (compose.yaml ``shapes``), with phrase ``k`` in each slot."""
    bank = phrases()
    wp = _work_polite(reg, work)
    thanks_s = _thanks(thanks, reg, k, close, work) if thanks else ""
    if stage is Stage.just_apologized and not thanks:
        thanks_s = (wp.thanks_fallback if wp else bank.thanks_fallback[reg])[k]
    apology_s = _apology(did, reg, stage, k) if did and stage not in NO_APOLOGY_STAGES else ""
    if stage is Stage.not_my_fault and not did:
        apology_s = bank.empathy_fallback[reg][k]
    will_s = ""
    if stage not in NO_PROMISE_STAGES:
        if will:
            will_s = _will(will[0], will[1], reg, k)
        elif stage is Stage.improve:
            will_s = (wp.will_fallback if wp else bank.will_fallback[reg])[k]
    closer = (wp.closer[stage] if wp else bank.closer[stage][reg])[k_closer]
    if stage is Stage.rejected and thanks_s and "thanks" in bank.shapes[stage][shape]:
        closer = closer.split("。")[0] + "。" if "ありがとう" in closer or "感謝" in closer else closer
    slots = {
        "apology": apology_s,
        "thanks": thanks_s,
        "will": will_s,
        "opening": (wp.opening[stage] if wp else bank.opening[stage][reg])[k],
        "closer": closer,
    }
    order = bank.shapes[stage][shape]
    if sum(1 for x in order if slots[x]) < 2 and "opening" not in order:
        order = ["opening", *order]  # nothing of the user's to say here: open with the stage's own sentence
    return "".join(slots[x] for x in order if slots[x])


def compose(
    relationship: str,
    stage: str,
    *,
    did: str | None = None,
    will: str | None = None,
    thanks: str | None = None,
    register: str | None = None,
) -> Composition:
    """Three variants of a follow-up message built from the user's facts, best first.

    Raises :class:`nakanaori.errors.InputError` for unknown options, a register that does not fit the
    relationship, no facts at all, a fact over :data:`MAX_FACT_CHARS` characters or without Japanese,
    and a fact that does not end in a predicate.
    """
    rel, stg, reg = _resolve(relationship, stage, register)
    given = {"did": did, "will": will, "thanks": thanks}
    facts = {name: _clean_fact(name, value) for name, value in given.items()}
    if not any(facts.values()):
        raise _bad(
            "事実が1つもありません。--did(したこと)・--will(これから変えること)・--thanks(感謝していること)の"
            "どれかを入力してください。",
            "no facts given",
            code="empty",
        )
    warn: list[str] = []
    parsed: dict[str, Predicate] = {}
    own_registers: set[str] = set()  # the user's own respect level (お義母さんが聞いてくださった) is kept
    for name, text in facts.items():
        if text is None:
            continue
        own = check(text)
        if own.register:
            own_registers.add(own.register)
        if own.ng:
            found = "・".join(LABEL_JA[x] for x in own.ng)
            hint = next((f.suggestion for f in own.findings if f.kind == "ng" and f.suggestion), None)
            warn.append(
                f"「{FACT_JA[name]}」に{found}と受け取られる表現があるため、文面には入れていません。"
                + (f"言い換えの例: {hint}" if hint else "相手の気持ちを中心に書き直しましょう。")
            )
            continue
        parsed[name] = _parse_fact(name, text)
    if facts["will"] and stg in NO_PROMISE_STAGES and "will" in parsed:
        warn.append(
            "この段階では、約束の言葉は相手に重く感じられやすいので文面には入れていません。行動で示していきましょう。"
        )
    if facts["did"] and stg in NO_APOLOGY_STAGES and "did" in parsed:
        warn.append(
            "この段階では、あの件を持ち出して謝り直すと、落ち着いた空気をまた重くしてしまいやすいので、"
            "「したこと」は文面に入れていません。"
        )
    skip = {"will"} if stg in NO_PROMISE_STAGES else {"did"} if stg in NO_APOLOGY_STAGES else set()
    used = [n for n in ("did", "will", "thanks") if n in parsed and n not in skip]
    will_arg = (parsed["will"], facts["will"] or "") if "will" in parsed else None

    # です・ます to someone close (an in-law, a friend): thanks in plain giving verbs (聞いてもらって), unless the
    # user wrote 敬語 themselves (聞いてくださった is kept)
    close = rel is not Relationship.work and reg == "polite"
    seen: set[str] = set()
    candidates: list[Variant] = []
    # each of the stage's three structures, its own phrases first (variant n: shape n, phrase n), then others
    for shape in range(3):
        n_found = 0
        for k, kc in [(shape, shape), *((shape, x) for x in range(3)), *product(range(3), repeat=2)]:
            text = _candidate(
                stg,
                cast(RegisterName, reg),
                parsed.get("did"),
                will_arg,
                parsed.get("thanks"),
                shape,
                k,
                kc,
                close,
                work=rel is Relationship.work,
            )
            if not text or text in seen or _repeats_itself(text) or broken_join(text):
                continue
            seen.add(text)
            rep = check(text, relationship=rel.value, stage=stg.value)
            if rep.ng or (rep.register_ok is False and rep.register not in own_registers):
                continue
            if rep.verdict.level != "send":  # every variant gets check's best verdict at its relationship and stage
                continue
            candidates.append(
                Variant(
                    text=text,
                    register=reg,
                    labels=rep.labels,
                    score=rep.score,
                    stage_elements_ok=not missing_stage_elements(stg, rep.labels),
                    report=rep,
                    shape=shape,
                )
            )
            n_found += 1
            if n_found >= 2 or (n_found and rep.verdict.level == "send" and candidates[-1].stage_elements_ok):
                break

    def rank(v: Variant) -> tuple[int, bool, int]:
        return (_VERDICT_ORDER.get(v.report.verdict.level, 3), not v.stage_elements_ok, -(v.score or 0))

    candidates.sort(key=rank)
    # pick three that differ from each other, then present them best first
    variants = sorted(_diverse(candidates, 3), key=rank)
    if not variants:
        warn.append("条件に合う文面を作れませんでした。事実の書き方を変えてお試しください。")
    elif any(not v.stage_elements_ok for v in variants):
        lacking = missing_stage_elements(stg, variants[-1].labels)
        wanted = "・".join(LABEL_JA[x.split("|")[0]] for x in lacking)
        if wanted:
            warn.append(f"この段階で大切な要素({wanted})が、解析では確認できなかった文面があります。")
    return Composition(
        relationship=rel.value,
        stage=stg.value,
        register=reg,
        facts=facts,
        used_facts=used,
        variants=variants,
        warnings=warn,
    )


_ECHOES = (("これからは", "これからも"), ("今後は", "今後とも"), ("今度からは", "今度"), ("次からは", "次も"))


def _repeats_itself(text: str) -> bool:
    """「これからは…。これからも…」 reads clumsy: two sentences opening with the same time word."""
    return any(a in text and b in text.replace(a, "", 1) for a, b in _ECHOES)


def _sentences(text: str) -> set[str]:
    return {x for x in text.split("。") if x}


def _first(text: str) -> str:
    return text.split("。")[0]


def _diverse(cands: list[Variant], n: int) -> list[Variant]:
    """The best ``n``, each next one on another structure where one is as good, else sharing as few sentences
    as possible with those already chosen."""
    out: list[Variant] = []
    pool = list(cands)
    while pool and len(out) < n:
        if not out:
            pick = pool[0]
        else:

            def distance(v: Variant) -> tuple[int, bool, bool, int, int]:
                shared = max(len(_sentences(v.text) & _sentences(o.text)) for o in out)
                same_opening = any(_first(v.text) == _first(o.text) for o in out)
                same_shape = any(v.shape == o.shape for o in out)
                return (_VERDICT_ORDER.get(v.report.verdict.level, 3), same_opening, same_shape, shared, pool.index(v))

            pick = min(pool, key=distance)
        out.append(pick)
        pool.remove(pick)
    return out
