"""The lengths and counts that forms, serializers, views and services accept: one home each,
taken from the model fields where there is one. (The upload form's are ``uploads.limits``:
``uploads`` imports no app of ours.)"""

from projects.models import Project, Release

# A project name as typed in a search or a form; also a normalized name's longest form.
QUERY_MAX = 200
PROJECT_NAME_MAX = Project._meta.get_field("name").max_length or 200
VERSION_MAX = Release._meta.get_field("version").max_length or 100
STATUS_REASON_MAX = Project._meta.get_field("status_reason").max_length or 400
YANK_REASON_MAX = 1000  # ``Release.yanked_reason`` is a TextField: this is the form's limit
SEARCH_LIMIT = 50  # results on the web search page
