from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StoriesConfig(AppConfig):
    name = "lianjian.stories"
    label = "stories"
    verbose_name = _("宣传报道")

    def ready(self) -> None:
        from lianjian.core.activity import register_verbs
        from lianjian.core.nav import register_nav

        register_nav(_("宣传报道"), "stories:manage", lambda s: s.is_staff_like, order=71, group="more")
        register_verbs({
            "submit": _("提交了审核"),
            "unpublish": _("撤回了报道"),
            "photo_remove": _("删除了报道照片"),
        }, by_model={
            ("stories.story", "create"): _("撰写了报道"),
            ("stories.story", "update"): _("修改了报道"),
            ("stories.story", "submit"): _("提交了报道审核"),
            ("stories.story", "publish"): _("审核并发布了报道"),
            ("stories.story", "return"): _("退回了报道"),
        })
