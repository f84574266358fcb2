"""The learned model's native path (``_native.c``) against its numpy reference.

The extension must be built (``make setup`` builds it): here a missing module is a failure, never a
silent fallback. Codes must be identical to :func:`features.codes` (same values, same order, same
n_message) and probabilities within 1e-6 of :meth:`Model.score_codes`, with the same decisions (the
thresholds and vetoes the product applies) on every message of the train and dev batches (never
held-out) and on fuzzed texts.
"""

from __future__ import annotations

import dataclasses
import importlib
import logging
import random
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpus_sample import sampled_records
from nakanaori.check.learned import features as F
from nakanaori.check.learned import native as native_path
from nakanaori.check.learned.combine import _threshold_arrays, judge
from nakanaori.check.learned.corpus import load_split
from nakanaori.check.learned.model import Model, load_model, shipped_model
from nakanaori.labels import LABELS
from nakanaori.text.analysis import analyze

_native = importlib.import_module("nakanaori.check.learned._native")  # fails the suite when not built
TOLERANCE = 1e-6


def test_the_product_uses_the_native_path() -> None:
    assert native_path.native is _native
    m = shipped_model()
    assert m.scorer is not None
    # one cache line a row (the scorer's gathers), however the model was loaded
    for table in (m.table, load_model().table):
        assert table.ctypes.data % 64 == 0 and table.strides[0] == 64
        assert np.array_equal(table[:, 2 * len(LABELS) :], np.zeros_like(table[:, 2 * len(LABELS) :]))


def test_a_missing_module_falls_back_with_one_log_line(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setitem(sys.modules, "nakanaori.check.learned._native", None)  # as if it had not been built
    with caplog.at_level(logging.WARNING, logger="nakanaori.model"):
        assert native_path._load() is None
    assert len(caplog.records) == 1
    assert "native extension is not built" in caplog.records[0].getMessage()


_TWINS: dict[int, tuple[Model, Model]] = {}


def _numpy_twin(m: Model) -> Model:
    """The same model on the numpy path (as when the extension is not built)."""
    if id(m) not in _TWINS or _TWINS[id(m)][0] is not m:
        twin = dataclasses.replace(m)
        twin.__dict__["scorer"] = None
        _TWINS[id(m)] = (m, twin)
    return _TWINS[id(m)][1]


def _compare(m: Model, text: str) -> None:
    """The native codes and probabilities of *text* against the reference's (and the decisions on them)."""
    a = analyze(text)
    # what the product reads: the findings the model adds and the rules' labels it withdraws
    for covered in ({}, {label: [(0, 1)] for label in LABELS}):
        (added, withdrawn), (ref_added, ref_withdrawn) = judge(a, covered, m), judge(a, covered, _numpy_twin(m))
        assert withdrawn == ref_withdrawn, text
        assert [f[:3] for f in added] == [f[:3] for f in ref_added], text
        assert all(abs(f[3] - g[3]) <= TOLERANCE for f, g in zip(added, ref_added, strict=True))
    c = F.codes(a)
    us, probs = m.unit_probabilities(a)
    assert [(u.begin, u.end) for u in us] == [(u.begin, u.end) for u in c.units]
    if not c.units:
        assert probs.shape == (0, len(LABELS))
        assert m.scorer.judge_sentences(a.tokens, a.sentences) == ([0.0] * len(LABELS), [])
        return
    inputs = F.native_inputs(a, c.units)
    assert _native.gather(a.tokens, c.units) == inputs  # the token pass in C reads what the Python one does
    code_bytes, unit_bytes, n_message = _native.codes(*inputs)
    assert np.array_equal(np.frombuffer(code_bytes, dtype=np.uint64), c.codes), text
    assert np.array_equal(np.frombuffer(unit_bytes, dtype=np.int64), c.unit_of), text
    assert n_message == c.n_message
    ref = m.score_codes(c)
    assert probs.dtype == np.float32 and probs.shape == ref.shape
    assert float(np.abs(probs - ref).max()) <= TOLERANCE, text
    # what the product decides from them: findings (thresholds) and withdrawals (vetoes)
    has, thr = _threshold_arrays(m)
    assert np.array_equal(~(probs < thr) & has, ~(ref < thr) & has), text
    for label, v in m.vetoes.items():
        j = LABELS.index(label)
        assert (probs[:, j].max() < v) == (ref[:, j].max() < v), text
    # ... and as the native call returns them to combine.judge
    best, hits = m.scorer.judge(a.tokens, c.units)
    assert (best, hits) == m.scorer.judge(*inputs)
    spans = [(c.units[k].begin, c.units[k].end, j, p) for k, j, p in hits]
    assert m.scorer.judge_sentences(a.tokens, a.sentences) == (best, spans)
    assert best == probs.max(axis=0).tolist()
    ks, js = np.nonzero(~(ref < thr) & has)
    assert [(k, j) for k, j, _ in hits] == list(zip(ks.tolist(), js.tolist(), strict=True)), text
    assert [p for _, _, p in hits] == [float(probs[k, j]) for k, j, _ in hits]


def test_identical_on_the_train_and_dev_messages() -> None:
    m = shipped_model()
    records = sampled_records()
    assert len(records) > 1000
    for rec in records:
        _compare(m, rec.text)


_ALPHABET = st.one_of(
    st.characters(codec="utf-8"),  # any code point, surrogates and controls included (normalisation drops them)
    st.sampled_from(list("ごめんね、。!?「」『』“”\"'…笑wｗ🙏😭💦 \n\t私あなた彼が課長のせいでしたかってよ、けど")),
)


@settings(max_examples=300, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.text(alphabet=_ALPHABET, max_size=300))
def test_identical_on_fuzzed_texts(text: str) -> None:
    _compare(shipped_model(), text)


_MIXED = "ごめんなさい。課長が「急いで」って言ったけど、私も悪かった!😭\n "


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "\n\n",
        "あ",
        "。",
        "🙏",
        "「」",
        "?",
        "お前が悪いんでしょ?",
        "私が? 私は悪くないの? 私が悪いの?",  # a role asked twice in one unit
        "。。。。ごめん。。。",
        "ごめん" * 2000,
        "".join(random.Random(7).choice(_MIXED) for _ in range(100_000)),
    ],
    ids=lambda t: repr(t[:12]) + f"…({len(t)})",
)
def test_identical_on_edge_cases(text: str) -> None:
    _compare(shipped_model(), text)


def test_bad_inputs_are_refused_not_crashed() -> None:
    m = shipped_model()
    a = analyze("ごめん。明日行くね")
    rows, bounds, starts, chars = F.native_inputs(a, F.units(a))
    n = len(rows) // (8 * _native.ROW_WIDTH)
    bad = [
        (b"", [0, 0], [0, 0], ""),
        (rows[:-8], bounds, starts, chars),
        (rows, [0, n + 1], starts, chars),
        (rows, [1, n], starts, chars),
        (rows, [0, 2, 1, n], starts, chars),
        (rows, bounds, [0], chars),
        (rows, bounds, starts, chars + "x"),
        (rows, bounds, starts, chars[:-1]),
        (rows, bounds, [0, n], chars) if len(bounds) > 2 else (rows, bounds, starts, 5),
        (rows, bounds, starts, 5),
        (rows, ["0", n], starts, chars),
    ]
    for args in bad:
        with pytest.raises((ValueError, TypeError)):
            m.scorer.score(*args)
        with pytest.raises((ValueError, TypeError)):
            _native.codes(*args)
        with pytest.raises((ValueError, TypeError)):
            m.scorer.judge(*args)
    with pytest.raises(TypeError):
        m.scorer.score(rows, bounds, starts)
    with pytest.raises(TypeError):
        m.scorer.judge(rows, bounds, starts)


@pytest.fixture(params=[True, False], ids=["f16c", "portable"])
def f16c(request: pytest.FixtureRequest) -> object:
    """Both conversions of the float16 rows: F16C (where the CPU has it: the product's) and the portable one."""
    before = _native.use_f16c(request.param)
    yield request.param
    _native.use_f16c(before)


def test_bag_reads_every_float16_exactly(f16c: bool) -> None:
    """One unit per bucket, one feature each: the units' sums are the table's rows, float16 -> float32
    exact for all 65,536 values (infinities and subnormals included; NaN stays NaN, -0 may sum to 0)."""
    bits, width = 12, 16
    table = np.arange(1 << 16, dtype=np.uint16).view(np.float16).reshape(1 << bits, width)
    buckets = np.arange(1 << bits, dtype=np.uint64)
    codes = (buckets << np.uint64(64 - bits)) | (buckets << np.uint64(F.ID_SHIFT))
    unit_of = np.arange(1 << bits, dtype=np.int64) % 8192
    sums, msg = _native.bag(codes.tobytes(), unit_of.tobytes(), 1 << bits, 1 << bits, bits, table, (0, 16), (0, 0))
    got = np.frombuffer(sums, dtype=np.float32).reshape(1 << bits, width)
    assert np.array_equal(got, table.astype(np.float32), equal_nan=True)
    assert msg == b""


def test_bag_is_the_training_rows_times_the_table() -> None:
    """The generic primitive against features.unit_rows / message_row (what training reads) on real
    messages: per unit and for the whole message, table rows summed over distinct buckets / sqrt(#distinct)."""
    m = shipped_model()
    rng = np.random.default_rng(3)
    bits = 10
    table = rng.normal(size=(1 << bits, 6)).astype(np.float16)
    t32 = table.astype(np.float32)
    for rec in load_split("dev")[:150]:
        c = F.codes(analyze(rec.text))
        if not c.units:
            continue
        sums, msg = _native.bag(
            c.codes.tobytes(), c.unit_of.tobytes(), len(c.units), c.n_message, bits, table, (0, 4), (2, 6)
        )
        units_got = np.frombuffer(sums, dtype=np.float32).reshape(len(c.units), 4)
        unit_k, bucket, value = F.unit_rows(c, bits)
        want = np.zeros((len(c.units), 4), dtype=np.float64)
        np.add.at(want, unit_k, value[:, None].astype(np.float64) * t32[bucket, :4])
        assert np.abs(units_got - want).max() < 1e-4
        mb, mv = F.message_row(c, bits)
        want_msg = (mv[:, None].astype(np.float64) * t32[mb, 2:6]).sum(axis=0)
        assert np.abs(np.frombuffer(msg, dtype=np.float32) - want_msg).max() < 1e-4
    assert m.hash_bits > bits  # the shipped table is not what this test reads


def test_bag_refuses_bad_arguments() -> None:
    table = np.zeros((1 << 4, 2), dtype=np.float16)
    one = np.ones(1, dtype=np.uint64).tobytes()
    unit0 = np.zeros(1, dtype=np.int64).tobytes()
    for args in [
        (one, b"", 1, 1, 4, table, (0, 2), (0, 0)),  # lengths differ
        (one, np.array([1], dtype=np.int64).tobytes(), 1, 1, 4, table, (0, 2), (0, 0)),  # unit out of range
        (one, unit0, 1, 2, 4, table, (0, 2), (0, 0)),  # n_message > n
        (one, unit0, 1, 1, 5, table, (0, 2), (0, 0)),  # bits do not match the table
        (one, unit0, 1, 1, 4, table.astype(np.float32), (0, 2), (0, 0)),  # not float16
        (one, unit0, 1, 1, 4, table, (0, 3), (0, 0)),  # columns outside
        (one, unit0, 1, 1, 4, table[:, :1].T.copy(), (0, 1), (0, 0)),
    ]:
        with pytest.raises(ValueError):
            _native.bag(*args)


def test_the_token_table_is_bounded_and_right_after_it_is_emptied() -> None:
    """More kinds of token than the native table keeps (65,536): it is emptied and refilled, and rows read
    after that are still the reference's."""
    from nakanaori.text.tokens import Token

    word = ("", "", ("名詞", "普通名詞", "一般", "*", "*", "*"), "名詞,普通名詞,一般", "名詞", "*", "*")
    tokens = []
    for k in range(70_000):
        s = f"語{k}"
        tokens.append(Token(s, (s, s, *word[2:]), 0, len(s)))
    for k, t in enumerate(tokens):
        t.i, t.sent, t.clause = k, k // 1000, k // 1000
    units = [F.Unit(u, lo, min(lo + 1000, len(tokens)), 0, 1) for u, lo in enumerate(range(0, len(tokens), 1000))]
    for u in units:
        _native.gather(tokens, [u])
    used, slots = _native.row_table_size()
    assert used < 70_000 and slots <= 1 << 17
    a = analyze("ごめんね、昨日は「急いで」って言われたけど、私が悪かった。明日また話そう?")
    us = F.units(a)
    assert _native.gather(a.tokens, us) == F.native_inputs(a, us)


def test_token_rows_are_computed_in_c_as_in_python() -> None:
    """A token seen for the first time gets its row in C (``configure_rows``): the bytes of
    ``features.token_row`` for every token of the (sampled) train and dev messages, in every scope."""
    keys: set[F.TokenKey] = set()
    for rec in sampled_records():
        for t in analyze(rec.text).tokens:
            for scope in range(8):
                keys.add((t.lemma, t.surface, t.pos1, t.cform, scope))
    assert len(keys) > 10_000
    for key in keys:
        assert _native.token_row(*key) == F.token_row(key), key


_WORDS = st.sampled_from(
    ["", "-", "て", "から", "けど", "私", "お前", "、", "?", "か", "の", "は", "補助記号", "代名詞"]
)
_POS = st.sampled_from(["助詞", "助動詞", "補助記号", "代名詞", "名詞", "動詞", "助詞的", ""])


@settings(max_examples=500, derandomize=True, database=None, deadline=None)
@given(
    st.one_of(_WORDS, st.text(max_size=200)),
    st.one_of(_WORDS, st.text(max_size=200)),
    st.one_of(_POS, st.text(max_size=8)),
    st.one_of(st.sampled_from(["", "連用形-一般", "終止形-一般", "-", "a-b-c"]), st.text(max_size=12)),
    st.integers(0, 7),
)
def test_token_rows_on_fuzzed_keys(lemma: str, surface: str, pos1: str, cform: str, scope: int) -> None:
    """The C row on any strings (long ones over BLAKE2b's 128-byte block, dashes, surrogates) is the Python
    row, or both refuse (a lone surrogate cannot be encoded: UnicodeEncodeError on both sides)."""
    key = (lemma, surface, pos1, cform, scope)
    try:
        want = F._token_row(key)
    except UnicodeEncodeError:
        with pytest.raises(UnicodeEncodeError):
            _native.token_row(*key)
        return
    assert _native.token_row(*key) == want
    assert _native.string_id(surface) == F.string_id(surface)


def test_token_rows_refuse_what_is_not_a_string() -> None:
    for key in (("\ud800", "a", "名詞", "", 0), ("a", "\udfff", "助詞", "", 1), ("a", "a", "名詞", "連用形\ud800", 0)):
        with pytest.raises(UnicodeEncodeError):
            F.token_row(key)
        with pytest.raises(UnicodeEncodeError):
            _native.token_row(*key)
    with pytest.raises(TypeError):
        _native.token_row(None, "a", "名詞", "", 0)
    with pytest.raises(TypeError):
        _native.token_row("a", "a", "名詞", 3, 0)
    with pytest.raises(TypeError):
        _native.string_id(b"a")


def test_both_float16_conversions_give_the_same_bits() -> None:
    """F16C and the portable conversion: the same probabilities, bit for bit, on the sampled train and dev messages."""
    m = shipped_model()
    before = _native.use_f16c(True)
    try:
        for rec in sampled_records():
            a = analyze(rec.text)
            us = F.units(a)
            if not us:
                continue
            _native.use_f16c(True)
            fast = m.scorer.score(a.tokens, us)
            _native.use_f16c(False)
            assert m.scorer.score(a.tokens, us) == fast, rec.text
    finally:
        _native.use_f16c(before)
