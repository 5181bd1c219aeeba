"""Organizations, their members, invitations, teams and tokens; the caller's invitations.

An organization is named by its name (any spelling), a member by their username, a team by its
id (team names are free text), a team's role by its project's name.
"""

from django.urls import path

from api.views import invitations, members, orgs, teams

ORG = "orgs/<str:name>/"
TEAM = f"{ORG}teams/<int:team_id>/"

urlpatterns = [
    path("orgs/", orgs.OrgList.as_view(), name="org-list"),
    path(ORG, orgs.OrgDetail.as_view(), name="org-detail"),
    path(f"{ORG}members/", members.MemberList.as_view(), name="org-member-list"),
    path(f"{ORG}members/<str:username>/", members.MemberDetail.as_view(), name="org-member-detail"),
    path(f"{ORG}invitations/", invitations.InvitationList.as_view(), name="org-invitation-list"),
    path(
        f"{ORG}invitations/<int:pk>/",
        invitations.InvitationDetail.as_view(),
        name="org-invitation-detail",
    ),
    path(f"{ORG}teams/", teams.TeamList.as_view(), name="org-team-list"),
    path(TEAM, teams.TeamDetail.as_view(), name="org-team-detail"),
    path(f"{TEAM}members/", teams.TeamMemberList.as_view(), name="org-team-member-list"),
    path(
        f"{TEAM}members/<str:username>/",
        teams.TeamMemberDetail.as_view(),
        name="org-team-member-detail",
    ),
    path(f"{TEAM}roles/", teams.TeamRoleList.as_view(), name="org-team-role-list"),
    path(
        f"{TEAM}roles/<str:project>/", teams.TeamRoleDetail.as_view(), name="org-team-role-detail"
    ),
    path(f"{ORG}tokens/", orgs.OrgTokenList.as_view(), name="org-token-list"),
    path(f"{ORG}tokens/<str:identifier>/", orgs.OrgTokenDetail.as_view(), name="org-token-detail"),
    path("invitations/", invitations.MyInvitationList.as_view(), name="invitation-list"),
    path(
        "invitations/<int:pk>/accept/",
        invitations.InvitationAccept.as_view(),
        name="invitation-accept",
    ),
    path(
        "invitations/<int:pk>/decline/",
        invitations.InvitationDecline.as_view(),
        name="invitation-decline",
    ),
]
