"""Plain-Python escape hatches for what a morpheme pattern cannot say.

Each predicate receives the analysis and the matched token range (and its arguments, if it takes any)
and returns True to keep the match. Rules name them with ``check: NAME`` or
``check: {name: NAME, args: {...}}``; the loader rejects unknown names and arguments that do not fit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, ValidationError

from ..text.lexicon import lexicon

_LEX = lexicon()

if TYPE_CHECKING:
    from ..text.analysis import Analysis
    from ..text.tokens import Token

Check = Callable[["Analysis", int, int], bool]
Bound = Callable[["Analysis", int, int], bool]


class NoArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")


@dataclass(frozen=True)
class Predicate:
    """A named predicate and the schema of its arguments."""

    name: str
    fn: Callable[..., bool]
    args: type[BaseModel] = NoArgs

    def bind(self, args: dict[str, Any]) -> Bound:
        """The predicate with its arguments validated and bound; ``ValueError`` when they do not fit."""
        try:
            parsed = self.args.model_validate(args)
        except ValidationError as exc:
            raise ValueError(f"check {self.name!r}: bad arguments: {exc.errors()[0]['msg']}") from None
        values = parsed.model_dump()
        return partial(self.fn, **values) if values else self.fn


def registry(*preds: Predicate) -> dict[str, Predicate]:
    return {p.name: p for p in preds}


def _sentence_final(analysis: Analysis, start: int, end: int) -> bool:
    """The match ends its sentence (only punctuation, particles ね/よ, emoji or laughter may follow)."""
    tokens = analysis.tokens
    sent = tokens[start].sent
    for t in tokens[end:]:
        if t.sent != sent:
            break
        if t.pos_str.startswith(("補助記号", "空白", "記号")) or t.pos_str.startswith("助詞,終助詞"):
            continue
        return False
    return True


def _laugh_mark(analysis: Analysis, start: int, end: int) -> bool:
    """笑 / w / 草 used as a laugh mark: at the end of a clause or sentence, or inside (笑), not a word part.

    「笑」 inside 「笑える」「笑顔」 is another morpheme already; here we only reject a laugh-like noun that
    is followed by a particle (「草を刈る」「wを入力」), which makes it an ordinary word.
    """
    tokens = analysis.tokens
    t = tokens[start]
    nxt = tokens[end] if end < len(tokens) else None
    if nxt is not None and nxt.sent == t.sent and nxt.pos_str.startswith("助詞") and nxt.surface not in ("って", "て"):
        return False
    if t.surface == "草":  # only as a sentence-final laugh: 「それは草」
        return _sentence_final(analysis, start, end)
    return True


_OTHER_PEOPLE = _LEX.words("other_people")


def _sender_circumstance(analysis: Analysis, start: int, end: int) -> bool:
    """The circumstance is the sender's: not causative (疲れさせた is the other's state, empathy),
    not a state of the other person named as the clause's subject."""
    tokens = analysis.tokens
    head = tokens[start]
    for t in tokens[start + 1 : min(end + 2, len(tokens))]:
        if t.sent != head.sent:
            break
        if t.lemma in ("せる", "させる"):
            return False
    clause = head.clause
    for t in tokens[max(0, start - 8) : start]:
        if t.clause == clause and t.lemma in _OTHER_PEOPLE:
            return False
    # 「疲れてるのは母さんも同じ」: the state is attributed to someone else right after
    later = tokens[start + 1 : start + 7]
    for k, t in enumerate(later[:-1]):
        if t.sent != head.sent:
            break
        if (t.lemma in _OTHER_PEOPLE or t.lemma in _THIRD_PARTIES or t.lemma.endswith(("さん", "ちゃん"))) and later[
            k + 1
        ].surface in ("も", "が"):
            return False
    # a causative later in the clause (「バタバタしてる時に一人にさせて」) or a closing よね/よな
    # (「人手足りなくて大変だったよね」「眠かったよね」) puts the state on the other person
    k = start
    while k < len(tokens) and tokens[k].sent == head.sent:
        if tokens[k].lemma in ("せる", "させる") and tokens[k].clause == clause:
            return False
        k += 1
    sent_toks = [
        t
        for t in tokens
        if t.sent == head.sent and t.clause == clause and not t.pos_str.startswith(("補助記号", "空白"))
    ]
    if (
        len(sent_toks) >= 3
        and sent_toks[-2].surface == "よ"
        and sent_toks[-1].surface in ("ね", "な")
        and not any(x.surface in ("ん", "の") for x in sent_toks[-5:-2])
    ):
        return False  # 「大変だったよね」 confirms the other's state; 「〜んですよね」 explains one's own
    # 「体調のいいときで」「疲れてるのに〜してくれた」: the other person's state, not the sender's excuse
    after = [t.surface for t in tokens[start + 1 : start + 5] if t.sent == head.sent]
    joined = "".join(after)
    others_state = ("のいいとき", "の良いとき", "のいい時", "のに", "なのに", "てるのに", "てたのに", "ているのに")
    if joined.startswith(others_state):
        return False
    # a plan for the future (「30分前にアラームをかけるようにします」) is not a circumstance
    s = analysis.sentences[head.sent]
    sent_tokens = tokens[s.start_token : s.end_token]
    for k, t in enumerate(sent_tokens[:-1]):
        if t.lemma == "よう" and sent_tokens[k + 1].surface == "に":
            return False
        if t.lemma in ("今後", "次回") or (t.lemma in ("次", "今度", "これ") and sent_tokens[k + 1].surface == "から"):
            return False
    return True


# people other than the sender: 「担当者の説明が不十分」 is not the sender's fault
_THIRD_PARTIES = _LEX.words("third_parties")
# 「連絡が遅れて」「返信が遅くなって」: the subject is the sender's own act
_OWN_ACT_NOUNS = _LEX.words("own_act_nouns")
_FIRST_PERSON = _LEX.words("first_person")


def _sender_act(analysis: Analysis, start: int, end: int) -> bool:
    """The act is the sender's own, stated as fact: no other person named as the subject before it in
    the same clause, not inside an if-clause (〜したなら), not a concession (確かに〜したが) and not a
    question."""
    tokens = analysis.tokens
    head = tokens[start]
    clause = head.clause
    # the predicate's own stretch: back to the previous 〜て/〜で link or comma in the clause
    lo = start
    while lo > 0 and lo > start - 10:
        p = tokens[lo - 1]
        if p.clause != clause or p.sent != head.sent:
            break
        if p.pos_str.startswith("助詞,接続助詞") or p.surface in ("、", ","):
            break
        lo -= 1
    if (
        start >= 2
        and tokens[start - 1].surface == "の"
        and (tokens[start - 2].lemma in _THIRD_PARTIES or tokens[start - 2].lemma in _OTHER_PEOPLE)
    ):
        return False  # 「担当者の説明が不十分」「あなたの指示で」
    for k in range(lo, start):
        t = tokens[k]
        nxt = tokens[k + 1] if k + 1 < len(tokens) else None
        if nxt is None:
            continue
        if t.lemma in _OTHER_PEOPLE and nxt.surface in ("が", "は", "も", "だって", "だ"):
            return False
        # someone else as the subject (「打ち合わせが長引いて」「お母さんが先に」), unless it is the sender
        if (
            t.pos_str.startswith(("名詞", "代名詞"))
            and t.lemma not in _FIRST_PERSON
            and t.lemma not in _OWN_ACT_NOUNS
            and nxt.surface in ("が", "だって")
            and nxt.pos_str.startswith("助詞")
        ):
            return False
    # the clause ends in a condition or a concession
    k = end
    while k < len(tokens) and tokens[k].clause == tokens[end - 1].clause and tokens[k].sent == head.sent:
        t = tokens[k]
        if t.cform.startswith("仮定形") and t.lemma in ("だ", "た", "です", "ある", "する"):
            return False
        if t.surface in ("?",):
            return False
        k += 1
    return not any(t.lemma in ("もし", "仮に") for t in tokens[max(0, start - 8) : start] if t.clause == clause)


def _clause_is_conditional(analysis: Analysis, start: int, end: int) -> bool:
    tokens = analysis.tokens
    clause = tokens[end - 1].clause
    k = end
    while k < len(tokens) and tokens[k].clause == clause:
        t = tokens[k]
        if t.cform.startswith("仮定形") and t.lemma in ("だ", "た", "です", "ある", "する"):
            return True
        k += 1
    # the comma-less case: 「〜させたならごめん」 closes the clause at the next token
    return k < len(tokens) and tokens[k].cform.startswith("仮定形") and tokens[k].lemma in ("だ", "た", "です")


def _not_conditional(analysis: Analysis, start: int, end: int) -> bool:
    return not _clause_is_conditional(analysis, start, end)


def _their_feeling(analysis: Analysis, start: int, end: int) -> bool:
    """A feeling attributed to the other person: not the sender's own (私も寂しかった / こっちだって
    我慢してた), not inside an if-clause, and not a question that presses (まだ怒ってる?)."""
    tokens = analysis.tokens
    head = tokens[start]
    for t in tokens[max(0, start - 6) : start]:
        if t.sent == head.sent and t.clause == head.clause and t.lemma in _FIRST_PERSON | {"こっち", "こちら"}:
            k = t.i + 1
            if k < len(tokens) and tokens[k].surface in ("も", "が", "は", "だって", "だ"):
                return False
    span = tokens[start:end]
    for k, t in enumerate(span):  # 「怒ることでもなかったよね」: a feeling denied as 'not a thing to' is no empathy
        if t.lemma in ("こと", "もの", "わけ") and any(x.lemma in ("ない", "ぬ") for x in span[k + 1 : k + 5]):
            return False
    return _not_conditional(analysis, start, end)


# predicates that state an opinion or a state, not something the sender will do
_NOT_ACTION = _LEX.words("not_action")
_END_OK_PARTICLES = _LEX.words("end_ok_particles")


def _predicate_ok(tokens: list[Token], k: int) -> bool:
    """Token k ends a non-past predicate of will: 〜する / 〜します / 〜いたします / 〜したい / 〜しない."""
    t = tokens[k]
    if t.lemma in ("いる", "居る") and t.pos_str.startswith("動詞") and t.cform.startswith("終止形"):
        return k == 0 or tokens[k - 1].surface not in ("て", "で")  # 最後までいる (stay), not 〜ている
    if t.surface == "す" and k > 0 and tokens[k - 1].surface.startswith("まー"):
        return k > 1 and tokens[k - 2].pos_str.startswith("動詞")  # 気をつけまーす (a jokey ます)
    if t.pos_str.startswith("動詞"):
        # 終止形 and 連体形 look the same on verbs; the caller checks that nothing but an ending follows
        if t.lemma == "言う" and k > 0 and tokens[k - 1].surface not in ("と", "って"):
            return t.cform.startswith(("終止形", "連体形"))  # 「誰と行くかちゃんと言うね」 is an action
        return t.cform.startswith(("終止形", "連体形")) and t.lemma not in _NOT_ACTION
    if t.pos_str.startswith("助動詞"):
        if not t.cform.startswith("終止形"):
            return False
        if t.lemma in ("だ", "です") and k > 0 and tokens[k - 1].lemma == "つもり":
            return True  # 〜するつもりです
        if t.lemma in ("とく", "ておく"):
            return True  # 〜しとく: I'll (get it) done
        if t.lemma not in ("ます", "たい", "ない", "ぬ"):
            return False
        # the verb this auxiliary attaches to
        j = k - 1
        while j >= 0 and tokens[j].pos_str.startswith("助動詞"):
            if tokens[j].lemma in ("た", "れる", "られる", "せる", "させる") and t.lemma != "ない":
                return False
            j -= 1
        if j < 0 or not tokens[j].pos_str.startswith("動詞"):
            return False
        if t.lemma == "ない":  # 〜しない (a promise not to): any action, but not 知らない / できない
            return tokens[j].lemma not in ("できる", "出来る", "わかる", "分かる", "知る", "ある", "いる", "思う")
        if (
            t.lemma == "ます"
            and tokens[j].lemma in ("いただく", "頂く")
            and j >= 2
            and tokens[j - 1].surface == "て"
            and tokens[j - 2].lemma in ("せる", "させる")
        ):
            return True  # 〜させていただきます: a humble statement of what the sender will do
        if tokens[j].lemma in _NOT_ACTION and tokens[j].lemma not in ("いく", "まいる", "参る"):
            return t.lemma == "ます" and tokens[j].lemma in ("まいる", "参る")
        return True
    return False


def _own_future(analysis: Analysis, start: int, end: int) -> bool:
    """The match ends on the sender's non-past predicate of will, at the end of its clause, in a
    statement (not a question, not an if-clause, not a request, not 〜と言ってた)."""
    tokens = analysis.tokens
    last = end - 1
    if not _predicate_ok(tokens, last):
        return False
    sent = tokens[last].sent
    nxt = tokens[end] if end < len(tokens) and tokens[end].sent == sent else None
    if nxt is not None and (
        nxt.surface in ("笑", "w", "W", "ww", "www")
        or (nxt.surface == "の" and end + 1 < len(tokens) and tokens[end + 1].surface == "で")
    ):
        nxt = None  # 「作る笑」「お持ちしたいので」
    if nxt is not None:
        if nxt.pos_str.startswith(("補助記号", "空白")):
            if nxt.surface == "?":
                return False
        elif not (nxt.pos_str.startswith("助詞") and nxt.surface in _END_OK_PARTICLES) or nxt.surface == "か":
            return False
    s = analysis.sentences[sent]
    if any(t.surface == "?" for t in tokens[s.start_token : s.end_token]):
        return False
    if any(t.lemma in ("よろしく", "宜しく", "願う", "お願い") for t in tokens[start:end]):
        return False
    return not _clause_is_conditional(analysis, start, end)


_WORK_NOT_PROMISE = _LEX.words("work_not_promise")


def _own_future_work(analysis: Analysis, start: int, end: int) -> bool:
    """Business remedies: 〜を徹底いたします / ご説明いたします / お届けいたします (non-past), or a noun
    such as 再発防止策. Past (お送りしました) and requests (ご確認ください) are not promises."""
    tokens = analysis.tokens
    if (
        end - start == 1
        and tokens[start].pos_str.startswith("名詞")
        and tokens[start].lemma in ("再発防止", "再発", "防止策", "改善策", "対策", "再発防止策")
    ):
        return True
    if any(t.lemma in _WORK_NOT_PROMISE for t in tokens[start:end]):
        return False
    strong = {"徹底", "防止", "改善", "見直し", "見直す", "改める", "再発防止"}
    humble = any(t.lemma in ("いたす", "致す", "まいる", "参る") for t in tokens[start:end]) or (
        start > 0 and tokens[start - 1].surface in ("お", "ご")
    )
    if tokens[start].lemma not in strong and not humble:
        return False
    last = tokens[end - 1]
    nxt = tokens[end] if end < len(tokens) and tokens[end].sent == last.sent else None
    # 「徹底し、」: a continuative in a chain of promises counts when the sentence ends in a promise
    if (
        last.lemma in ("する", "いたす", "致す")
        and last.cform.startswith("連用形")
        and nxt is not None
        and nxt.surface in ("、",)
    ):
        s = analysis.sentences[last.sent]
        return any(_predicate_ok(tokens, k) for k in range(end, s.end_token))
    return _own_future(analysis, start, end)


def _not_attention(analysis: Analysis, start: int, end: int) -> bool:
    """「すみません、今お時間よろしいでしょうか」: a sentence-initial すみません before a question or a request
    for attention is a call, not an apology."""
    tokens = analysis.tokens
    s = analysis.sentences[tokens[start].sent]
    if start != s.start_token:
        return True
    rest = tokens[end : s.end_token]
    if not rest or rest[0].surface != "、":
        return True
    joined = "".join(t.surface for t in rest)
    return not (
        "?" in joined
        or "でしょうか" in joined
        or "ですか" in joined
        or joined.rstrip("…。.").endswith(("けど", "ですけど", "んですが", "のですが"))
    )


CHECKS: dict[str, Predicate] = registry(
    Predicate("not_attention", _not_attention),
    Predicate("own_future", _own_future),
    Predicate("own_future_work", _own_future_work),
    Predicate("not_conditional", _not_conditional),
    Predicate("their_feeling", _their_feeling),
    Predicate("sender_act", _sender_act),
    Predicate("sender_circumstance", _sender_circumstance),
    Predicate("laugh_mark", _laugh_mark),
    Predicate("sentence_final", _sentence_final),
)
