"""The points pages: my points, catalogue and codes, the merchant's counter, staff pages, leaderboard."""

from __future__ import annotations

import re

import pytest

from lianjian.points.models import Account, AwardRequest, Entry, Redemption, Reward

from .factories import fund, make_reward, make_scheme

pytestmark = pytest.mark.django_db


def test_my_points_page_shows_balance_honour_codes_and_a_traceable_statement(client, world):
    scheme = make_scheme(world)
    fund(scheme, world.rider, 50)
    reward = make_reward(scheme, organisation=world.unit, points=20, title="一碗大抄手")
    client.force_login(world.rider)
    response = client.post(f"/points/rewards/{reward.pk}/redeem/")
    r = Redemption.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/points/codes/{r.code}/"
    page = client.get(response["Location"]).content.decode()
    assert r.code in page and "qr.svg" in page
    qr = client.get(f"/points/codes/{r.code}/qr.svg")
    assert qr.status_code == 200 and qr["Content-Type"] == "image/svg+xml"
    mine = client.get("/points/").content.decode()
    assert 'data-testid="balance">30<' in mine and 'data-testid="held">20<' in mine and r.code in mine
    assert "/points/entries/" in mine
    entry = Entry.objects.filter(kind="redeem").get()
    assert "一碗大抄手" in client.get(f"/points/entries/{entry.pk}/").content.decode()
    home = client.get("/home/").content.decode()
    assert 'data-testid="home-points-balance">30<' in home


def test_someone_elses_code_and_entry_are_404(client, world):
    scheme = make_scheme(world)
    fund(scheme, world.rider, 50)
    r_code = make_reward(scheme, points=10)
    from lianjian.points import redemptions

    r = redemptions.redeem(actor=world.rider, reward=r_code)
    client.force_login(world.resident)
    assert client.get(f"/points/codes/{r.code}/").status_code == 404
    assert client.post(f"/points/codes/{r.code}/cancel/").status_code == 404
    assert client.get(f"/points/entries/{Entry.objects.first().pk}/").status_code == 404


def test_the_merchant_confirms_once_and_another_merchant_is_refused(client, world):
    scheme = make_scheme(world)
    fund(scheme, world.rider, 50)
    from lianjian.points import redemptions

    r = redemptions.redeem(actor=world.rider, reward=make_reward(scheme, organisation=world.unit, points=10))
    client.force_login(world.other_liaison)
    page = client.post("/points/merchant/", {"code": r.code}).content.decode()
    assert 'data-outcome="not_found"' in page
    client.force_login(world.liaison)
    page = client.post("/points/merchant/", {"code": r.code}).content.decode()
    assert 'data-outcome="ok"' in page
    again = client.post("/points/merchant/", {"code": r.code}, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-outcome="already_confirmed"' in again
    assert client.get("/points/merchant/").status_code == 200
    client.force_login(world.rider)
    assert client.get("/points/merchant/").status_code == 403


def test_staff_set_rules_award_approve_reverse_and_export(client, world):
    from lianjian.accounts.models import Role
    from lianjian.testing import make_user

    scheme = make_scheme(world, approval_threshold=50)
    client.force_login(world.staff)
    page = client.get(f"/points/staff/{scheme.pk}/").content.decode()
    key = re.search(r'name="source_key" value="([^"]+)"', page).group(1)
    client.post(f"/points/staff/{scheme.pk}/rules/", {"trigger": "rating", "points": 3, "is_active": "on"})
    assert scheme.rules.get(trigger="rating").points == 3
    body = {"person": world.rider.username, "points": 80, "reason": "见义勇为", "source_key": key}
    client.post(f"/points/staff/{scheme.pk}/awards/", body)
    client.post(f"/points/staff/{scheme.pk}/awards/", body)  # a double submit
    a = AwardRequest.objects.get()
    assert a.status == "pending"
    second = make_user(role=Role.COMMUNITY_STAFF, region=world.community)
    client.force_login(second)
    client.post(f"/points/staff/{scheme.pk}/awards/{a.pk}/", {"decision": "approve"})
    assert Account.objects.get(person=world.rider).balance == 80
    entry = Entry.objects.get()
    client.post(f"/points/entries/{entry.pk}/", {"reason": "经核实不属实"})
    assert Account.objects.get(person=world.rider).balance == 0
    assert 'data-testid="reversed-by"' in client.get(f"/points/entries/{entry.pk}/").content.decode()
    client.post(f"/points/staff/{scheme.pk}/rewards/", {"title": "理发", "points": 25, "stock": 3, "is_active": "on",
                                                        "organisation": world.unit.pk})
    assert Reward.objects.get().organisation == world.unit
    export = client.get(f"/points/staff/{scheme.pk}/liabilities.xlsx")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxml")
    assert client.get(f"/points/staff/{scheme.pk}/ledger/").status_code == 200
    client.force_login(world.other_staff)
    assert client.get(f"/points/staff/{scheme.pk}/").status_code == 404
    assert client.post(f"/points/staff/{scheme.pk}/awards/", body).status_code == 404


def test_staff_open_a_scheme(client, world):
    client.force_login(world.staff)
    response = client.post("/points/staff/", {"region": world.community.pk})
    assert response.status_code == 302
    assert client.post("/points/staff/", {"region": world.other_community.pk}).status_code == 302
    from lianjian.points.models import Scheme

    assert list(Scheme.objects.values_list("region", flat=True)) == [world.community.pk]


def test_leaderboard_shows_chosen_names_only_and_respects_opt_out(client, world):
    from lianjian.points import schemes

    scheme = make_scheme(world)
    for person, name, out in ((world.rider, "骑手小王", False), (world.volunteer, "", False),
                              (world.resident, "张阿姨", True)):
        account = fund(scheme, person, 10)
        schemes.account_settings(actor=person, account=account, display_name=name, leaderboard_opt_out=out)
    client.force_login(world.rider)
    page = client.get("/points/leaderboard/").content.decode()
    assert "骑手小王" in page and "张阿姨" not in page and str(world.volunteer) not in page
    assert client.get("/points/leaderboard/?scheme=999999").status_code == 404
    assert client.get("/points/leaderboard/?month=abc").status_code == 200
