"""What a token request may ask for: one home for the web form and the REST API."""

from tokens.models import Token

MAX_EXPIRY_DAYS = 3650
MAX_PROJECTS = 100  # projects one token may be restricted to
NAME_MAX = Token._meta.get_field("name").max_length or 100
# The web form's box of project names, separated by commas or spaces: room for MAX_PROJECTS
# names of a usual length (the count and each name are checked after splitting).
PROJECTS_FIELD_MAX = 4000
