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
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Literal

from ..text.tokenizer import Morpheme, tokenize, units
from .phrases import Words, phrases

Register = Literal["casual", "polite", "honorific"]
Slot = Literal["did", "will", "thanks"]

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
_BENEFACTIVE = {
    "くれる",
    "呉れる",
    "もらう",
    "貰う",
    "もらえる",
    "貰える",
    "くださる",
    "下さる",
    "いただく",
    "頂く",
    "いただける",
    "頂ける",
}
_COMPLETIVE_AUX = {"ちゃう", "じゃう", "ちまう", "じまう"}
_SHIMAU = {"しまう", "仕舞う"}
_IRU = {"いる", "居る", "おる"}  # おる: the humble 〜ておる (忘れておりました)
_OKU = {"おく", "置く"}
_STATE_CORES = {"ある", "有る", "いる", "居る", "おる"}
_CONTRACTED_IRU = {"てる", "でる", "とる", "どる"}  # 忘れてた / 読んでる / 忘れとった (〜ている, contracted or dialect)
_THINK = {"思う", "考える"}
_DECIDE = {"決める", "決心する"}  # 〜しないって決めてる: the resolution is the promise
_SURU = ("する", "為る")
_NARU = ("なる", "成る")
_FINAL_CONJUNCTIONS = {"から", "けん", "し", "ので"}  # もう遅刻しないから(、ごめんね) / 確認するけん
_APOLOGY_TAIL = re.compile(
    r"[、,\s]*(本当に|ほんとに|ほんとう?に|大変|誠に)?"
    r"(ごめん(なさい|ね)?|すみません(でした)?|すいません(でした)?|申し訳(ありません|ございません|ない)(でした)?)$"
)
_THANKS_TAIL = re.compile(
    r"[、,\s]*(本当に|ほんとに|ほんま(に)?|マジで)?(ありがとう(ございます|ございました)?|ありがと)$"
)
# 〜てくれて嬉しかった: the feeling is what the thanks says
_FEELING_TAIL = re.compile(
    r"(?<=[てで])[、,\s]*(本当に|すごく|とても)?(嬉しかった|うれしかった|助かった|ありがたかった)$"
)
_TRAILING_PUNCT = re.compile(r"[。．.!！?？、,…・〜~\s]+$")


def _words() -> Words:
    return phrases().words


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
    oku: bool = False  # 〜ておく (入れとく): kept in a promise
    act_noun: bool = False  # a noun naming an act (遅刻, 無断欠勤), not a state (確認不足, 迷惑)
    chau: bool = False  # the user wrote 〜ちゃった (a small slip in their own casual words)
    te_input: bool = False  # the user wrote the clause themselves (遅れて(すみません))
    humble_compound: bool = False  # お〜する (ご心配をおかけする): the act, never 〜ている in 敬語
    na_adjective: bool = False  # a noun that is a な-adjective (親切, 丁寧)


_SAYING = {"言う", "云う", "いう", "ゆう"}


@lru_cache(maxsize=4096)
def serious(text: str) -> bool:
    """Whether the phrase names a serious act, which never takes the playful ちゃう form: a word of the
    ``serious`` list (infidelity, lies, violence, money), or words said to the other (バカって言った,
    ひどいこと言った: 言う after what was said, not 言い忘れる)."""
    w = _words()
    if any(s in text for s in w.serious):
        return True
    toks = tokenize(text)
    for i, m in enumerate(toks):
        if not (m.pos[0] == "動詞" and m.lemma in _SAYING and i):
            continue
        if i + 1 < len(toks) and toks[i + 1].pos[0] == "動詞":
            continue  # 言い忘れる, 言い出す: another verb
        before = toks[i - 2] if toks[i - 1].surface == "を" and i >= 2 else toks[i - 1]
        if before.surface in w.words_said:
            return True
    return False


def clean(text: str) -> str:
    """Trim spaces, final punctuation and a trailing apology word (遅れてごめん → 遅れて)."""
    t = " ".join(text.split())
    prev = None
    while prev != t:
        prev = t
        t = _TRAILING_PUNCT.sub("", t)
        t = _APOLOGY_TAIL.sub("", t)
        t = _THANKS_TAIL.sub("", t)
        t = _FEELING_TAIL.sub("", t)
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
    negative = progressive = benefactive = contracted = polite = humble = chau = te_input = oku = False
    giver = ""
    # drop trailing symbols and sentence-final particles
    while toks and (toks[-1].pos[0] in ("補助記号", "空白") or toks[-1].pos[1] == "終助詞"):
        toks.pop()
    # もう遅刻しないから / 確認するけん: a final reason conjunction, the promise is before it
    if len(toks) > 1 and toks[-1].pos[1] == "接続助詞" and toks[-1].surface in _FINAL_CONJUNCTIONS:
        toks.pop()
    if len(toks) > 1 and _te_particle(toks[-1]):  # 遅れて(ごめん) → 遅れ
        toks.pop()
        te_input = True
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
            progressive = contracted = False
        elif (
            last.pos[0] == "動詞"
            and last.lemma in _DECIDE
            and prev is not None
            and prev.surface in ("と", "って")
            and len(toks) >= 3
        ):  # 既読スルーしないって決めてる → 既読スルーしない
            del toks[-2:]
            progressive = contracted = False
        elif last.pos[0] == "助動詞" and ct in ("助動詞-ナイ", "助動詞-ヌ"):
            negative = True
            toks.pop()
        elif last.pos[0] == "助動詞" and (
            (ct == "助動詞-ダ" and last.surface != "に" and len(toks) > 1) or last.lemma in _COMPLETIVE_AUX
        ):
            chau = chau or last.lemma in _COMPLETIVE_AUX
            toks.pop()
        elif last.pos[0] == "動詞" and _te_particle(prev) and last.lemma in _SHIMAU:
            del toks[-2:]
        elif last.pos[0] == "動詞" and _te_particle(prev) and last.lemma in _BENEFACTIVE:
            if not benefactive:
                # 心配してくれてた: the 〜ている is on the giving, not on the act
                progressive = contracted = False
            benefactive = True
            giver = giver or _GIVER.get(last.lemma, last.lemma)
            del toks[-2:]
        elif last.pos[0] == "動詞" and _te_particle(prev) and last.lemma in _IRU | _OKU:
            progressive = progressive or last.lemma in _IRU
            humble = humble or last.lemma == "おる"
            oku = oku or (last.lemma in _OKU and not benefactive)
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
        parts = units(core.surface)
        last_unit = parts[-1][1] if parts else core.pos
        return Predicate(
            text=phrase,
            head=head,
            core=core.surface,
            ctype="",
            kind="noun",
            suru_noun=core.pos[2].startswith("サ変") or last_unit[2] == "サ変可能",
            act_noun=core.pos[2] == "サ変可能"
            or (len(parts) > 1 and last_unit[2] == "サ変可能" and parts[0][1][0] != "接頭辞"),
            na_adjective=core.pos[0] == "形状詞" or core.pos[2] == "形状詞可能",
            te_input=te_input,
        )
    else:
        raise ConjugationError(f"cannot conjugate the end of {phrase!r} ({core.surface}: {core.pos[0]})")
    humble_compound = word in _SURU and len(toks) >= 3 and toks[-2].pos[0] == "動詞" and toks[-3].pos[0] == "接頭辞"
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
        oku=oku,
        chau=chau,
        te_input=te_input,
        humble_compound=humble_compound,
    )


_GIVER = {"もらえる": "もらう", "貰える": "もらう", "いただける": "いただく", "頂ける": "いただく"}


# --- the user's words in the register -------------------------------------------------------------


def inflect(word: str, cform: str) -> str | None:
    """``word`` (a dictionary form, maybe a phrase ending in a verb) in Sudachi's conjugation form ``cform``.

    伺う + 連用形-促音便 → 伺っ; 失念する + 未然形-一般 → 失念し; None for a form it does not make.
    """
    toks = tokenize(word)
    if not toks:
        return None
    last = toks[-1]
    head, base, ctype = word[: last.begin], last.surface, last.pos[4]
    if cform.startswith(("終止形", "連体形")):
        return word
    if cform == "連用形-一般":
        return head + renyou(base, ctype)
    if cform.startswith("連用形-"):  # 促音便 / イ音便 / 撥音便 / ウ音便: the stem before て / た
        return head + te(base, ctype)[:-1]
    if cform.startswith("未然形"):
        return head + mizen(base, ctype)
    return None


def _voiced(stem_te: str) -> bool:
    return stem_te.endswith("で")


def standardise(text: str, register: Register, slot: Slot) -> str:
    """The user's phrase with its words in the register, token by token (Sudachi lemma, POS and form).

    casual drops 敬語 the user wrote (ご連絡いたします → 連絡します); です・ます and 敬語 standardise slang
    and dialect (ミスる, 〜とく, 〜へん, 遅う), put back a dropped を (お金貸して → お金を貸して) and say
    〜てしまう for 〜ちゃう; 敬語 adds 美化語 (ご連絡, お話) and 謙譲語 for the user's own act (行く → 伺う).
    """
    w = _words()
    polite_up = register != "casual"
    if polite_up:
        text = _resplit(text)
    toks = tokenize(text)
    out: list[str] = []
    # the user wrote 敬語 (ご迷惑をおかけした, ご連絡いたします): casual drops its 美化語 ご as well
    keigo = any(
        (t.pos[0] == "動詞" and t.lemma in _HUMBLE_VERBS)
        or (t.pos[0] == "接頭辞" and t.surface in ("お", "ご", "御") and _humble_compound_at(toks, k))
        for k, t in enumerate(toks)
    )
    i = 0
    voicing: bool | None = None  # the next て / た follows a replaced verb: voiced (で / だ) or not
    while i < len(toks):
        m = toks[i]
        prev = toks[i - 1] if i else None
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        after = toks[i + 2] if i + 2 < len(toks) else None
        s = m.surface
        if voicing is not None and s[:1] in "てでただ" and m.pos[0] in ("助詞", "助動詞"):
            s = (
                {"て": "で", "た": "だ"}.get(s[0], s[0]) + s[1:]
                if voicing
                else {"で": "て", "だ": "た"}.get(s[0], s[0]) + s[1:]
            )
        voicing = None
        if register == "casual":
            # ご連絡いたします → 連絡します; ご迷惑をおかけした → 迷惑をかけた
            if keigo and m.pos[0] == "接頭辞" and s in ("ご", "御") and nxt is not None and nxt.pos[0] == "名詞":
                i += 1
                continue
            if m.pos[0] == "接頭辞" and s in ("ご", "お", "御") and nxt is not None:
                if (
                    nxt.pos[0] == "名詞"
                    and nxt.pos[2].startswith("サ変")  # ご連絡します, not お金貸して (お + 金貸, a misreading)
                    and after is not None
                    and after.lemma in ("する", "いたす", "致す")
                ):
                    i += 1
                    continue
                if nxt.pos[0] == "動詞" and after is not None and after.lemma in _SURU and after.pos[4] == "サ行変格":
                    form = inflect(nxt.lemma, after.pos[5])
                    if form is not None:
                        out.append(form)
                        voicing = _voiced(te(nxt.lemma, nxt.pos[4]))
                        i += 3
                        continue
            if m.pos[0] == "動詞" and m.lemma in ("いたす", "致す"):
                form = inflect("する", m.pos[5])
                if form is not None:
                    out.append(form)
                    i += 1
                    continue
        if (
            register == "honorific"
            and m.pos[0] == "名詞"
            and s in ("つもり", "はず")
            and "".join(t.surface for t in toks[i + 1 : i + 5]) == "だったのに"
        ):
            out.append(s + "が")  # すぐ連絡するつもりだったのに遅くなった → 連絡するつもりが遅くなり
            i += 1
            while i < len(toks) and toks[i].surface != "に" and toks[i].surface != "のに":
                i += 1
            i += 1
            continue
        rep = w.standard.get(m.lemma, {}).get(register) or w.standard.get(s, {}).get(register)
        if m.pos[0] == "動詞" and not (prev is not None and prev.surface == "を"):
            rep = w.standard_bare.get(m.lemma, {}).get(register) or rep
        if rep is not None and nxt is not None and m.pos[0] != "動詞" and rep.endswith(nxt.surface):
            rep = rep[: -len(nxt.surface)] or None  # すぐに: the user wrote the particle already
        if rep is not None:
            if m.pos[0] == "動詞":
                form = inflect(rep, m.pos[5])
                if form is not None:
                    s = form
                    voicing = _voiced(te(rep, tokenize(rep)[-1].pos[4]))
            else:
                s = rep
        elif polite_up and m.pos[0] == "助動詞" and m.lemma in ("ちゃう", "じゃう"):
            rest = inflect("しまう", m.pos[5])
            if rest is not None:
                s = ("て" if m.lemma == "ちゃう" else "で") + rest
        elif polite_up and m.pos[0] == "助動詞" and m.lemma in ("ぬ", "ない") and s.startswith("ん"):
            # 忘れんように → 忘れないように, 連絡せんかった → 連絡しなかった (the dialect negative)
            if out and prev is not None and prev.lemma in _SURU and out[-1].endswith("せ"):
                out[-1] = out[-1][:-1] + "し"
            s = "ない" if s == "ん" else "な" + s[1:]
        elif polite_up and m.pos[0] == "助動詞" and m.lemma == "へん":  # 伝えてへんかった → 伝えていなかった
            after_te = prev is not None and prev.pos[0] == "助詞" and prev.surface in ("て", "で")
            s = ("い" if after_te else "") + ("ない" if s == "へん" else s.replace("へん", "な", 1))
        elif polite_up and m.pos[0] == "助動詞" and m.lemma in ("とく", "どく"):  # 入れとく → 入れておく
            s = ("て" if s[0] == "と" else "で") + "お" + s[1:]
        elif polite_up and m.pos[0] == "形容詞" and m.pos[5] == "連用形-ウ音便":  # 遅うまで → 遅くまで
            s = adj_stem(m.lemma) + "く"
        elif (
            register == "honorific"
            and m.pos[0] == "動詞"
            and m.lemma in w.humble
            and slot in w.humble[m.lemma].slots
            and not (prev is not None and prev.pos[0] in ("接頭辞", "動詞"))  # 送り忘れる: not 送り失念する
            and not (w.humble[m.lemma].affirmative_only and nxt is not None and nxt.lemma in ("ない", "ぬ", "ず"))
            and _humble_object_ok(w.humble[m.lemma].objects, toks, i)
            and not (nxt is not None and nxt.lemma in ("せる", "させる", "れる", "られる"))  # かけさせた
        ):
            humble_word = w.humble[m.lemma].word
            form = inflect(humble_word, m.pos[5])
            if form is not None:
                s = form
                voicing = _voiced(te(humble_word, tokenize(humble_word)[-1].pos[4]))
        entry = w.beautified.get(m.lemma) or w.beautified.get(m.surface)
        # 迎えに来てくれた → お迎えに: a verb's 連用形 used as a noun of purpose
        nounlike = m.pos[0] in ("名詞", "形容詞") or (
            m.pos[0] == "動詞" and m.pos[5] == "連用形-一般" and nxt is not None and nxt.surface == "に"
        )
        # 説明してくださった: the other's act, said with くださる, not the humble ご説明する
        given = any(t.pos[0] == "動詞" and t.lemma in _GIVE for t in toks[i + 1 : i + 4])
        if (
            entry is not None
            and register in entry.registers
            and slot in entry.slots
            and nounlike
            and not (slot != "thanks" and given)
            and not (prev is not None and prev.pos[0] == "接頭辞")
            and not s.startswith(("お", "ご", "御"))
        ):
            s = entry.prefix + s
        out.append(s)
        if (
            register == "honorific"
            and entry is not None
            and m.pos[0] == "形容詞"
            and nxt is not None
            and nxt.surface == "の"
            and after is not None
            and after.surface == "に"
        ):
            out.append("中")  # お忙しいのに → お忙しい中
            i += 3
            continue
        if (
            register == "honorific"
            and nxt is not None
            and m.pos[0] == "名詞"
            and m.pos[2] == "サ変可能"
            and prev is not None
            and prev.pos[0] == "名詞"
            and nxt.pos[0] == "動詞"
            and nxt.lemma in _SURU
            and _subordinate_te(toks, i + 2)
        ):
            # 二重チェックしてから送る → 二重チェックをしてから: in 敬語 a compound act in a clause before the
            # main one takes を (the user's main verb, 予定変更してしまった, is kept as written)
            out.append("を")
        if polite_up and nxt is not None:
            if (
                m.pos[0] == "名詞"
                and m.pos[1] in ("普通名詞", "固有名詞")
                and m.pos[2] not in ("副詞可能", "助数詞可能")
                and nxt.pos[0] == "動詞"
                and nxt.lemma not in _SURU + _NARU + ("できる", "出来る", "いたす", "致す")
                and rep is None
                and not (prev is not None and prev.pos[0] == "接頭辞")  # ご指導いただく, ご確認くださる
            ):
                out.append("を")  # お金貸して → お金を貸して
            elif (
                m.surface == "の"
                and m.pos[1] == "準体助詞"
                and nxt.pos[0] == "動詞"
                and nxt.lemma not in _SURU + _NARU + ("できる", "出来る")
            ):
                out.append("を")  # 資料を送るの忘れてた → 送るのを忘れていて
            elif m.lemma in ("時", "とき", "際", "頃") and m.pos[0] == "名詞" and nxt.pos[0] == "名詞":
                out.append("に")  # 引っ越しの時車を → 引っ越しの時に車を
        i += 1
    return "".join(out)


def _humble_object_ok(objects: list[str], toks: list[Morpheme], i: int) -> bool:
    """A 謙譲語 that is humble only with certain objects (迷惑・心配をかける → おかけする, not アラームを): the noun
    before toks[i], with or without を."""
    if not objects:
        return True
    k = i - 1
    if k >= 0 and toks[k].surface == "を":
        k -= 1
    return k >= 0 and toks[k].surface in objects


def _subordinate_te(toks: list[Morpheme], k: int) -> bool:
    """toks[k] is the て of a clause that another clause follows (〜してから, 〜して送る), not of an auxiliary
    (〜してしまった, 〜してくれた, 〜している)."""
    if k >= len(toks) or not _te_particle(toks[k]) or k + 1 >= len(toks):
        return False
    after = toks[k + 1]
    return not (after.pos[0] in ("動詞", "助動詞") and after.lemma in _SHIMAU | _BENEFACTIVE | _IRU | _OKU)


def _humble_compound_at(toks: list[Morpheme], k: int) -> bool:
    """toks[k] is the お / ご of a humble お〜する (おかけする, ご説明する)."""
    return (
        k + 2 < len(toks)
        and (toks[k + 1].pos[0] == "動詞" or toks[k + 1].pos[2].startswith("サ変"))
        and toks[k + 2].pos[0] == "動詞"
        and toks[k + 2].lemma in (*_SURU, "いたす", "致す", "申し上げる")
    )


def _resplit(text: str) -> str:
    """Put back a を that Sudachi hid in a compound noun: お金貸して is read as お + 金貸 (moneylender) + して;
    when such a noun before する splits into a noun and a verb's 連用形 (金 + 貸し), write お金を貸して."""
    toks = tokenize(text)
    for i, m in enumerate(toks[:-1]):
        nxt = toks[i + 1]
        if not (m.pos[0] == "名詞" and m.pos[2] == "一般" and nxt.pos[0] == "動詞" and nxt.lemma in _SURU):
            continue
        lead = toks[i - 1].surface if i and toks[i - 1].pos[0] == "接頭辞" else ""
        for k in range(1, len(m.surface)):
            left, right = m.surface[:k], m.surface[k:]
            noun = tokenize(lead + left)
            verb = tokenize(text[m.begin + k :])  # 貸して: 貸し alone reads as a noun
            if (
                len(noun) == 1
                and noun[0].pos[0] == "名詞"
                and verb
                and verb[0].pos[0] == "動詞"
                and verb[0].lemma not in _SURU
                and verb[0].surface == right + nxt.surface
            ):
                return text[: m.begin + k] + "を" + text[m.begin + k :]
    return text


@lru_cache(maxsize=4096)
def analyse(text: str, register: Register, slot: Slot) -> Predicate:
    """The phrase standardised for ``register`` and parsed (cached: the same fact is read for many variants)."""
    phrase = clean(text)
    if not phrase:
        raise ConjugationError("empty phrase")
    try:
        p = parse(standardise(phrase, register, slot))
    except ConjugationError:
        p = parse(phrase)
    if slot == "will" and not p.negative and p.head + p.core in _words().effort_verbs:
        # 遅れてすみません、次から気をつけます: what to be careful about is the apologised act
        lead = _LEADING_CLAUSE.match(" ".join(text.split()))
        if lead:
            try:
                act = parse(lead.group(1))
            except ConjugationError:
                act = None
            if act is not None and act.kind == "verb" and not act.negative:
                avoid = dictionary_form(replace(act, negative=True, progressive=False))
                p = replace(p, head=avoid + "よう" + p.head)
    return p


_LEADING_CLAUSE = re.compile(r"^(.+?[てで])[、,\s]*(本当に)?(ごめん|すみません|すいません|申し訳)")


def _text(p: Predicate | str) -> str:
    return p if isinstance(p, str) else p.text


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


def _verb(p: Predicate, head: str, word: str) -> Predicate:
    """``p`` with a new core verb (遅刻 → 遅刻 + する, 入力ミス → 入力を + 誤る)."""
    ctype = tokenize(word)[-1].pos[4]
    return replace(p, head=head, core=word, ctype=ctype, kind="verb", suru_noun=False, act_noun=False)


def _beautified_noun_before(head: str) -> bool:
    """The head ends in a noun with its 美化語 prefix (ご連絡): 〜をせず, 〜いただき."""
    toks = tokenize(head)
    return len(toks) >= 2 and toks[-2].pos[0] == "接頭辞" and toks[-1].pos[0] == "名詞"


def apology_clause(p: Predicate | str, register: Register, *, colloquial: bool = False) -> str:
    """The clause before an apology word.

    casual: 遅れてしまって (``colloquial``: 遅れちゃって; the user's own 〜ちゃった is kept for a small slip) /
    連絡しなくて / 冷たくして / 確認不足で; polite: 遅れてしまい (the user's own 遅れて is kept) / 連絡しなくて;
    honorific: 遅れてしまい / 連絡せず / ご連絡をせず / 失念しており / 冷たい態度をとってしまい.
    """
    p = analyse(_text(p), register, "did")
    w = _words()
    playful = not serious(p.text)
    if p.kind == "noun":
        parts = units(p.core)
        mistake = parts[-1][0] if parts and parts[-1][0] in w.mistake_nouns else ""
        if mistake and register != "casual" and len(parts) > 1 and parts[-2][1][2].startswith("サ変"):
            # 入力ミス → 入力を間違えてしまい / 入力を誤ってしまい
            act = p.core[: -len(mistake)]
            p = _verb(p, p.head + act + "を", w.mistake_nouns[mistake][register])
        elif p.act_noun and not _ends_in_particle(p.head):
            # 遅刻 → 遅刻してしまい: a noun naming an act is the act itself (never 遅刻により); in 敬語 a
            # compound act takes を (無断欠勤をしてしまい), as in the user's own 二重チェックをして
            compound = register == "honorific" and len(parts) > 1 and parts[0][1][0] == "名詞"
            p = _verb(p, p.head + p.core + ("を" if compound else ""), "する")
        elif p.core in w.character_nouns and register == "honorific":
            return p.head + p.core + "な振る舞いをしてしまい"  # 無神経 → the act, not the trait
        else:
            return p.head + p.core + "で"
    if p.kind == "adjective":
        if p.negative:
            return te_form(p)
        if p.head.endswith("が"):  # 言い方がきつかった: the adjective is said of a thing
            noun = next((n for n in w.manner_nouns if p.head[:-1].endswith(n)), "")
            if noun and register == "honorific":  # 態度が冷たかった → 冷たい態度をとってしまい
                light = w.manner_nouns[noun]
                return (
                    p.head[: -len(noun) - 1] + p.core + noun + "を" + te(light, tokenize(light)[-1].pos[4]) + "しまい"
                )
            if register == "casual":
                return te_form(p)
            return p.head + adj_stem(p.core) + "くなってしまい"
        base = p.head + adj_stem(p.core) + "くして"  # 冷たかった → 冷たくして: the user's behaviour
        if register == "casual":
            return base  # behaviour towards the other (冷たく, うるさく): never the playful form
        return base if register == "polite" else base + "しまい"
    if p.core in ("いたす", "致す"):
        # お待たせいたしました → お待たせしてしまい (not いたしてしまい); ご連絡いたしません → ご連絡をせず
        p = replace(p, core="する", ctype="サ行変格")
    tef = te(p.core, p.ctype)
    if p.progressive and not (register == "honorific" and p.humble_compound):
        if register == "honorific" or (p.humble and register == "polite"):
            return p.head + tef + ("おらず" if p.negative else "おり")
        if register == "casual" and p.contracted:
            return p.head + tef + ("なくて" if p.negative else "て")
        return p.head + tef + ("いなくて" if p.negative else "いて")
    if p.negative:
        if register == "honorific":
            obj = "を" if p.core in _SURU and _beautified_noun_before(p.head) else ""  # ご連絡をせず
            return p.head + obj + mizen(p.core, p.ctype, for_zu=True) + "ず"
        return p.head + mizen(p.core, p.ctype) + "なくて"
    if p.core in _STATE_CORES:  # ミスがあった → ミスがあって / ミスがあり: a state is not 〜てしまう
        return p.head + (tef if register == "casual" else renyou(p.core, p.ctype))
    chau = p.head + tef[:-1] + ("じゃって" if tef.endswith("で") else "ちゃって")
    if register == "casual":
        if playful and (colloquial or p.chau):
            return chau
        return p.head + tef + ("" if p.te_input else "しまって")
    if register == "polite" and p.te_input:
        return p.head + tef  # 遅れてすみません: the user's own clause
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


def _never(p: Predicate, *, effort: bool = False) -> str:
    """A humble promise not to do ``p`` again (``p`` is negative).

    The user's plain 〜しない is a commitment (〜することのないよういたします); their 〜ないようにする names an
    effort (``effort``: 〜することのないよう努めます). An act noun with を is said as the noun (同じミスをしない →
    同じミスのないよう).
    """
    pos = replace(p, negative=False)
    restraint = next((n for n in _words().restraint_nouns if p.head.endswith((n + "を", n + "は"))), "")
    if restraint and p.kind == "verb" and p.core in _SURU:  # 不用意な発言をしない → 不用意な発言は慎んでまいります
        return p.head[:-1] + "は慎んでまいります"
    if serious(p.text) or _firm(p.head):
        if p.kind == "noun" or p.core in _SURU:
            return p.head + (p.core if p.kind == "noun" else "") + "いたしません"  # 虚偽の報告はいたしません
        return dictionary_form(pos) + "ことはいたしません"  # 二度と嘘をつくことはいたしません
    if p.kind == "verb" and p.core in _NARU:  # 感情的にならない: not something one does
        return dictionary_form(p) + "よう努めます"
    frame = "のないよう努めます" if effort else "のないよういたします"
    act = _act_object(p.head) if p.kind == "verb" and p.core in _SURU else ""
    if act:
        return p.head[:-1] + frame  # 同じミスをしない → 同じミスのないよう努めます
    return dictionary_form(pos) + "こと" + frame  # 遅刻することのないよう努めます / 騒ぐことのないよういたします


def _act_object(head: str) -> str:
    """The act noun when ``head`` ends in 〜を and the noun names an act (ミスを, 無駄遣いを), else ""."""
    if not head.endswith("を"):
        return ""
    toks = tokenize(head[:-1])
    return toks[-1].surface if toks and toks[-1].pos[2] == "サ変可能" else ""


_NEGATIVE_YOU = re.compile(r"(ない|ぬ|ず)よう")


def _humble_act(head: str) -> str:
    """The head of a 敬語 promise before いたします, with the verbal noun last.

    An adverb after the object moves before the act so that the act is one word (返信を早く → 早く返信), the
    adverb takes its promise form (早く → 早めに) and the act its 美化語 form (返信 → お返事):
    返信を早くしたい → 早めにお返事いたします.
    """
    w = _words()
    toks = tokenize(head)
    at = next((k for k in range(len(toks) - 1, 0, -1) if toks[k].surface == "を"), None)
    if at is not None and toks[at - 1].pos[2] == "サ変可能" and toks[at + 1 :]:
        adverb = toks[at + 1 :]
        one_adverb = (len(adverb) == 1 and (adverb[0].pos[0] == "副詞" or adverb[0].pos[5] == "連用形-一般")) or (
            len(adverb) == 2 and adverb[0].pos[0] in ("形状詞", "副詞") and adverb[1].surface == "に"
        )
        if one_adverb:
            start = toks[at - 2].begin if at >= 2 and toks[at - 2].pos[0] == "接頭辞" else toks[at - 1].begin
            adv = head[adverb[0].begin :]
            head = head[:start] + w.promise_adverbs.get(adv, adv) + head[start : toks[at].begin]
            toks = tokenize(head)
    if toks and toks[-1].surface in w.humble_acts and not (len(toks) > 1 and toks[-2].pos[0] == "接頭辞"):
        head = head[: toks[-1].begin] + w.humble_acts[toks[-1].surface]
    return head


def _firm(head: str) -> bool:
    return any(a in head for a in _words().firm_adverbs)


def _effort(p: Predicate) -> bool:
    return any((p.head + p.core).endswith(v) for v in _words().effort_verbs)


def will_clause(p: Predicate | str, register: Register, *, soft: bool = False) -> str:
    """A promise: かけるね (``soft``: かけるようにするね) / かけます / かけてまいります.

    A promise is about what the user will do, so 〜ている is dropped (メモを取ってる → メモを取る) and an
    apology in front of it (遅れてすみません、次から…) is left to the apology slot. A promise about a serious
    act, or with 必ず / 二度と / もう, is firm (嘘はつかないよ, 嘘はつきません, 嘘をつくことはいたしません); other
    negatives take ように (遅刻しないようにするね / します); 敬語 is humble: 〜てまいります,
    〜することのないよう努めます, する → いたす, and an already humble verb is kept (ご報告いたします). The soft
    form is not used for a verb that already names an effort (気をつける) or after another ように.
    """
    p = analyse(_text(p), register, "will")
    if p.head.startswith("また") and (p.negative or _NEGATIVE_YOU.search(p.head)):
        # また遅刻しないようにする: 次からは / 今後は already says "from now on" (今後はまた遅刻… reads wrong)
        p = replace(p, head=p.head[len("また") :].lstrip("、, "))
    was_progressive = p.progressive
    if p.progressive:
        p = replace(p, progressive=False, contracted=False)
    firm = serious(p.text) or _firm(p.head)
    if p.oku and p.kind == "verb" and not p.negative:  # 入れとく → 入れておきます
        p = _verb(p, p.head + te(p.core, p.ctype), "おく")
        if register != "casual":
            return _masu(p)
    if p.kind == "noun" and p.suru_noun and p.head.endswith("の") and not p.head[:-1].endswith(("の", "を")):
        # 確認の徹底 → 確認を徹底する
        p = _verb(p, p.head[:-1] + "を" + p.core, "する")
    if p.kind == "noun" and not (p.suru_noun and not _ends_in_particle(p.head)):
        np = p.head + p.core
        return {"casual": f"{np}を心がけるね", "polite": f"{np}を心がけます", "honorific": f"{np}に努めてまいります"}[
            register
        ]
    if p.kind == "noun":  # ダブルチェック: the practice itself
        np = p.head + p.core
        return {"casual": f"{np}するね", "polite": f"{np}をします", "honorific": f"{np}を徹底してまいります"}[register]
    if p.kind == "verb" and not p.negative and p.core in _SURU and p.head.endswith(("ように", "よう")):
        inner_text = p.head[: -len("ように")] if p.head.endswith("ように") else p.head[: -len("よう")]
        if register == "casual" or not inner_text:
            return p.head + ("するね" if register == "casual" else "します" if register == "polite" else "いたします")
        try:
            inner = parse(inner_text)
        except ConjugationError:
            inner = None
        if inner is None:
            return p.head + ("します" if register == "polite" else "いたします")
        inner = replace(inner, progressive=False, contracted=False)
        plain = dictionary_form(inner) if inner.kind == "verb" else inner_text
        if register == "polite":
            return plain + "ようにします"  # 同じミスをしてしまわない → 同じミスをしない
        if inner.negative and inner.kind == "verb" and not p.polite:
            return _never(inner, effort=True)
        return plain + "ようにいたします"
    if register == "casual":
        if p.negative:
            return dictionary_form(p) + ("よ" if firm else "ようにするね")
        firm_or_plain = not soft or firm or _effort(p) or "よう" in p.head
        return dictionary_form(p) + ("ね" if firm_or_plain else "ようにするね")
    if register == "polite":
        if p.negative and not firm:
            return dictionary_form(p) + "ようにします"
        return _masu(p)
    if p.negative:
        return _never(p)
    if was_progressive:  # 在庫状況を常に把握してる: keeping a state up is an effort
        return dictionary_form(p) + "よう努めます"
    suru = p.kind == "verb" and p.core in _SURU
    if suru:
        return _humble_act(p.head) + "いたします"  # 確認を徹底いたします, ご連絡いたします: する → いたす
    keep = _words().keep_verbs.get(p.core) if p.kind == "verb" else None
    if keep:
        return p.head + keep + "いたします"  # 約束の時間を守る → お約束の時間を厳守いたします
    if p.kind == "verb" and p.core in _HUMBLE_VERBS:
        return _masu(p)
    if p.kind == "verb" and (p.core in _IKU or _group(p.core, p.ctype) == "kuru"):
        return p.head + "参ります"  # 行く・来る → 参る
    if p.kind == "adjective":
        return p.head + adj_stem(p.core) + "くしてまいります"
    return p.head + te(p.core, p.ctype) + "まいります"


_GIVE = {"くれる": "くれる", "呉れる": "くれる", "くださる": "くださる", "下さる": "くださる"}
_RECEIVE = {
    "もらう": "もらう",
    "貰う": "もらう",
    "いただく": "いただく",
    "頂く": "いただく",
    # the potential (お許しいただけた, 来てもらえた): the receiving itself, said as the plain verb
    "もらえる": "もらう",
    "貰える": "もらう",
    "いただける": "いただく",
    "頂ける": "いただく",
}


def _purpose_ni(head: str) -> bool:
    """``head`` ends in the に of a purpose or place (迎えに, 会社に), not an adverb's に (すぐに)."""
    toks = tokenize(head)
    return len(toks) >= 2 and toks[-1].surface == "に" and toks[-2].pos[0] != "副詞"


def _own_requests(head: str) -> str:
    """In thanks, the user's own request is お願い (依頼 → お願い); ご依頼 (theirs) is left as it is."""
    toks = tokenize(head)
    out = []
    for k, m in enumerate(toks):
        prefixed = k > 0 and toks[k - 1].pos[0] == "接頭辞"
        out.append(_words().own_requests.get(m.surface, m.surface) if not prefixed else m.surface)
    return "".join(out)


def _benefit(giver: str, register: Register, close: bool = False) -> str:
    """The giving verb after 〜て, at the register, never below what the user wrote (casual is plain;
    ``close``: です・ます to someone close, plain giving verbs unless the user wrote 敬語)."""
    g = _GIVE.get(giver) or _RECEIVE.get(giver) or ""
    if register == "honorific":
        return "くださり" if g == "くださる" else "いただき"
    if register == "polite":
        default = "もらって" if close else "くださって"
        return {"もらう": "もらって", "いただく": "いただいて", "くださる": "くださって"}.get(g, default)
    return "もらって" if g in _RECEIVE.values() else "くれて"


def thanks_clause(p: Predicate | str, register: Register, *, close: bool = False) -> str:
    """What I'm thankful for, ready for ありがとう: 聞いてくれて / 聞いてくださって / お話を聞いていただき.

    敬語 says the other's act in 尊敬語 where it has its own form (お待ちいただき, お越しくださり,
    おっしゃっていただき, ご心配いただき); a receiving idiom is not given again (ご馳走になり); a negative is
    a restraint kept (責めずにいてくださり); casual says what the user wrote in plain words (教えてもらって).
    """
    p = analyse(_text(p), register, "thanks")
    w = _words()
    if register != "casual":
        p = replace(p, head=_own_requests(p.head))
    if p.kind == "verb" and p.negative and p.core in w.refusal_verbs and register != "casual" and p.head.endswith("を"):
        # 急な依頼を断らなかった → 急なお願いにもかかわらずお引き受けいただき: not refusing is taking it on
        obj = p.head[:-1]
        accept = w.refusal_verbs[p.core]
        ctype = tokenize(accept)[-1].pos[4]
        joined = obj + ("にもかかわらず" if obj.startswith(tuple(w.imposing_modifiers)) else "を")
        if register == "honorific":
            return joined + "お" + renyou(accept, ctype) + _benefit(p.giver, register, close)
        return joined + te(accept, ctype) + _benefit(p.giver, register, close)
    if p.kind == "noun":
        np = p.head + p.core
        if p.na_adjective and not p.suru_noun:
            # 親切だった → 親切にしてくれて; 対応が丁寧だった → 丁寧にご対応いただき
            if p.head.endswith("が"):
                htoks = tokenize(p.head[:-1])
                if htoks and htoks[-1].pos[2].startswith("サ変"):
                    first = htoks[-2] if len(htoks) > 1 and htoks[-2].pos[0] == "接頭辞" else htoks[-1]
                    noun, before = p.head[first.begin : -1], p.head[: first.begin]
                    if register == "honorific":
                        return before + p.core + "に" + noun + _benefit(p.giver, register, close)
                    return before + p.core + "に" + noun + "して" + _benefit(p.giver, register, close)
            return np + "にして" + _benefit(p.giver, register, close)
        if register == "casual":
            return np
        sino = p.head.endswith(("ご", "御")) or p.core.startswith(("ご", "御"))
        obj = "" if p.suru_noun and sino else "を"  # ご協力いただき / お祝いをいただき
        if register == "polite" and close and not sino:
            return np + "をもらって"  # です・ます to someone close: アドバイスをもらって
        return np + obj + ("いただき" if register == "honorific" else "いただいて")
    if p.kind == "verb" and p.core in _NARU and any(p.head.endswith(i + "に") for i in w.receiving_idioms):
        # ご馳走になった: the receiving is in the idiom itself
        return p.head + ("なり" if register == "honorific" else "なって")
    if p.kind == "verb" and not p.negative and not p.benefactive and p.core in _GIVE | _RECEIVE:
        # 「時間をくれた」「お土産をいただいた」: the verb is the giving itself, not 〜てくれる
        if p.core in _GIVE:
            return p.head + _benefit(p.core, register, close)
        own = _RECEIVE[p.core]
        if register == "honorific":
            return p.head + "いただき"
        if register == "casual":
            htoks = tokenize(p.head)
            if htoks and htoks[-1].pos[0] == "名詞":  # お気遣いいただき → お気遣い(ありがとう)
                return p.head
            return p.head + "もらって"
        return p.head + ("いただいて" if own == "いただく" or register == "polite" else "もらって")
    if register == "honorific" and p.kind == "verb" and not p.negative:
        if p.core in w.respect_nouns and not (_group(p.core, p.ctype) == "kuru" and _purpose_ni(p.head)):
            return p.head + w.respect_nouns[p.core] + _benefit(p.giver, register, close)  # お待ちいただき
        if p.core in w.respect_verbs:
            v = w.respect_verbs[p.core]
            return p.head + te(v, tokenize(v)[-1].pos[4]) + _benefit(p.giver, register, close)  # おっしゃっていただき
        if p.core in _SURU and _beautified_noun_before(p.head):
            return p.head + _benefit(p.giver, register, close)  # ご心配いただき
    if p.kind == "adjective":
        base = p.head + adj_stem(p.core) + "くして"
    elif p.negative:
        if register != "honorific":
            base = p.head + mizen(p.core, p.ctype) + "ないで"
        else:  # 責めなかった → 責めずにいてくださり
            base = p.head + mizen(p.core, p.ctype, for_zu=True) + "ずにいて"
    elif p.progressive:
        base = p.head + te(p.core, p.ctype) + ("" if p.contracted and register == "casual" else "い") + "て"
    else:
        base = p.head + te(p.core, p.ctype)
    return base + _benefit(p.giver, register, close)
