"""A ``requests`` adapter to a mock, for plain HTTP code that opts in.

Imported only when asked for (:meth:`DingconfMock.requests_adapter`): requests
is not a dependency of dingconf.
"""

import io
from typing import Any
from urllib.parse import unquote, urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict
from requests.utils import get_encoding_from_headers

from dingconf.testing.asgi_bridge import Dropped
from dingconf.testing.sdk_seam import PHRASES, Target

__all__ = ["RequestsAdapter"]


class RequestsAdapter(HTTPAdapter):
    """Answers the requests of a ``requests.Session`` it is mounted on from the mock."""

    def __init__(self, target: Target) -> None:
        super().__init__()
        self._target = target

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> Any:
        """Send one prepared request; return its ``requests.Response``."""
        url = urlsplit(request.url or "/")
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode()
        if not isinstance(body, bytes):
            raise TypeError("the dingconf mock's adapter takes no streamed or file bodies")
        headers = [(k, str(v)) for k, v in request.headers.items()]
        try:
            reply = self._target.call(
                request.method or "GET", unquote(url.path) or "/", url.query, headers, body
            )
        except Dropped as exc:
            raise requests.ConnectionError(str(exc), request=request) from exc
        response = requests.Response()
        response.status_code = reply.status
        response.reason = PHRASES.get(reply.status, "")
        response.headers = CaseInsensitiveDict(dict(reply.headers))
        response._content = reply.body
        response.raw = io.BytesIO(reply.body)  # for stream=True readers
        response.url = request.url or ""
        response.request = request
        response.encoding = get_encoding_from_headers(response.headers)
        response.connection = self
        return response
