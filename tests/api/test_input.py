"""Bad input is a 4xx naming the field, never a 500 (issue 9 §5): integers beyond 64 bits,
NUL characters, NaN/Infinity, huge filter lists, unknown and repeated query parameters,
405 with ``Allow``, over-long URLs (414), and the keep-alive connection survives them all."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from fastapi import Depends, FastAPI, Request
from fastapi.testclient import TestClient

from sandbox_tooling.api import errors
from sandbox_tooling.api.app import create_app
from sandbox_tooling.api.query import check_request
from sandbox_tooling.config import Settings
from sandbox_tooling.runtime import Runtime
from tests import factories as f
from tests.helpers import ORG_A, Api, make_api

P = "/data/foundation/exim/packages"
OBJ = "/data/foundation/registry/objects"
SM = "/data/foundation/sandbox-management"
H = "/data/foundation/exim/handshake"
T = "/data/foundation/exim/transfer"
BIG = "99999999999999999999"  # beyond 64 bits
JSON_CT = {"Content-Type": "application/json"}


def problem(r: Any, status: int, field: str) -> dict[str, Any]:
    """Assert a problem-shaped error whose detail starts with ``field``."""
    assert r.status_code == status, (r.status_code, r.text)
    body = r.json()
    assert set(body) >= {"type", "status", "title", "detail", "error"}, body
    assert body["status"] == status
    assert body["detail"].startswith(field), (field, body["detail"])
    return dict(body)


def draft(api: Api, name: str = "pkg") -> str:
    r = api.post(P, json={"name": name, "packageType": "FULL"})
    assert r.status_code == 200, r.text
    return str(r.json()["id"])


class TestBigIntegers:
    def test_list_start_and_limit(self, api: Api) -> None:
        problem(api.get(f"{P}?start={BIG}"), 400, "query parameter 'start'")
        problem(api.get(f"{P}?limit={BIG}"), 400, "query parameter 'limit'")
        problem(api.get(f"{P}/jobs?start=-{BIG}"), 400, "query parameter 'start'")
        # the largest 64-bit offset is a valid (empty) page
        r = api.get(f"{P}?start=9223372036854775807")
        assert r.status_code == 200 and r.json()["data"] == []

    def test_sandbox_offset_and_limit(self, api: Api) -> None:
        problem(api.get(f"{SM}/sandboxes?limit=10&offset={BIG}"), 400, "query parameter 'offset'")
        problem(api.get(f"{SM}/?limit={BIG}&offset=0"), 400, "query parameter 'limit'")

    def test_expiry_period(self, api: Api) -> None:
        pid = draft(api)
        problem(
            api.get(f"{P}/{pid}/export?expiryPeriod={BIG}"), 400, "query parameter 'expiryPeriod'"
        )
        # within 64 bits but no representable date: refused too, and nothing was published
        problem(
            api.get(f"{P}/{pid}/export?expiryPeriod=9223372036854775807"),
            400,
            "query parameter 'expiryPeriod'",
        )
        assert api.get(f"{P}/{pid}").json()["status"] == "DRAFT"

    def test_date_filters(self, api: Api) -> None:
        for expr in (f"createdDate>{BIG}", f"createdDate<=-{BIG}", f"expiry=={BIG}"):
            problem(api.get(f"{P}?property={expr}"), 400, "query parameter 'property'")
        assert api.get(f"{P}?property=createdDate<9223372036854775807").status_code == 200

    def test_in_a_definition(self, api: Api) -> None:
        dt = f.datatype()
        dt["properties"]["tier"]["maxLength"] = int(BIG)
        r = api.post(f"{OBJ}/REGISTRY_DATATYPE", json=dt)
        body = problem(r, 400, "properties.tier.maxLength")
        assert "64-bit" in body["detail"]
        dt["properties"]["tier"]["maxLength"] = -(2**63) - 1
        problem(api.post(f"{OBJ}/REGISTRY_DATATYPE", json=dt), 400, "properties.tier.maxLength")
        dt["properties"]["tier"]["maxLength"] = 2**63 - 1
        assert api.post(f"{OBJ}/REGISTRY_DATATYPE", json=dt).status_code == 201

    def test_in_a_package_body(self, api: Api) -> None:
        pid = draft(api)
        r = api.put(P, json={"id": pid, "action": "UPDATE", "name": "x", "version": int(BIG)})
        problem(r, 400, "version")

    def test_version_numbers_beyond_32_bits(self, api: Api) -> None:
        """Version numbers are 32-bit columns (PostgreSQL answered 500 for 2**40)."""
        w = f.seed_world(api)
        r = api.post(
            P,
            json={
                "name": "v",
                "packageType": "PARTIAL",
                "artifacts": [{"id": w["schema"], "type": "REGISTRY_SCHEMA"}],
            },
        )
        pid = r.json()["id"]
        assert api.publish(pid)["jobStatus"] == "SUCCESS"
        r = api.post(f"{P}/{pid}/version/compare", json={"packageVersion": 2**40})
        problem(r, 400, "packageVersion")
        r = api.put(P, json={"id": pid, "action": "UPDATE", "name": "x", "version": 2**40})
        problem(r, 400, "version")


class TestHugeFilters:
    def test_many_values_in_one_property(self, api: Api) -> None:
        draft(api, "a")
        ok = "name==" + ",".join(["a"] + [f"n{i}" for i in range(999)])
        r = api.get(f"{P}?property={ok}")
        assert r.status_code == 200, r.text
        assert r.json()["totalElements"] == 1
        r = api.get(f"{P}?property=name!=" + ",".join(f"n{i}" for i in range(1000)))
        assert r.status_code == 200 and r.json()["totalElements"] == 1
        too_many = "name==" + ",".join(["a"] * 1200)
        problem(api.get(f"{P}?property={too_many}"), 400, "query parameter 'property'")

    def test_many_property_parameters(self, api: Api) -> None:
        params = "&".join(["property=name!=zz"] * 50)
        assert api.get(f"{P}?{params}").status_code == 200
        for n in (51, 400):
            params = "&".join(["property=name!=z"] * n)
            problem(api.get(f"{P}?{params}"), 400, "query parameter 'property'")


class TestNul:
    def test_in_bodies(self, api: Api) -> None:
        problem(api.post(P, json={"name": "a\x00b", "packageType": "FULL"}), 400, "name")
        problem(
            api.post(f"{OBJ}/REGISTRY_DATATYPE", json={**f.datatype(), "title": "T\x00"}),
            400,
            "title",
        )
        problem(
            api.post(
                f"{SM}/sandboxes", json={"name": "dev", "title": "D\x00", "type": "development"}
            ),
            400,
            "title",
        )
        assert (
            api.post(
                f"{SM}/sandboxes", json={"name": "dev", "title": "D", "type": "development"}
            ).status_code
            == 201
        )
        problem(api.patch(f"{SM}/sandboxes/dev", json={"title": "x\x00"}), 400, "title")
        body = {"id": "x", "destinationSandbox": {"name": "d\x00ev"}}
        problem(api.post(f"{P}/import", json=body), 400, "destinationSandbox.name")
        # in a key, deep in a definition
        dt = f.datatype()
        dt["properties"]["a\x00"] = {"type": "string"}
        problem(api.post(f"{OBJ}/REGISTRY_DATATYPE", json=dt), 400, "properties")
        r = api.post(
            P,
            json={
                "name": "x",
                "packageType": "PARTIAL",
                "artifacts": [{"id": "\x00", "type": "FLOW"}],
            },
        )
        problem(r, 400, "artifacts[0].id")

    def test_in_paths(self, api: Api) -> None:
        problem(api.get(f"{P}/abc%00def"), 400, "path parameter 'package_id'")
        problem(api.delete(f"{P}/abc%00def"), 400, "path parameter 'package_id'")
        problem(api.get(f"{OBJ}/REGISTRY_SCHEMA/x%00y"), 400, "path parameter 'object_id'")
        problem(api.get(f"{SM}/sandboxes/a%00b"), 400, "path parameter 'name'")
        problem(api.get(f"{T}/a%00b"), 400, "path parameter 'transfer_id'")

    def test_in_queries(self, api: Api) -> None:
        problem(api.get(f"{P}?property=name==a%00b"), 400, "query parameter 'property'")
        problem(api.get(f"{P}/x/import?targetSandbox=d%00"), 400, "query parameter 'targetSandbox'")
        problem(api.get(f"{H}/list?requestType=IN%00"), 400, "query parameter 'requestType'")
        problem(api.get(f"{P}?a%00=1"), 400, "query parameter 'a")

    def test_token_endpoint_keeps_oauth_shape(self, api: Api) -> None:
        r = api.client.post(
            "/ims/token/v3",
            content=b"grant_type=client_credentials&client_id=a%00b&client_secret=s",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert r.status_code == 400, r.text
        assert r.json()["error"] == "invalid_request"
        assert r.json()["error_description"].startswith("client_id")
        r = api.client.post("/ims/token/v3?x=1", data={"grant_type": "client_credentials"})
        assert r.status_code == 400 and r.json()["error"] == "invalid_request"
        assert r.json()["error_description"].startswith("query parameter 'x'")

    def test_lone_surrogate(self, api: Api) -> None:
        r = api.post(P, content=b'{"name": "a\\ud800", "packageType": "FULL"}', headers=JSON_CT)
        problem(r, 400, "name")
        raw = b'{"title": "T\\udc00", "type": "object"}'
        problem(api.post(f"{OBJ}/REGISTRY_DATATYPE", content=raw, headers=JSON_CT), 400, "title")


class TestJsonConstants:
    @pytest.mark.parametrize("const", ["NaN", "Infinity", "-Infinity", "1e400"])
    def test_refused(self, api: Api, const: str) -> None:
        raw = '{"title": "T", "type": "object", "properties": {"a": {"type": "number", "minimum": %s}}}'
        r = api.post(f"{OBJ}/REGISTRY_DATATYPE", content=(raw % const).encode(), headers=JSON_CT)
        problem(r, 400, "properties.a.minimum")

    def test_in_a_package_body(self, api: Api) -> None:
        r = api.post(P, content=b'{"name": NaN, "packageType": "FULL"}', headers=JSON_CT)
        problem(r, 400, "name")

    @pytest.mark.parametrize("depth", [600, 5000])
    def test_deep_nesting(self, api: Api, depth: int) -> None:
        raw = b'{"title": "T", "x": ' + b"[" * depth + b"]" * depth + b"}"
        r = api.post(f"{OBJ}/REGISTRY_DATATYPE", content=raw, headers=JSON_CT)
        assert "nested deeper than" in problem(r, 400, "body")["detail"]


class TestFlowShape:
    def test_null_dataset_id(self, api: Api) -> None:
        w = f.seed_world(api)
        flow = f.flow(w["map"], w["ds"])
        flow["targetConnections"][0]["params"]["dataSetId"] = None
        r = api.post(f"{OBJ}/FLOW", json=flow)
        problem(r, 400, "definition.targetConnections[0].params.dataSetId")
        flow["targetConnections"][0]["params"]["dataSetId"] = 5
        problem(
            api.post(f"{OBJ}/FLOW", json=flow),
            400,
            "definition.targetConnections[0].params.dataSetId",
        )
        flow = f.flow(w["map"], w["ds"])
        flow["transformations"][0]["params"]["mappingId"] = None
        problem(
            api.post(f"{OBJ}/FLOW", json=flow),
            400,
            "definition.transformations[0].params.mappingId",
        )


class TestQueryStrictness:
    @pytest.mark.parametrize(
        "method,path",
        [
            ("GET", "{P}/{pid}"),
            ("DELETE", "{P}/{pid}"),
            ("POST", "{P}"),
            ("PUT", "{P}"),
            ("GET", "{P}/{pid}/history"),
            ("GET", "{SM}/sandboxTypes"),
            ("GET", "{SM}/sandboxes"),
            ("GET", "{SM}/sandboxes/prod"),
            ("GET", "{OBJ}/REGISTRY_SCHEMA/x"),
            ("GET", "/data/foundation/exim/tools/job/x"),
            ("GET", "{T}/x"),
            ("POST", "{H}/bulkCreate"),
        ],
    )
    def test_unknown_parameter(self, api: Api, method: str, path: str) -> None:
        pid = draft(api)
        url = path.format(P=P, SM=SM, OBJ=OBJ, T=T, H=H, pid=pid) + "?bogus=1"
        r = api.request(method, url, json={})
        problem(r, 400, "query parameter 'bogus'")
        assert api.get(f"{P}/{pid}").status_code == 200  # nothing happened

    def test_list_grammar_only_on_lists(self, api: Api) -> None:
        pid = draft(api)
        for param in ("limit=5", "start=0", "property=name==a", "orderby=name"):
            problem(api.get(f"{P}/{pid}?{param}"), 400, "query parameter '")
            assert api.get(f"{P}?{param}").status_code == 200
        # the sandbox lists page with limit/offset, not the list grammar
        problem(api.get(f"{SM}/sandboxes?start=0"), 400, "query parameter 'start'")
        assert api.get(f"{SM}/sandboxes?limit=5&offset=0").status_code == 200
        # declared names are exact; the list grammar is case-insensitive as before
        assert api.get(f"{P}/{pid}?getCapabilities=true").status_code == 200
        problem(
            api.get(f"{P}/{pid}?GetCapabilities=true"), 400, "query parameter 'GetCapabilities'"
        )
        assert api.get(f"{P}?orderBy=name&Limit=5").status_code == 200
        assert api.get(f"{H}/list?requestType=INCOMING&limit=5").status_code == 200
        problem(api.get(f"{H}/list?RequestType=INCOMING"), 400, "query parameter 'RequestType'")

    def test_publish_with_unknown_parameter_publishes_nothing(self, api: Api) -> None:
        pid = draft(api)
        problem(api.get(f"{P}/{pid}/export?expiry=5"), 400, "query parameter 'expiry'")
        assert api.get(f"{P}/{pid}").json()["status"] == "DRAFT"

    def test_repeated_scalars(self, api: Api) -> None:
        pid = draft(api)
        problem(api.get(f"{P}?limit=1&limit=2"), 400, "query parameter 'limit'")
        problem(api.get(f"{P}?orderby=name&orderBy=-name"), 400, "query parameter 'orderBy'")
        problem(
            api.get(f"{P}/x/import?targetSandbox=a&targetSandbox=b"),
            400,
            "query parameter 'targetSandbox'",
        )
        problem(
            api.get(f"{P}/{pid}/export?expiryPeriod=1&expiryPeriod=2"),
            400,
            "query parameter 'expiryPeriod'",
        )
        problem(
            api.get(f"{SM}/sandboxes?limit=1&offset=0&offset=1"), 400, "query parameter 'offset'"
        )
        assert api.get(f"{P}/{pid}").json()["status"] == "DRAFT"
        # property is the list parameter: repeated, it is ANDed
        assert (
            api.get(f"{P}?property=name==pkg&property=packageType==FULL").json()["totalElements"]
            == 1
        )


def test_parameters_declared_in_openapi_extra() -> None:
    """A route may declare its query parameters in ``openapi_extra`` only (the list grammar,
    parsed by the endpoint itself): they count as declared, with their types."""
    app = FastAPI(dependencies=[Depends(check_request)])
    errors.install(app)
    grammar = [("property", "array"), ("orderby", "string"), ("start", "integer")]
    extra = {"parameters": [{"name": n, "in": "query", "schema": {"type": t}} for n, t in grammar]}
    grammar.append(("limit", "integer"))
    extra_with_limit = {
        "parameters": [{"name": n, "in": "query", "schema": {"type": t}} for n, t in grammar]
    }

    @app.get("/things", openapi_extra=extra_with_limit)
    def things(request: Request) -> dict[str, bool]:
        return {"ok": True}

    @app.get("/partial", openapi_extra=extra)  # not the whole grammar: exact names only
    def partial(request: Request) -> dict[str, bool]:
        return {"ok": True}

    client = TestClient(app)
    assert client.get("/things?property=a&property=b&orderBy=x&start=1&Limit=2").status_code == 200
    for query, name in (
        ("start=1&start=2", "start"),
        ("orderby=a&orderBy=b", "orderBy"),
        (f"start={BIG}", "start"),
        (f"limit={BIG}", "limit"),
        ("bogus=1", "bogus"),
    ):
        problem(client.get(f"/things?{query}"), 400, f"query parameter '{name}'")
    assert client.get("/partial?property=a&property=b&start=3").status_code == 200
    problem(client.get("/partial?orderBy=x"), 400, "query parameter 'orderBy'")


class TestProtocol:
    def test_405_carries_allow(self, api: Api) -> None:
        r = api.request("PATCH", P, json={})
        assert r.status_code == 405
        assert set(r.headers["allow"].split(", ")) == {"GET", "POST", "PUT"}
        assert r.json()["status"] == 405
        r = api.request("PUT", f"{P}/abc")
        assert r.status_code == 405
        assert set(r.headers["allow"].split(", ")) == {"GET", "DELETE"}
        r = api.client.get("/ims/token/v3")
        assert r.status_code == 405 and r.headers["allow"] == "POST"

    def test_overlong_url_is_414(self, api: Api) -> None:
        r = api.get(f"{P}?property=name==" + "a" * 9000)
        assert r.status_code == 414
        assert r.json()["status"] == 414 and r.json()["detail"].startswith("request URL")
        r = api.get(f"{P}/" + "a" * 9000)
        assert r.status_code == 414


# -- a real server: 4xx answers keep the connection open ------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(settings: Settings, state: Runtime) -> Iterator[tuple[int, Api]]:
    caller = make_api(None, state, ORG_A, "alpha")  # type: ignore[arg-type]
    port = _free_port()
    config = uvicorn.Config(
        create_app(settings, state), host="127.0.0.1", port=port, log_level="critical"
    )
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert srv.started
    try:
        yield port, caller
    finally:
        srv.should_exit = True
        thread.join(timeout=20)


def test_keep_alive_survives_bad_input(server: tuple[int, Api]) -> None:
    port, caller = server
    headers = {**caller.headers(), "Content-Type": "application/json"}
    dt = json.dumps(f.datatype()).replace('"string"}', f'"string", "maxLength": {BIG}}}')
    bad = [
        ("GET", f"{P}?start={BIG}", None),
        ("POST", f"{OBJ}/REGISTRY_DATATYPE", dt.encode()),
        ("POST", P, b'{"name": "a\\u0000", "packageType": "FULL"}'),
        ("GET", f"{P}/abc%00def", None),
        ("GET", f"{P}?property=name==" + ",".join(["a"] * 1200), None),
        ("GET", f"{P}?bogus=1", None),
        ("PATCH", P, b"{}"),
        ("POST", P, b'{"name": Infinity, "packageType": "FULL"}'),
    ]
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        conn.request("GET", P, headers=headers)
        r = conn.getresponse()
        r.read()
        assert r.status == 200
        sock = conn.sock
        for method, path, body in bad:
            conn.request(method, path, body=body, headers=headers)
            r = conn.getresponse()
            payload = r.read()
            assert 400 <= r.status < 500, (method, path, r.status, payload)
            assert (r.getheader("connection") or "").lower() != "close"
            # the same connection answers the next request
            conn.request("GET", P, headers=headers)
            ok = conn.getresponse()
            ok.read()
            assert ok.status == 200, (method, path)
            assert conn.sock is sock, (method, path)
    finally:
        conn.close()
