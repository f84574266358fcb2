"""A morpheme in its message: :class:`Token` (with the scopes it is in) and :class:`Sentence`."""

from __future__ import annotations

from dataclasses import dataclass

from .tokenizer import Morpheme


class Token:
    """A morpheme plus its place in the message and the scopes it is in.

    The features the matcher reads are copied into plain slots (read millions of times per run).
    """

    __slots__ = (
        "begin",
        "cform",
        "clause",
        "ctype",
        "end",
        "i",
        "lemma",
        "m",
        "negated",
        "norm",
        "other",
        "own_quote",
        "pos1",
        "pos_str",
        "quote",
        "reported",
        "request",
        "sent",
        "surface",
    )

    m: Morpheme
    i: int
    sent: int
    clause: int
    quote: bool  # inside 「」『』
    reported: bool  # words reported with って/と + say/think (past)
    request: bool  # in a clause that asks the other person to do something
    negated: bool  # a predicate negated by ない / ぬ / ず / ません (感謝してない, 謝らない)
    other: bool  # the other person's words (「もう無理」って言われた, 「了解」って。)
    own_quote: bool  # the sender's own quoted words (「ごめん」って言えた)
    surface: str
    lemma: str
    norm: str
    pos_str: str
    pos1: str  # the first part of pos_str (名詞, 助詞 ...)
    cform: str
    ctype: str
    begin: int
    end: int

    def __init__(self, m: Morpheme, i: int, sent: int, clause: int) -> None:
        self.m, self.i, self.sent, self.clause = m, i, sent, clause
        self.quote = self.reported = self.request = self.negated = self.other = self.own_quote = False
        self.surface, self.lemma, self.norm, self.begin, self.end = m.surface, m.lemma, m.norm, m.begin, m.end
        self.pos_str, self.pos1, self.cform, self.ctype = m.pos_str, m.pos1, m.cform, m.ctype
        if self.norm == "た" and self.pos1 == "助動詞":
            self.lemma = "た"  # 済んだ / 読んだ: the past auxiliary after a nasal stem

    def __repr__(self) -> str:
        return f"Token({self.i}, {self.surface!r}, lemma={self.lemma!r}, pos={self.pos_str!r}, sent={self.sent})"


@dataclass(slots=True)
class Sentence:
    index: int
    begin: int
    end: int
    start_token: int
    end_token: int  # exclusive
