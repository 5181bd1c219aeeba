"""PEP 752 JSON endpoints: ``/namespaces`` and ``/namespace/<ns>`` (written by the namespaces work)."""

from django.http import Http404


def namespace_list(request):
    raise Http404


def namespace_detail(request, name):
    raise Http404
