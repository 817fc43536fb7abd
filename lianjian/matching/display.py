"""Matching reasons in the reader's language.

The engine (``engine.py``) is Django-free and explains each match in Chinese sentences built from
a fixed set of templates. Pages translate them here, at display time: each template is recognised
by a pattern and rebuilt from its Chinese msgid through gettext, with taxonomy names (categories,
beneficiary groups) and units shown in the active language. Quoted words of the texts themselves
(keywords, place names) stay as written. A reason no pattern knows is shown as the engine wrote it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_noop as N_

from lianjian.core.display import unit_label
from lianjian.lists.taxonomy import display_names

_SEP = "、"


class _Context:
    def __init__(self) -> None:
        self._names: dict[str, str] | None = None

    def name(self, text: str) -> str:
        if self._names is None:
            self._names = display_names()
        return self._names.get(text.strip(), text)

    def names(self, text: str) -> str:
        return ", ".join(self.name(part) for part in text.split(_SEP))


def _same(value: str, ctx: _Context) -> str:
    return value


def _list(value: str, ctx: _Context) -> str:
    return ", ".join(p for p in value.split(_SEP))


def _names(value: str, ctx: _Context) -> str:
    return ctx.names(value)


def _name(value: str, ctx: _Context) -> str:
    return ctx.name(value)


Convert = Callable[[str, _Context], str]

# (pattern of the engine's Chinese sentence, msgid of the same sentence with %(name)s fields,
#  how each field is shown). The msgids are the engine's templates, so the Chinese catalogue
# entry is the sentence itself.
REASON_TEMPLATES: list[tuple[re.Pattern[str], str, dict[str, Convert]]] = [
    (re.compile(r"^文本无明显关联$"), N_("文本无明显关联"), {}),
    (re.compile(r"^关键词：(?P<words>.+)$"), N_("关键词：%(words)s"), {"words": _list}),
    (re.compile(r"^相近说法：(?P<bridges>.+)$"), N_("相近说法：%(bridges)s"), {"bridges": _same}),
    (re.compile(r"^相关主题：(?P<topics>.+)$"), N_("相关主题：%(topics)s"), {"topics": _list}),
    (re.compile(r"^字面相近：(?P<grams>.+)$"), N_("字面相近：%(grams)s"), {"grams": _list}),
    (re.compile(r"^仅服务对象相同：(?P<words>.+)$"), N_("仅服务对象相同：%(words)s"), {"words": _list}),
    (re.compile(r"^类别相同：(?P<category>.+)$"), N_("类别相同：%(category)s"), {"category": _name}),
    (re.compile(r"^类别不同：(?P<need>.+?) / (?P<resource>.+)$"), N_("类别不同：%(need)s / %(resource)s"),
     {"need": _name, "resource": _name}),
    (re.compile(r"^服务对象相符：(?P<groups>.+)$"), N_("服务对象相符：%(groups)s"), {"groups": _names}),
    (re.compile(r"^服务对象不同：(?P<groups>.+)$"), N_("服务对象不同：%(groups)s"), {"groups": _names}),
    (re.compile(r"^名额已满$"), N_("名额已满"), {}),
    (re.compile(r"^剩余名额 (?P<n>\d+)(?: (?P<unit>.+))?$"), N_("剩余名额 %(n)s %(unit)s"), {}),
    (re.compile(r"^已过有效期（截至 (?P<date>[\d-]+)）$"), N_("已过有效期（截至 %(date)s）"), {"date": _same}),
    (re.compile(r"^开始时间（(?P<date>[\d-]+)）晚于需求期限$"), N_("开始时间（%(date)s）晚于需求期限"),
     {"date": _same}),
    (re.compile(r"^尚未开始（(?P<date>[\d-]+) 起）$"), N_("尚未开始（%(date)s 起）"), {"date": _same}),
    (re.compile(r"^有效期至 (?P<date>[\d-]+)，早于需求期限$"), N_("有效期至 %(date)s，早于需求期限"), {"date": _same}),
    (re.compile(r"^在有效期内（至 (?P<date>[\d-]+)）$"), N_("在有效期内（至 %(date)s）"), {"date": _same}),
    (re.compile(r"^服务范围覆盖(?P<place>.+)$"), N_("服务范围覆盖%(place)s"), {"place": _same}),
    (re.compile(r"^服务范围不含(?P<place>.+)$"), N_("服务范围不含%(place)s"), {"place": _same}),
    (re.compile(r"^该单位已完成同类项目 (?P<n>\d+) 个，平均评分 (?P<rating>[\d.]+)$"),
     N_("该单位已完成同类项目 %(n)s 个，平均评分 %(rating)s"), {"n": _same, "rating": _same}),
    (re.compile(r"^该单位已完成同类项目 (?P<n>\d+) 个$"), N_("该单位已完成同类项目 %(n)s 个"), {"n": _same}),
    (re.compile(r"^该单位平均评分 (?P<rating>[\d.]+)$"), N_("该单位平均评分 %(rating)s"), {"rating": _same}),
    (re.compile(r"^距离约 (?P<km>[\d.]+) 公里$"), N_("距离约 %(km)s 公里"), {"km": _same}),
    (re.compile(r"^仅面向内部人员（(?P<terms>.+)），一般居民难以参加$"),
     N_("仅面向内部人员（%(terms)s），一般居民难以参加"), {"terms": _list}),
    (re.compile(r"^含商业推广内容（(?P<terms>.+)），请留意$"), N_("含商业推广内容（%(terms)s），请留意"),
     {"terms": _list}),
]


def _translate(reason: str, ctx: _Context, translate: Callable[[str], str]) -> str:
    for pattern, msgid, converts in REASON_TEMPLATES:
        match = pattern.match(reason)
        if match is None:
            continue
        values: dict[str, Any] = {}
        for key, value in match.groupdict().items():
            values[key] = converts.get(key, _same)(value or "", ctx)
        if "unit" in match.groupdict():
            values["unit"] = unit_label(match.group("unit") or "", values.get("n"))
            return (translate(msgid) % values).rstrip()
        return translate(msgid) % values if values else translate(msgid)
    return reason


def translate_reasons(reasons: Iterable[str], translate: Callable[[str], str] = gettext) -> list[str]:
    """The engine's reasons in the active language (unchanged when it is Chinese)."""
    items = [str(r) for r in reasons or []]
    if not (get_language() or "").startswith("en"):
        return items
    ctx = _Context()
    return [_translate(r, ctx, translate) for r in items]
