"""Analyse a message once: normalise, tokenise, split sentences and clauses, mark scopes.

Every rule reads the same :class:`Analysis`; nothing downstream tokenises again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .lexicon import lexicon
from .normalize import Normalized, has_japanese, normalize
from .speech import mark_speech
from .tokenizer import tokenize_as
from .tokens import Sentence, Token

_LEX = lexicon()

__all__ = ["Analysis", "Sentence", "Token", "analyze"]

SENTENCE_END = set("。.!?…")
OPEN_QUOTES = {"「": "」", "『": "』", "“": "”", '"': '"'}
# Verbs that introduce reported speech: what follows って/と is someone's words, not the sender's now.
SPEECH_VERBS = _LEX.words("reported_speech_verbs")
# Thought verbs report a thought only when it is in the past (思ってた); present tense is the sender's own view.
THOUGHT_VERBS = _LEX.words("reported_thought_verbs")
CLAUSE_CONJ = {"けど", "けれど", "けれども", "が", "から", "ので", "のに", "し", "ながら"}


@dataclass(slots=True)
class Analysis:
    normalized: Normalized
    tokens: list[Token]
    sentences: list[Sentence]
    japanese: bool
    _index: dict[str, dict[str, list[int]]] | None = None
    # what the layers above derive from the message once and read many times (the engine's word index ...)
    derived: dict[str, Any] = field(default_factory=dict)

    def index(self) -> dict[str, dict[str, list[int]]]:
        """Token positions by surface, lemma and normalised form (built once, used to find match starts)."""
        if self._index is None:
            s: dict[str, list[int]] = {}
            lemma: dict[str, list[int]] = {}
            norm: dict[str, list[int]] = {}
            pos1: dict[str, list[int]] = {}
            for t in self.tokens:
                i = t.i
                pos1.setdefault(t.pos1, []).append(i)
                s.setdefault(t.surface, []).append(i)
                lemma.setdefault(t.lemma, []).append(i)
                norm.setdefault(t.norm, []).append(i)
            self._index = {"s": s, "lemma": lemma, "norm": norm, "pos1": pos1}
        return self._index

    @property
    def text(self) -> str:
        """The normalised text (offsets of tokens refer to it)."""
        return self.normalized.text

    def original_span(self, begin: int, end: int) -> tuple[int, int]:
        return self.normalized.to_original(begin, end)

    def sentence_tokens(self, sent: int) -> list[Token]:
        s = self.sentences[sent]
        return self.tokens[s.start_token : s.end_token]


def _is_boundary_space(tokens: list[Token], k: int) -> bool:
    """A space between two Japanese pieces is a sentence break in chat style (「ごめん💦 昨日…」)."""
    if k == 0 or k + 1 >= len(tokens):
        return False
    prev, nxt = tokens[k - 1].surface, tokens[k + 1].surface
    return not (prev[-1:].isascii() and prev[-1:].isalnum() and nxt[:1].isascii() and nxt[:1].isalnum())


_LAUGH = re.compile(r"[wWｗ]+|笑+|草")
_LAUGH_FIRST = frozenset("wWｗ笑草")


def _ends_like_a_period(ms: list[Token], k: int) -> bool:
    """In LINE-style text a laugh mark or an emoji often ends a sentence: 「ごめん笑また話そ」「ありがと😊今度ね」."""
    m = ms[k]
    nxt = ms[k + 1] if k + 1 < len(ms) else None
    if nxt is None or nxt.pos1 in ("助詞", "助動詞", "補助記号", "空白") or nxt.surface in ("笑", "w"):
        return False
    if m.pos1 == "名詞" and _LAUGH.fullmatch(m.surface) and k > 0:
        return True
    return m.pos1 == "補助記号" and any(ord(c) >= 0x1F000 or 0x2600 <= ord(c) <= 0x27BF for c in m.surface)


_CLOSE_QUOTES = ("」", "』", "”")
_CONTINUES = "」』)）"


def _split(tokens: list[Token]) -> list[Sentence]:
    """One pass over the tokens: each token's index, sentence and clause, the quote scope (「」『』), and
    the sentences.

    A sentence ends after 。.!?… or a line break outside brackets, at a space between two Japanese pieces,
    and after a laugh mark or an emoji that ends a thought; closing marks and 〜ー stay with the sentence
    they close. A clause ends after 、 and after a conjunctive particle (けど, から, ので ...)."""
    sentences: list[Sentence] = []
    s = 0
    pending_break = False
    depth = 0  # bracket depth for sentence ends
    stack: list[str] = []  # the closing marks the quote scope waits for
    c = 0
    prev_sent = 0
    first = 0  # first token of the current sentence
    for k, t in enumerate(tokens):
        t.i = k
        surf = t.surface
        pos1 = t.pos1
        if pending_break and not (
            surf in SENTENCE_END or surf in _CONTINUES or (pos1 == "補助記号" and surf in "〜ー")
        ):
            s += 1
            pending_break = False
            sentences.append(_sentence(len(sentences), tokens, first, k))
            first = k
        t.sent = s
        # clauses
        if s != prev_sent:
            c += 1
            prev_sent = s
        t.clause = c
        if surf in ("、", ",") or (surf in CLAUSE_CONJ and t.pos_str.startswith("助詞,接続助詞")):
            c += 1
        # the quote scope
        if stack and surf == stack[-1]:
            stack.pop()
        elif surf in OPEN_QUOTES and surf != '"':
            stack.append(OPEN_QUOTES[surf])
        elif stack:
            t.quote = True
        # sentence ends
        if surf in OPEN_QUOTES and surf != '"':
            depth += 1
        elif surf in _CLOSE_QUOTES and depth:
            depth -= 1
        if depth:
            continue
        ends = bool(surf) and (surf[-1] in SENTENCE_END or "\n" in surf)
        # only a symbol or a laugh-mark noun can end like a period (skip the call for every other token)
        may_end = pos1 == "補助記号" or (pos1 == "名詞" and surf[:1] in _LAUGH_FIRST)
        if ends or (pos1 == "空白" and _is_boundary_space(tokens, k)) or (may_end and _ends_like_a_period(tokens, k)):
            pending_break = True
    if tokens:
        sentences.append(_sentence(len(sentences), tokens, first, len(tokens)))
    return sentences


def _sentence(index: int, tokens: list[Token], start: int, end: int) -> Sentence:
    return Sentence(index=index, begin=tokens[start].begin, end=tokens[end - 1].end, start_token=start, end_token=end)


def _clause_start(tokens: list[Token], k: int) -> int:
    """Index of the first token of the clause that ends at token k (exclusive of the boundary)."""
    j = k - 1
    while j >= 0:
        t = tokens[j]
        if t.sent != tokens[k].sent:
            break
        if t.surface in ("、", ",", "」", "』", "。", "!", "?") or t.pos1 == "空白":
            break
        j -= 1
    return j + 1


def _mark_reported(tokens: list[Token]) -> None:
    n = len(tokens)
    for k, t in enumerate(tokens):
        if not (t.surface in ("って", "と", "て") and t.pos_str.startswith("助詞")):
            continue
        if t.surface == "て":  # only the contracted quotative 「ごめんて言った」
            continue
        # the verb after the quotative (allow a few adverbs/particles in between: 「って一回言ったら」)
        j = k + 1
        verb = None
        while j < n and j <= k + 3 and tokens[j].sent == t.sent:
            if tokens[j].pos_str.startswith("動詞"):
                verb = tokens[j]
                break
            if tokens[j].pos_str.startswith(("補助記号", "空白")):
                break
            j += 1
        if verb is None:
            continue
        lemma = verb.lemma
        if t.surface == "と" and verb.surface in ("いえ", "言え") and tokens[k + 1].surface == "は":
            continue  # 「〜とはいえ」 is a concession, not reported speech
        if t.surface == "って" and k > 0 and tokens[k - 1].surface == "だ" and j > k + 1:
            continue  # 「お父さんだって同じこと言ってた」: だって = "too", not a quotation
        nxt_v = tokens[j + 1] if j + 1 < n else None
        if verb.surface in ("いう", "言う") and nxt_v is not None and nxt_v.surface == "か":
            continue  # 「っていうか」 is a filler
        if lemma in THOUGHT_VERBS and any(x.lemma in ("ない", "ぬ") for x in tokens[j + 1 : j + 4]):
            continue  # 「〜とは思わなかった」: what the sender did not think is a statement, not a report
        after = tokens[j + 1] if j + 1 < n else None
        if (
            t.surface == "と"
            and verb.surface in ("いう", "言う")
            and after is not None
            and after.pos_str.startswith("名詞")
        ):
            continue  # 「〜というわけではない」「〜という点」: a nominaliser, not reported speech
        reported = False
        if lemma in SPEECH_VERBS:
            reported = True
        elif lemma in THOUGHT_VERBS:
            # past thought (思ってた / 思った / 思い込んでた) reports a view the sender held before
            tail = tokens[j + 1 : j + 4]
            reported = any(x.lemma == "た" for x in tail)
        if t.surface == "と" and lemma in ("言う", "伝える") and not reported:
            reported = True
        if not reported:
            continue
        for x in tokens[_clause_start(tokens, k) : k]:
            x.reported = True


REQUEST_LEMMAS = {"ください", "下さい", "なさい", "ほしい", "欲しい"}
REQUEST_END = {"ね", "よ", "な", "ねー", "ね〜", "よー", "よ〜"}


_REQUEST_TAIL = REQUEST_END | {"ね", "よ", "〜"}
_NOT_CORE = ("補助記号", "空白", "記号")


def _mark_requests(tokens: list[Token]) -> None:
    """Mark clauses that ask the other person to act: 〜てね / 〜てください / 〜ないで / 命令形 / 〜てほしい."""
    n = len(tokens)
    lo = 0
    while lo < n:  # a clause is a run of tokens (clause numbers only grow)
        c = tokens[lo].clause
        hi = lo + 1
        while hi < n and tokens[hi].clause == c:
            hi += 1
        toks = tokens[lo:hi]
        lo = hi
        core = [t for t in toks if not t.pos_str.startswith(_NOT_CORE)]
        # drop trailing sentence-final particles and interjection-like noise
        while core and core[-1].surface in _REQUEST_TAIL:
            core.pop()
        if not core:
            continue
        last = core[-1]
        prev = core[-2] if len(core) > 1 else None
        is_req = False
        if last.surface in ("て", "で") and last.pos_str.startswith("助詞,接続助詞") and prev is not None:
            # 〜てね (request) but not 〜てしまって / 〜なくて (narration)
            had_particle = len(core) < len([t for t in toks if not t.pos_str.startswith(("補助記号", "空白"))])
            if prev.lemma not in ("しまう", "ちゃう", "ない", "ず") and (had_particle or prev.lemma == "ない"):
                is_req = True
            if prev.lemma == "ない" and prev.surface == "ない":  # 〜ないで = please don't
                is_req = True
        elif last.cform.startswith("命令形") or last.lemma in REQUEST_LEMMAS:
            is_req = True
        if is_req:
            for t in toks:
                t.request = True


NEGATORS = {"ない", "ぬ", "ず", "無い"}
PREDICATE_TAIL = {
    "て",
    "てる",
    "ている",
    "いる",
    "おる",
    "ます",
    "せる",
    "させる",
    "れる",
    "られる",
    "しまう",
    "ちゃう",
}


def _mark_negation(tokens: list[Token]) -> None:
    """Mark a verb/adjective (and the noun before a light verb する) as negated when a negator follows in
    its own predicate: 感謝してない, 謝らない, 許せません. Not across particles other than て."""
    n = len(tokens)
    for k, t in enumerate(tokens):
        if not t.pos_str.startswith(("動詞", "形容詞")) or t.lemma in NEGATORS:
            continue
        j = k + 1
        while j < n and j <= k + 4 and tokens[j].sent == t.sent:
            x = tokens[j]
            if x.lemma in NEGATORS and x.pos_str.startswith(("助動詞", "形容詞")):
                t.negated = True
                if t.lemma == "する" and k > 0 and tokens[k - 1].pos_str.startswith("名詞"):
                    tokens[k - 1].negated = True  # 感謝 (し)ない
                break
            if x.lemma in PREDICATE_TAIL or x.surface in ("て", "で"):
                j += 1
                continue
            break


def analyze(text: str) -> Analysis:
    """Analyse *text* (the user's original string) once for every rule."""
    norm = normalize(text)
    tokens = tokenize_as(norm.text, Token) if norm.text else []
    sentences = _split(tokens)
    _mark_reported(tokens)
    _mark_requests(tokens)
    _mark_negation(tokens)
    mark_speech(tokens)
    return Analysis(normalized=norm, tokens=tokens, sentences=sentences, japanese=has_japanese(norm.text))
