"""Display-time wording of free-text data that has a small known vocabulary.

Units of measure ("人", "次", "场" …) are typed by people and stored as they typed them; the
English interface shows them in English through :data:`UNIT_NAMES_EN`, the one place that maps
them. A unit nobody mapped is shown as typed.
"""

from __future__ import annotations

from django.utils.translation import get_language

# Chinese unit -> (English singular, English plural). An empty word means "just the number".
UNIT_NAMES_EN: dict[str, tuple[str, str]] = {
    "人": ("person", "people"),
    "名": ("person", "people"),
    "位": ("person", "people"),
    "人次": ("visit", "visits"),
    "人/期": ("person per session", "people per session"),
    "户": ("household", "households"),
    "家": ("organisation", "organisations"),
    "次": ("time", "times"),
    "场": ("session", "sessions"),
    "期": ("session", "sessions"),
    "节": ("lesson", "lessons"),
    "课时": ("lesson", "lessons"),
    "堂": ("class", "classes"),
    "项": ("item", "items"),
    "件": ("item", "items"),
    "个": ("", ""),
    "个岗位": ("job", "jobs"),
    "岗位": ("job", "jobs"),
    "份": ("portion", "portions"),
    "套": ("set", "sets"),
    "间": ("room", "rooms"),
    "处": ("site", "sites"),
    "台": ("unit", "units"),
    "辆": ("vehicle", "vehicles"),
    "张": ("piece", "pieces"),
    "本": ("book", "books"),
    "箱": ("box", "boxes"),
    "袋": ("bag", "bags"),
    "批": ("batch", "batches"),
    "次/月": ("time a month", "times a month"),
    "次/周": ("time a week", "times a week"),
    "小时": ("hour", "hours"),
    "天": ("day", "days"),
    "周": ("week", "weeks"),
    "月": ("month", "months"),
    "年": ("year", "years"),
    "元": ("yuan", "yuan"),
    "万元": ("× 10,000 yuan", "× 10,000 yuan"),
    "米": ("metre", "metres"),
    "平方米": ("m²", "m²"),
    "公斤": ("kg", "kg"),
}


def unit_label(unit: str | None, count: object = None) -> str:
    """*unit* in the active language; *count* picks singular or plural in English."""
    text = (unit or "").strip()
    if not text or not (get_language() or "").startswith("en"):
        return text
    words = UNIT_NAMES_EN.get(text)
    if words is None:
        return text
    try:
        one = count is not None and int(str(count)) == 1
    except (TypeError, ValueError):
        one = False
    return words[0] if one else words[1]
