"""Who is speaking: the other person's words and the sender's own quoted words.

Situations quote the other person (「もう無理」って言われた, 「了解」って。, …と告げられた) and the sender
(「ごめん」って言えた). A closing bracket or a quotative (って / と) is followed by what decides the
speaker: a passive or くる (言われた, 返ってきた) makes it the other person, a potential or a wish
(言えた, 伝えたい) the sender, a thought verb (…と思ってる) nobody (plain narration), and a sentence that
ends in って is hearsay, the other's words.
"""

from __future__ import annotations

from .lexicon import lexicon
from .tokens import Token

_LEX = lexicon()

OPEN_QUOTES = {"「": "」", "『": "』", "“": "”"}
# verbs after a quotative that make the quoted words the other person's
OTHER_SPEECH = _LEX.words("speaker_other_verbs")
# a thought verb after a quotative (…と思ってる) is the sender's own view, not anybody's words
THOUGHT_VERBS = _LEX.words("speaker_thought_verbs")
SELF_MARKERS = {"える", "られる"}  # 言えた (the sender managed to say it)
QUOTE_TAIL = {"って", "と", "っ", "て", "は", "も"}
QUOTATIVE_SURFACES = frozenset({"って", "と", "っ", "つって"})  # the surfaces a quotative particle takes
CLAUSE_STOP = {"けど", "けれど", "けれども", "が", "のに", "ても", "でも", "たら", "ら", "ば"}


def _speaker_after(toks: list[Token], k: int) -> str | None:
    """Who said the words that end just before token k (a quotative or a closing bracket)."""
    n = len(toks)
    j = k + 1
    while j < n and toks[j].pos1 == "助詞" and toks[j].surface in QUOTE_TAIL:
        j += 1
    # sentence-final って / hearsay: the other's words
    if j >= n or toks[j].sent != toks[k].sent or toks[j].pos1 == "補助記号":
        return "other"
    for x in range(j, min(n, j + 3)):
        t = toks[x]
        if t.sent != toks[k].sent:
            break
        if t.m.lemma in THOUGHT_VERBS:
            return None  # …と思ってる: the user's own view, plain narration
        if t.pos1 == "動詞" or t.m.lemma in OTHER_SPEECH:
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


def _speech_verb_follows(toks: list[Token], k: int) -> bool:
    """A verb of saying comes right after token k (adverbs such as はっきり / きっぱり may come between)."""
    for x in range(k + 1, min(len(toks), k + 4)):
        t = toks[x]
        if t.sent != toks[k].sent:
            return False
        if t.m.lemma in OTHER_SPEECH and t.pos1 in ("動詞", "名詞"):
            return True
        if t.pos1 != "副詞":
            return False
    return False


def mark_speech(toks: list[Token], opens: list[int], quotatives: list[int]) -> None:
    """Mark the other person's words (``other``) and the sender's own quoted words (``own_quote``).

    *opens*: the positions of the opening brackets 「『“ in order; *quotatives*: the positions whose
    surface is in :data:`QUOTATIVE_SURFACES`, in order (the analyser's sentence pass collects both)."""
    n = len(toks)
    # 「…」: decide the speaker by what follows the closing bracket (a bracket inside one already read
    # opens nothing)
    after = 0
    for k in opens:
        if k < after:
            continue
        close = OPEN_QUOTES[toks[k].surface]
        j = k + 1
        while j < n and toks[j].surface != close:
            j += 1
        who = _speaker_after(toks, j) if j < n else "other"
        for x in range(k + 1, min(j, n)):
            if who == "self":
                toks[x].own_quote = True
            else:
                toks[x].other = True
        after = j + 1
    # unbracketed …って言われた / …って。
    for k in quotatives:
        t = toks[k]
        if t.pos1 != "助詞" or t.other or t.own_quote:
            continue
        if t.surface == "と" and k >= 2 and toks[k - 1].surface == "度" and toks[k - 2].surface in ("二", "2"):
            continue  # 二度と (never again) is an adverb, not a quotative
        # Sudachi reads …しないと as conditional; it quotes when a speech verb follows (しないとはっきり言われた)
        conj_quote = t.surface == "と" and t.pos[1] == "接続助詞" and _speech_verb_follows(toks, k)
        if t.pos[1] not in ("格助詞", "副助詞") and not conj_quote:
            continue
        if k == 0 or toks[k - 1].surface in ("」", "』"):
            continue
        who = _speaker_after(toks, k)
        if who is None:
            continue
        if t.surface == "と" and who == "other":
            # と needs an explicit verb: 「…と言われた」; a sentence-final と is not quoting
            nxt = toks[k + 1] if k + 1 < n else None
            if nxt is None or nxt.sent != t.sent or nxt.pos1 == "補助記号":
                continue
        if who == "other_or_self":
            who = "other"
        j = k - 1
        while j >= 0 and toks[j].sent == t.sent:
            s = toks[j].surface
            if s in ("、", ",", "」", "』") or toks[j].pos1 == "空白":
                break
            if toks[j].pos[1:2] == ("接続助詞",) and s in CLAUSE_STOP:
                break
            if toks[j].m.lemma == "た" and s in ("たら", "だら"):
                break
            j -= 1
        for x in range(j + 1, k):
            if who == "self":
                toks[x].own_quote = True
            else:
                toks[x].other = True
