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
from .tokenizer import Morpheme, tokenize
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


def _is_boundary_space(tokens: list[Morpheme], k: int) -> bool:
    """A space between two Japanese pieces is a sentence break in chat style (「ごめん💦 昨日…」)."""
    if k == 0 or k + 1 >= len(tokens):
        return False
    prev, nxt = tokens[k - 1].surface, tokens[k + 1].surface
    return not (prev[-1:].isascii() and prev[-1:].isalnum() and nxt[:1].isascii() and nxt[:1].isalnum())


_LAUGH = re.compile(r"[wWｗ]+|笑+|草")


def _ends_like_a_period(ms: list[Morpheme], k: int) -> bool:
    """In LINE-style text a laugh mark or an emoji often ends a sentence: 「ごめん笑また話そ」「ありがと😊今度ね」."""
    m = ms[k]
    nxt = ms[k + 1] if k + 1 < len(ms) else None
    if nxt is None or nxt.pos[0] in ("助詞", "助動詞", "補助記号", "空白") or nxt.surface in ("笑", "w"):
        return False
    if m.pos[0] == "名詞" and _LAUGH.fullmatch(m.surface) and k > 0:
        return True
    return m.pos[0] == "補助記号" and any(ord(c) >= 0x1F000 or 0x2600 <= ord(c) <= 0x27BF for c in m.surface)


def _split_sentences(ms: list[Morpheme]) -> list[int]:
    """Sentence index for each morpheme."""
    sent_of: list[int] = []
    s = 0
    pending_break = False
    depth = 0
    for k, m in enumerate(ms):
        surf = m.surface
        continues = surf in SENTENCE_END or surf in "」』)）" or (m.pos[0] == "補助記号" and surf in "〜ー")
        if pending_break and not continues:
            s += 1
            pending_break = False
        sent_of.append(s)
        if surf in OPEN_QUOTES and surf != '"':
            depth += 1
        elif surf in ("」", "』", "”") and depth:
            depth -= 1
        if depth:
            continue
        ends = bool(surf) and (surf[-1] in SENTENCE_END or "\n" in surf)
        if ends or (m.pos[0] == "空白" and _is_boundary_space(ms, k)) or _ends_like_a_period(ms, k):
            pending_break = True
    return sent_of


def _mark_quotes(tokens: list[Token]) -> None:
    stack: list[str] = []
    for t in tokens:
        surf = t.surface
        if stack and surf == stack[-1]:
            stack.pop()
            continue
        if surf in OPEN_QUOTES and surf != '"':
            stack.append(OPEN_QUOTES[surf])
            continue
        if stack:
            t.quote = True


def _clause_start(tokens: list[Token], k: int) -> int:
    """Index of the first token of the clause that ends at token k (exclusive of the boundary)."""
    j = k - 1
    while j >= 0:
        t = tokens[j]
        if t.sent != tokens[k].sent:
            break
        if t.surface in ("、", ",", "」", "』", "。", "!", "?") or t.m.pos[0] == "空白":
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


def _mark_requests(tokens: list[Token], sent_of: list[int]) -> None:
    """Mark clauses that ask the other person to act: 〜てね / 〜てください / 〜ないで / 命令形 / 〜てほしい."""
    n = len(tokens)
    clause_ids = sorted({t.clause for t in tokens})
    by_clause: dict[int, list[Token]] = {c: [] for c in clause_ids}
    for t in tokens:
        by_clause[t.clause].append(t)
    for toks in by_clause.values():
        core = [t for t in toks if not t.pos_str.startswith(("補助記号", "空白", "記号"))]
        # drop trailing sentence-final particles and interjection-like noise
        while core and core[-1].surface in REQUEST_END | {"ね", "よ", "〜"}:
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
    del n, sent_of


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


def _assign_clauses(tokens: list[Token]) -> None:
    c = 0
    prev_sent = 0
    for t in tokens:
        if t.sent != prev_sent:
            c += 1
            prev_sent = t.sent
        t.clause = c
        if t.surface in ("、", ",") or (t.surface in CLAUSE_CONJ and t.pos_str.startswith("助詞,接続助詞")):
            c += 1


def analyze(text: str) -> Analysis:
    """Analyse *text* (the user's original string) once for every rule."""
    norm = normalize(text)
    ms = tokenize(norm.text) if norm.text else []
    sent_of = _split_sentences(ms)
    tokens = [Token(m=m, i=k, sent=sent_of[k], clause=0) for k, m in enumerate(ms)]
    _assign_clauses(tokens)
    _mark_quotes(tokens)
    _mark_reported(tokens)
    _mark_requests(tokens, sent_of)
    _mark_negation(tokens)
    sentences: list[Sentence] = []
    k = 0
    while k < len(tokens):
        s = tokens[k].sent
        j = k
        while j < len(tokens) and tokens[j].sent == s:
            j += 1
        sentences.append(
            Sentence(index=len(sentences), begin=tokens[k].begin, end=tokens[j - 1].end, start_token=k, end_token=j)
        )
        for t in tokens[k:j]:
            t.sent = len(sentences) - 1
        k = j
    mark_speech(tokens)
    return Analysis(normalized=norm, tokens=tokens, sentences=sentences, japanese=has_japanese(norm.text))
