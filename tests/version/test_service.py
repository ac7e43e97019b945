"""Version rules: only VERSIONABLE packages (XDM types only) are compared or updated."""

from __future__ import annotations

from tests.helpers import Api, package
from tests.version.helpers import P


class TestCapabilities:
    def test_not_versionable_refused(self, api: Api, world: dict[str, str]) -> None:
        pid = package(api, [("JOURNEY", world["journey"])], name="journeys")
        caps = api.get(f"{P}/{pid}?getCapabilities=true").json()["packageCapabilities"]
        assert caps == {"capabilities": []}
        r = api.post(f"{P}/{pid}/version/compare", json={})
        assert r.status_code == 409 and "VERSIONABLE" in r.json()["detail"]
        r = api.patch(
            f"{P}/{pid}/import", json={"name": "u", "destinationSandbox": {"name": "dev"}}
        )
        assert r.status_code == 409 and "VERSIONABLE" in r.json()["detail"]
        xdm = api.get(f"{P}/{world['pkg']}?getCapabilities=true").json()
        assert xdm["packageCapabilities"] == {"capabilities": ["VERSIONABLE"]}
