"""Who the other person is: partner, friend, work or family, from the words that name them.

The longest person word wins where words overlap (ママ友 over ママ, 彼氏 over 彼); a person named as
the target of the story (彼氏に謝った) counts more, a modifier (夫の実家) less, one named only inside the
other's words less still. Context words (デート, 職場, 実家) add a little, partner markers (交際中) a lot.
The weights and confidence bands are ``relationship_scoring`` in ``knowledge/situations.yaml``.
"""

from __future__ import annotations

from ..labels import Relationship
from ..text.lexicon import lexicon
from .cues import RelationshipWords, SituationLexicon
from .models import Evidence
from .predicates import sentence_forms
from .spans import Spans

_LEX = lexicon()

TARGET_PARTICLES = _LEX.words("target_particles")
HONORIFIC_SUFFIXES = ("さん", "ちゃん", "くん", "君", "様", "の方", "本人", "自身")
STORY_WORDS = _LEX.words("story_words")


def read_relationship(spans: Spans, lex: SituationLexicon) -> tuple[Relationship, float, list[Evidence]]:
    rl = lex.relationships
    sc = lex.relationship_scoring
    scores = {r.value: 0.0 for r in Relationship}
    evidence: list[Evidence] = []
    occurrences: list[tuple[int, int, str, str]] = []  # a, b, relationship, word
    for rel in Relationship:
        words: RelationshipWords = getattr(rl, rel.value)
        for w in words.persons:
            for a, b in spans.aligned(w):
                occurrences.append((a, b, rel.value, w))
    for w, amb in rl.ambiguous.items():
        for a, b in spans.aligned(w):
            rel_name = amb.default.value
            for alt in ("friend", "work", "family", "partner"):
                if any(c in spans.text for c in getattr(amb, alt)):
                    rel_name = alt
                    break
            occurrences.append((a, b, rel_name, w))
    # keep the longest match where person words overlap (ママ友 over ママ, 彼氏 over 彼)
    occurrences.sort(key=lambda o: (-(o[1] - o[0]), o[0]))
    taken: set[int] = set()
    kept = []
    for a, b, rel_name, w in occurrences:
        if any(x in taken for x in range(a, b)):
            continue
        taken.update(range(a, b))
        kept.append((a, b, rel_name, w))
    kept.sort()
    toks = spans.analysis.tokens
    for idx, (a, b, rel_name, w) in enumerate(kept):
        weight = sc.person
        nxt = toks[b] if b < len(toks) else None
        nxt2 = toks[b + 1] if b + 1 < len(toks) else None
        if (
            nxt is not None
            and nxt.surface in ("の",)
            and nxt2 is not None
            and nxt2.m.pos[0] == "名詞"
            and nxt2.surface not in ("方", "さん", "人")
        ):
            weight = sc.modifier  # 夫の実家, 部長の発言: a modifier, not the person of the story
        elif nxt is not None and nxt.surface in HONORIFIC_SUFFIXES:
            nxt = nxt2
        if (
            nxt is not None
            and nxt.surface in TARGET_PARTICLES
            and weight == sc.person
            and sentence_forms(spans.analysis, toks[a].sent) & STORY_WORDS
        ):
            weight += sc.story
        if all(t.other for t in toks[a:b]):
            weight *= sc.in_other_words
        if idx == 0:
            weight += sc.first
        scores[rel_name] += weight
        evidence.append(Evidence(kind="relationship", value=rel_name, text=w, weight=round(weight, 2)))
    person_total = sum(scores.values())
    for rel in Relationship:
        words = getattr(rl, rel.value)
        seen: set[str] = set()
        for w in words.context:
            if w in seen:
                continue
            if spans.aligned(w):
                seen.add(w)
                scores[rel.value] += sc.context
                evidence.append(Evidence(kind="relationship", value=rel.value, text=w, weight=sc.context))
    for w in rl.partner_markers:
        if w in spans.text:
            scores["partner"] += sc.partner_marker
            evidence.append(Evidence(kind="relationship", value="partner", text=w, weight=sc.partner_marker))
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], list(scores).index(kv[0])))
    best, best_score = ranked[0]
    second = ranked[1][1]
    c = sc.confidence
    if best_score <= 0:
        return Relationship.friend, c.nothing, evidence
    if person_total > 0 and best_score - second >= c.clear_gap:
        conf = c.clear
    elif person_total > 0 and best_score - second >= c.gap:
        conf = c.lean
    elif person_total > 0:
        conf = c.close
    else:
        conf = c.context if best_score - second >= c.context_gap else c.context_weak
    return Relationship(best), conf, evidence
