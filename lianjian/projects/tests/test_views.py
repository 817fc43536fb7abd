import pytest
from django.urls import reverse

from lianjian.lists.models import Need
from lianjian.projects.models import ProgressUpdate, Project, Rating

from .factories import category, png, project

pytestmark = pytest.mark.django_db


def test_list_filters_and_scope(client, world):
    project(world, title="完成的项目", status="completed")
    project(world, title="计划的项目")
    client.force_login(world.staff)
    page = client.get(reverse("projects:list")).content.decode()
    assert "完成的项目" in page and "计划的项目" in page and "项目清单" in page
    page = client.get(reverse("projects:list"), {"status": "completed"}).content.decode()
    assert "完成的项目" in page and "计划的项目" not in page
    page = client.get(reverse("projects:list"), {"year": 2023}).content.decode()
    assert "没有符合条件的项目" in page
    client.force_login(world.other_staff)
    page = client.get(reverse("projects:list")).content.decode()
    assert "完成的项目" not in page
    assert client.get(reverse("projects:list"), {"community": world.community.pk}).status_code == 404


def test_list_page_query_count_does_not_grow_with_rows(client, world, django_assert_max_num_queries):
    for i in range(15):
        project(world, title=f"项目{i}")
    client.force_login(world.staff)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("projects:list")).status_code == 200


def test_detail_shows_origin_units_timeline_and_qr_for_staff(client, world):
    p = project(world, status="completed")
    client.force_login(world.staff)
    page = client.get(p.get_absolute_url()).content.decode()
    assert world.unit.name in page and "已完成" in page and "操作记录" in page
    assert p.public_token in page and reverse("projects:qr", args=[p.pk, "svg"]) in page
    svg = client.get(reverse("projects:qr", args=[p.pk, "svg"]))
    assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content
    png_response = client.get(reverse("projects:qr", args=[p.pk, "png"]))
    assert png_response.content[:8] == b"\x89PNG\r\n\x1a\n"
    client.force_login(world.other_staff)
    assert client.get(p.get_absolute_url()).status_code == 404
    assert client.get(reverse("projects:qr", args=[p.pk, "png"])).status_code == 404


def test_liaison_reports_progress_with_a_photo(client, world):
    p = project(world)
    client.force_login(world.liaison)
    url = reverse("projects:progress", args=[p.pk])
    assert "填报进展" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "text": "上门服务 12 户",
            "happened_on": "2024-03-05",
            "people_served": 12,
            "volunteer_hours": "6",
            "photos": [png()],
        },
    )
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.people_served == 12 and p.status == "in_progress"
    assert ProgressUpdate.objects.get().photos.count() == 1
    page = client.get(p.get_absolute_url()).content.decode()
    assert "上门服务 12 户" in page and "<img" in page


def test_out_of_scope_progress_post_is_404_and_writes_nothing(client, world):
    p = project(world)
    client.force_login(world.other_liaison)
    response = client.post(reverse("projects:progress", args=[p.pk]), {"text": "x", "happened_on": "2024-03-05"})
    assert response.status_code == 404
    assert not ProgressUpdate.objects.exists()


def test_completion_form_requires_evidence_then_completes(client, world):
    p = project(world, status="in_progress")
    client.force_login(world.staff)
    url = reverse("projects:complete", args=[p.pk])
    response = client.post(url, {"summary": "", "completed_on": "2024-06-01"})
    page = response.content.decode()
    assert response.status_code == 200 and "请上传至少一张完成证明照片" in page
    assert Project.objects.get().status == "in_progress"
    response = client.post(url, {"summary": "全部完成", "completed_on": "2024-06-01", "photos": [png()]})
    assert response.status_code == 302
    assert Project.objects.get().status == "completed"


def test_cancel_form(client, world):
    p = project(world)
    client.force_login(world.liaison)
    assert client.get(reverse("projects:cancel", args=[p.pk])).status_code == 403
    client.force_login(world.staff)
    assert client.post(reverse("projects:cancel", args=[p.pk]), {"reason": ""}).status_code == 200
    assert client.post(reverse("projects:cancel", args=[p.pk]), {"reason": "场地调整"}).status_code == 302
    assert Project.objects.get().status == "cancelled"


def test_milestone_add_and_overdue_flag_on_page(client, world):
    p = project(world, status="in_progress")
    client.force_login(world.staff)
    client.post(reverse("projects:milestone_add", args=[p.pk]), {"title": "物资到位", "due_date": "2024-01-15"})
    page = client.get(p.get_absolute_url()).content.decode()
    assert "物资到位" in page and "已逾期" in page


def test_public_rating_page_once_per_device_with_friendly_message(client, world):
    p = project(world, status="completed")
    url = reverse("public:rate", args=[p.public_token])
    assert url == f"/r/{p.public_token}/"
    assert "您对这个项目满意吗" in client.get(url).content.decode()
    response = client.post(url, {"stars": 5, "comment": "老人们很满意"})
    assert "感谢您的评价" in response.content.decode()
    response = client.post(url, {"stars": 4})
    assert "您已经评价过这个项目了" in response.content.decode()
    assert Rating.objects.count() == 1
    for bad in ("0", "6", ""):
        client.cookies.clear()
        client.get(url)
        assert "请选择 1 到 5 颗星" in client.post(url, {"stars": bad}).content.decode()
    assert Rating.objects.count() == 1 and Project.objects.get().rating_count == 1


def test_public_rating_page_before_completion(client, world):
    p = project(world)
    page = client.get(reverse("public:rate", args=[p.public_token])).content.decode()
    assert "项目完成后才能评价" in page
    client.post(reverse("public:rate", args=[p.public_token]), {"stars": 5})
    assert not Rating.objects.exists()
    assert client.get("/r/unknown-token/").status_code == 404


def test_public_board_shows_projects_and_needs_without_personal_data(client, world):
    p = project(world, status="completed", title="公开的项目")
    project(world, status="cancelled", title="取消的项目")
    Need.objects.create(
        community=world.community,
        title="公开的需求",
        category=category(),
        year=2024,
        status="published",
        contact_name="王先生",
        contact_phone="13912340000",
    )
    Need.objects.create(community=world.community, title="待审核需求", category=category(), year=2024)
    page = client.get(reverse("public:board", args=[world.community.code])).content.decode()
    assert "公开的项目" in page and "公开的需求" in page
    assert "取消的项目" not in page and "待审核需求" not in page
    assert "13912340000" not in page and "王先生" not in page
    assert p.get_public_url() in page
    page = client.get(reverse("public:board", args=[world.community.code]), {"status": "in_progress"}).content.decode()
    assert "公开的项目" not in page
    page = client.get(
        reverse("public:board", args=[world.community.code]), {"unit": world.unit.pk, "year": 2024}
    ).content.decode()
    assert "公开的项目" in page
    assert client.get(reverse("public:board", args=["000"])).status_code == 404


def test_nav_entry_for_staff_and_liaisons(client, world):
    client.force_login(world.liaison)
    assert reverse("projects:list") in client.get(reverse("projects:list")).content.decode()
    client.force_login(world.resident)
    assert client.get(reverse("projects:list")).status_code == 403


def test_unit_and_need_includes_render(world, rf):
    from django.template.loader import render_to_string

    from lianjian.projects import selectors

    p = project(world, status="completed", title="单位交付项目")
    html = render_to_string(
        "projects/_unit_projects.html", {"unit_projects": selectors.projects_of_organisation(world.staff, world.unit)}
    )
    assert "单位交付项目" in html
    need = Need.objects.create(
        community=world.community, title="需求", category=category(), year=2024, status="published"
    )
    Project.objects.filter(pk=p.pk).update(need=need)
    html = render_to_string(
        "projects/_need_projects.html", {"need_projects": selectors.projects_of_need(user=world.staff, need=need)}
    )
    assert "单位交付项目" in html and world.unit.name in html


def test_create_project_page(client, world):
    client.force_login(world.liaison)
    url = reverse("projects:create") + f"?community={world.community.pk}"
    response = client.post(
        url,
        {
            "title": "自主项目",
            "category": category().pk,
            "year": 2025,
            "lead_org": world.unit.pk,
            "budget": "0",
            "material_value": "0",
            "start_date": "2025-03-01",
            "end_date": "2025-02-01",
        },
    )
    assert response.status_code == 200 and "计划结束日期不能早于开始日期" in response.content.decode()
    assert not Project.objects.exists()
    response = client.post(
        url,
        {
            "title": "自主项目",
            "category": category().pk,
            "year": 2025,
            "lead_org": world.unit.pk,
            "budget": "0",
            "material_value": "0",
        },
    )
    assert response.status_code == 302 and Project.objects.get().created_by == world.liaison


def test_detail_page_query_count_does_not_grow_with_progress_and_photos(client, world, django_assert_max_num_queries):
    from lianjian.projects import services

    p = project(world, status="in_progress")
    for i in range(6):
        services.progress_add(
            actor=world.staff, project=p, text=f"进展{i}", happened_on=p.start_date, photos=[png(f"{i}.png")]
        )
    client.force_login(world.staff)
    with django_assert_max_num_queries(16):
        page = client.get(p.get_absolute_url()).content.decode()
    assert page.count("<img") >= 6
