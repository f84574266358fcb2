"""Analyse a message once: normalise, tokenise, split sentences and clauses, mark scopes.

Every rule reads the same :class:`Analysis`; nothing downstream tokenises again.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from .lexicon import lexicon
from .normalize import Normalized, has_japanese, normalize
from .speech import QUOTATIVE_SURFACES, mark_speech
from .tokenizer import tokenize_as
from .tokens import Sentence, Token, append_tokens

try:  # the sentence pass and the negation marks in C (built by make setup); the Python passes are the reference
    from . import _speedups
except ImportError:  # pragma: no cover - a source tree without the built extension
    _speedups = None  # type: ignore[assignment]
if os.environ.get("NAKANAORI_PYTHON_LOOPS"):  # the Python reference, for benchmarks side by side
    _speedups = None  # type: ignore[assignment]

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

# what a surface can do in the sentence pass, as bits (computed once per distinct surface)
_F_CONT = 1  # keeps a pending sentence break waiting: 。.!?… or a closing mark (「。」「」」)
_F_TILDE = 2  # 〜 / ー (with 補助記号 it keeps the break waiting too)
_F_COMMA = 4  # 、 or , ends a clause
_F_CONJ = 8  # a conjunctive particle's surface (けど, から ...): ends a clause when it is one
_F_OPEN = 16  # 「『“ opens a quote
_F_CLOSE = 32  # 」』” closes one
_F_ENDS = 64  # ends a sentence (its last character is 。.!?… or it holds a line break)
_F_LAUGH = 128  # begins like a laugh mark (w, 笑, 草)
_F_QUOTATIVE = 256  # って / と / っ / つって: may quote (the reported-speech and speaker passes look at these)
_SURFACE_FLAGS: dict[str, int] = {}
_MAX_SURFACES = 100_000
_QUIET_POS1 = frozenset({"補助記号", "空白"})  # parts of speech the sentence pass always looks at


def _surface_flags(surf: str) -> int:
    f = 0
    if surf in SENTENCE_END or surf in _CONTINUES:  # a string: "" and 」』 are in it, as before
        f |= _F_CONT
    if surf in "〜ー":
        f |= _F_TILDE
    if surf in ("、", ","):
        f |= _F_COMMA
    if surf in CLAUSE_CONJ:
        f |= _F_CONJ
    if surf in OPEN_QUOTES and surf != '"':
        f |= _F_OPEN
    if surf in _CLOSE_QUOTES:
        f |= _F_CLOSE
    if surf and (surf[-1] in SENTENCE_END or "\n" in surf):
        f |= _F_ENDS
    if surf[:1] in _LAUGH_FIRST:
        f |= _F_LAUGH
    if surf in QUOTATIVE_SURFACES:
        f |= _F_QUOTATIVE
    if len(_SURFACE_FLAGS) >= _MAX_SURFACES:
        _SURFACE_FLAGS.clear()
    _SURFACE_FLAGS[surf] = f
    return f


class _Split(NamedTuple):
    sentences: list[Sentence]
    clause_starts: list[int]  # the first token of each clause
    opens: list[int]  # the tokens that open a quote (「『“)
    quotatives: list[int]  # the tokens whose surface may quote (って, と, っ, つって)


def _split(tokens: list[Token]) -> _Split:
    """One pass over the tokens: each token's index, sentence and clause, the quote scope (「」『』), the
    sentences, the first token of each clause, and where the later passes have something to look at.

    A sentence ends after 。.!?… or a line break outside brackets, at a space between two Japanese pieces,
    and after a laugh mark or an emoji that ends a thought; closing marks and 〜ー stay with the sentence
    they close. A clause ends after 、 and after a conjunctive particle (けど, から, ので ...).

    Most tokens are plain words outside brackets with no break pending: their surface's bits (cached per
    surface) are 0 and their part of speech is neither a symbol nor a space, and they only get their
    numbers."""
    sentences: list[Sentence] = []
    clause_starts: list[int] = [0] if tokens else []
    opens: list[int] = []
    quotatives: list[int] = []
    s = 0
    pending_break = False
    depth = 0  # bracket depth for sentence ends
    stack: list[str] = []  # the closing marks the quote scope waits for
    c = 0
    first = 0  # first token of the current sentence
    quiet = True  # no quote open, no bracket open, no sentence break pending
    flags_of = _SURFACE_FLAGS.get
    for k, t in enumerate(tokens):
        t.i = k
        surf = t.surface
        pos1 = t.pos1
        f = flags_of(surf)
        if f is None:
            f = _surface_flags(surf)
        if not f and quiet and pos1 not in _QUIET_POS1:
            t.sent = s
            t.clause = c
            continue
        if pending_break and not (f & _F_CONT or (f & _F_TILDE and pos1 == "補助記号")):
            s += 1
            c += 1  # a new sentence is a new clause
            pending_break = False
            sentences.append(_sentence(len(sentences), tokens, first, k))
            first = k
            if clause_starts[-1] != k:
                clause_starts.append(k)
        t.sent = s
        t.clause = c
        if f & _F_QUOTATIVE:
            quotatives.append(k)
        if f & _F_COMMA or (f & _F_CONJ and t.pos_str.startswith("助詞,接続助詞")):
            c += 1
            clause_starts.append(k + 1)
        # the quote scope
        if stack and surf == stack[-1]:
            stack.pop()
        elif f & _F_OPEN:
            stack.append(OPEN_QUOTES[surf])
            opens.append(k)
        elif stack:
            t.quote = True
        # sentence ends
        if f & _F_OPEN:
            depth += 1
        elif f & _F_CLOSE and depth:
            depth -= 1
        if depth:
            quiet = False
            continue
        # only a symbol or a laugh-mark noun can end like a period (skip the call for every other token)
        may_end = pos1 == "補助記号" or (pos1 == "名詞" and f & _F_LAUGH)
        if (
            f & _F_ENDS
            or (pos1 == "空白" and _is_boundary_space(tokens, k))
            or (may_end and _ends_like_a_period(tokens, k))
        ):
            pending_break = True
        quiet = not (stack or pending_break)
    if tokens:
        sentences.append(_sentence(len(sentences), tokens, first, len(tokens)))
    if clause_starts and clause_starts[-1] == len(tokens):
        clause_starts.pop()  # a clause that a last 、 would have begun
    return _Split(sentences, clause_starts, opens, quotatives)


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


_QUOTATIVES = frozenset({"って", "と"})


def _mark_reported(tokens: list[Token], quotatives: list[int]) -> None:
    """Mark the words reported with って/と + a verb of saying (or of thinking, in the past)."""
    n = len(tokens)
    for k in quotatives:
        t = tokens[k]
        # って / と (the contracted quotative 「ごめんて言った」 is not read here)
        if t.surface not in _QUOTATIVES or t.pos1 != "助詞":
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
_NOT_CORE_POS1 = frozenset({"補助記号", "空白", "記号"})


def _mark_requests(tokens: list[Token], clause_starts: list[int]) -> None:
    """Mark clauses that ask the other person to act: 〜てね / 〜てください / 〜ないで / 命令形 / 〜てほしい.

    A clause is a run of tokens (*clause_starts*: the first token of each). Its last core token (not a
    symbol or a space, trailing sentence-final particles dropped) and the core token before it decide;
    both are found walking back from the clause's end."""
    n = len(tokens)
    ends = [*clause_starts[1:], n] if clause_starts else []  # no tokens: no clause
    for lo, hi in zip(clause_starts, ends, strict=True):
        j = hi - 1
        while j >= lo and (tokens[j].pos1 in _NOT_CORE_POS1 or tokens[j].surface in _REQUEST_TAIL):
            j -= 1
        if j < lo:
            continue
        last = tokens[j]
        p = j - 1
        while p >= lo and tokens[p].pos1 in _NOT_CORE_POS1:
            p -= 1
        prev = tokens[p] if p >= lo else None
        is_req = False
        if last.surface in ("て", "で") and last.pos_str.startswith("助詞,接続助詞") and prev is not None:
            # 〜てね (request) but not 〜てしまって / 〜なくて (narration)
            core = sum(1 for t in tokens[lo : j + 1] if t.pos1 not in _NOT_CORE_POS1)
            had_particle = core < sum(1 for t in tokens[lo:hi] if t.pos1 not in _QUIET_POS1)
            if prev.lemma not in ("しまう", "ちゃう", "ない", "ず") and (had_particle or prev.lemma == "ない"):
                is_req = True
            if prev.lemma == "ない" and prev.surface == "ない":  # 〜ないで = please don't
                is_req = True
        elif last.cform.startswith("命令形") or last.lemma in REQUEST_LEMMAS:
            is_req = True
        if is_req:
            for t in tokens[lo:hi]:
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


_PREDICATE_POS1 = frozenset({"動詞", "形容詞"})
_NEGATOR_POS1 = frozenset({"助動詞", "形容詞"})


def _mark_negation(tokens: list[Token]) -> None:
    """Mark a verb/adjective (and the noun before a light verb する) as negated when a negator follows in
    its own predicate: 感謝してない, 謝らない, 許せません. Not across particles other than て."""
    n = len(tokens)
    for k, t in enumerate(tokens):
        if t.pos1 not in _PREDICATE_POS1 or t.lemma in NEGATORS:
            continue
        j = k + 1
        while j < n and j <= k + 4 and tokens[j].sent == t.sent:
            x = tokens[j]
            if x.lemma in NEGATORS and x.pos1 in _NEGATOR_POS1:
                t.negated = True
                if t.lemma == "する" and k > 0 and tokens[k - 1].pos1 == "名詞":
                    tokens[k - 1].negated = True  # 感謝 (し)ない
                break
            if x.lemma in PREDICATE_TAIL or x.surface in ("て", "で"):
                j += 1
                continue
            break


def _split_c(tokens: list[Token]) -> _Split:
    """:func:`_split` in C (``_speedups.split``: the same pass, with this module's tables and helpers)."""
    return _Split(
        *_speedups.split(
            tokens, _SURFACE_FLAGS, _surface_flags, OPEN_QUOTES, _sentence, _is_boundary_space, _ends_like_a_period
        )
    )


def _mark_negation_c(tokens: list[Token]) -> None:
    """:func:`_mark_negation` in C (``_speedups.mark_negation``, with this module's word sets)."""
    _speedups.mark_negation(tokens, _PREDICATE_POS1, NEGATORS, _NEGATOR_POS1, PREDICATE_TAIL)


# the passes in C when the extension is built (make setup); the Python functions are the reference
split_tokens = _split_c if _speedups is not None else _split
mark_negation = _mark_negation_c if _speedups is not None else _mark_negation


def analyze(text: str) -> Analysis:
    """Analyse *text* (the user's original string) once for every rule."""
    norm = normalize(text)
    tokens = tokenize_as(norm.text, Token, append_tokens) if norm.text else []
    split = split_tokens(tokens)
    _mark_reported(tokens, split.quotatives)
    _mark_requests(tokens, split.clause_starts)
    mark_negation(tokens)
    mark_speech(tokens, split.opens, split.quotatives)
    return Analysis(normalized=norm, tokens=tokens, sentences=split.sentences, japanese=has_japanese(norm.text))
