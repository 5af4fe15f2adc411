"""Helpers for asserting what the official SDK raises."""

from collections.abc import Callable
from typing import Any

import pytest
from Tea.exceptions import TeaException


def sdk_error(call: Callable[[], Any]) -> TeaException:
    """Run an SDK call that must fail; return the SDK's exception."""
    with pytest.raises(TeaException) as info:
        call()
    return info.value


def assert_sdk_error(call: Callable[[], Any], status: int, code: str) -> TeaException:
    """The SDK call fails with this HTTP status and DingTalk error code."""
    error = sdk_error(call)
    assert (error.code, error.data["statusCode"]) == (code, status), error.message
    # The request id in the body is echoed into the SDK's message.
    assert error.data["requestid"] in error.message
    return error
