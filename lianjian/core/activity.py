"""The audit trail: who changed what, when, from where.

Every service that writes a domain object calls :func:`record_activity` inside its transaction,
so an aborted write leaves no audit row and a committed one always has one. The *source* of a
change (web, api, cli, import) is carried in a context variable that the entry points set.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import decimal
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, cast

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats, timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:  # types only: core sits below accounts in the layer contract
    from lianjian.accounts.models import User


class ActorLike(Protocol):
    """Whoever is recorded as doing something: a person (User), the platform (SYSTEM) or an
    anonymous one with a name of its own (a rater without an account)."""

    @property
    def is_authenticated(self) -> bool: ...


def person_of(actor: ActorLike | None) -> User | None:
    """The person behind *actor*, for "created by"-style columns: None for the platform itself
    and for anyone not logged in. (The one place that rule is written.)"""
    return cast("User", actor) if actor is not None and actor.is_authenticated else None

SOURCES = ("web", "api", "cli", "import", "system")
_source: contextvars.ContextVar[str] = contextvars.ContextVar("activity_source", default="system")


def current_source() -> str:
    return _source.get()


@contextlib.contextmanager
def activity_source(source: str) -> Iterator[None]:
    """Mark every change recorded inside the block as coming from *source*."""
    if source not in SOURCES:
        raise ValueError(f"unknown activity source {source!r}")
    token = _source.set(source)
    try:
        yield
    finally:
        _source.reset(token)


def _plain(value: Any) -> Any:
    """Return a JSON-friendly representation of a field value for the change log."""
    if isinstance(value, models.Model):
        # Stored in the site language, whatever language the person who made the change uses.
        with translation.override(settings.LANGUAGE_CODE):
            return {"id": value.pk, "repr": str(value)}
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    return value


def apply_changes(instance: models.Model, data: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Set the given fields on *instance* and return ``{field: [before, after]}`` for real changes."""
    changes: dict[str, list[Any]] = {}
    for field, new in data.items():
        old = getattr(instance, field)
        if old != new:
            changes[field] = [_plain(old), _plain(new)]
            setattr(instance, field, new)
    return changes


def snapshot(instance: models.Model, fields: list[str]) -> dict[str, list[Any]]:
    """Return a creation-style change set ``{field: [None, value]}`` for the given fields."""
    return {f: [None, _plain(getattr(instance, f))] for f in fields}


def record_activity(
    *,
    actor: ActorLike | None,
    action: str,
    obj: models.Model,
    changes: Mapping[str, Any] | None = None,
    source: str | None = None,
    note: str = "",
) -> Any:
    """Append one row to the audit trail for *obj*."""
    # Function-level: this module is imported before Django's apps are loaded (lianjian.cli sets
    # the activity source before django.setup()), and models cannot be imported that early.
    from django.contrib.contenttypes.models import ContentType

    from .models import Activity

    user = person_of(actor)
    with translation.override(settings.LANGUAGE_CODE):
        actor_repr = str(actor) if actor is not None else "system"
        object_repr = str(obj)[:200]
    return Activity.objects.create(
        actor=user,
        actor_repr=actor_repr,
        action=action,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=str(obj.pk),
        object_repr=object_repr,
        changes=dict(changes or {}),
        source=source or current_source(),
        note=note[:500],
    )


def record_activity_many(*, actor: ActorLike | None, objs: Sequence[models.Model], fields: list[str],
                         action: str = "create", source: str | None = None, note: str = "") -> None:
    """:func:`record_activity` for many objects of one model at once (a ledger import wrote
    them in bulk): the same rows, ``changes`` a creation-style :func:`snapshot` of *fields*,
    in a few INSERTs."""
    # Function-level for the reason given in record_activity.
    from django.contrib.contenttypes.models import ContentType

    from .models import Activity

    if not objs:
        return
    user = person_of(actor)
    with translation.override(settings.LANGUAGE_CODE):
        actor_repr = str(actor) if actor is not None else "system"
    content_type = ContentType.objects.get_for_model(objs[0], for_concrete_model=False)
    source = source or current_source()
    Activity.objects.bulk_create([
        Activity(actor=user, actor_repr=actor_repr, action=action, content_type=content_type,
                 object_id=str(obj.pk), object_repr=str(obj)[:200], changes=snapshot(obj, fields),
                 source=source, note=note[:500])
        for obj in objs
    ], batch_size=1000)


# ---------------------------------------------------------------------------------------------
# Reading the trail: one formatter turns stored rows into sentences people read
# ("张三 于 1月10日 09:12 将状态由「待审核」改为「已发布」"). Templates only print its output.

# Every action code written by a service (``record_activity(action=...)``, ``record_activity_many``), as
# the verb phrase shown after the actor. A test sweeps the code base so none is missing.
ACTION_VERBS: dict[str, Any] = {
    "create": _("创建了此记录"),
    "update": _("修改了此记录"),
    "delete": _("删除了此记录"),
    "publish": _("审核并发布了需求"),
    "return": _("退回了需求"),
    "resubmit": _("修改后重新提交了需求"),
    "close": _("关闭了需求"),
    "cover": _("确认认领后更新了认领进度"),
    "add_photo": _("上传了照片"),
    "invite": _("发出了邀请"),
    "claim": _("提交了认领"),
    "confirm": _("确认了认领"),
    "decline": _("婉拒了认领"),
    "withdraw": _("撤回了认领"),
    "set_status": _("更改了资源状态"),
    "set_liaison": _("更换了联络员"),
    "start": _("启动了项目"),
    "progress": _("报告了项目进展"),
    "complete": _("完成了项目"),
    "cancel": _("取消了项目"),
    "rate": _("评价了项目"),
    "add_unit": _("添加了参与单位"),
    "milestone_add": _("添加了里程碑"),
    "milestone_done": _("完成了里程碑"),
    "milestone_overdue": _("提醒：里程碑已逾期"),
    "status": _("更改了会议状态"),
    "minutes": _("更新了会议纪要"),
    "attendance": _("登记了到会"),
    "sign_in": _("扫码签到"),
    "board_add": _("把需求放上了认领看板"),
    "meeting_claim": _("在会上认领了需求"),
    "convert": _("把提议转为需求"),
    "link": _("把提议对接到已有需求"),
    "grant_role": _("授予了角色"),
    "revoke_role": _("撤销了角色"),
    "create_token": _("创建了接口令牌"),
    "revoke_token": _("撤销了接口令牌"),
    "ledger_import": _("通过台账导入了数据"),
    "set_community": _("选择了所在社区"),
}
# The same code can mean something else on another kind of object.
ACTION_VERBS_BY_MODEL: dict[tuple[str, str], Any] = {
    ("meetings.proposal", "decline"): _("不予采纳此提议"),
    ("meetings.proposal", "create"): _("提交了提议"),
    ("meetings.meeting", "invite"): _("邀请了单位参会"),
    ("lists.need", "invite"): _("邀请了单位认领"),
}


def register_verbs(verbs: dict[str, Any] | None = None, *, by_model: dict[tuple[str, str], Any] | None = None) -> None:
    """Let an app name its own audit actions (called from its AppConfig.ready()), so the audit
    trail reads them as people do without this module knowing every app."""
    ACTION_VERBS.update(verbs or {})
    ACTION_VERBS_BY_MODEL.update(by_model or {})


# Labels of stored values that are not model choices, keyed by (action or None, entry name):
# e.g. the role of a role change, the ledger kind of an import. Apps register them.
_VALUE_LABELS: dict[tuple[str | None, str], Callable[[str], Any]] = {}


def register_value_labels(name: str, label_of: Callable[[str], Any], *, action: str | None = None) -> None:
    """Let an app say how a stored value of entry *name* reads (``label_of`` returns None for an
    unknown value), so the audit trail shows its label without this module importing the app."""
    _VALUE_LABELS[(action, name)] = label_of


# Actions that only change one thing read best as that change ("将状态由…改为…").
_PLAIN_ACTIONS = {"update", "status", "set_status", "minutes"}
UNKNOWN_VERB = _("进行了一项操作")

# Names of entries in ``changes`` that are not model fields.
EXTRA_FIELD_LABELS: dict[str, Any] = {
    "invited": _("受邀单位"),
    "units": _("参与单位"),
    "milestone": _("里程碑"),
    "attendance": _("到会单位"),
    "board": _("看板需求"),
    "claim": _("认领"),
    "role": _("角色"),
    "scope": _("范围"),
    "rows": _("导入行数"),
    "stars": _("评分（星）"),
    "photo": _("照片"),
    "photos": _("照片数"),
    "progress": _("进展"),
    "liaison": _("联络员"),
    "name": _("名称"),
    "status": _("状态"),
}
# (action, field) pairs whose entry has its own label, e.g. the ledger kind of an import.
_ACTION_FIELD_LABELS: dict[tuple[str, str], Any] = {("ledger_import", "kind"): _("台账类型")}
# Values that are storage details, not something a person reads (a file path).
_HIDDEN_VALUES = {"photo"}
# What the note is, per action; other notes read as 备注.
NOTE_LABELS: dict[str, Any] = {
    "return": _("原因"), "close": _("原因"), "cancel": _("原因"), "set_status": _("原因"),
    "decline": _("原因"), "withdraw": _("原因"), "set_liaison": _("原因"), "publish": _("审核意见"),
    "cover": _("认领单位"), "ledger_import": _("文件"),
}
SOURCE_WORDS: dict[str, Any] = {
    "web": _("网页"), "api": _("接口"), "cli": _("命令行"), "import": _("台账导入"), "system": _("系统自动"),
}
SYSTEM_NAMES = {"system", ""}
_LONG_VALUE = 80


@dataclass(frozen=True)
class ChangeLine:
    """One changed field, already in words."""

    field: str
    before: str
    after: str
    text: str


@dataclass(frozen=True)
class ActivityEntry:
    """One audit row as people read it."""

    when: dt.datetime
    when_text: str
    actor: str
    verb: str
    action: str
    sentence: str
    changes: list[ChangeLine]
    source: str
    note_label: str
    note: str


def _field(model: type[models.Model] | None, name: str) -> Any:
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    # Reverse relations (another model's foreign key) are not values of this row.
    return field if getattr(field, "concrete", False) or getattr(field, "many_to_many", False) else None


def _field_label(model: type[models.Model] | None, action: str, name: str) -> str:
    if (action, name) in _ACTION_FIELD_LABELS:
        return str(_ACTION_FIELD_LABELS[(action, name)])
    field = _field(model, name)
    if field is not None and getattr(field, "verbose_name", None):
        return str(field.verbose_name)
    if name in EXTRA_FIELD_LABELS:
        return str(EXTRA_FIELD_LABELS[name])
    # An unknown key: make it at least readable ("quantity_open" → "quantity open").
    return name.replace("_", " ")


def _parse_moment(value: str) -> dt.date | dt.datetime | None:
    try:
        if "T" in value or " " in value.strip():
            return dt.datetime.fromisoformat(value)
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _moment_text(moment: dt.date | dt.datetime) -> str:
    if isinstance(moment, dt.datetime):
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return formats.date_format(moment, "DATETIME_FORMAT")
    return formats.date_format(moment, "DATE_FORMAT")


class _Resolver:
    """Turns stored values into words; caches the few taxonomy rows it looks up."""

    def __init__(self) -> None:
        self._names: dict[tuple[type[models.Model], Any], str | None] = {}

    def related_name(self, field: Any, pk: Any) -> str | None:
        model = getattr(field, "related_model", None)
        if model is None or pk is None or not hasattr(model, "display_name"):
            return None
        key = (model, pk)
        if key not in self._names:
            try:
                row = model._default_manager.filter(pk=pk).first()
            except (TypeError, ValueError):  # not a key of that table: show the stored text
                row = None
            self._names[key] = row.display_name if row is not None else None
        return self._names[key]

    def text(self, model: type[models.Model] | None, action: str, name: str, value: Any) -> str:
        if value is None or value == "" or value == []:
            return ""
        if isinstance(value, list | tuple):
            parts = [self.text(model, action, name, v) for v in value]
            return "、".join(p for p in parts if p)
        field = _field(model, name)
        if isinstance(value, dict):
            shown = self.related_name(field, value.get("id")) if field is not None else None
            return shown or str(value.get("repr") or value.get("name") or value.get("id") or "")
        if (action, name) in _VALUE_LABELS:
            shown = _VALUE_LABELS[(action, name)](str(value))
            return str(shown) if shown is not None else str(value)
        if isinstance(value, bool):
            return str(_("是") if value else _("否"))
        if field is not None:
            choices = getattr(field, "flatchoices", None)
            if choices:
                labels = {str(k): v for k, v in choices}
                if str(value) in labels:
                    return str(labels[str(value)])
            if isinstance(field, models.DateTimeField | models.DateField) and isinstance(value, str):
                moment = _parse_moment(value)
                if moment is not None:
                    return _moment_text(moment)
            if field.is_relation:
                shown = self.related_name(field, value)
                if shown:
                    return shown
        elif (None, name) in _VALUE_LABELS:
            shown = _VALUE_LABELS[(None, name)](str(value))
            if shown is not None:
                return str(shown)
        return Truncator(str(value)).chars(_LONG_VALUE)


def _change_text(label: str, before: str, after: str, hidden: bool) -> str:
    if hidden:
        return gettext("%(field)s已更新") % {"field": label}
    if before and after:
        return gettext("将%(field)s由「%(before)s」改为「%(after)s」") % {
            "field": label, "before": before, "after": after}
    if after:
        return gettext("%(field)s：「%(after)s」") % {"field": label, "after": after}
    return gettext("清空了%(field)s（原为「%(before)s」）") % {"field": label, "before": before}


def _actor_name(activity: Any) -> str:
    user = activity.actor
    if user is not None:
        return str(user)
    name = (activity.actor_repr or "").strip()
    if name.lower() in SYSTEM_NAMES:
        return gettext("系统")
    return name


def _when_text(moment: dt.datetime) -> str:
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    if local.year == timezone.localdate().year:
        return formats.date_format(local, gettext("n月j日 H:i"))
    return formats.date_format(local, gettext("Y年n月j日 H:i"))


def describe_activity(activity: Any, resolver: _Resolver | None = None) -> ActivityEntry:
    """One stored :class:`~lianjian.core.models.Activity` as words, in the active language."""
    resolver = resolver or _Resolver()
    model = activity.content_type.model_class() if activity.content_type_id else None
    label_key = model._meta.label_lower if model is not None else ""
    action = activity.action
    verb = str(ACTION_VERBS_BY_MODEL.get((label_key, action)) or ACTION_VERBS.get(action) or UNKNOWN_VERB)
    lines: list[ChangeLine] = []
    changes = activity.changes if isinstance(activity.changes, dict) else {}
    for name, pair in changes.items():
        before_raw, after_raw = (pair if isinstance(pair, list | tuple) and len(pair) == 2 else (None, pair))
        before = resolver.text(model, action, name, before_raw)
        after = resolver.text(model, action, name, after_raw)
        if before == after and not (name in _HIDDEN_VALUES and after):
            continue
        label = _field_label(model, action, name)
        hidden = name in _HIDDEN_VALUES
        lines.append(ChangeLine(field=label, before="" if hidden else before, after="" if hidden else after,
                                text=_change_text(label, before, after, hidden)))
    actor = _actor_name(activity)
    when_text = _when_text(activity.created_at)
    if action in _PLAIN_ACTIONS and len(lines) == 1:
        sentence = gettext("%(actor)s 于 %(when)s %(change)s") % {"actor": actor, "when": when_text,
                                                                 "change": lines[0].text}
        shown_lines: list[ChangeLine] = []
    else:
        sentence = gettext("%(actor)s 于 %(when)s %(verb)s") % {"actor": actor, "when": when_text, "verb": verb}
        shown_lines = lines
    note = (activity.note or "").strip()
    source = str(SOURCE_WORDS.get(activity.source, activity.source))
    if note == "admin":  # written by the admin site (core.admin): that is where it came from
        note, source = "", gettext("后台管理")
    note_label = str(NOTE_LABELS.get(action, _("备注"))) if note else ""
    return ActivityEntry(when=activity.created_at, when_text=when_text, actor=actor, verb=verb, action=action,
                         sentence=sentence, changes=shown_lines, source=source, note_label=note_label, note=note)


def describe_activities(activities: Iterable[Any]) -> list[ActivityEntry]:
    """Describe many rows, sharing the look-ups of related names."""
    resolver = _Resolver()
    return [describe_activity(a, resolver) for a in activities]
