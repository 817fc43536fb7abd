"""English pages show taxonomy, units, ledger kinds and matching reasons in English.

Categories and beneficiary groups are data with an English name (``name_en``); units are mapped
at display time (``core.display``); ledger kinds go through the catalogue; matching reasons are
rebuilt from their templates (``matching.display``). The admin link is only for people with
something to do there.
"""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import translation

from lianjian.accounts.permissions import SYSTEM
from lianjian.core.display import UNIT_NAMES_EN, unit_label
from lianjian.lists import services
from lianjian.lists.models import BeneficiaryGroup, Category
from lianjian.lists.taxonomy import CATEGORIES, GROUPS
from lianjian.matching.display import translate_reasons
from lianjian.matching.engine import MatchEngine, NeedDoc, ResourceDoc

pytestmark = pytest.mark.django_db
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def english(client, user):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def texts(html: str, pattern: str) -> list[str]:
    """Inner texts (tags stripped) of the elements whose opening tag matches *pattern*."""
    found = []
    for m in re.finditer(rf"<(\w+)[^>]*{pattern}[^>]*>(.*?)</\1>", html, re.S):
        found.append(unescape(re.sub(r"<[^>]+>", "", m.group(2))).strip())
    return found


def test_every_seed_category_and_group_has_an_english_name():
    assert Category.objects.count() >= len(CATEGORIES) and BeneficiaryGroup.objects.count() >= len(GROUPS)
    for row in [*Category.objects.all(), *BeneficiaryGroup.objects.all()]:
        assert row.name_en and not CJK.search(row.name_en), row.name
        with translation.override("en"):
            assert row.display_name == row.name_en == str(row)
        with translation.override("zh-hans"):
            assert row.display_name == row.name == str(row)


def test_need_page_in_english_has_no_chinese_category_group_or_unit(client, world):
    need = services.need_create(actor=world.staff, community=world.community, title="助老助餐",
                                category=Category.objects.get(code="elderly-care"),
                                beneficiary_groups=BeneficiaryGroup.objects.filter(code__in=["elderly", "disabled"]),
                                quantity_needed=200, quantity_unit="人")
    services.need_publish(actor=SYSTEM, need=need)
    html = english(client, world.staff).get(need.get_absolute_url()).content.decode()
    tags = texts(html, 'class="tag"')
    assert "Elderly care" in tags and "Older people" in tags and "People with disabilities" in tags
    coverage = texts(html, 'data-testid="coverage"')[0]
    assert "200 people" in coverage
    for text in [*tags, coverage]:
        assert not CJK.search(text), text


def test_need_form_in_english_offers_english_categories_and_groups(client, world):
    html = english(client, world.staff).get(reverse("lists:need_create")).content.decode()
    select = re.search(r'<select name="category".*?</select>', html, re.S).group(0)
    options = [t for t in texts(select, r'value="\d+"')]
    labels = texts(html, r'for="id_beneficiary_groups_\d+"')
    assert "Elderly care" in options and "Older people" in labels
    for text in [*options, *labels]:
        assert not CJK.search(text), text


def test_resource_remaining_in_english(client, world):
    resource = services.resource_create(actor=SYSTEM, organisation=world.unit, title="义诊",
                                        category=Category.objects.get(code="health"), capacity=200,
                                        capacity_unit="人")
    html = english(client, world.staff).get(resource.get_absolute_url()).content.decode()
    remaining = texts(html, 'data-testid="remaining"')[0]
    assert remaining == "200 / 200 people left"


def test_ledger_kinds_and_buttons_in_english(client, world):
    html = english(client, world.staff).get(reverse("ledgers:index")).content.decode()
    buttons = texts(html, r'data-testid="template-\w+"')
    kinds = texts(html, r'value="(?:units|needs|resources|projects)"')
    assert len(buttons) == 4 and "Joint units template" in buttons
    assert len(kinds) >= 4  # the upload and the export form
    for text in [*buttons, *kinds]:
        assert not CJK.search(text), text


def test_units_map_in_one_place_with_singular_and_plural():
    with translation.override("en"):
        assert unit_label("人", 200) == "people" and unit_label("人", 1) == "person"
        assert unit_label("场", 3) == "sessions" and unit_label("个岗位", 2) == "jobs"
        assert unit_label("自定义单位", 2) == "自定义单位"  # typed by someone: shown as typed
        for chinese, (one, many) in UNIT_NAMES_EN.items():
            assert not CJK.search(one + many), chinese
    with translation.override("zh-hans"):
        assert unit_label("人", 200) == "人"


def engine_reasons() -> list[str]:
    """Reasons of a real engine run covering the structured signals (category, groups, capacity, dates)."""
    need = NeedDoc(id="n1", title="老年人助餐服务", description="为社区独居老人提供午餐", category="助老敬老",
                   beneficiaries=("老人",), wanted_by="2030-01-01")
    resources = [
        ResourceDoc(id="r1", title="老年人助餐", description="午餐配送", unit="某单位", category="助老敬老",
                    beneficiaries=("老人",), remaining=20, capacity_unit="人", valid_until="2031-01-01",
                    unit_completed_in_category=2, unit_avg_rating=4.5),
        ResourceDoc(id="r2", title="儿童绘本", description="亲子阅读", unit="另一单位", category="文化教育",
                    beneficiaries=("儿童",), remaining=0, capacity_unit="场", valid_until="2020-01-01"),
    ]
    engine = MatchEngine(today=date(2026, 6, 1))
    engine.add_many(resources)
    reasons: list[str] = []
    for match in engine.rank(need, top_k=5):
        reasons.extend(match.reasons)
    return reasons


def test_matching_reasons_are_rebuilt_from_translated_templates(world):
    reasons = engine_reasons()
    assert len(reasons) >= 6

    def fake_catalogue(msgid: str) -> str:  # an "English" catalogue: every Chinese word becomes X
        return CJK.sub("X", msgid)

    with translation.override("en"):
        shown = translate_reasons(reasons, translate=fake_catalogue)
    data_words = re.compile(r"关键词|相近说法|相关主题|字面相近")
    for original, text in zip(reasons, shown, strict=True):
        if data_words.match(original):
            continue  # quotes words of the texts themselves
        assert not CJK.search(text), (original, text)
    with translation.override("en"):
        real = " ".join(translate_reasons(reasons))
    assert "Elderly care" in real and "Older people" in real and "people" in real
    with translation.override("zh-hans"):
        assert translate_reasons(reasons) == reasons
    with translation.override("en"):
        assert translate_reasons(["全新的理由"]) == ["全新的理由"]


def test_admin_link_only_for_people_with_admin_permissions(client, world):
    client.force_login(world.staff)
    assert reverse("admin:index") not in client.get(reverse("core:home")).content.decode()
    world.staff.is_staff = True
    world.staff.save(update_fields=["is_staff"])
    client.force_login(world.staff)
    assert reverse("admin:index") not in client.get(reverse("core:home")).content.decode()
    world.staff.user_permissions.add(Permission.objects.get(codename="change_category"))
    client.force_login(world.staff)
    assert reverse("admin:index") in client.get(reverse("core:home")).content.decode()
    client.force_login(world.superuser)
    assert reverse("admin:index") in client.get(reverse("core:home")).content.decode()
