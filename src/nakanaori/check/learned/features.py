"""What the learned model reads: units (sentences) of an :class:`Analysis` and their features, as integer codes.

The model classifies each sentence of a message, so that every finding it makes keeps a span. A
sentence's features (the families of ``docs/model.md``) are lemma 1–3-grams (with the scope the token is
in: quoted or reported speech, negation), part of speech + surface of function words, requests to the
other person, conjugation forms, character 2–4-grams per stretch of one scope, the content words of each
clause tagged by the word that closes the clause, person words by role with the words after them, a
question ending, first/last/short flags, and the lemmas of the sentences before and after it.

v4 computes them without one Python string per feature: each token is looked up once (a bounded
per-process table from the token's lemma, surface, part of speech, conjugation form and scope to stable
64-bit ids: BLAKE2b of the UTF-8 strings, computed on a miss), and every feature is then a uint64 code
from numpy arithmetic on arrays of those ids (a linear mix with constants distinct per family, then one
avalanche over all codes). Character n-grams come from the code points of the sentence. Training and
inference call the same functions, so the features cannot drift apart.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass

import numpy as np

from ...text.analysis import Analysis
from ...text.lexicon import lexicon
from ...text.tokens import Token

FEATURE_VERSION = 4
# the word that closes a clause inside a sentence says what the clause is doing: giving a reason or an
# account (から, ので, し, て), conceding (けど, が, のに) -- an excuse or blame often sits in such a clause
# of an otherwise good sentence, so its content words are also seen tagged with that role
_REASON_CLOSERS = frozenset(("から", "ので", "し", "て", "で"))
_CONTRAST_CLOSERS = frozenset(("けど", "けれど", "けれども", "が", "のに"))
_COMMAS = ("、", ",")


def _roles() -> dict[str, str]:
    """Who a person word names: the sender (@ME), the other person (@YOU) or someone else (@THEM)."""
    lex = lexicon()
    out = dict.fromkeys(lex.words("third_parties"), "@THEM")
    others = ("みんな", "皆", "皆さん", "他", "ほか", "人", "あの人", "あいつ", "あっち", "向こう", "会社", "上")
    out.update(dict.fromkeys((*others, "システム"), "@THEM"))
    out.update(dict.fromkeys(lex.words("other_people"), "@YOU"))
    out.update(dict.fromkeys(lex.words("first_person"), "@ME"))
    return out


# a person as subject or topic (お前が, 担当者の, みんなも): blame is often a sentence about someone else
_ROLE = _roles()
_ROLE_PARTICLES = frozenset(("は", "が", "も", "って", "の", "に", "だって", "こそ", "せい"))
_QUESTION_ENDS = frozenset(("?", "？", "か", "の", "かな", "じゃん"))
_SKIP_POS = ("空白",)
_FUNCTION_POS = ("助詞", "助動詞", "補助記号")


@dataclass(frozen=True, slots=True)
class Unit:
    """One sentence: token range and the span on the normalised text (trailing spaces dropped)."""

    index: int
    start_token: int
    end_token: int
    begin: int
    end: int


def units(analysis: Analysis) -> list[Unit]:
    out: list[Unit] = []
    toks = analysis.tokens
    for s in analysis.sentences:
        lo, hi = s.start_token, s.end_token
        while hi > lo and toks[hi - 1].pos_str.startswith(_SKIP_POS):
            hi -= 1
        while lo < hi and toks[lo].pos_str.startswith(_SKIP_POS):
            lo += 1
        if lo >= hi:
            continue
        out.append(Unit(len(out), lo, hi, toks[lo].begin, toks[hi - 1].end))
    return out


def string_id(s: str) -> int:
    """A stable 64-bit id of a string (the same in every process: BLAKE2b of its UTF-8 bytes)."""
    return int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8).digest(), "little")


_MASK = (1 << 64) - 1


def _constants(n: int) -> list[int]:
    """Odd 64-bit multipliers, one per feature family (and n-gram position), fixed: derived from their index."""
    return [string_id(f"nakanaori-feature-{k}") | 1 for k in range(n)]


_C = _constants(48)
# the families' multipliers (a feature's code before the final mix is a linear form of its parts' ids)
(
    _UNI,
    _BI1,
    _BI2,
    _TRI1,
    _TRI2,
    _TRI3,
    _FUNC_C,
    _REQ_C,
    _CFORM_C,
    _CH1,
    _CH2,
    _CH3,
    _CH4,
    _WHO1,
    _WHO2,
    _WHO21,
    _WHO22,
    _WHO23,
    _QEND_C,
    _QROLE,
    _R_C,
    _K_C,
    _O_C,
    _L_C,
    _P_C,
    _N_C,
    _FIRST,
    _LAST,
    _SHORT,
    _EXTRA,
) = _C[:30]
_SCOPE_BIT = 1 << 21  # above every code point: a quoted/reported character is another character
_DOLLAR = string_id("$")

# the per-token row (pre-mix codes of the families a token gives alone, 0 where it gives none), by column
(
    _U1,
    _FUNC,
    _CFORM,
    _REQ,
    _TAG_R,
    _TAG_K,
    _TAG_O,
    _TAG_L,
    _ZERO,
    _PREV,
    _NEXT,
    _KEY,
    _SURF,
    _LEMMA,
    _ROLE_ID,
    _CHARS,
    _FLAGS,
) = range(17)
_WIDTH = 17
_TAG_COLUMN = {"R": _TAG_R, "K": _TAG_K, "O": _TAG_O, "L": _TAG_L}

# lemma, surface, pos1, cform, scope (0 own, 1 quoted/reported, 2 negated) + 4 when in a request
TokenKey = tuple[str, str, str, str, int]


class _StringIds(dict[str, int]):
    """string_id of the strings tokens are made of, each computed once (bounded like the token rows)."""

    def __missing__(self, s: str) -> int:
        v = self[s] = string_id(s)
        return v


_IDS = _StringIds()
_ROW_STRUCT = struct.Struct(f"<{_WIDTH}Q")


def _token_row(key: TokenKey) -> bytes:
    lemma, surface, pos1, cform, scope_request = key
    scope, request = scope_request & 3, scope_request & 4
    ids = _IDS
    if len(ids) > 4 * _ROWS_MAX:
        ids.clear()
    base = lemma or surface
    mark = "«" if scope == 1 else "¬" if scope == 2 else ""
    function = pos1.startswith(_FUNCTION_POS)
    role = _ROLE.get(lemma) or ("@PRON" if pos1 == "代名詞" else None)
    k = ids[mark + base]
    content = 0 if function else 1
    row = [0] * _WIDTH
    row[_U1] = k * _UNI
    row[_FUNC] = ids[pos1 + ":" + surface] * _FUNC_C if function else 0
    row[_CFORM] = ids[cform.split("-", 1)[0]] * _CFORM_C if cform else 0
    row[_REQ] = ids[base] * _REQ_C if request else 0
    row[_TAG_R], row[_TAG_K], row[_TAG_O], row[_TAG_L] = (k * c * content for c in (_R_C, _K_C, _O_C, _L_C))
    row[_PREV], row[_NEXT] = k * _P_C, k * _N_C
    row[_KEY], row[_SURF], row[_LEMMA] = k, ids[surface], ids[lemma]
    row[_ROLE_ID] = ids[role] if role else 0
    row[_CHARS] = len(surface) << 1 | (scope == 1)  # the surface's length and whether it is quoted or reported
    row[_FLAGS] = _flags(lemma, surface, pos1)
    return _ROW_STRUCT.pack(*[v & _MASK for v in row])


# what the native featuriser needs to know of a token's strings (the reference asks the tokens themselves)
_F_COMMA, _F_CLOSER_R, _F_CLOSER_K, _F_QEND, _F_KA_NO, _F_SYMBOL, _F_PARTICLE = (1 << b for b in range(7))


def _flags(lemma: str, surface: str, pos1: str) -> int:
    """The FLAGS column: a comma (_closer_tag), the lemma's clause role, a question ending (_is_question),
    a particle after a person word."""
    return (
        (_F_COMMA if surface in _COMMAS else 0)
        | (_F_CLOSER_R if lemma in _REASON_CLOSERS else _F_CLOSER_K if lemma in _CONTRAST_CLOSERS else 0)
        | (_F_QEND if surface in _QUESTION_ENDS else 0)
        | (_F_KA_NO if surface in ("か", "の") else 0)
        | (_F_SYMBOL if pos1 == "補助記号" else 0)
        | (_F_PARTICLE if surface in _ROLE_PARTICLES else 0)
    )


class _TokenRows(dict[TokenKey, bytes]):
    def __missing__(self, key: TokenKey) -> bytes:
        row = self[key] = _token_row(key)
        return row


_ROWS = _TokenRows()
_ROWS_MAX = 200_000
_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31 = np.uint64(30), np.uint64(27), np.uint64(31)
_CH = [np.uint64(c) for c in (_CH1, _CH2, _CH3, _CH4)]
_BI = [np.uint64(c) for c in (_BI1, _BI2, _TRI1, _TRI2, _TRI3)]
UNIT_BITS = 13  # a unit index sits in the top bits of a sorting key (8,192 units: more than a message's characters)


def _avalanche(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: every input bit reaches every output bit."""
    x = x ^ (x >> _S30)
    x *= _M1
    x ^= x >> _S27
    x *= _M2
    x ^= x >> _S31
    return x


@dataclass(frozen=True, slots=True)
class Codes:
    """The features of one message: per unit, the codes of its features (the unit-only families —
    neighbours, first/last, short — after the others: ``codes[:n_message]`` are the whole-message view's)."""

    units: list[Unit]
    codes: np.ndarray  # uint64, one per (unit, feature) occurrence (a feature may repeat within a unit)
    unit_of: np.ndarray  # int64, the unit of each code
    n_message: int  # the first n_message codes are the families the whole-message view reads


def _closer_tag(toks: list[Token], lo: int, hi: int) -> str:
    """R, K or O: what the word that closes the clause toks[lo:hi] says (a comma defers to the word before)."""
    t = toks[hi - 1]
    closer = (toks[hi - 2].lemma if hi - 2 >= lo else "") if t.surface in _COMMAS else t.lemma
    return "R" if closer in _REASON_CLOSERS else "K" if closer in _CONTRAST_CLOSERS else "O"


def _is_question(toks: list[Token], lo: int, hi: int) -> bool:
    end = toks[hi - 1]
    return end.surface in _QUESTION_ENDS or (
        hi - lo > 1 and toks[hi - 2].surface in ("か", "の") and end.pos1 == "補助記号"
    )


def _token_pass(analysis: Analysis, us: list[Unit]) -> tuple[list[bytes], list[Token], list[int], list[int], list[int]]:
    """One pass over the tokens of the units *us* (spaces skipped): each token's row, the token, its unit,
    the first token of each clause and of each unit (both lists ending with the number of tokens)."""
    tokens = analysis.tokens
    rows = _ROWS
    if len(rows) > _ROWS_MAX:
        rows.clear()
    parts: list[bytes] = []
    toks: list[Token] = []
    unit_l: list[int] = []
    starts: list[int] = []  # the first token of each clause (a unit starts a clause)
    bounds: list[int] = []  # the first token of each unit
    for k, u in enumerate(us):
        bounds.append(len(toks))
        clause = -1
        for t in tokens[u.start_token : u.end_token]:
            if t.pos_str.startswith(_SKIP_POS):
                continue
            if t.clause != clause:
                clause = t.clause
                starts.append(len(toks))
            scope = (1 if (t.quote or t.reported) else 2 if t.negated else 0) | (4 if t.request else 0)
            parts.append(rows[(t.lemma, t.surface, t.pos1, t.cform, scope)])
            toks.append(t)
            unit_l.append(k)
    bounds.append(len(toks))
    starts.append(len(toks))
    return parts, toks, unit_l, starts, bounds


def codes(analysis: Analysis) -> Codes:
    """The units of a message and the feature codes of each (every token looked up once)."""
    us = units(analysis)
    if not us:
        return Codes(us, np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64), 0)
    parts, toks, unit_l, starts, bounds = _token_pass(analysis, us)
    n = len(toks)
    n_units = len(us)
    # per clause, which tagged column its content words take: R/K/O by its closer, L for a unit's last
    # clause, none in a unit of one clause
    cols: list[int] = []
    c = 0
    extra: list[int] = []  # (pre-mix code, unit) pairs of the message-view families computed here
    tail: list[int] = []  # ... and of the unit-only ones
    for k in range(n_units):
        lo, hi = bounds[k], bounds[k + 1]
        c0 = c
        while starts[c + 1] < hi:
            c += 1
        c += 1  # the clauses of unit k are c0 .. c - 1
        if c - c0 == 1:
            cols.append(_ZERO)
        else:
            cols += [_TAG_COLUMN[_closer_tag(toks, starts[j], starts[j + 1])] for j in range(c0, c - 1)]
            cols.append(_TAG_L)
        if _is_question(toks, lo, hi):
            extra += (_QEND_C, k)
        if k == 0:
            tail += (_FIRST, k)
        if k == n_units - 1:
            tail += (_LAST, k)
        if hi - lo <= 3:
            tail += (_SHORT, k)
    a = np.frombuffer(b"".join(parts), dtype=np.uint64).reshape(n, _WIDTH)
    unit = np.array(unit_l, dtype=np.int64)
    # person words by role, with the word after them (and the word after a particle); with a question
    role = a[:, _ROLE_ID]
    who = role.nonzero()[0].tolist()
    if who:
        ids = a[:, _ROLE_ID : _ROLE_ID + 1]
        surf, lemma = a[:, _SURF].tolist(), a[:, _LEMMA].tolist()
        asked = {extra[j + 1] for j in range(0, len(extra), 2)}
        roles_seen: set[tuple[int, int]] = set()
        for i in who:
            k = unit_l[i]
            r = int(ids[i, 0])
            hi = bounds[k + 1]
            nxt = surf[i + 1] if i + 1 < hi else _DOLLAR
            extra += ((r * _WHO1 + nxt * _WHO2) & _MASK, k)
            if i + 2 < hi and toks[i + 1].surface in _ROLE_PARTICLES:
                extra += ((r * _WHO21 + surf[i + 1] * _WHO22 + lemma[i + 2] * _WHO23) & _MASK, k)
            if k in asked and (r, k) not in roles_seen:
                roles_seen.add((r, k))
                extra += ((r * _QROLE) & _MASK, k)
    starts_a = np.array(starts, dtype=np.int64)
    clause_len = starts_a[1:] - starts_a[:-1]
    col = np.array(cols, dtype=np.int64).repeat(clause_len)
    key = a[:, _KEY]
    same1 = unit[1:] == unit[:-1]
    same2 = unit[2:] == unit[:-2]
    b1, b2, t1, t2, t3 = _BI
    # character 2-4-grams per stretch of one scope within a unit (the scope folded into the characters)
    surfaces = [t.surface for t in toks]
    chars = a[:, _CHARS].astype(np.int64)
    lens = chars >> 1
    scoped = (chars & 1).astype(bool)
    change = np.empty(n, dtype=np.int64)
    change[0] = 0
    np.logical_or(~same1, scoped[1:] != scoped[:-1], out=change[1:], casting="unsafe")
    stretch = change.cumsum()
    tok_of = np.arange(n).repeat(lens)
    st = stretch[tok_of]
    cp = np.frombuffer("".join(surfaces).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    cp |= scoped[tok_of].astype(np.uint64) * np.uint64(_SCOPE_BIT)
    cu = unit[tok_of]
    m = cp.size
    ch1, ch2, ch3, ch4 = _CH
    g2 = cp[:-1] * ch1 + cp[1:] * ch2
    g3 = g2[:-1] + cp[2:] * ch3
    g4 = g3[:-1] + cp[3:] * ch4
    g2 *= st[1:] == st[:-1]
    g3 *= st[2:] == st[: max(m - 2, 0)]
    g4 *= st[3:] == st[: max(m - 3, 0)]
    ex = np.array(extra, dtype=np.uint64).reshape(-1, 2)
    tl = np.array(tail, dtype=np.uint64).reshape(-1, 2)
    last = n_units - 1
    code_parts = (
        a[:, _U1:_REQ].ravel(),  # lemma unigrams, function words, conjugation forms
        a[:, _REQ],  # requests
        a[np.arange(n), col],  # content words tagged by their clause's role
        (key[:-1] * b1 + key[1:] * b2) * same1,  # lemma bigrams, trigrams
        (key[:-2] * t1 + key[1:-1] * t2 + key[2:] * t3) * same2,
        g2,
        g3,
        g4,
        ex[:, 0],
        # unit-only: the lemmas of the units before and after, first / last / short
        a[:, _PREV] * (unit < last),
        a[:, _NEXT] * (unit > 0),
        tl[:, 0],
    )
    unit_parts = (
        unit.repeat(3),
        unit,
        unit,
        unit[1:],
        unit[2:],
        cu[1:],
        cu[2:],
        cu[3:],
        ex[:, 1].astype(np.int64),
        unit + 1,
        unit - 1,
        tl[:, 1].astype(np.int64),
    )
    allc = np.concatenate(code_parts)
    allu = np.concatenate(unit_parts)
    keep = allc != 0
    n_message = int(np.count_nonzero(keep[: allc.size - 2 * n - tl.shape[0]]))
    return Codes(us, _avalanche(allc[keep]), allu[keep], n_message)


NativeInputs = tuple[bytes, list[int], list[int], str]


def native_inputs(analysis: Analysis, us: list[Unit]) -> NativeInputs:
    """What the native featuriser reads of a message (``_native.c``), from one pass over the tokens of its
    units *us*: the tokens' rows joined, the first token of each unit and of each clause (each list ending
    with the number of tokens), and the tokens' surfaces joined. The same pass as :func:`codes`'s."""
    parts, toks, _, starts, bounds = _token_pass(analysis, us)
    return b"".join(parts), bounds, starts, "".join(t.surface for t in toks)


def token_row(key: TokenKey) -> bytes:
    """A token's row (the native featuriser keeps its own table of them, and asks here on a miss)."""
    return _token_row(key)


def native_row_spec() -> tuple[object, ...]:
    """What :func:`token_row` reads of this module, for ``_native.configure_rows`` (the native featuriser then
    computes a new token's row itself, the same bytes: the tests compare the two on every token of the train
    and dev messages and on fuzzed texts): the families' multipliers, each role word's id, @PRON's id, the
    parts of speech of function words, the word sets of the FLAGS column, 補助記号 and 代名詞."""
    multipliers = (_UNI, _FUNC_C, _CFORM_C, _REQ_C, _R_C, _K_C, _O_C, _L_C, _P_C, _N_C)
    return (
        np.array(multipliers, dtype=np.uint64).tobytes(),
        {lemma: string_id(role) for lemma, role in _ROLE.items()},
        string_id("@PRON"),
        _FUNCTION_POS,
        frozenset(_COMMAS),
        _REASON_CLOSERS,
        _CONTRAST_CLOSERS,
        _QUESTION_ENDS,
        frozenset(("か", "の")),
        _ROLE_PARTICLES,
        "補助記号",
        "代名詞",
    )


def native_constants() -> bytes:
    """The family multipliers the native featuriser applies itself, in ``_native.c``'s order (C_BI1 ...)."""
    values = (
        *(_BI1, _BI2, _TRI1, _TRI2, _TRI3, _CH1, _CH2, _CH3, _CH4),
        *(_WHO1, _WHO2, _WHO21, _WHO22, _WHO23, _QEND_C, _QROLE, _FIRST, _LAST, _SHORT, _DOLLAR, _SCOPE_BIT),
    )
    return np.array(values, dtype=np.uint64).tobytes()


# a feature's identity is its code less the low ID_SHIFT bits (50 bits: no two features of a message share
# one in practice); the low bits carry the unit and a flag while sorting (Model.score_codes)
ID_SHIFT = UNIT_BITS + 1
_ID_SHIFT = np.uint64(ID_SHIFT)


def unit_rows(c: Codes, hash_bits: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(unit, bucket, value) of every non-zero of the units' feature matrix, sorted by unit then bucket:
    each distinct feature of a unit counts once, features fall into ``2**hash_bits`` buckets by the top
    bits of their code, and a bucket's value is its count over the square root of the unit's number of
    distinct features (the L2 norm of the unit's binary feature vector)."""
    key = (c.unit_of.astype(np.uint64) << np.uint64(64 - ID_SHIFT)) | (c.codes >> _ID_SHIFT)
    key = np.sort(key)
    first = np.empty(key.size, dtype=bool)
    first[:1] = True
    np.not_equal(key[1:], key[:-1], out=first[1:])
    ub = key[first] >> np.uint64(64 - ID_SHIFT - hash_bits)  # unit and bucket, sorted
    keys, counts = _run_lengths(ub)
    unit_k = (keys >> np.uint64(hash_bits)).astype(np.int64)
    bucket = (keys & np.uint64((1 << hash_bits) - 1)).astype(np.int64)
    v = counts.astype(np.float32)
    norms = np.sqrt(np.bincount(unit_k, weights=v)).astype(np.float32)
    return unit_k, bucket, v / norms[unit_k]


def message_row(c: Codes, hash_bits: int) -> tuple[np.ndarray, np.ndarray]:
    """(bucket, value) of the whole-message view: every feature of the units once, less those that only
    say where a unit sits; bucket counts over the square root of the number of distinct features."""
    s = np.sort(c.codes[: c.n_message] >> _ID_SHIFT)
    if s.size:
        first = np.empty(s.size, dtype=bool)
        first[0] = True
        np.not_equal(s[1:], s[:-1], out=first[1:])
        s = s[first]
    keys, counts = _run_lengths(s >> np.uint64(64 - ID_SHIFT - hash_bits))
    v = counts.astype(np.float32)
    if v.size:
        v /= np.float32(np.sqrt(s.size))
    return keys.astype(np.int64), v


def description_keys(analysis: Analysis, extra: str) -> np.ndarray:
    """Every distinct feature code of a whole text (all families of all its units) and one more feature
    named *extra*, as sorted int64 keys (the stage reader's vocabulary)."""
    c = codes(analysis)
    more = _avalanche(np.array([(string_id(extra) * _EXTRA) & _MASK], dtype=np.uint64))
    return np.unique(np.concatenate([c.codes, more]).view(np.int64))


def _run_lengths(s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of a sorted 1-d array and how often each occurs."""
    if s.size == 0:
        return s, np.zeros(0, dtype=np.int64)
    first = np.empty(s.size, dtype=bool)
    first[0] = True
    np.not_equal(s[1:], s[:-1], out=first[1:])
    where = first.nonzero()[0]
    counts = np.empty_like(where)
    np.subtract(where[1:], where[:-1], out=counts[:-1])
    counts[-1] = s.size - where[-1]
    return s[where], counts
