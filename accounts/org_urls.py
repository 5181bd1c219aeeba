"""Organization self-service routes (namespace ``orgs``, mounted at ``/org/``).

Every form posts to its own URL (CSRF, session); an organization is named by its normalized
name, a team by its id (team names are free text), a member by their username.
"""

from django.urls import path

from accounts import views

app_name = "orgs"

urlpatterns = [
    path("", views.organization_list, name="list"),
    path("invitations/<int:pk>/accept/", views.invitation_accept, name="invitation-accept"),
    path("invitations/<int:pk>/decline/", views.invitation_decline, name="invitation-decline"),
    path("<str:name>/", views.organization_detail, name="detail"),
    path("<str:name>/invite/", views.invitation_create, name="invite"),
    path(
        "<str:name>/invitations/<int:pk>/withdraw/",
        views.invitation_withdraw,
        name="invitation-withdraw",
    ),
    path("<str:name>/settings/", views.default_visibility_set, name="settings"),
    path("<str:name>/settings/mfa/", views.mfa_required_set, name="mfa-required"),
    path("<str:name>/delete/", views.organization_delete, name="delete"),
    path("<str:name>/members/<str:username>/role/", views.member_role_set, name="member-role"),
    path("<str:name>/members/<str:username>/remove/", views.member_remove, name="member-remove"),
    path("<str:name>/teams/", views.team_create, name="team-create"),
    path("<str:name>/teams/<int:team_id>/delete/", views.team_delete, name="team-delete"),
    path(
        "<str:name>/teams/<int:team_id>/members/",
        views.team_member_add,
        name="team-member-add",
    ),
    path(
        "<str:name>/teams/<int:team_id>/members/<str:username>/remove/",
        views.team_member_remove,
        name="team-member-remove",
    ),
    path("<str:name>/teams/<int:team_id>/projects/", views.team_role_set, name="team-role-set"),
    path(
        "<str:name>/teams/<int:team_id>/projects/<str:project>/remove/",
        views.team_role_remove,
        name="team-role-remove",
    ),
    path("<str:name>/tokens/", views.organization_tokens, name="tokens"),
    path(
        "<str:name>/tokens/<int:pk>/revoke/",
        views.organization_token_revoke,
        name="token-revoke",
    ),
]
