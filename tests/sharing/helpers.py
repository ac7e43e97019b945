"""Helpers shared by the sharing tests: link two orgs, wait for a transfer."""

from __future__ import annotations

import time
from typing import Any

from tests.helpers import Api

ORG_C = "CCCC3333CCCC3333CCCC3333@AdobeOrg"
H = "/data/foundation/exim/handshake"
T = "/data/foundation/exim/transfer"
P = "/data/foundation/exim/packages"


def link(a: Api, b: Api, *, approve: bool = True) -> dict[str, Any]:
    r = a.post(
        f"{H}/bulkCreate",
        json={"targetIMSOrgIds": [b.org_id], "sourceIMSDetails": {"id": a.org_id, "name": "A"}},
    )
    assert r.status_code == 200, r.text
    created = r.json()["successfulRequests"][b.org_id]
    if approve:
        r = b.post(
            f"{H}/action",
            json={
                "linkingID": created["linkingId"],
                "status": "APPROVED",
                "reason": "partners",
                "targetIMSOrgDetails": {"id": b.org_id, "name": f"Org {b.tenant}", "region": "va7"},
            },
        )
        assert r.status_code == 200, r.text
        return dict(r.json())
    return dict(created)


def wait_transfer(api: Api, transfer_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        t = api.get(f"{T}/{transfer_id}").json()
        if t["status"] in ("COMPLETED", "FAILED"):
            return dict(t)
        time.sleep(0.02)
    raise AssertionError("transfer did not finish")
