import pytest

from lianjian.demo import data
from lianjian.demo.loader import load_demo
from lianjian.projects import demo
from lianjian.projects.models import ProgressPhoto, Project, ProjectStatus, Rating

pytestmark = pytest.mark.django_db


def test_demo_retells_the_2024_year_and_is_idempotent():
    """12 units, 37 completed projects: counted from the rows, the same after a second run."""
    load_demo()
    first = demo.figures()
    assert first == {"projects": 37, "units": 12}
    before = (Project.objects.count(), Rating.objects.count())
    load_demo()
    assert demo.figures() == first
    assert (Project.objects.count(), Rating.objects.count()) == before

    done = Project.objects.filter(community__code=data.FENGSHU, year=2024, status=ProjectStatus.COMPLETED)
    leads = set(done.values_list("lead_org__name", flat=True))
    assert {"成龙路锦城逸景社区卫生服务中心", "东星公司", "成都市现代职业技术学校"} <= leads
    assert set(done.values_list("category__name", flat=True)) == {
        "文明实践",
        "助老敬老",
        "交通出行",
        "医疗健康",
        "特殊人群关爱",
    }
    assert {d.month for d in done.values_list("completed_on", flat=True)} == set(range(1, 13))
    for p in done.select_related("need"):
        assert p.need is not None and p.need.year == 2024 and p.summary
        assert p.people_served > 0 and p.rating_count >= 2
        assert p.updates.filter(is_completion=True, photos__isnull=False).exists()
    # The demo's own photos get public copies like any upload, so public pages can show them.
    photos = ProgressPhoto.objects.all()
    assert photos.exists() and not photos.filter(public_image="").exists() and not photos.filter(thumbnail="").exists()
