"""Register of a message: casual / polite (です・ます) / honorific (謙譲語・尊敬語), from morphemes.

labels.md §3: any 謙譲語 or 尊敬語 verb (いたす, おります, いただく, 〜てくださる, 申し上げる,
お/ご〜する, 尊敬の〜れる/られる) or ございます makes a message honorific; です/ます alone, the plain
request 〜てください and set phrases like ありがとうございます are polite; otherwise casual.

The 尊敬 〜れる/られる is read only where the verb says whose it is without a subject: the other person's feelings
(気分を害された, 気を悪くされた, 気にされている, 心配された, 不快な思いをされた, ご不快に思われた, ご不快に感じられた,
寂しく思われた). Elsewhere it cannot be told from the passive (「先生に叱られた」), the potential (「来られる」) or the
spontaneous (「〜と思われる」) without the clause's subject, so 「部長が報告された」 still reads as polite
(docs/model.md, Known weaknesses). These make it the passive: a first-person subject
(私は…, 私、…), an agent in the clause (親に, みんなから), a wish (〜されたくない), an
experience of the sender's (心配されるのが嫌で). 〜に感じられます and 〜く思われます (it seems)
are spontaneous; 感じられる is read as 尊敬 only with ご (ご不快に感じられた).

The western-dialect おる (「一緒におってね」, 「おらんかった」, 「じっとしておられん」) is the plain 居る: only
おります, 〜ており, 〜ておらず and 〜ておられる are 謙譲/尊敬. 参る is 謙譲 in 参ります and 〜て参りたい, not in
お墓参り or 「参ってる」/「参った」 (worn out). 伺える after が is 窺える (努力が伺える). お/ご〜する is 謙譲 only
for the sender's own act (not お手伝いしてくれた) and not for 美化語 activities (お散歩しましょう).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..text.analysis import Analysis, Token

# 謙譲語・尊敬語 verbs (dictionary forms as Sudachi gives them)
HONORIFIC_VERBS = {
    "いたす",
    "致す",
    "申し上げる",
    "申す",
    "存ずる",
    "存じる",
    "伺う",
    "賜る",
    "承る",
    "伺える",
    "存じ上げる",
    "いただく",
    "頂く",
    "いただける",
    "頂ける",
    "なさる",
    "おっしゃる",
    "いらっしゃる",
    "召し上がる",
    "拝見",
    "拝読",
    "拝察",
    "申し添える",
    "差し上げる",
    "お目にかかる",
    "仰る",
}
POLITE_AUX = {"ます", "です"}
_REQUEST_LEMMAS = frozenset({"ください", "下さい", "くださる", "下さる"})
SET_PHRASES_BEFORE_GOZAIMASU = {"ありがとう", "有り難う", "おめでとう", "おはよう", "お早う"}


def _honorific_kind(tokens: list[Token], k: int) -> str | None:
    """The kind of honorific token k is: "honorific" for a 謙譲語/尊敬語 verb; "weak" for お/ご〜する・できる,
    which is 謙譲 only beside です/ます (a child's 「お手伝いしなくてごめん」 or 「お散歩しない?」 is plain);
    None otherwise."""
    t = tokens[k]
    if (
        t.lemma in ("する", "できる", "出来る")
        and t.pos_str.startswith("動詞")
        and k > 0
        and tokens[k - 1].lemma not in ("願う", "願い", "お願い")
        and tokens[k - 1].lemma not in _HUMBLE_SURU_NOUNS
    ):
        if any(x.lemma in ("くれる", "もらう", "貰う", "あげる") for x in tokens[k + 1 : k + 3]):
            return None  # お手伝いしてくれた: the other's act, 美化語 not 謙譲
        if tokens[k - 1].lemma in _BIKAGO_ACTIVITIES:
            return None  # お散歩しましょう, お掃除してました: 美化語
        return "weak" if _has_o_go_prefix(tokens, k - 1) else None
    return "honorific" if _is_honorific(tokens, k) else None


def _is_honorific(tokens: list[Token], k: int) -> bool:
    t = tokens[k]
    lemma = t.lemma
    if not t.pos_str.startswith("動詞"):
        return False
    if lemma == "なさる" and t.cform.startswith("命令形"):
        return False  # ごめんなさい / 〜しなさい are not honorific
    if lemma == "伺える" and k > 0 and tokens[k - 1].surface == "が":
        return False  # 努力が伺える: 窺える (can be seen), not 謙譲
    if lemma in HONORIFIC_VERBS:
        return True
    if lemma == "おる":  # おります / 〜ており / 〜ておらず / おられる; the dialect おる (おってね, おらん) is plain
        return _followed_by_masu(tokens, k) or _formal_oru(tokens, k)
    if lemma in ("参る", "まいる"):  # 参ります / 〜て参りたい; not お墓参り, 参ってる / 参った (worn out)
        nxt = tokens[k + 1] if k + 1 < len(tokens) else None
        after_te = k > 0 and tokens[k - 1].surface in ("て", "で")
        if "促音便" in t.cform:
            return False  # 参ってます, 参った: worn out
        return _followed_by_masu(tokens, k) or (
            after_te and t.cform.startswith("連用形-一般") and nxt is not None and nxt.lemma == "たい"
        )
    if lemma == "ござる":
        prev = tokens[k - 1] if k > 0 else None
        return not (prev is not None and prev.lemma in SET_PHRASES_BEFORE_GOZAIMASU)
    if lemma in ("くださる", "下さる"):
        prev = tokens[k - 1] if k > 0 else None
        nxt = tokens[k + 1] if k + 1 < len(tokens) else None
        # 〜てください (plain request) is polite;
        # 〜てくださる / 〜てくださった / お〜ください / くださいませ are honorific
        if nxt is not None and nxt.lemma == "ます" and nxt.cform.startswith("命令形"):
            return True
        if t.cform.startswith("命令形"):
            return prev is not None and _has_o_go_prefix(tokens, k - 1)
        return True
    if lemma in ("する", "できる", "出来る"):
        # 拝見する, 頂戴する; お/ご〜する (お待たせする, ご連絡します) is weak evidence, read by _honorific_kind;
        # 「(よろしく)お願いします」 is a polite set phrase
        return k > 0 and tokens[k - 1].lemma in _HUMBLE_SURU_NOUNS
    if lemma == "なる":
        # お〜になる (尊敬): お使いになる
        return k > 1 and tokens[k - 1].surface == "に" and _has_o_go_prefix(tokens, k - 2)
    return False


def _followed_by_masu(tokens: list[Token], k: int) -> bool:
    """True when ます follows within three tokens (おります, おられます, 参りましょう)."""
    for t in tokens[k + 1 : k + 4]:
        if t.pos1 == "助動詞" and t.lemma == "ます":
            return True
        if t.pos1 != "助動詞":
            return False
    return False


def _formal_oru(tokens: list[Token], k: int) -> bool:
    """〜ており (連用中止: 遅れており申し訳ありません), 〜ておらず, 〜ておられる: written-register おる; not the
    dialect's おり at the end of a sentence (そこにおり!), おりたい, or おられん (can't stay)."""
    nxt = tokens[k + 1] if k + 1 < len(tokens) else None
    after_te = k > 0 and tokens[k - 1].surface in ("て", "で")
    if nxt is None or not after_te:
        return False
    if nxt.surface == "ず":
        return True
    if nxt.pos1 == "助動詞" and nxt.lemma == "れる":  # おられる (尊敬), unless おられん / おられない
        after = tokens[k + 2] if k + 2 < len(tokens) else None
        if "撥音便" in nxt.cform:
            return False  # おられん
        return after is None or after.lemma not in ("ぬ", "ない", "へん", "ん")
    if not tokens[k].cform.startswith("連用形-一般"):
        return False
    return nxt.lemma != "たい" and nxt.sent == tokens[k].sent and not nxt.pos_str.startswith("助詞,終助詞")


# The other person's feelings, said with the 尊敬 〜れる/られる: the verb (and what precedes it) names an
# experience only the other person can have here, so no subject is needed to tell it from the passive.
_FEELING_NOUNS_BEFORE_NI = frozenset({"不快", "不愉快", "残念", "心外", "不安", "不満", "負担", "心配", "寂し", "悲し"})
_FEELING_ADJECTIVES = frozenset(
    {"寂しい", "淋しい", "悲しい", "心細い", "不安", "腹立たしい", "つらい", "辛い", "悔しい", "心苦しい", "不快"}
)
_FIRST_PERSON = frozenset(
    {"私", "わたし", "わたくし", "僕", "ぼく", "俺", "おれ", "自分", "あたし", "うち", "我々", "弊社", "当方"}
)

# 〜に関して / 〜に対して / 〜にとって / 〜について: に that is not the passive's agent
_NOT_AGENT_AFTER_NI = frozenset({"関する", "対する", "とる", "つく", "おく", "於く"})
# 気にされる, and time or cause before に (会議の時に, 発言に気分を害された)
_NOT_AGENT_BEFORE_NI = frozenset(
    {"気", "時", "とき", "際", "日", "頃", "前", "後", "中", "発言", "言葉", "言い方", "態度", "件"}
)


def _honorific_reru(tokens: list[Token], k: int) -> bool:
    """Token k is the 助動詞 れる/られる: True when it is the 尊敬 of a verb of the other person's feelings."""
    if k < 2:
        return False
    verb = tokens[k - 1]
    if not verb.pos_str.startswith("動詞"):
        return False
    nxt = tokens[k + 1] if k + 1 < len(tokens) else None
    if nxt is not None and nxt.lemma == "たい":
        return False  # 悪く思われたくない: the passive
    if (
        nxt is not None
        and nxt.lemma in ("の", "こと")
        and k + 2 < len(tokens)
        and tokens[k + 2].surface in ("が", "は", "も")
    ):
        return False  # 心配されるのが嫌で: an experience of the sender's, the passive
    before = tokens[k - 2]
    lemma = verb.lemma
    feeling = False
    if lemma in ("害す", "害する"):
        feeling = True  # 気分を害された
    elif lemma == "する":
        if before.lemma == "心配":
            feeling = True  # 心配された
        elif before.surface == "に" and k >= 3 and tokens[k - 3].lemma == "気":
            feeling = True  # 気にされている
        elif before.surface == "を" and k >= 3 and tokens[k - 3].lemma == "思い":
            feeling = True  # 不快な思いをされた
        elif before.lemma == "悪い" and before.cform.startswith("連用形") and k >= 4 and tokens[k - 3].surface == "を":
            feeling = tokens[k - 4].lemma in ("気", "気分", "機嫌")  # 気を悪くされた
    elif lemma in ("思う", "感ずる", "感じる"):
        # ご不快に思われた / ご不快に感じられた / 寂しく思われた; not the spontaneous 不安に感じられます,
        # 心苦しく思われます (it seems), and 感じられる only with ご (不快に感じられる is most often spontaneous)
        honoured = k >= 4 and tokens[k - 4].surface in ("ご", "御") and tokens[k - 4].pos1 == "接頭辞"
        if lemma != "思う" and not honoured:
            return False
        if nxt is not None and nxt.lemma == "ます" and not any(x.lemma == "た" for x in tokens[k + 2 : k + 3]):
            return False
        if before.lemma == "だ" and before.surface == "に" and k >= 3:
            feeling = tokens[k - 3].lemma in _FEELING_NOUNS_BEFORE_NI  # ご不快に思われた (not 〜ように)
        elif before.pos_str.startswith("形容詞") and before.cform.startswith("連用形"):
            feeling = before.lemma in _FEELING_ADJECTIVES  # 寂しく思われた
    if not feeling:
        return False
    # a first-person subject or an agent (に / から / によって) earlier in the clause makes it the passive
    # (私は親に心配されている, みんなから心配された, 私、すごく心配されました)
    sent, clause = verb.sent, verb.clause
    j = k - 2
    while j >= 0 and tokens[j].sent == sent:
        t = tokens[j]
        after = tokens[j + 1]
        if (
            t.lemma in _FIRST_PERSON
            and after.surface in ("は", "が", "も", "、", ",")
            and (t.clause == clause or not any(x.pos1 == "動詞" for x in tokens[j + 2 : k - 2]))
        ):
            return False  # 私は…心配されている, 私、すごく心配されました; not 私が言ったせいで、気分を害された
        if tokens[j].clause == clause and t.surface in ("に", "から") and t.pos_str.startswith("助詞,格助詞") and j > 0:
            prev = tokens[j - 1]
            if (
                prev.pos_str.startswith(("名詞", "代名詞"))
                and prev.lemma not in _NOT_AGENT_BEFORE_NI
                and after.lemma not in _NOT_AGENT_AFTER_NI
            ):
                return False
        j -= 1
    return True


# activities that take the 美化語 お in plain speech (お散歩する is not 謙譲)
_BIKAGO_ACTIVITIES = frozenset(
    {"散歩", "掃除", "料理", "洗濯", "買い物", "昼寝", "勉強", "片付け", "食事", "出かけ", "留守番", "稽古", "化粧"}
)
# nouns that are 謙譲 with する by themselves (拝見します, 頂戴しました)
_HUMBLE_SURU_NOUNS = frozenset({"拝見", "拝読", "拝察", "拝借", "拝聴", "拝受", "拝顔", "拝承", "頂戴"})
# nouns from verbs that take お〜する as the 謙譲 (お詫びする, お手伝いできず); お茶する, お返しする stay plain
_O_DEVERBAL_NOUNS = frozenset(
    {"詫び", "手伝い", "届け", "知らせ", "見舞い", "迎え", "送り", "預かり", "伝え", "任せ", "声がけ", "声掛け"}
)


def _has_o_go_prefix(tokens: list[Token], j: int) -> bool:
    """True when token j is a verb stem or noun directly preceded by the prefix お/ご/御."""
    if 0 <= j < len(tokens) and tokens[j].lemma in ("お任せ", "お詫び"):
        return True  # one token in the dictionary
    if j < 1 or j >= len(tokens):
        return False
    cur, prev = tokens[j], tokens[j - 1]
    if cur.pos1 == "助動詞" and cur.lemma in ("せる", "させる") and j >= 2:
        return _has_o_go_prefix(tokens, j - 1) or (
            tokens[j - 1].pos_str.startswith("動詞") and tokens[j - 2].surface in ("お", "ご")
        )  # お待たせする, お騒がせする
    if cur.lemma in _O_DEVERBAL_NOUNS:
        return prev.pos_str.startswith("接頭辞") and prev.surface in ("お", "御")
    if not (cur.pos_str.startswith(("名詞,普通名詞,サ変", "動詞"))):
        return False  # お茶する is casual; ご連絡する / お話しする are 謙譲語
    if cur.pos_str.startswith("動詞") and not cur.cform.startswith("連用形"):
        return False
    return prev.pos_str.startswith("接頭辞") and prev.surface in ("お", "ご", "御")


def _is_polite(t: Token) -> bool:
    if t.lemma in ("ください", "下さい"):
        return True
    if t.lemma in ("くださる", "下さる") and t.cform.startswith("命令形"):
        return True  # 〜てください: a plain polite request (お/ご〜ください was caught as honorific before)
    return t.pos_str.startswith("助動詞") and t.lemma in POLITE_AUX and t.surface not in ("でしょ", "っしょ")


def _evidence(analysis: Analysis) -> Iterator[tuple[int, int, str]]:
    """Each token outside quotes and reported words that is honorific or polite: (begin, end, kind)."""
    tokens = analysis.tokens
    for k, t in enumerate(tokens):
        if t.quote or t.reported:
            continue
        # only a verb can be honorific, and only a verb, an auxiliary or ください polite (no call for the rest)
        pos1 = t.pos1
        if pos1 == "動詞":
            kind = _honorific_kind(tokens, k)
            if kind is not None:
                yield t.begin, t.end, kind
                continue
        elif pos1 == "助動詞" and t.lemma in ("れる", "られる"):
            if _honorific_reru(tokens, k):
                yield t.begin, t.end, "weak"
            continue
        elif pos1 != "助動詞" and t.lemma not in _REQUEST_LEMMAS:
            continue
        if _is_polite(t):
            yield t.begin, t.end, "polite"


def detect_register(analysis: Analysis) -> tuple[str, list[tuple[int, int, str]]]:
    """Return the register and the evidence (normalised begin, end, kind) that decided it.

    Weak honorific evidence (お/ご〜する, the 尊敬 〜れる/られる) counts only in a message that is polite elsewhere."""
    honorific: list[tuple[int, int, str]] = []
    weak: list[tuple[int, int, str]] = []
    polite: list[tuple[int, int, str]] = []
    for b, e, kind in _evidence(analysis):
        if kind == "honorific":
            honorific.append((b, e, kind))
        elif kind == "weak":
            weak.append((b, e, "honorific"))
        else:
            polite.append((b, e, kind))
    if honorific or (weak and polite):
        return "honorific", sorted(honorific + weak)
    if polite:
        return "polite", polite
    return "casual", []


def register_of(analysis: Analysis) -> str:
    """The register alone (what :func:`detect_register` decides; it stops at the first honorific word)."""
    polite = weak = False
    for ev in _evidence(analysis):
        kind = ev[2]
        if kind == "honorific":
            return "honorific"
        if kind == "weak":
            weak = True
        else:
            polite = True
    if weak and polite:
        return "honorific"
    return "polite" if polite else "casual"
