"""Questions in a draft, and whether the draft frees the other person from answering.

A question that only asks how the other person is (気づかいの問いかけ: 少しは落ち着いた?, 体調大丈夫?) is care,
not pressure: the guidance recommends it while they keep their distance. A question that asks for a reply, a
meeting, a decision or forgiveness (許してくれる?, いつ会える?, ご回答はいつ頃…) demands an answer. The words
of each kind are in ``knowledge/lexicon.yaml`` (``care_question_words``, ``answer_demand_words``); a demand word
wins, and a question with neither kind of word counts as demanding (the cautious reading)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..text.analysis import Analysis, Token
from ..text.lexicon import lexicon

QuestionKind = Literal["care", "demand"]
_QUESTION_MARKS = frozenset({"?", "？"})


@dataclass(frozen=True)
class Question:
    sentence: int
    kind: QuestionKind
    begin: int  # on the normalised text
    end: int


def _own(t: Token) -> bool:
    return not (t.quote or t.other or t.reported)


def _words(t: Token) -> tuple[str, str, str]:
    return t.surface, t.lemma, t.norm


def _is_question(toks: list[Token]) -> bool:
    if any(t.surface in _QUESTION_MARKS for t in toks):
        return True
    tail = [t for t in toks if not t.pos_str.startswith(("補助記号", "空白"))][-3:]
    return any(t.surface in ("か", "の") and t.pos_str.startswith("助詞,終助詞") for t in tail)


def questions(analysis: Analysis) -> list[Question]:
    """The sender's own questions, one per sentence, each care or demand."""
    lex = lexicon()
    care, demand = lex.words("care_question_words"), lex.words("answer_demand_words")
    out: list[Question] = []
    for s in analysis.sentences:
        toks = [t for t in analysis.tokens[s.start_token : s.end_token] if _own(t)]
        if not toks or not _is_question(toks):
            continue
        words = {w for t in toks for w in _words(t)}
        kind: QuestionKind = "demand" if words & demand or not words & care else "care"
        out.append(Question(sentence=s.index, kind=kind, begin=toks[0].begin, end=toks[-1].end))
    return out


def _negation(t: Token) -> bool:
    return t.lemma in ("ない", "ぬ", "ず") and t.pos_str.startswith("助動詞")


def releases_reply(analysis: Analysis) -> bool:
    """Whether the draft frees the other person from replying (返事はいらないよ, 返信不要です, 返事はいつでも
    いいよ, 返事しなくていいからね), outside quotes and the other person's words, and not as a question."""
    lex = lexicon()
    nouns, release = lex.words("reply_nouns"), lex.words("reply_release_words")
    asked = {q.sentence for q in questions(analysis)}
    for s in analysis.sentences:
        if s.index in asked:
            continue
        toks = [t for t in analysis.tokens[s.start_token : s.end_token] if _own(t)]
        at = next((k for k, t in enumerate(toks) if {t.surface, t.lemma} & nouns), None)
        if at is None:
            continue
        rest = toks[at + 1 :]
        for k, t in enumerate(rest):
            after = rest[k + 1 : k + 4]
            if t.lemma in release:
                return True
            if t.lemma in ("要る", "いる", "必要") and after and _negation(after[0]):
                return True
            if t.lemma == "気" and any(_negation(a) for a in after):  # 気にしないで, お気になさらないで
                return True
            if t.lemma in ("いい", "良い", "よい", "構う", "かまう"):
                before = rest[max(0, k - 3) : k]
                if any(_negation(b) or b.lemma == "いつ" for b in before) or (after and _negation(after[0])):
                    return True
    return False
