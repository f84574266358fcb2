"""Read a free-text situation ("彼氏に謝ったのに未読のまま2日…") into relationship, stage and facts.

The text is analysed once (:func:`nakanaori.text.analysis.analyze`: the same normalisation, sentences,
quotes, speakers and negation as ``check``), and every cue of ``knowledge/situations.yaml`` runs on it as
a rule of the shared engine (:mod:`nakanaori.advise.cues`). Then, in small modules:

* :mod:`~nakanaori.advise.relationship` — who the other person is;
* :mod:`~nakanaori.advise.dates` and :mod:`~nakanaori.advise.facts` — days, channel, counts, forgiven;
* :mod:`~nakanaori.advise.stage` — the cues' weights per stage and the final decision.

Explicit choices override inference.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal, cast

from ..check.engine import RawMatch, run_rules
from ..errors import InputError, validate_text
from ..labels import Stage, parse_relationship, parse_stage
from ..text.analysis import Analysis, analyze
from ..text.normalize import has_japanese
from .cues import SITUATIONS_FILE, CueRule, SituationLexicon, load_situation_lexicon, load_situation_lexicon_from
from .facts import read_facts
from .models import CHANNELS, Channel, Evidence, Facts, Severity, Situation
from .relationship import read_relationship
from .spans import Spans
from .stage import decide_stage, score_stages
from .stage_model import shipped_stage_model

# below this confidence in the reading (the less sure of relationship and stage), advise asks one question:
# about whichever of the two it is less sure of (``Situation.ask``)
ASK_BELOW = 0.6

__all__ = [
    "CHANNELS",
    "PRECEDENCE",
    "SITUATIONS_FILE",
    "Channel",
    "Evidence",
    "Facts",
    "Severity",
    "Situation",
    "cue_hits",
    "load_situation_lexicon",
    "load_situation_lexicon_from",
    "names_person_or_act",
    "read_situation",
]

# labels.md §3: when several stages fit, the first of this order wins (the data: decision.precedence)
PRECEDENCE: tuple[str, ...] = tuple(s.value for s in load_situation_lexicon().decision.precedence)


def _all_rules(lex: SituationLexicon) -> tuple[CueRule, ...]:
    key = "_all_rules"
    rules = lex.__dict__.get(key)
    if rules is None:
        rules = (*lex.stage_rules, *lex.forgiven_rules)
        lex.__dict__[key] = rules
    return rules


def cue_hits(analysis: Analysis, lex: SituationLexicon) -> dict[str, list[RawMatch]]:
    """The matches of every cue (stage cues and forgiven cues) by cue id, in one pass of the engine."""
    out: dict[str, list[RawMatch]] = {}
    for m in run_rules(_all_rules(lex), analysis):
        out.setdefault(cast(CueRule, m.rule).id, []).append(m)
    return out


# ---------------------------------------------------------------- entry point


# verbs that name no act on their own (する and the helpers of a verb chain)
_AUXILIARY_VERBS = frozenset(
    (
        "する",
        "為る",
        "いる",
        "居る",
        "ある",
        "有る",
        "なる",
        "成る",
        "くる",
        "来る",
        "いく",
        "行く",
        "しまう",
        "おく",
        "みる",
        "くれる",
        "もらう",
        "あげる",
        "やる",
        "ちゃう",
        "じゃう",
        "てる",
        "できる",
        "出来る",
    )
)


def names_person_or_act(analysis: Analysis, lex: SituationLexicon) -> bool:
    """The text names somebody (a name, 〜さん, あの人, 別の人) or an act (怒らせた, 遅刻した, 嘘がばれた):
    enough to ask the one question rather than refuse."""
    toks = analysis.tokens
    anyone = set(lex.anyone)
    for k, t in enumerate(toks):
        pos = t.m.pos
        if pos[0] == "動詞" and (pos[1] == "一般" or t.m.lemma not in _AUXILIARY_VERBS):
            return True  # an act: 怒らせた, 忘れてた
        if pos[:3] == ("名詞", "固有名詞", "人名") or t.surface in anyone or t.m.lemma in anyone:
            return True  # a person
        if pos[0] == "名詞" and k + 1 < len(toks):
            nxt = toks[k + 1]
            if nxt.m.pos[0] == "接尾辞" and nxt.surface in ("さん", "くん", "君", "ちゃん", "様", "氏", "先輩", "殿"):
                return True  # 〜さん: a person
            if nxt.m.lemma == "する":
                return True  # 遅刻した: an act
    return False


def no_japanese_error() -> InputError:
    return InputError(
        "no_japanese",
        "日本語の状況説明が見つかりませんでした。何があったか(誰に謝ったか、そのあと相手はどうか)を日本語で書いてください。",
        "no Japanese situation found in the text",
    )


def _stated(facts: Facts, apologized_on: dt.date | None, today: dt.date) -> Facts:
    """*facts* with the stated apology date (it overrides the days read from the text)."""
    if apologized_on is not None:
        facts.apology_date = apologized_on
        facts.days_since_apology = (today - apologized_on).days
        facts.days_approximate = False
    return facts


def read_situation(
    text: str | None = None,
    *,
    relationship: str | None = None,
    stage: str | None = None,
    today: dt.date | None = None,
    apologized_on: dt.date | None = None,
) -> Situation:
    """Read relationship, stage and facts from *text*; explicit choices override inference. A stated
    *apologized_on* overrides the days read from the text before the stage is decided, so the stage agrees
    with the date the timing is counted from.

    Raises :class:`InputError` for empty, over-long or binary text and for text with no Japanese,
    and :class:`ValueError` for unknown relationship/stage values.
    """
    rel_given = parse_relationship(relationship)
    stage_given = parse_stage(stage)
    today = today or dt.date.today()
    lex = load_situation_lexicon()
    if text is None or (not text.strip() and rel_given and stage_given):
        if rel_given is None or stage_given is None:
            raise InputError(
                "empty",
                "状況の説明が空です。何があったかを書くか、関係と段階を指定してください。",
                "empty situation and no explicit relationship/stage",
            )
        return Situation(
            relationship=rel_given,
            stage=stage_given,
            facts=_stated(Facts(), apologized_on, today),
            confidence=1.0,
            relationship_confidence=1.0,
            stage_confidence=1.0,
            relationship_given=True,
            stage_given=True,
        )
    validate_text(text, what="状況の説明")
    if not has_japanese(text):
        raise no_japanese_error()
    analysis = analyze(text)
    spans = Spans(analysis)
    hits = cue_hits(analysis, lex)
    forgiven = [m for r in lex.forgiven_rules for m in hits.get(r.id, [])]
    facts = _stated(read_facts(spans, lex, today, forgiven), apologized_on, today)
    rel, rel_conf, rel_ev = read_relationship(spans, lex)
    prior: dict[str, float] = {}
    scores, st_ev = score_stages(spans, lex.stage_rules, lex.decision, hits, prior)
    nothing = not rel_ev and not st_ev and not facts.mentions_apology and facts.days_since_apology is None
    if nothing and rel_given is None and stage_given is None and not names_person_or_act(analysis, lex):
        raise InputError(
            "no_situation",
            "状況が読み取れませんでした。誰に謝ったか、そのあと相手がどうしているかを書いてください"
            "(例:「彼氏に謝ったけど既読スルー」)。",
            "no situation found in the text",
        )

    def model() -> dict[Stage, float]:
        return shipped_stage_model().probabilities(analysis, facts.days_since_apology)

    st, st_conf = decide_stage(scores, facts, lex.decision, None if stage_given is not None else model, prior)
    if st == Stage.just_apologized and apologized_on is not None and (today - apologized_on).days >= 2:
        # "just apologised" is the day of the apology (its timing is that day): with a stated date two or more
        # days back, whatever the text says (さっき in a note written earlier), the days after it are what is left
        st = Stage.days_later
    if rel_given is not None:
        rel, rel_conf = rel_given, 1.0
    if stage_given is not None:
        st, st_conf = stage_given, 1.0
    if facts.unanswered_messages is None and st == Stage.no_reply and facts.mentions_apology:
        facts.unanswered_messages = 1
    if facts.severity is None and st == Stage.rejected:
        facts.severity = "serious"
    confidence = round(min(rel_conf, st_conf), 2)
    question: str | None = None
    ask: Literal["relationship", "stage"] | None = None
    if confidence < ASK_BELOW:
        if rel_conf <= st_conf:
            question, ask = lex.questions.relationship, "relationship"
        elif max(scores.values()) <= 0:
            question, ask = lex.questions.stage_default, "stage"
        else:
            question, ask = lex.questions.stage[st], "stage"
    return Situation(
        relationship=rel,
        stage=st,
        facts=facts,
        confidence=confidence,
        relationship_confidence=round(rel_conf, 2),
        stage_confidence=round(st_conf, 2),
        question=question,
        ask=ask,
        relationship_given=rel_given is not None,
        stage_given=stage_given is not None,
        stage_scores={k: round(v, 2) for k, v in scores.items() if v},
        evidence=rel_ev + st_ev,
    )
