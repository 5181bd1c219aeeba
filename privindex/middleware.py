"""Turn a lost database into a clear 503 instead of a traceback."""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse

log = logging.getLogger(__name__)


class ServiceUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, (OperationalError, InterfaceError)):
            log.warning("database unavailable: %s", type(exception).__name__)
            message = "Service temporarily unavailable: the database cannot be reached. Retry shortly."
            response = HttpResponse(
                message + "\n", status=503, content_type="text/plain", reason=message
            )
            response["Retry-After"] = "5"
            return response
        return None
