"""The one base of every JSON body: camelCase on the wire, defaults left out.

DingTalk's SDK models name fields in camelCase, and a response field left at
its default is omitted rather than sent as ``null`` (spec §1.2).
"""

import msgspec

__all__ = ["Body"]


class Body(msgspec.Struct, rename="camel", omit_defaults=True):
    """A request or response body (or a part of one)."""
