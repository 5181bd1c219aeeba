"""Downloads of upstream files (being written)."""

from django.http import Http404


def file_download(request, name, filename):
    raise Http404
