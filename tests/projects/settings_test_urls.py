"""The site's URLs with the project settings mounted as ``privindex/urls.py`` will mount them
(``project/<str:name>/settings/``, namespace ``settings``), for the settings tests until that
include lands; once it has, the site's own are used as they are."""

from django.urls import URLResolver, include, path

from privindex import urls as site

_mounted = any(
    isinstance(pattern, URLResolver) and pattern.namespace == "settings"
    for pattern in site.urlpatterns
)

urlpatterns = (
    site.urlpatterns
    if _mounted
    else [
        path(
            "project/<str:name>/settings/",
            include(("projects.settings_urls", "settings"), namespace="settings"),
        ),
        *site.urlpatterns,
    ]
)

# The site's error pages, where it sets them.
for _handler in ("handler400", "handler403", "handler404", "handler500"):
    if hasattr(site, _handler):
        globals()[_handler] = getattr(site, _handler)
