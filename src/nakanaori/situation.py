"""Read a free-text situation ("彼氏に謝ったのに未読のまま2日…") into relationship, stage and facts.

The text is normalised and tokenised with SudachiPy; cue lexicons kept as YAML data
(``knowledge/situations.yaml``) are matched on morphemes (surface, dictionary form and
normalised form), with three scopes that matter for situations:

* negation right after a cue (許してくれない, 既読にならない, 悪いとは思ってない),
  except the limiting しか…ない (「うん」しか返ってこない is a curt answer, not no answer);
* the other person's words — 「…」, …って言われた, …って返ってきた, a sentence ending in …って —
  so that 「もう無理」って言われた is a rejection while the user's own もう終わりかな is not;
* the user's own narration (self) for cues like 私悪くない;
* events that are denied or only feared are no evidence (距離を置かれたくなくて, 絶交にならなくてよかった,
  既読スルーされたらどうしよう, 「もう無理」って言われるのが怖い).

Lexicon items match one morpheme or a word Sudachi splits (音沙汰 = 音+沙汰), and a cue can require to be
all a quote says (「了解」, 「で?」: a curt reply). Signs that presuppose forgiveness (awkward, improve) get
the benefit of the doubt once the text says the user was forgiven.

Each stage collects weighted evidence; the stages whose evidence is strong enough "fit" and the
precedence order of ``labels.md`` §3 picks among them. Explicit choices override inference.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .errors import InputError, validate_text
from .knowledge.yamlio import load_model
from .labels import Relationship, Stage, parse_relationship, parse_stage
from .text.normalize import has_japanese, normalize
from .text.tokenizer import Morpheme, tokenize

SITUATIONS_FILE = Path(__file__).parent / "knowledge" / "situations.yaml"

# labels.md §3: when several stages fit, the first of this order wins.
PRECEDENCE: tuple[str, ...] = (
    "rejected", "distance", "not_my_fault", "no_reply", "cold",
    "not_forgiven", "awkward", "improve", "days_later", "just_apologized",
)
FIT = 1.0  # evidence needed for a stage to "fit"
CHANNELS = ("line", "sns", "email", "phone", "in_person")
Channel = Literal["line", "sns", "email", "phone", "in_person"]
Severity = Literal["small", "serious"]


# ---------------------------------------------------------------- lexicon schema (YAML)


class Cue(BaseModel):
    """One piece of evidence: a morpheme sequence or a piece of text, with scope conditions."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    seq: list[str] | None = None
    text: str | None = None
    gap: int = Field(default=2, ge=0, le=6)
    negated: bool | None = None
    scope: Literal["any", "other", "self"] = "any"
    with_: list[str] | None = Field(default=None, alias="with")
    without: list[str] | None = None
    quote_only: bool = False  # the match is all a bracketed quote says: 「了解」, 「で?」 (a curt reply)
    weight: float = Field(default=1.0, ge=-3.0, le=3.0)

    @model_validator(mode="after")
    def _one_form(self) -> Cue:
        if (self.seq is None) == (self.text is None):
            raise ValueError("a cue needs exactly one of seq / text")
        if self.seq is not None and (not self.seq or any(not s.strip() for s in self.seq)):
            raise ValueError("seq items must be non-empty")
        if self.text is not None and not self.text.strip():
            raise ValueError("text must be non-empty")
        return self


class Ambiguous(BaseModel):
    model_config = ConfigDict(extra="forbid")

    default: Relationship
    friend: list[str] = Field(default_factory=list)
    work: list[str] = Field(default_factory=list)
    family: list[str] = Field(default_factory=list)
    partner: list[str] = Field(default_factory=list)


class RelationshipWords(BaseModel):
    model_config = ConfigDict(extra="forbid")

    persons: list[str] = Field(min_length=1)
    context: list[str] = Field(default_factory=list)


class RelationshipLexicon(BaseModel):
    model_config = ConfigDict(extra="forbid")

    partner: RelationshipWords
    friend: RelationshipWords
    work: RelationshipWords
    family: RelationshipWords
    ambiguous: dict[str, Ambiguous] = Field(default_factory=dict)
    partner_markers: list[str] = Field(default_factory=list)


class Questions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    relationship: str = Field(min_length=4)
    stage_default: str = Field(min_length=4)
    stage: dict[Stage, str]

    @field_validator("stage")
    @classmethod
    def _all_stages(cls, v: dict[Stage, str]) -> dict[Stage, str]:
        missing = [s.value for s in Stage if s not in v]
        if missing:
            raise ValueError(f"a question is missing for: {', '.join(missing)}")
        return v


class Severities(BaseModel):
    model_config = ConfigDict(extra="forbid")

    serious: list[str] = Field(min_length=1)
    small: list[str] = Field(min_length=1)


class SituationLexicon(BaseModel):
    model_config = ConfigDict(extra="forbid")

    relationships: RelationshipLexicon
    stages: dict[Stage, list[Cue]]
    forgiven: list[Cue] = Field(default_factory=list)
    apology_words: list[str] = Field(min_length=1)
    channels: dict[Literal["line", "sns", "email", "phone", "in_person"], list[str]]
    severity: Severities
    questions: Questions

    @field_validator("stages")
    @classmethod
    def _every_stage(cls, v: dict[Stage, list[Cue]]) -> dict[Stage, list[Cue]]:
        missing = [s.value for s in Stage if not v.get(s)]
        if missing:
            raise ValueError(f"no cues for stage(s): {', '.join(missing)}")
        return v


def load_situation_lexicon_from(path: Path) -> SituationLexicon:
    return load_model(path, SituationLexicon, "situation lexicon")


@lru_cache(maxsize=1)
def load_situation_lexicon() -> SituationLexicon:
    """The packaged cue lexicon (validated, cached)."""
    return load_situation_lexicon_from(SITUATIONS_FILE)


# ---------------------------------------------------------------- result models


class Facts(BaseModel):
    """What could be read from the text (None = not said)."""

    days_since_apology: int | None = None
    days_approximate: bool = False
    apology_date: dt.date | None = None
    unanswered_messages: int | None = None
    channel: Channel | None = None
    severity: Severity | None = None
    forgiven: bool = False
    mentions_apology: bool = False


class Evidence(BaseModel):
    kind: Literal["relationship", "stage"]
    value: str
    text: str
    weight: float


class Situation(BaseModel):
    relationship: Relationship
    stage: Stage
    facts: Facts
    confidence: float = Field(ge=0.0, le=1.0)
    relationship_confidence: float = Field(ge=0.0, le=1.0)
    stage_confidence: float = Field(ge=0.0, le=1.0)
    question: str | None = None
    relationship_given: bool = False
    stage_given: bool = False
    stage_scores: dict[str, float] = Field(default_factory=dict)
    evidence: list[Evidence] = Field(default_factory=list)


# ---------------------------------------------------------------- text preparation

SENTENCE_END = set("。!?…\n")
OPEN_QUOTES = {"「": "」", "『": "』", "“": "”"}
KANSAI_NEG = {"へん", "ひん", "へんかった", "ひんかった"}
NEG_LEMMAS = {"ない", "無い", "ぬ", "ず", "なし", "無し", "ねえ", "ねー"}
PASS_LEMMAS = {
    "思う", "わけ", "訳", "こと", "事", "気", "様子", "感じ", "すら", "さえ", "全然", "まだ", "全く",
    "一切", "一つ", "ひとつ", "一", "つ", "なかなか", "ぜんぜん", "何", "も", "まったく", "ちっとも",
    "思える", "気配", "素振り", "そぶり", "見込み", "もらえる", "くれる",
}
# verbs after a quotative that make the quoted words the other person's
OTHER_SPEECH = {"言う", "返す", "返る", "くる", "来る", "告げる", "宣言", "言い渡す", "書く", "送る", "怒る",
                "泣く", "頼む", "叫ぶ", "言い出す", "言い放つ", "切り出す", "返信", "返事", "伝える", "釘",
                "お願い", "突き放す", "返ってくる", "言える"}
THOUGHT_VERBS = {"思う", "思える", "考える", "感じる", "信じる", "思い込む", "願う"}
SELF_MARKERS = {"える", "られる"}  # 言えた (the user managed to say it)
QUOTATIVES = {"って", "と", "て", "っ"}


@dataclass(slots=True)
class Tok:
    m: Morpheme
    sent: int
    other: bool = False  # the other person's words
    quoted_self: bool = False  # the user's own quoted words (「ごめん」って言えた)

    @property
    def keys(self) -> tuple[str, str, str]:
        return (self.m.surface, self.m.lemma, self.m.norm)


@dataclass(slots=True)
class Prepared:
    text: str
    toks: list[Tok]
    sent_text: list[str]
    sent_bounds: list[tuple[int, int]]  # token index ranges
    starts: dict[int, int] = field(default_factory=dict)  # char offset -> token index
    ends: dict[int, int] = field(default_factory=dict)

    def sentence_lemmas(self, s: int) -> set[str]:
        a, b = self.sent_bounds[s]
        out: set[str] = set()
        for t in self.toks[a:b]:
            out.update(t.keys)
        return out


def _prepare(text: str) -> Prepared:
    norm = normalize(text).text
    ms = tokenize(norm) if norm else []
    toks: list[Tok] = []
    sent = 0
    depth = 0
    brk = False
    for m in ms:
        if brk and not (m.surface and (m.surface[0] in SENTENCE_END or m.surface[0] in "」』)")):
            sent += 1
            brk = False
        toks.append(Tok(m=m, sent=sent))
        if m.surface in OPEN_QUOTES:
            depth += 1
        elif m.surface in ("」", "』", "”") and depth:
            depth -= 1
        elif not depth and m.surface and (m.surface[-1] in SENTENCE_END or "\n" in m.surface):
            brk = True
    _mark_speech(toks)
    bounds: list[tuple[int, int]] = []
    k = 0
    while k < len(toks):
        j = k
        while j < len(toks) and toks[j].sent == toks[k].sent:
            j += 1
        bounds.append((k, j))
        k = j
    sent_text = [norm[toks[a].m.begin : toks[b - 1].m.end] for a, b in bounds]
    prep = Prepared(text=norm, toks=toks, sent_text=sent_text, sent_bounds=bounds)
    for i, t in enumerate(toks):
        prep.starts[t.m.begin] = i
        prep.ends[t.m.end] = i
    return prep


def _speaker_after(toks: list[Tok], k: int) -> str | None:
    """Who said the words that end just before token k (a quotative or a closing bracket)."""
    n = len(toks)
    j = k + 1
    while j < n and toks[j].m.pos[0] == "助詞" and toks[j].m.surface in QUOTE_TAIL:
        j += 1
    # sentence-final って / hearsay: the other's words
    if j >= n or toks[j].sent != toks[k].sent or toks[j].m.pos[0] == "補助記号":
        return "other"
    for x in range(j, min(n, j + 3)):
        t = toks[x]
        if t.sent != toks[k].sent:
            break
        if t.m.lemma in THOUGHT_VERBS:
            return None  # …と思ってる: the user's own view, plain narration
        if t.m.pos[0] == "動詞" or t.m.lemma in OTHER_SPEECH:
            tail = {toks[y].m.lemma for y in range(x + 1, min(n, x + 4))}
            passive = tail & {"れる", "られる", "くれる", "くる", "来る"}
            if passive or t.m.lemma in ("返る", "返ってくる", "くる", "来る"):
                return "other"
            if t.m.lemma in ("言える",) or tail & SELF_MARKERS or tail & {"たい", "とく", "ておく", "おく"}:
                return "self"
            if t.m.lemma in ("送る", "伝える", "書く", "謝る", "言う", "お願い", "頼む"):
                # 「ありがとう」って送った / 伝えた: the user's own words unless passive
                return "self" if t.m.lemma != "言う" else "other_or_self"
            return "other"
    return None


QUOTE_TAIL = {"って", "と", "っ", "て", "は", "も"}
CLAUSE_STOP = {"けど", "けれど", "けれども", "が", "のに", "ても", "でも", "たら", "ら", "ば"}


def _speech_verb_follows(toks: list[Tok], k: int) -> bool:
    """A verb of saying comes right after token k (adverbs such as はっきり / きっぱり may come between)."""
    for x in range(k + 1, min(len(toks), k + 4)):
        t = toks[x]
        if t.sent != toks[k].sent:
            return False
        if t.m.lemma in OTHER_SPEECH and t.m.pos[0] in ("動詞", "名詞"):
            return True
        if t.m.pos[0] != "副詞":
            return False
    return False


def _mark_speech(toks: list[Tok]) -> None:
    n = len(toks)
    # 「…」: decide the speaker by what follows the closing bracket
    k = 0
    while k < n:
        if toks[k].m.surface in OPEN_QUOTES:
            close = OPEN_QUOTES[toks[k].m.surface]
            j = k + 1
            while j < n and toks[j].m.surface != close:
                j += 1
            who = _speaker_after(toks, j) if j < n else "other"
            for x in range(k + 1, min(j, n)):
                if who == "self":
                    toks[x].quoted_self = True
                else:
                    toks[x].other = True
            k = j + 1
            continue
        k += 1
    # unbracketed …って言われた / …って。
    for k, t in enumerate(toks):
        if t.other or t.quoted_self:
            continue
        if not (t.m.surface in ("って", "と", "っ", "つって") and t.m.pos[0] == "助詞"):
            continue
        if t.m.surface == "と" and k >= 2 and toks[k - 1].m.surface == "度" and toks[k - 2].m.surface in ("二", "2"):
            continue  # 二度と (never again) is an adverb, not a quotative
        # Sudachi reads …しないと as conditional; it quotes when a speech verb follows (しないとはっきり言われた)
        conj_quote = t.m.surface == "と" and t.m.pos[1] == "接続助詞" and _speech_verb_follows(toks, k)
        if t.m.pos[1] not in ("格助詞", "副助詞") and not conj_quote:
            continue
        if k == 0 or toks[k - 1].m.surface in ("」", "』"):
            continue
        who = _speaker_after(toks, k)
        if who is None:
            continue
        if t.m.surface == "と" and who == "other":
            # と needs an explicit verb: 「…と言われた」; a sentence-final と is not quoting
            nxt = toks[k + 1] if k + 1 < n else None
            if nxt is None or nxt.sent != t.sent or nxt.m.pos[0] == "補助記号":
                continue
        if who == "other_or_self":
            who = "other"
        j = k - 1
        while j >= 0 and toks[j].sent == t.sent:
            s = toks[j].m.surface
            if s in ("、", ",", "」", "』") or toks[j].m.pos[0] == "空白":
                break
            if toks[j].m.pos[1:2] == ("接続助詞",) and s in CLAUSE_STOP:
                break
            if toks[j].m.lemma == "た" and s in ("たら", "だら"):
                break
            j -= 1
        for x in range(j + 1, k):
            if who == "self":
                toks[x].quoted_self = True
            else:
                toks[x].other = True


# ---------------------------------------------------------------- matching


def _alts(item: str) -> set[str]:
    return {a for a in item.split("|") if a}


def _item_matches(t: Tok, alts: set[str]) -> bool:
    return t.m.surface in alts or t.m.lemma in alts or t.m.norm in alts


def _is_break(t: Tok) -> bool:
    return t.m.pos[0] in ("補助記号", "空白") and t.m.surface not in ("ー", "〜")


def _match_at(toks: list[Tok], j: int, alts: set[str]) -> int:
    """End index when the lexicon item *alts* matches at token j, else -1.

    One morpheme (surface, dictionary or normalised form), or a word Sudachi splits into up to four
    morphemes of one sentence (音沙汰 = 音+沙汰, 冷却期間, 探り探り, なんで = なん+で).
    """
    if _item_matches(toks[j], alts):
        return j + 1
    joined = toks[j].m.surface
    for k in range(j + 1, min(len(toks), j + 4)):
        if toks[k].sent != toks[j].sent or _is_break(toks[k]):
            break
        joined += toks[k].m.surface
        if joined in alts:
            return k + 1
    return -1


def _seq_matches(prep: Prepared, seq: list[str], gap: int) -> list[tuple[int, int]]:
    toks = prep.toks
    alts = [_alts(x) for x in seq]
    out: list[tuple[int, int]] = []
    for i, t in enumerate(toks):
        end = _match_at(toks, i, alts[0])
        if end < 0:
            continue
        ok = True
        for a in alts[1:]:
            found = -1
            for j in range(end, min(len(toks), end + 1 + gap)):
                if toks[j].sent != t.sent or _is_break(toks[j]):
                    break
                found = _match_at(toks, j, a)
                if found >= 0:
                    break
            if found < 0:
                ok = False
                break
            end = found
        if ok:
            out.append((i, end))
    return out


def _text_matches(prep: Prepared, needle: str) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    start = prep.text.find(needle)
    while start >= 0:
        if start in prep.starts:
            a = prep.starts[start]
            end = start + len(needle)
            b = a
            while b < len(prep.toks) and prep.toks[b].m.begin < end:
                b += 1
            out.append((a, b))
        start = prep.text.find(needle, start + 1)
    return out


def _negated(prep: Prepared, a: int, b: int) -> bool:
    toks = prep.toks
    sent = toks[a].sent
    # しか … ない limits rather than negates: 「うん」しか返ってこない
    for x in range(max(0, a - 4), b):
        if toks[x].sent == sent and toks[x].m.surface == "しか":
            return False
    for j in range(b, min(len(toks), b + 7)):
        t = toks[j]
        if t.sent != sent:
            return False
        lemma, pos1 = t.m.lemma, t.m.pos[0]
        if lemma in NEG_LEMMAS or t.m.norm in NEG_LEMMAS:
            return True
        if t.m.surface in ("ん", "ず", "ねえ") and pos1 == "助動詞":
            return True
        # Kansai negation: 許さへん / 行かひん / 来えへん (けえ+へん, split oddly by Sudachi)
        after_verb = j > b and toks[j - 1].m.pos[0] in ("動詞", "接尾辞", "助動詞")
        if t.m.surface in KANSAI_NEG and (pos1 == "助動詞" or after_verb):
            return True
        if lemma in PASS_LEMMAS:
            continue
        if pos1 in ("助動詞", "接尾辞", "副詞") or t.m.pos[:2] == ("形状詞", "助動詞語幹"):
            continue
        if pos1 == "助詞" and (t.m.pos[1] != "接続助詞" or t.m.surface in ("て", "で")):
            continue
        if pos1 == "動詞" and t.m.pos[1] == "非自立可能":
            continue
        if pos1 == "形容詞" and t.m.pos[1] == "非自立可能":
            continue
        return False
    return False


def _in_scope(prep: Prepared, a: int, b: int, scope: str) -> bool:
    toks = prep.toks[a:b]
    if scope == "other":
        return all(t.other for t in toks)
    if scope == "self":
        return not any(t.other or t.quoted_self for t in toks)
    return True


_KANA = re.compile(r"^[\u3040-\u309f]+$")


def _sentence_has(prep: Prepared, s: int, words: list[str]) -> bool:
    """A word occurs in sentence *s*: as a morpheme, or (unless it is a short kana word) as text."""
    lemmas = prep.sentence_lemmas(s)
    text = prep.sent_text[s]
    for w in words:
        if w in lemmas:
            return True
        if not (len(w) <= 2 and _KANA.match(w)) and w in text:
            return True
        if len(w) >= 2 and _KANA.match(w) and _aligned_in_sentence(prep, s, w):
            return True  # かな = か+な, のに = の+に: several morphemes, whole
    return False


def _aligned_in_sentence(prep: Prepared, s: int, w: str) -> bool:
    a, b = prep.sent_bounds[s]
    for i in range(a, b):
        joined = ""
        for j in range(i, min(b, i + 4)):
            joined += prep.toks[j].m.surface
            if joined == w:
                return True
            if not w.startswith(joined):
                break
    return False


HYPOTHETICAL = ("たら", "だら", "ば", "なら", "のが", "のは", "かと", "ないか", "んじゃ", "のでは", "ないかと")
FEARED = {"怖い", "こわい", "恐い", "不安", "心配", "どう", "どうしよう", "嫌", "いや", "やだ", "恐れる", "怯える",
          "びくびく", "ビクビク", "ひやひや", "ヒヤヒヤ", "嬉しい", "うれしい", "思う", "気がする"}


def _feared(prep: Prepared, a: int, b: int) -> bool:
    """The matched event is only imagined: 既読スルーされたらどうしよう / 「もう無理」って言われるのが怖い /
    許してもらえたらいいな / 無視されるかと思った."""
    toks = prep.toks
    s = toks[a].sent
    j = b
    # the cue's own verb chain: auxiliaries, される/しまう, a closing quote and its って言われる
    while j < len(toks) and toks[j].sent == s and j - b < 7:
        t = toks[j]
        if t.m.surface in ("たら", "だら", "ば", "なら"):
            break
        pos0, pos1 = t.m.pos[0], t.m.pos[1]
        chain_verb = pos0 == "動詞" and (pos1 == "非自立可能" or t.m.lemma in ("言う", "いう"))
        if pos0 in ("助動詞", "接尾辞") or chain_verb or t.m.surface in ("」", "』", "って", "と", "て"):
            j += 1
            continue
        break
    head = "".join(x.m.surface for x in toks[j:j + 3] if x.sent == s)
    if not head.startswith(HYPOTHETICAL):
        return False
    return any(x.sent == s and (x.m.lemma in FEARED or x.m.surface in FEARED) for x in toks[j + 1:j + 8])


def _whole_quote(prep: Prepared, a: int, b: int) -> bool:
    """Tokens a..b are everything inside one 「…」 apart from punctuation and sentence-final particles."""
    toks = prep.toks
    i = a - 1
    while i >= 0 and (_is_break(toks[i]) and toks[i].m.surface not in OPEN_QUOTES):
        i -= 1
    if i < 0 or toks[i].m.surface not in OPEN_QUOTES:
        return False
    close = OPEN_QUOTES[toks[i].m.surface]
    j = b
    while j < len(toks) and toks[j].m.surface != close:
        t = toks[j]
        if not (_is_break(t) or t.m.pos[0] == "助動詞" or t.m.pos[1:2] == ("終助詞",) or t.m.surface in ("ー", "〜")):
            return False
        j += 1
    return j < len(toks)


def cue_hits(prep: Prepared, cue: Cue) -> list[tuple[int, int]]:
    spans = _seq_matches(prep, cue.seq, cue.gap) if cue.seq is not None else _text_matches(prep, cue.text or "")
    hits: list[tuple[int, int]] = []
    for a, b in spans:
        s = prep.toks[a].sent
        if cue.negated is not None and _negated(prep, a, b) != cue.negated:
            continue
        if cue.negated is None and cue.weight > 0 and _negated(prep, a, b):
            continue  # 距離を置かれたくなくて / 絶交にならなくてよかった: a denied event is no evidence
        if not _in_scope(prep, a, b, cue.scope):
            continue
        if cue.with_ and not _sentence_has(prep, s, cue.with_):
            continue
        if cue.without and _sentence_has(prep, s, cue.without):
            continue
        if cue.quote_only and not _whole_quote(prep, a, b):
            continue
        if cue.weight > 0 and _feared(prep, a, b):
            continue
        hits.append((a, b))
    return hits


def _span_text(prep: Prepared, a: int, b: int) -> str:
    return prep.text[prep.toks[a].m.begin : prep.toks[b - 1].m.end]


# ---------------------------------------------------------------- relationship


def _aligned(prep: Prepared, word: str) -> list[tuple[int, int]]:
    """Token index spans where *word* starts and ends on morpheme boundaries."""
    out = []
    start = prep.text.find(word)
    while start >= 0:
        end = start + len(word)
        if start in prep.starts and (end in prep.ends or len(word) >= 2):
            b = prep.starts[start]
            while b < len(prep.toks) and prep.toks[b].m.begin < end:
                b += 1
            out.append((prep.starts[start], b))
        start = prep.text.find(word, start + 1)
    return out


TARGET_PARTICLES = {"に", "と", "から", "へ", "は", "が", "とは", "には", "も", "にも", "を"}
STORY_WORDS = {
    "謝る", "謝れる", "謝罪", "お詫び", "詫び", "詫びる", "喧嘩", "ケンカ", "けんか", "仲直り", "和解",
    "許す", "許せる", "お許し", "冷戦", "怒る", "キレる", "謝らす", "トラブル", "揉める",
}


def _read_relationship(prep: Prepared, lex: SituationLexicon) -> tuple[Relationship, float, list[Evidence]]:
    rl = lex.relationships
    scores = {r.value: 0.0 for r in Relationship}
    evidence: list[Evidence] = []
    occurrences: list[tuple[int, int, str, str]] = []  # a, b, relationship, word
    for rel in Relationship:
        words: RelationshipWords = getattr(rl, rel.value)
        for w in words.persons:
            for a, b in _aligned(prep, w):
                occurrences.append((a, b, rel.value, w))
    for w, amb in rl.ambiguous.items():
        for a, b in _aligned(prep, w):
            rel = amb.default.value
            for alt in ("friend", "work", "family", "partner"):
                if any(c in prep.text for c in getattr(amb, alt)):
                    rel = alt
                    break
            occurrences.append((a, b, rel, w))
    # keep the longest match where person words overlap (ママ友 over ママ, 彼氏 over 彼)
    occurrences.sort(key=lambda o: (-(o[1] - o[0]), o[0]))
    taken: set[int] = set()
    kept = []
    for a, b, rel, w in occurrences:
        if any(x in taken for x in range(a, b)):
            continue
        taken.update(range(a, b))
        kept.append((a, b, rel, w))
    kept.sort()
    toks = prep.toks
    for idx, (a, b, rel, w) in enumerate(kept):
        weight = 1.0
        nxt = toks[b] if b < len(toks) else None
        nxt2 = toks[b + 1] if b + 1 < len(toks) else None
        if nxt is not None and nxt.m.surface in ("の",) and nxt2 is not None and nxt2.m.pos[0] == "名詞" \
                and nxt2.m.surface not in ("方", "さん", "人"):
            weight = 0.4  # 夫の実家, 部長の発言: a modifier, not the person of the story
        elif nxt is not None and nxt.m.surface in ("さん", "ちゃん", "くん", "君", "様", "の方", "本人", "自身"):
            nxt = nxt2
        if nxt is not None and nxt.m.surface in TARGET_PARTICLES and weight == 1.0:
            s = toks[a].sent
            if prep.sentence_lemmas(s) & STORY_WORDS:
                weight += 1.0
        if all(t.other for t in toks[a:b]):
            weight *= 0.3
        if idx == 0:
            weight += 0.3
        scores[rel] += weight
        evidence.append(Evidence(kind="relationship", value=rel, text=w, weight=round(weight, 2)))
    person_total = sum(scores.values())
    for rel in Relationship:
        words = getattr(rl, rel.value)
        seen: set[str] = set()
        for w in words.context:
            if w in seen:
                continue
            if _aligned(prep, w):
                seen.add(w)
                scores[rel.value] += 0.4
                evidence.append(Evidence(kind="relationship", value=rel.value, text=w, weight=0.4))
    for w in rl.partner_markers:
        if w in prep.text:
            scores["partner"] += 3.0
            evidence.append(Evidence(kind="relationship", value="partner", text=w, weight=3.0))
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], list(scores).index(kv[0])))
    best, best_score = ranked[0]
    second = ranked[1][1]
    if best_score <= 0:
        return Relationship.friend, 0.25, evidence
    if person_total > 0 and best_score - second >= 0.8:
        conf = 0.95
    elif person_total > 0 and best_score - second >= 0.3:
        conf = 0.75
    elif person_total > 0:
        conf = 0.5
    else:
        conf = 0.55 if best_score - second >= 0.4 else 0.4
    return Relationship(best), conf, evidence


# ---------------------------------------------------------------- facts

KANJI_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
                "ひと": 1, "ふた": 2, "数": 3, "半": 0}
WEEKDAYS = {"月": 0, "火": 1, "水": 2, "木": 3, "金": 4, "土": 5, "日": 6}
NUM = r"(\d+|[一二三四五六七八九十]+|数|ひと|ふた|半)"
# words for a past day, with their distance in days and whether it is approximate
RELATIVE_DAYS: tuple[tuple[str, int, bool], ...] = (
    ("一昨日", 2, False), ("おととい", 2, False), ("昨日", 1, False), ("昨晩", 1, False),
    ("昨夜", 1, False), ("先週", 7, True), ("先日", 3, True), ("この前", 4, True),
    ("こないだ", 4, True), ("先月", 30, True), ("一週間", 7, False),
    ("半月", 15, True), ("数日", 3, True), ("しばらく前", 7, True),
)
APPROX = ("くらい", "ぐらい", "ほど", "位", "頃", "ちょっと", "近く", "弱", "強", "あまり", "以上")


def _num(s: str) -> int:
    if s.isdigit():
        # a longer run of digits is no real distance (and int() refuses over 4,300 digits): a huge one
        return int(s) if len(s) <= 7 else 10**7
    if s in KANJI_DIGITS:
        return KANJI_DIGITS[s]
    total = 0
    if "十" in s:
        left, _, right = s.partition("十")
        total = (KANJI_DIGITS.get(left, 1) if left else 1) * 10 + (KANJI_DIGITS.get(right, 0) if right else 0)
        return total
    return KANJI_DIGITS.get(s, 0)


def _read_days(text: str, today: dt.date) -> tuple[int | None, bool]:
    found: list[tuple[int, bool]] = []
    for m in re.finditer(NUM + r"\s*(日|週間|週|(?:ヶ|か|カ|ヵ|ケ|箇)?月|時間)(目|前|間|後)?", text):
        n_raw, unit, suffix = m.group(1), m.group(2), m.group(3) or ""
        if unit == "月" and not re.search(r"(ヶ|か|カ|ヵ|ケ|箇)月$", m.group(0)):
            continue  # 3月 is a month name
        if unit == "日" and text[m.end():m.end() + 1] in ("曜",):
            continue
        n = _num(n_raw)
        approx = n_raw in ("数", "半") or text[m.end():m.end() + 3].startswith(APPROX)
        if unit == "日":
            days = max(0, n - 1) if suffix == "目" else n
            if n_raw == "半":
                days = 0
        elif unit in ("週間", "週"):
            days = 7 * n if n else 3
        elif unit == "時間":
            days = 0
        else:
            days = 30 * n if n else 15
        found.append((days, approx))
    for word, days, approx in RELATIVE_DAYS:
        if word in text and not any(d == days for d, _ in found):
            found.append((days, approx))
    # 月曜に謝って今日は金曜 / 月曜に謝った (counted back from today)
    today_m = re.search(r"今日は?(?:もう)?([月火水木金土日])曜", text)
    wd = [m.group(1) for m in re.finditer(r"([月火水木金土日])曜", text)
          if not (today_m and today_m.start() <= m.start() < today_m.end())]
    if wd and not found:
        now = WEEKDAYS[today_m.group(1)] if today_m else today.weekday()
        first = WEEKDAYS[wd[0]]
        # a past weekday named on that same weekday is a week ago (today would be 今日)
        diff = (now - first) % 7 or 7
        found.append((diff, False))
    if found:
        days, approx = max(found, key=lambda x: x[0])
        return days, approx
    if re.search(r"今日|本日|さっき|先ほど|先程|今朝|今夜|今晩|たった今|今しがた|つい今|さきほど", text):
        return 0, False
    return None, False


def _read_facts(prep: Prepared, lex: SituationLexicon, today: dt.date) -> Facts:
    text = prep.text
    days, approx = _read_days(text, today)
    apology_sents = {t.sent for t in prep.toks if _item_matches(t, set(lex.apology_words))}
    facts = Facts(days_since_apology=days, days_approximate=approx, mentions_apology=bool(apology_sents))
    if days is not None:
        try:
            facts.apology_date = today - dt.timedelta(days=days)
        except OverflowError:  # before year 1: not a day anyone apologised on
            facts.days_since_apology = None
    # channel: prefer words in the sentences that talk about the apology
    best: tuple[int, int, str] | None = None
    for ch, words in lex.channels.items():
        for w in words:
            for a, _b in _aligned(prep, w) + ([] if w.isascii() else _text_matches(prep, w)):
                in_apology = prep.toks[a].sent in apology_sents
                if ch == "in_person" and not in_apology:
                    continue
                rank = (0 if in_apology else 1, a)
                if best is None or rank < best[:2]:
                    best = (rank[0], rank[1], ch)
    if best is not None:
        facts.channel = best[2]  # type: ignore[assignment]
    serious = sum(1 for w in lex.severity.serious if w in text)
    small = sum(1 for w in lex.severity.small if w in text)
    if serious or small:
        facts.severity = "serious" if serious >= small else "small"
    # explicit message counts: 3通, 2回送った, LINE5件
    for m in re.finditer(NUM + r"\s*(通|件|回)", text):
        window = text[max(0, m.start() - 12) : m.end() + 8]
        if re.search(r"送|LINE|ライン|メール|メッセージ|DM|電話|連絡|謝", window):
            facts.unanswered_messages = _num(m.group(1)) or None
            break
    for cue in lex.forgiven:
        if cue_hits(prep, cue):
            facts.forgiven = True
            break
    return facts


# ---------------------------------------------------------------- stage


OTHERS_BEHAVIOUR = {"cold", "no_reply"}
ACT_VERBS = {"する", "出る", "当たる", "接する", "言う", "返す", "あしらう", "対応", "応対", "振る舞う", "扱う"}


def _own_act(prep: Prepared, a: int, b: int) -> bool:
    """The cue describes what the user did (what they apologised for), not how the other behaves:
    言い方がきつかったと謝った (the content of the user's own apology), 冷たく出てしまった / 無視しちゃった
    (an act verb, active, often with てしまう)."""
    toks = prep.toks
    if all(t.quoted_self for t in toks[a:b]):
        return True
    s = toks[a].sent
    act = False
    for j in range(b, min(len(toks), b + 6)):
        t = toks[j]
        if t.sent != s:
            break
        if t.m.lemma in ("れる", "られる", "くる", "来る", "くれる", "せる", "させる"):
            return False  # 冷たくされた / 冷たく接してくる: the other's behaviour
        if t.m.pos[0] == "動詞" and t.m.lemma in ACT_VERBS and j <= b + 1:
            act = True
            continue
        if t.m.lemma in ("しまう", "ちゃう", "じゃう", "ちまう") and (act or j <= b + 2):
            return True
        if t.m.pos[0] in ("助動詞",) or t.m.surface in ("て", "で"):
            continue
        break
    return False


def _score_stages(prep: Prepared, lex: SituationLexicon) -> tuple[dict[str, float], list[Evidence]]:
    scores = {s: 0.0 for s in PRECEDENCE}
    evidence: list[Evidence] = []
    for stage, cues in lex.stages.items():
        for cue in cues:
            hits = cue_hits(prep, cue)
            if stage.value in OTHERS_BEHAVIOUR and cue.weight > 0:
                hits = [h for h in hits if not _own_act(prep, *h)]
            if not hits:
                continue
            scores[stage.value] += cue.weight
            a, b = hits[0]
            evidence.append(
                Evidence(kind="stage", value=stage.value, text=_span_text(prep, a, b), weight=cue.weight)
            )
    return scores, evidence


def _decide_stage(scores: dict[str, float], facts: Facts) -> tuple[Stage, float]:
    s = dict(scores)
    days = facts.days_since_apology
    if days is not None:
        if days == 0:
            s["just_apologized"] += 0.6
        elif days == 1:
            s["just_apologized"] += 0.45
            s["days_later"] += 0.3
        else:
            s["days_later"] += 0.5
    if facts.forgiven:
        # "forgiven but …": the stages that presuppose forgiveness get the benefit of the doubt
        if 0 < s["awkward"] < FIT:
            s["awkward"] += 0.3
        if 0 < s["improve"] < FIT:
            s["improve"] += 0.2
        s["days_later"] += 0.2 if days and days >= 2 else 0.0
        s["just_apologized"] += 0.2 if days == 0 else 0.0
    fits = [st for st in PRECEDENCE if s[st] >= FIT]
    if fits:
        top = fits[0]
        conf = 0.9 if s[top] >= 1.2 else 0.8
        rivals = [st for st in fits[1:] if s[st] >= 1.2 and st not in ("days_later", "just_apologized")]
        if rivals:
            conf -= 0.1
        return Stage(top), conf
    positive = [(v, -PRECEDENCE.index(st), st) for st, v in s.items() if v > 0]
    if positive:
        v, _, st = max(positive)
        if v >= 0.5:
            return Stage(st), 0.6
        return Stage(st), 0.45
    if facts.forgiven:
        return Stage.days_later if days and days >= 2 else Stage.just_apologized, 0.4
    return Stage.just_apologized, 0.25


# ---------------------------------------------------------------- entry point


def no_japanese_error() -> InputError:
    return InputError(
        "no_japanese",
        "日本語の状況説明が見つかりませんでした。何があったか(誰に謝ったか、そのあと相手はどうか)を日本語で書いてください。",
        "no Japanese situation found in the text",
    )


def read_situation(
    text: str | None = None,
    *,
    relationship: str | None = None,
    stage: str | None = None,
    today: dt.date | None = None,
) -> Situation:
    """Read relationship, stage and facts from *text*; explicit choices override inference.

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
        return Situation(relationship=rel_given, stage=stage_given, facts=Facts(), confidence=1.0,
                         relationship_confidence=1.0, stage_confidence=1.0, relationship_given=True,
                         stage_given=True)
    validate_text(text, what="状況の説明")
    if not has_japanese(text):
        raise no_japanese_error()
    prep = _prepare(text)
    facts = _read_facts(prep, lex, today)
    rel, rel_conf, rel_ev = _read_relationship(prep, lex)
    scores, st_ev = _score_stages(prep, lex)
    nothing = not rel_ev and not st_ev and not facts.mentions_apology and facts.days_since_apology is None
    if nothing and rel_given is None and stage_given is None:
        raise InputError(
            "no_situation",
            "状況が読み取れませんでした。誰に謝ったか、そのあと相手がどうしているかを書いてください"
            "(例:「彼氏に謝ったけど既読スルー」)。",
            "no situation found in the text",
        )
    st, st_conf = _decide_stage(scores, facts)
    if rel_given is not None:
        rel, rel_conf = rel_given, 1.0
    if stage_given is not None:
        st, st_conf = stage_given, 1.0
    if facts.unanswered_messages is None and st == Stage.no_reply and facts.mentions_apology:
        facts.unanswered_messages = 1
    if facts.severity is None and st == Stage.rejected:
        facts.severity = "serious"
    confidence = round(min(rel_conf, st_conf), 2)
    question = None
    if confidence < 0.6:
        if rel_conf <= st_conf:
            question = lex.questions.relationship
        elif max(scores.values()) <= 0:
            question = lex.questions.stage_default
        else:
            question = lex.questions.stage[st]
    return Situation(
        relationship=rel, stage=st, facts=facts, confidence=confidence,
        relationship_confidence=round(rel_conf, 2), stage_confidence=round(st_conf, 2), question=question,
        relationship_given=rel_given is not None, stage_given=stage_given is not None,
        stage_scores={k: round(v, 2) for k, v in scores.items() if v},
        evidence=rel_ev + st_ev,
    )
