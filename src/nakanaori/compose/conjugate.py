"""Conjugate the user's own phrases into a message, on SudachiPy's conjugation type and form.

A fact such as 「約束の時間に遅れた」 is parsed into a :class:`Predicate`: the text before the last
conjugable word (``head``), that word's dictionary form and Sudachi conjugation type (``pos[4]``),
and what the trailing auxiliaries said (negative, 〜ている, 〜てくれた …). The polite endings
(ました, です), completion (〜てしまった, 〜ちゃった, 〜じゃった) and the past tense are read from the
conjugation forms and dropped, so that 「遅れた」「遅れちゃった」「遅れてしまいました」 all give the
same predicate, which is then put back into the form the sentence needs:

* :func:`apology_clause` — the clause before ごめん / 申し訳ございません (遅れてしまって / 遅れてしまい)
* :func:`will_clause` — the promise (かけるね / かけるようにします / かけるようにいたします)
* :func:`thanks_clause` — what I'm thankful for (聞いてくれて / 聞いていただき / アドバイスを)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from ..text.tokenizer import Morpheme, tokenize

Register = Literal["casual", "polite", "honorific"]

# godan: the last kana of the dictionary form → its 連用形 / 未然形 / て-form ending
_GODAN_I = dict(zip("くぐすつるうぬぶむ", "きぎしちりいにびみ", strict=True))
_GODAN_A = dict(zip("くぐすつるうぬぶむ", "かがさたらわなばま", strict=True))
_GODAN_TE = {
    "く": "いて",
    "ぐ": "いで",
    "す": "して",
    "つ": "って",
    "る": "って",
    "う": "って",
    "ぬ": "んで",
    "ぶ": "んで",
    "む": "んで",
}
_IKU = ("行く", "いく", "逝く")
_BENEFACTIVE = {"くれる", "呉れる", "もらう", "貰う", "くださる", "下さる", "いただく", "頂く"}
_COMPLETIVE_AUX = {"ちゃう", "じゃう", "ちまう", "じまう"}
_SHIMAU = {"しまう", "仕舞う"}
_IRU = {"いる", "居る", "おる"}  # おる: the humble 〜ておる (忘れておりました)
_OKU = {"おく", "置く"}
_STATE_CORES = {"ある", "有る", "いる", "居る", "おる"}
_CONTRACTED_IRU = {"てる", "でる", "とる", "どる"}  # 忘れてた / 読んでる / 忘れとった (〜ている, contracted or dialect)
_THINK = {"思う", "考える"}
# serious acts (infidelity, lies, hurtful words, violence, money): never the playful ちゃう form
_SERIOUS = re.compile(
    r"浮気|不倫|嘘|うそ|ウソ|騙|だま|裏切|怒鳴|どな|殴|叩|たた|蹴|暴力|手を上げ|手をあげ|使い込|着服|横領|借金|お金|金を|"
    r"ひどいこと|酷いこと|悪口|暴言|傷つけ|冷たく|無視"
)
_APOLOGY_TAIL = re.compile(
    r"[、,\s]*(本当に|ほんとに|ほんとう?に|大変|誠に)?"
    r"(ごめん(なさい|ね)?|すみません(でした)?|すいません(でした)?|申し訳(ありません|ございません|ない)(でした)?)$"
)
_THANKS_TAIL = re.compile(r"[、,\s]*(本当に|ほんとに)?(ありがとう(ございます|ございました)?)$")
_TRAILING_PUNCT = re.compile(r"[。．.!！?？、,…・〜~\s]+$")


class ConjugationError(ValueError):
    """The phrase does not end in something we can conjugate (e.g. it ends in a particle)."""


@dataclass(frozen=True)
class Predicate:
    """A user's phrase split into the text before its last conjugable word and that word."""

    text: str  # the cleaned phrase
    head: str  # text before the core word (約束の時間に)
    core: str  # dictionary form of the core word (遅れる); for nouns the noun as written
    ctype: str  # Sudachi conjugation type of the core (下一段-ラ行); "" for nouns
    kind: Literal["verb", "adjective", "noun"]
    negative: bool = False  # 〜ない / 〜なかった / 〜ません / 〜ず
    progressive: bool = False  # 〜ている / 〜ていた
    benefactive: bool = False  # 〜てくれた / 〜てもらった / 〜てくださった / 〜ていただいた
    suru_noun: bool = False  # the noun takes する (確認, チェック)
    giver: str = ""  # the benefactive verb's lemma (くれる / くださる / もらう / いただく)
    contracted: bool = False  # 〜てる / 〜てた (casual contraction of 〜ている)
    polite: bool = False  # the user wrote 〜ます (努めます)
    humble: bool = False  # the user wrote the humble 〜ておる (忘れておりました): kept at every polite level
    act_noun: bool = False  # a する-noun naming an act (遅刻), not a state (確認不足, 迷惑: サ変形状詞可能)


def serious(text: str) -> bool:
    """Whether the phrase names a serious act, which never takes the playful ちゃう form."""
    return bool(_SERIOUS.search(text))


def clean(text: str) -> str:
    """Trim spaces, final punctuation and a trailing apology word (遅れてごめん → 遅れて)."""
    t = " ".join(text.split())
    prev = None
    while prev != t:
        prev = t
        t = _TRAILING_PUNCT.sub("", t)
        t = _APOLOGY_TAIL.sub("", t)
        t = _THANKS_TAIL.sub("", t)
        t = _LEADING_APOLOGY.sub("", t) or t  # 遅れてすみません、次から気をつけます → 気をつけます
    return t


def _te_particle(m: Morpheme | None) -> bool:
    return m is not None and m.pos[0] == "助詞" and m.pos[1] == "接続助詞" and m.surface in ("て", "で")


def parse(text: str) -> Predicate:
    """Split ``text`` into head + core predicate. Raises :class:`ConjugationError` when it cannot."""
    phrase = clean(text)
    if not phrase:
        raise ConjugationError("empty phrase")
    toks = tokenize(phrase)
    negative = progressive = benefactive = contracted = polite = humble = False
    giver = ""
    # drop trailing symbols and sentence-final particles
    while toks and (toks[-1].pos[0] in ("補助記号", "空白") or toks[-1].pos[1] == "終助詞"):
        toks.pop()
    if len(toks) > 1 and _te_particle(toks[-1]):  # 遅れて(ごめん) → 遅れ
        toks.pop()
    while toks:
        last = toks[-1]
        prev = toks[-2] if len(toks) >= 2 else None
        ct = last.pos[4]
        if last.pos[0] == "助動詞" and ct in ("助動詞-タ", "助動詞-マス", "助動詞-デス", "助動詞-タイ"):
            polite = polite or ct == "助動詞-マス"
            toks.pop()
        elif last.pos[0] == "助動詞" and last.lemma in _CONTRACTED_IRU:
            progressive = contracted = True
            toks.pop()
        elif (
            last.pos[0] == "動詞"
            and last.lemma in _THINK
            and prev is not None
            and prev.surface == "と"
            and len(toks) >= 3
            and toks[-3].pos[5].startswith("意志推量形")
        ):  # 聞こうと思う → 聞く
            del toks[-2:]
            progressive = False
        elif last.pos[0] == "助動詞" and ct in ("助動詞-ナイ", "助動詞-ヌ"):
            negative = True
            toks.pop()
        elif last.pos[0] == "助動詞" and (
            (ct == "助動詞-ダ" and last.surface != "に" and len(toks) > 1) or last.lemma in _COMPLETIVE_AUX
        ):
            toks.pop()
        elif last.pos[0] == "動詞" and _te_particle(prev) and last.lemma in _SHIMAU:
            del toks[-2:]
        elif last.pos[0] == "動詞" and _te_particle(prev) and last.lemma in _BENEFACTIVE:
            if not benefactive:
                # 心配してくれてた: the 〜ている is on the giving, not on the act
                progressive = contracted = False
            benefactive = True
            giver = giver or last.lemma
            del toks[-2:]
        elif last.pos[0] == "動詞" and _te_particle(prev) and last.lemma in _IRU | _OKU:
            progressive = progressive or last.lemma in _IRU
            humble = humble or last.lemma == "おる"
            del toks[-2:]
        elif (
            last.pos[0] == "名詞"
            and last.surface in ("こと", "事", "つもり")
            and prev is not None
            and prev.pos[0] in ("動詞", "助動詞", "形容詞")
        ):
            toks.pop()
        else:
            break
    if not toks:
        raise ConjugationError(f"no predicate in {phrase!r}")
    core = toks[-1]
    head = phrase[: core.begin]
    if core.pos[0] in ("動詞", "助動詞") and core.pos[4] not in ("*", ""):
        kind: Literal["verb", "adjective", "noun"] = "verb"
        word = core.lemma
    elif core.pos[0] == "形容詞":
        kind, word = "adjective", core.lemma
    elif core.pos[0] in ("名詞", "形状詞", "代名詞", "接尾辞") and not negative:
        return Predicate(
            text=phrase,
            head=head,
            core=core.surface,
            ctype="",
            kind="noun",
            suru_noun=core.pos[2].startswith("サ変"),
            act_noun=core.pos[2] == "サ変可能",
        )
    else:
        raise ConjugationError(f"cannot conjugate the end of {phrase!r} ({core.surface}: {core.pos[0]})")
    return Predicate(
        text=phrase,
        head=head,
        core=word,
        ctype=core.pos[4],
        kind=kind,
        negative=negative,
        progressive=progressive,
        benefactive=benefactive,
        giver=giver,
        contracted=contracted,
        polite=polite,
        humble=humble,
    )


# --- forms of one word -------------------------------------------------------------------------


def _group(word: str, ctype: str) -> str:
    if ctype.startswith("五段"):
        return "godan"
    if ctype.startswith("サ行変格"):
        return "suru"
    if ctype.startswith("カ行変格"):
        return "kuru"
    if ctype.startswith("形容詞"):
        return "adj"
    # 上一段, 下一段, and auxiliaries that conjugate like them (せる, させる, れる, られる)
    return "ichidan"


def _suru_stem(word: str) -> str:
    for end in ("する", "ずる", "為る"):
        if word.endswith(end):
            return word[: -len(end)]
    return word


def te(word: str, ctype: str) -> str:
    """て-form: 遅れる→遅れて, 行く→行って, 読む→読んで, 確認する→確認して, 来る→来て."""
    g = _group(word, ctype)
    if g == "godan":
        if word.endswith(_IKU):
            return word[:-1] + "って"
        return word[:-1] + _GODAN_TE[word[-1]]
    if g == "suru":
        return _suru_stem(word) + "して"
    if g == "kuru":
        return "きて" if word == "くる" else word[:-1] + "て"
    if g == "adj":
        return adj_stem(word) + "くて"
    return word[:-1] + "て"


def renyou(word: str, ctype: str) -> str:
    """連用形 (ます-stem): 遅れる→遅れ, 書く→書き, 確認する→確認し, 来る→来."""
    g = _group(word, ctype)
    if g == "godan":
        return word[:-1] + _GODAN_I[word[-1]]
    if g == "suru":
        return _suru_stem(word) + "し"
    if g == "kuru":
        return "き" if word == "くる" else word[:-1]
    if g == "adj":
        return adj_stem(word) + "く"
    return word[:-1]


def mizen(word: str, ctype: str, *, for_zu: bool = False) -> str:
    """未然形 before ない (or ず): 書く→書か, 言う→言わ, する→し (せ before ず), 来る→来."""
    g = _group(word, ctype)
    if g == "godan":
        if word in ("ある", "有る"):
            raise ConjugationError("ある has no 未然形 before ない")
        return word[:-1] + _GODAN_A[word[-1]]
    if g == "suru":
        return _suru_stem(word) + ("せ" if for_zu else "し")
    if g == "kuru":
        return "こ" if word == "くる" else word[:-1]
    if g == "adj":
        return adj_stem(word) + "く"
    return word[:-1]


def adj_stem(word: str) -> str:
    """語幹 of an i-adjective; いい conjugates on よ (よくて)."""
    if word in ("いい", "良い", "よい"):
        return "よ" if word != "良い" else "良"
    return word[:-1]


# --- forms of a whole phrase -------------------------------------------------------------------


def _pred(p: Predicate | str) -> Predicate:
    return parse(p) if isinstance(p, str) else p


def te_form(p: Predicate | str) -> str:
    """The phrase in て-form, keeping negation and 〜ている: 遅れて / 連絡しなくて / 忘れていて."""
    p = _pred(p)
    if p.kind == "noun":
        return p.head + p.core + "で"
    if p.kind == "adjective":
        return p.head + adj_stem(p.core) + ("くなくて" if p.negative else "くて")
    if p.progressive:
        return p.head + te(p.core, p.ctype) + ("いなくて" if p.negative else "いて")
    if p.negative:
        return p.head + mizen(p.core, p.ctype) + "なくて"
    return p.head + te(p.core, p.ctype)


def dictionary_form(p: Predicate | str) -> str:
    """The plain non-past form: かける / 遅刻しない / 確認する / 優しくする."""
    p = _pred(p)
    if p.kind == "noun":
        return p.head + p.core + ("する" if p.suru_noun and not _ends_in_particle(p.head) else "")
    if p.kind == "adjective":
        return p.head + adj_stem(p.core) + ("くしない" if p.negative else "くする")
    if p.progressive:
        return p.head + te(p.core, p.ctype) + ("いない" if p.negative else "いる")
    if p.negative:
        return p.head + mizen(p.core, p.ctype) + "ない"
    return p.head + p.core


def _ends_in_particle(head: str) -> bool:
    return bool(head) and head[-1] in "のをにがはでともへ"


def apology_clause(p: Predicate | str, register: Register, *, colloquial: bool = False) -> str:
    """The clause before an apology word.

    casual: 遅れてしまって (``colloquial``: 遅れちゃって) / 連絡しなくて / 遅くて / 確認不足で;
    polite & honorific: 遅れてしまい / 連絡せず / 遅くなってしまい / 確認不足で (honorific: 確認不足により).
    """
    p = _pred(p)
    if p.kind == "noun" and p.act_noun and not _ends_in_particle(p.head):
        # 遅刻 → 遅刻してしまい: a する-noun is the act itself
        p = Predicate(text=p.text, head=p.head + p.core, core="する", ctype="サ行変格", kind="verb")
    if p.kind == "noun":
        return p.head + p.core + "で"
    if p.kind == "adjective":
        if register == "casual" or p.negative:
            return te_form(p)
        return p.head + adj_stem(p.core) + "くなってしまい"
    tef = te(p.core, p.ctype)
    if p.progressive:
        if register == "honorific" or (p.humble and register == "polite"):
            return p.head + tef + ("おらず" if p.negative else "おり")
        if register == "casual" and p.contracted:
            return p.head + tef + ("なくて" if p.negative else "て")
        return p.head + tef + ("いなくて" if p.negative else "いて")
    if p.negative:
        if register == "honorific":
            return p.head + mizen(p.core, p.ctype, for_zu=True) + "ず"
        return p.head + mizen(p.core, p.ctype) + "なくて"
    if p.core in _STATE_CORES:  # ミスがあった → ミスがあって / ミスがあり: a state is not 〜てしまう
        return p.head + (tef if register == "casual" else renyou(p.core, p.ctype))
    if register == "casual":
        if colloquial and not serious(p.text):
            return p.head + tef[:-1] + ("じゃって" if tef.endswith("で") else "ちゃって")
        return p.head + tef + "しまって"
    return p.head + tef + "しまい"


_HUMBLE_VERBS = {"いたす", "致す", "申す", "参る", "まいる", "伺う", "存じる", "申し上げる", "差し上げる"}
_LEADING_APOLOGY = re.compile(
    r"^.*(ごめん(なさい|ね)?|すみません|すいません|申し訳(ありません|ございません|ない))(でした)?[、,\s]+"
    r"(次から|次回から|今後|これから)?(は)?[、,\s]*"
)


def _masu(p: Predicate) -> str:
    """The plain promise in です・ます: 連絡します / 遅刻しません / 優しくします."""
    if p.kind == "noun":
        return p.head + p.core + "します"
    if p.kind == "adjective":
        return p.head + adj_stem(p.core) + ("くしません" if p.negative else "くします")
    return p.head + renyou(p.core, p.ctype) + ("ません" if p.negative else "ます")


def will_clause(p: Predicate | str, register: Register, *, soft: bool = False) -> str:
    """A promise: かけるね (``soft``: かけるようにするね) / かけます / かけてまいります.

    A promise is about what the user will do, so 〜ている is dropped (メモを取ってる → メモを取る) and an
    apology in front of it (遅れてすみません、次から…) is left to the apology slot. casual negatives take
    ように (遅刻しないようにするね); polite keeps or makes the ます form (努めます, 遅刻しません); honorific is
    humble: 〜てまいります, 〜ないよう努めます, and an already humble verb is kept (ご報告いたします). A noun
    without する becomes 「〜を心がける」 (honorific: 〜に努めてまいります); 〜ようにする is kept.
    """
    p = _pred(p)
    if p.progressive:
        p = Predicate(text=p.text, head=p.head, core=p.core, ctype=p.ctype, kind=p.kind, negative=p.negative)
    if p.kind == "noun" and not (p.suru_noun and not _ends_in_particle(p.head)):
        np = p.head + p.core
        return {"casual": f"{np}を心がけるね", "polite": f"{np}を心がけます", "honorific": f"{np}に努めてまいります"}[
            register
        ]
    if p.kind == "verb" and not p.negative and p.core in ("する", "為る") and p.head.endswith("ように"):
        if register == "honorific":
            return p.head[:-1] + "努めます"  # 〜ないように(する) → 〜ないよう努めます
        return p.head + ("するね" if register == "casual" else "します")
    if register == "casual":
        return dictionary_form(p) + ("ようにするね" if soft or p.negative else "ね")
    if register == "polite":
        return _masu(p)
    suru = p.kind == "noun" or (p.kind == "verb" and p.core in ("する", "為る"))
    stem = p.head + (p.core if p.kind == "noun" else "")
    if p.negative:
        return stem + "いたしません" if suru else dictionary_form(p) + "よう努めます"
    if suru:
        return stem + "いたします"  # 確認を徹底いたします: する → いたす
    if p.kind == "verb" and p.core in _HUMBLE_VERBS:
        return _masu(p)
    if p.kind == "verb" and (p.core in _IKU or _group(p.core, p.ctype) == "kuru"):
        return p.head + "参ります"  # 行く・来る → 参る
    if p.kind == "adjective":
        return p.head + adj_stem(p.core) + "くしてまいります"
    return p.head + te(p.core, p.ctype) + "まいります"


_GIVE = {"くれる": "くれる", "呉れる": "くれる", "くださる": "くださる", "下さる": "くださる"}
_RECEIVE = {"もらう": "もらう", "貰う": "もらう", "いただく": "いただく", "頂く": "いただく"}


def _benefit(giver: str, register: Register) -> str:
    """The giving verb after 〜て, at the register, never below what the user wrote."""
    g = _GIVE.get(giver) or _RECEIVE.get(giver) or ""
    if register == "honorific":
        return "くださり" if g == "くださる" else "いただき"
    if register == "polite":
        return {"もらう": "もらって", "いただく": "いただいて"}.get(g, "くださって")
    return {"もらう": "もらって", "いただく": "いただいて", "くださる": "くださって"}.get(g, "くれて")


def thanks_clause(p: Predicate | str, register: Register) -> str:
    """What I'm thankful for, ready for ありがとう: 聞いてくれて / 聞いてくださって / 聞いていただき / プレゼント."""
    p = _pred(p)
    if p.kind == "noun":
        np = p.head + p.core
        if register == "casual":
            return np
        prefixed = p.head.endswith(("ご", "お", "御")) or p.core.startswith(("ご", "お", "御"))
        obj = "" if p.suru_noun and prefixed else "を"  # ご協力いただき / お祝いをいただき
        return np + obj + ("いただき" if register == "honorific" else "いただいて")
    if p.kind == "verb" and not p.negative and not p.benefactive and p.core in _GIVE | _RECEIVE:
        # 「時間をくれた」「お土産をいただいた」: the verb is the giving itself, not 〜てくれる
        if p.core in _GIVE:
            return p.head + _benefit(p.core, register)
        own = _RECEIVE[p.core]
        if register == "honorific":
            return p.head + "いただき"
        return p.head + ("いただいて" if own == "いただく" or register == "polite" else "もらって")
    if p.kind == "adjective":
        base = p.head + adj_stem(p.core) + "くして"
    elif p.negative:
        base = p.head + mizen(p.core, p.ctype) + "ないで"
    elif p.progressive:
        base = p.head + te(p.core, p.ctype) + ("" if p.contracted and register == "casual" else "い") + "て"
    else:
        base = p.head + te(p.core, p.ctype)
    return base + _benefit(p.giver, register)
