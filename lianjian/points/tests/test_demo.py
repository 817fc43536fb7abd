"""The demo tells 江浦路社区's points story through the services, and the ledger adds up."""

import pytest

from lianjian.demo.loader import load_demo
from lianjian.points import demo, expiry
from lianjian.points.models import Account, Entry, Redemption, Reward, Scheme

pytestmark = pytest.mark.django_db


def test_demo_points_are_idempotent_and_balance(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        load_demo()
    counts = (Entry.objects.count(), Redemption.objects.count(), Reward.objects.count())
    with django_capture_on_commit_callbacks(execute=True):
        load_demo()
    assert (Entry.objects.count(), Redemption.objects.count(), Reward.objects.count()) == counts
    scheme = Scheme.objects.get(name=demo.SCHEME_NAME)
    titles = set(scheme.rewards.filter(organisation__name="西熙里商家联盟").values_list("title", flat=True))
    assert {"一碗汉平大抄手", "理发一次", "骑行安全头盔"} <= titles
    statuses = sorted(Redemption.objects.values_list("status", "void_reason"))
    assert statuses == [("held", ""), ("posted", ""), ("voided", "expired")]
    assert Entry.objects.filter(kind="reversal").count() == 1
    # The dinner's volunteers were paid for their verified hours by the receivers (capped per activity).
    volunteers = Account.objects.filter(scheme=scheme, person__username__startswith="jp_vol")
    assert volunteers.count() == 6 and all(a.balance > 0 and a.honour_minutes > 0 for a in volunteers)
    assert expiry.recompute() == []
    client.force_login(Account.objects.get(scheme=scheme, person__username="rider").person)
    page = client.get("/points/").content.decode()
    assert "一碗汉平大抄手" in page
