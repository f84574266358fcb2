"""A morpheme in its message: :class:`Token` (with the scopes it is in) and :class:`Sentence`."""

from __future__ import annotations

from dataclasses import dataclass

from .tokenizer import Morpheme


@dataclass(slots=True)
class Token:
    """A morpheme plus its place in the message and the scopes it is in.

    The features the matcher reads are copied into plain attributes (read millions of times per run).
    """

    m: Morpheme
    i: int
    sent: int
    clause: int
    quote: bool = False  # inside 「」『』
    reported: bool = False  # words reported with って/と + say/think (past)
    request: bool = False  # in a clause that asks the other person to do something
    negated: bool = False  # a predicate negated by ない / ぬ / ず / ません (感謝してない, 謝らない)
    other: bool = False  # the other person's words (「もう無理」って言われた, 「了解」って。)
    own_quote: bool = False  # the sender's own quoted words (「ごめん」って言えた)
    surface: str = ""
    lemma: str = ""
    norm: str = ""
    pos_str: str = ""
    cform: str = ""
    ctype: str = ""
    begin: int = 0
    end: int = 0

    def __post_init__(self) -> None:
        m = self.m
        self.surface, self.lemma, self.norm = m.surface, m.lemma, m.norm
        self.pos_str, self.cform, self.ctype = m.pos_str, m.cform, m.ctype
        self.begin, self.end = m.begin, m.end
        if self.norm == "た" and self.pos_str.startswith("助動詞"):
            self.lemma = "た"  # 済んだ / 読んだ: the past auxiliary after a nasal stem


@dataclass(slots=True)
class Sentence:
    index: int
    begin: int
    end: int
    start_token: int
    end_token: int  # exclusive
