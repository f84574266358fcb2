"""Days since the apology and counts, read from the text: 2日前, 一週間, 先週, 月曜に謝って今日は金曜, 3通."""

from __future__ import annotations

import datetime as dt
import re

KANJI_DIGITS = {
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
    "ひと": 1,
    "ふた": 2,
    "数": 3,
    "半": 0,
}
WEEKDAYS = {"月": 0, "火": 1, "水": 2, "木": 3, "金": 4, "土": 5, "日": 6}
NUM = r"(\d+|[一二三四五六七八九十]+|数|ひと|ふた|半)"
# words for a past day, with their distance in days and whether it is approximate
RELATIVE_DAYS: tuple[tuple[str, int, bool], ...] = (
    ("一昨日", 2, False),
    ("おととい", 2, False),
    ("昨日", 1, False),
    ("昨晩", 1, False),
    ("昨夜", 1, False),
    ("先週", 7, True),
    ("先日", 3, True),
    ("この前", 4, True),
    ("こないだ", 4, True),
    ("先月", 30, True),
    ("一週間", 7, False),
    ("半月", 15, True),
    ("数日", 3, True),
    ("しばらく前", 7, True),
    ("何日か", 3, True),
    ("何日も", 3, True),
    ("何日間", 3, True),
)
# apologised just now: 今謝った / いま謝ったとこ / 謝ったばかり (the aspect says today without 今日);
# not the concessive 謝ったところで (even if I apologised)
JUST_NOW = re.compile(
    r"(?:今|いま)[、,]?(?:謝|あやま|お詫び|詫び|ごめん)|(?:謝|あやま|詫び|謝罪し)(?:った|て来た|てきた|た)(?:ところ|とこ(?!ろ)|ばかり|ばっか)(?!で(?!す))"
)
TODAY_WORDS = re.compile(r"今日|本日|さっき|先ほど|先程|今朝|今夜|今晩|たった今|今しがた|つい今|さきほど")
APPROX = ("くらい", "ぐらい", "ほど", "位", "頃", "ちょっと", "近く", "弱", "強", "あまり", "以上")


def number(s: str) -> int:
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


def read_days(text: str, today: dt.date) -> tuple[int | None, bool]:
    found: list[tuple[int, bool]] = []
    for m in re.finditer(NUM + r"\s*(日|週間|週|(?:ヶ|か|カ|ヵ|ケ|箇)?月|時間)(目|前|間|後)?", text):
        n_raw, unit, suffix = m.group(1), m.group(2), m.group(3) or ""
        if unit == "月" and not re.search(r"(ヶ|か|カ|ヵ|ケ|箇)月$", m.group(0)):
            continue  # 3月 is a month name
        if unit == "日" and text[m.end() : m.end() + 1] in ("曜",):
            continue
        n = number(n_raw)
        approx = n_raw in ("数", "半") or text[m.end() : m.end() + 3].startswith(APPROX)
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
    # 月曜に謝って今日は金曜 / 水曜に謝って今日で土曜 / 月曜に謝った (counted back from today)
    today_m = re.search(r"今日(?:は|で|が|も)?(?:もう)?([月火水木金土日])曜", text)
    wd = [
        m.group(1)
        for m in re.finditer(r"([月火水木金土日])曜", text)
        if not (today_m and today_m.start() <= m.start() < today_m.end())
    ]
    if wd and not found:
        now = WEEKDAYS[today_m.group(1)] if today_m else today.weekday()
        first = WEEKDAYS[wd[0]]
        # a past weekday named on that same weekday is a week ago (today would be 今日)
        diff = (now - first) % 7 or 7
        found.append((diff, False))
    if found:
        days, approx = max(found, key=lambda x: x[0])
        return days, approx
    if JUST_NOW.search(text) or TODAY_WORDS.search(text):
        return 0, False
    return None, False


def read_count(text: str) -> int | None:
    """An explicit count of messages or calls: 3通, 2回送った, LINE5件 (near a word for sending)."""
    for m in re.finditer(NUM + r"\s*(通|件|回)", text):
        window = text[max(0, m.start() - 12) : m.end() + 8]
        if re.search(r"送|LINE|ライン|メール|メッセージ|DM|電話|連絡|謝", window):
            return number(m.group(1)) or None
    return None
