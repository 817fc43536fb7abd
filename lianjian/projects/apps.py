from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "lianjian.projects"
    label = "projects"
    verbose_name = _("联建项目")

    def ready(self) -> None:
        from lianjian.core.nav import register_nav
        from lianjian.core.pages import register_page_context
        from lianjian.lists.journey import register_journey
        from lianjian.lists.signals import claim_confirmed

        from .journey import need_projects_prefetch, project_stages
        from .receivers import on_claim_confirmed
        from .selectors import organisation_page_projects

        claim_confirmed.connect(on_claim_confirmed, dispatch_uid="projects.on_claim_confirmed")
        register_nav(_("项目清单"), "projects:list", lambda s: s.is_staff_like or s.is_liaison, order=30)
        register_page_context("orgs:detail", "projects", organisation_page_projects)
        register_journey("projects", prefetch=need_projects_prefetch, stages=project_stages)
