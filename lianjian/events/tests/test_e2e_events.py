"""On a 390×844 phone: a resident registers and sees the code; the next person is waitlisted at
position 1; a cancellation promotes them and they see it; staff check someone in by typed code
on the scanner page and the live count changes."""

from __future__ import annotations

import os

import pytest

from lianjian.events.models import Registration
from lianjian.testing import PASSWORD, make_world
from lianjian.testing.e2e import PHONE, login

from .factories import make_event

pytestmark = pytest.mark.e2e
SHOTS = os.environ.get("LIANJIAN_SCREENSHOTS")


def _shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"events-{name}.png"), full_page=True)


def test_register_waitlist_promotion_and_door_check_in(live_server, transactional_db, browser):
    from playwright.sync_api import expect

    world = make_world()
    for user, phone in ((world.resident, "13500000001"), (world.volunteer, "13500000002")):
        user.phone = phone
        user.save(update_fields=["phone"])
    event = make_event(world, capacity=1, title="新春趣味跑", venue="天府蔬香博览园")

    resident = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    login(resident, live_server.url, world.resident.username, PASSWORD)
    resident.goto(f"{live_server.url}/events/")
    resident.click(f"[data-testid=event-{event.pk}] a")
    resident.click("[data-testid=register]")
    code = Registration.objects.get(user=world.resident).code
    expect(resident.locator("[data-testid=my-code]")).to_have_text(code)
    qr = resident.locator("[data-testid=my-qr]")
    resident.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=qr.element_handle())
    assert qr.evaluate("img => img.naturalWidth") > 0
    _shot(resident, "confirmed")

    volunteer = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    login(volunteer, live_server.url, world.volunteer.username, PASSWORD)
    volunteer.goto(f"{live_server.url}/events/{event.pk}/")
    volunteer.click("[data-testid=register]")
    expect(volunteer.locator("[data-testid=my-status]")).to_contain_text("排第 1 位")
    _shot(volunteer, "waitlisted")

    resident.click("[data-testid=cancel-mine]")
    volunteer.reload()
    expect(volunteer.locator("[data-testid=my-status]")).to_contain_text("已报名")
    promoted = Registration.objects.get(user=world.volunteer)

    staff = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    login(staff, live_server.url, world.staff.username, PASSWORD)
    staff.goto(f"{live_server.url}/events/{event.pk}/")
    staff.click("[data-testid=open-scanner]")
    expect(staff.locator("[data-testid=checked-in]")).to_have_text("0")
    staff.fill("[data-testid=scan-code]", promoted.code.lower())
    staff.click("[data-testid=scan-submit]")
    expect(staff.locator("[data-testid=scan-result]")).to_have_attribute("data-outcome", "ok")
    expect(staff.locator("[data-testid=checked-in]")).to_have_text("1", timeout=8000)
    staff.fill("[data-testid=scan-code]", promoted.code)
    staff.click("[data-testid=scan-submit]")
    expect(staff.locator("[data-testid=scan-result]")).to_have_attribute("data-outcome", "already_checked_in")
    _shot(staff, "scanner")
    assert Registration.objects.get(pk=promoted.pk).checked_in_at is not None


def test_a_volunteer_signs_up_for_a_route_post_and_checks_in(live_server, transactional_db, browser):
    import datetime as dt

    from django.utils import timezone
    from playwright.sync_api import expect

    from lianjian.events import volunteers
    from lianjian.events.models import VolunteerSignup

    world = make_world()
    start = timezone.now() + dt.timedelta(minutes=20)
    event = make_event(world, title="全民乐跑", starts_at=start, ends_at=start + dt.timedelta(hours=2))
    finish = volunteers.post_create(actor=world.staff, event=event, role="supply", title="终点补给", km="4.50",
                                    headcount=2, starts_at=start - dt.timedelta(minutes=10),
                                    ends_at=start + dt.timedelta(hours=2))
    medical = volunteers.post_create(actor=world.staff, event=event, role="medical", title="医疗保障点", km="2.20",
                                     headcount=1, starts_at=start - dt.timedelta(minutes=10),
                                     ends_at=start + dt.timedelta(hours=2))

    page = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    login(page, live_server.url, world.volunteer.username, PASSWORD)
    page.goto(f"{live_server.url}/events/{event.pk}/#posts")
    posts = page.locator("[data-testid^=post-]")
    expect(posts.first).to_contain_text("2.20 km")  # route order: the medical point comes first
    expect(posts.nth(1)).to_contain_text("4.50 km")
    page.click(f"[data-testid=signup-{medical.pk}]")
    signup = VolunteerSignup.objects.get(user=world.volunteer)
    # An overlapping second shift is refused with its reason.
    page.click(f"[data-testid=signup-{finish.pk}]")
    expect(page.locator(".messages .msg-error")).to_contain_text("重叠")
    page.click(f"[data-testid=check-in-{signup.pk}]")
    expect(page.locator(f"[data-testid=my-signup-{signup.pk}]")).to_contain_text("已到岗")
    _shot(page, "volunteer")
    assert VolunteerSignup.objects.get(pk=signup.pk).checked_in_at is not None
    assert VolunteerSignup.objects.filter(user=world.volunteer).count() == 1
