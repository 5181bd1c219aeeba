"""The lengths that forms, serializers and the accounts services accept for users,
organizations and teams: one home each, taken from the model fields."""

from accounts.models import Organization, Team, User

USERNAME_MAX = User._meta.get_field("username").max_length or 150
ORGANIZATION_NAME_MAX = Organization._meta.get_field("name").max_length or 100
TEAM_NAME_MAX = Team._meta.get_field("name").max_length or 100
EMAIL_MAX = User._meta.get_field("email").max_length or 254
