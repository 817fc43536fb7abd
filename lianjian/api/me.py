"""``/api/v1/me``: the authenticated user and their roles (beside the API toolkit it uses)."""


from ninja import Router, Schema

from lianjian.accounts.http import AuthenticatedHttpRequest
from lianjian.accounts.permissions import get_scope
from lianjian.api.errors import ERROR_RESPONSES

router = Router()


class RoleOut(Schema):
    role: str
    region_id: int | None
    organisation_id: int | None


class MeOut(Schema):
    id: int
    username: str
    real_name: str
    phone: str
    roles: list[RoleOut]


@router.get("", response={200: MeOut, **ERROR_RESPONSES}, summary="The authenticated user and roles")
def me(request: AuthenticatedHttpRequest) -> MeOut:
    user = request.user
    get_scope(user)
    return MeOut(
        id=user.pk, username=user.username, real_name=user.real_name,
        phone=user.phone or "",  # the user's own number is not masked for themselves
        roles=[RoleOut(role=r.role, region_id=r.region_id, organisation_id=r.organisation_id)
               for r in user.roles.all()],
    )
