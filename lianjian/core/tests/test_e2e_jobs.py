"""On a phone, a street admin watches a background export finish: the page polls by itself."""

from __future__ import annotations

import pytest

from lianjian.core.jobs import job_run
from lianjian.core.models import Job
from lianjian.testing import PASSWORD, make_world
from lianjian.testing.e2e import PHONE, login


@pytest.mark.e2e
def test_job_page_shows_progress_then_the_download_without_reloading(live_server, transactional_db, browser,
                                                                      tmp_path, settings):
    from playwright.sync_api import expect

    settings.MEDIA_ROOT = tmp_path / "media"
    world = make_world()
    job = Job.objects.create(kind="ledgers.export", title="导出甲街道全部社区的联建单位", owner=world.street_admin,
                             params={"kind": "units", "region": world.street.pk})
    page = browser.new_page(viewport=PHONE)
    login(page, live_server.url, world.street_admin.username, PASSWORD)
    page.goto(f"{live_server.url}/jobs/{job.pk}/")
    box = page.get_by_test_id("job-progress")
    expect(box).to_have_attribute("data-status", "queued")
    expect(box).to_contain_text("排队中")
    page.screenshot(path=str(tmp_path / "job-queued.png"), full_page=True)
    job_run(job.pk)  # what the consumer does; the open page notices within one 2 s poll
    expect(page.get_by_test_id("job-download")).to_be_visible(timeout=8000)
    expect(page.get_by_test_id("job-progress")).to_have_attribute("data-status", "done")
    page.screenshot(path=str(tmp_path / "job-done.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_test_id("job-download").click()
    assert download.value.suggested_filename.endswith(".zip")
    overflow = page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth")
    assert not overflow
    page.goto(f"{live_server.url}/jobs/")
    expect(page.get_by_test_id("jobs")).to_contain_text("导出甲街道全部社区的联建单位")
