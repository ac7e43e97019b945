"""Moving XDM content from one tenant to another.

XDM resources carry their org's tenant: ids ``https://ns.adobe.com/{tenant}/...``, the
tenant field group ``_{tenant}`` (as a key, in JSON pointers ``/_{tenant}/...``, in dotted
paths ``_{tenant}.x`` of mappings, PQL expressions and ``meta:altId``). An import into an org
with another tenant rewrites every one of them, in keys and in strings alike.
"""

from __future__ import annotations

import re
from typing import Any


class TenantRewriter:
    def __init__(self, source: str, target: str) -> None:
        self.source, self.target = source, target
        self._url = f"https://ns.adobe.com/{source}/"
        self._url_new = f"https://ns.adobe.com/{target}/"
        # ``_acme`` as a whole token: not ``_acmecorp``, not ``x_acme``.
        self._token = re.compile(rf"(?<![A-Za-z0-9_]){re.escape('_' + source)}(?![A-Za-z0-9_])")

    def text(self, value: str) -> str:
        if self.source not in value:
            return value
        value = value.replace(self._url, self._url_new)
        return self._token.sub("_" + self.target, value)

    def document(self, node: Any) -> Any:
        """A copy of ``node`` with the tenant replaced in every key and string."""
        if isinstance(node, dict):
            return {self.text(k): self.document(v) for k, v in node.items()}
        if isinstance(node, list):
            return [self.document(v) for v in node]
        if isinstance(node, str):
            return self.text(node)
        return node
