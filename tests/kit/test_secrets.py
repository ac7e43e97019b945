"""Secrets never reach snapshots (issue 9 §6): redaction by structure and by value pattern,
checked in the blobs on disk, the imported object and a transfer to another org; the
non-secret values of a connection survive."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sandbox_tooling.config import Settings
from sandbox_tooling.kit import secrets
from sandbox_tooling.kit.secrets import PLACEHOLDER, is_secret_name, redact, redact_text
from sandbox_tooling.runtime import Runtime
from tests import factories as f
from tests.helpers import ORG_B, Api, objects, package, run_import, sandbox
from tests.sharing.helpers import T, link, wait_transfer

P = "/data/foundation/exim/packages"

#: Every secret of the flow below: none may appear in a snapshot, import or transfer.
SECRETS = [f"Zq{n:02d}secretVALUE" for n in range(1, 31)]
S = dict(enumerate(SECRETS, start=1))
PEM = f"-----BEGIN PRIVATE KEY-----\nMIIEv{S[11]}QIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----"
JWT = f"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.{S[16]}"


def secret_flow(mapping_id: str, dataset_id: str) -> dict[str, Any]:
    """A dataflow with 30 secrets in as many placements (keys, strings, headers, PEM, JWT)."""
    return {
        "name": "HTTP members",
        "flowSpec": {"id": "9753525b-82c7-4dce-8a9b-5ccfce2b9876", "version": "1.0"},
        "sourceConnections": [
            {
                "connectionSpec": {"id": "b3ba5556-48be-44b7-8b85-ff2b69b46dc4", "version": "1.0"},
                "params": {
                    "path": "/exports/members.csv",
                    "username": "etl-reader",
                    "authType": "ConnectionString",
                    "pwd": S[1],
                    "connectionString": (
                        f"Server=db.example.com;Database=crm;User ID=etl;Password={S[2]};"
                        "Encrypt=true"
                    ),
                    "sasUri": (
                        f"https://acct.blob.core.windows.net/landing?sv=2022-11-02&sp=rl&sig={S[3]}"
                    ),
                    "headers": [
                        {"name": "Authorization", "value": f"Bearer {S[4]}"},
                        {"name": "Accept", "value": "application/json"},
                        {"name": "Cookie", "value": f"session={S[5]}"},
                        {"name": "X-Api-Key", "value": S[6]},
                    ],
                    "apiKey": S[7],
                    "clientSecret": S[8],
                    "accessToken": S[9],
                    "passwd": S[10],
                    "privateKeyPem": PEM,
                    "credentials": {
                        "type": "service_account",
                        "private_key_id": S[12],
                        "client_email": f"{S[13]}@iam.example.com",
                    },
                    "apiSecret": S[14],
                    "url": f"https://etl:{S[15]}@api.example.com/v1/members?page=1",
                    "note": f"rotated; current session {JWT}",
                    "dsn": f"host=pg.example.com port=5432 dbname=crm user=etl password={S[17]}",
                    "storage": (
                        f"DefaultEndpointsProtocol=https;AccountName=acct;AccountKey={S[18]}==;"
                        "EndpointSuffix=core.windows.net"
                    ),
                    "mongo": f"mongodb://etl:{S[19]}@mongo.example.com:27017/crm",
                    "presigned": (
                        "https://bucket.s3.amazonaws.com/a.csv?X-Amz-Credential="
                        f"{S[20]}&X-Amz-Signature={S[21]}&X-Amz-Expires=300"
                    ),
                    "sasToken": f"sv=2022-11-02&sig={S[22]}",
                    "s3AccessKey": S[23],
                    "webhook": f"https://hooks.example.com/in?access_token={S[24]}&format=json",
                    "serviceAccountJson": json.dumps({"type": "sa", "private_key": S[25]}),
                    "customHeaders": {"Authorization": f"Basic {S[26]}", "Accept": "text/csv"},
                    "useSasToken": True,
                },
                "baseConnection": {
                    "auth": {
                        "specName": "Basic Authentication for SFTP",
                        "params": {"username": S[27], "password": S[28]},
                    },
                    "params": {"host": "sftp.example.com", "passPhrase": S[29]},
                },
            }
        ],
        "targetConnections": [
            {
                "params": {
                    "dataSetId": dataset_id,
                    "dataFormat": "parquet",
                    "authorization": f"Token {S[30]}",
                }
            }
        ],
        "transformations": [{"name": "Mapping", "params": {"mappingId": mapping_id}}],
    }


def assert_no_secret(text: str, where: str) -> None:
    found = [s for s in SECRETS if s in text]
    assert not found, f"{where}: {found}"
    assert "PRIVATE KEY-----\nMIIEv" not in text and "eyJzdWIiOiIxMjM0In0" not in text, where


def assert_useful(definition: dict[str, Any], dataset_id: str, mapping_id: str) -> None:
    """What is not secret survives, and the secret parts are placeholders."""
    src = definition["sourceConnections"][0]
    params = src["params"]
    assert src["connectionSpec"]["id"] == "b3ba5556-48be-44b7-8b85-ff2b69b46dc4"
    assert params["path"] == "/exports/members.csv"
    assert params["username"] == "etl-reader" and params["authType"] == "ConnectionString"
    assert params["connectionString"] == (
        f"Server=db.example.com;Database=crm;User ID=etl;Password={PLACEHOLDER};Encrypt=true"
    )
    assert params["sasUri"] == (
        f"https://acct.blob.core.windows.net/landing?sv=2022-11-02&sp=rl&sig={PLACEHOLDER}"
    )
    assert params["headers"] == [
        {"name": "Authorization", "value": PLACEHOLDER},
        {"name": "Accept", "value": "application/json"},
        {"name": "Cookie", "value": PLACEHOLDER},
        {"name": "X-Api-Key", "value": PLACEHOLDER},
    ]
    assert params["credentials"]["type"] == "service_account"
    assert params["url"] == f"https://etl:{PLACEHOLDER}@api.example.com/v1/members?page=1"
    assert params["storage"].startswith("DefaultEndpointsProtocol=https;AccountName=acct;")
    assert params["mongo"] == f"mongodb://etl:{PLACEHOLDER}@mongo.example.com:27017/crm"
    assert params["webhook"].endswith("&format=json")
    assert params["customHeaders"] == {"Authorization": PLACEHOLDER, "Accept": "text/csv"}
    assert params["useSasToken"] is True
    for key in ("pwd", "apiKey", "clientSecret", "accessToken", "privateKeyPem", "sasToken"):
        assert params[key] == PLACEHOLDER, key
    auth = src["baseConnection"]["auth"]
    assert auth["specName"] == "Basic Authentication for SFTP"
    assert auth["params"] == {"username": PLACEHOLDER, "password": PLACEHOLDER}
    assert src["baseConnection"]["params"]["host"] == "sftp.example.com"
    target = definition["targetConnections"][0]["params"]
    assert target["dataSetId"] == dataset_id and target["dataFormat"] == "parquet"
    assert target["authorization"] == PLACEHOLDER
    assert definition["transformations"][0]["params"]["mappingId"] == mapping_id


def blob_text(blob_dir: Path) -> str:
    files = [p for p in blob_dir.rglob("*") if p.is_file()]
    assert files, blob_dir
    return "\n".join(p.read_bytes().decode("utf-8", "replace") for p in files)


def test_flow_secrets_never_leave_the_source(
    api: Api, api_b: Api, state: Runtime, settings: Settings
) -> None:
    w = f.seed_world(api)
    flow_id = api.create("FLOW", secret_flow(w["map"], w["ds"]))
    # the source object keeps its credentials
    source = api.get(f"/data/foundation/registry/objects/FLOW/{flow_id}").text
    assert all(s in source for s in SECRETS[:10])

    pid = package(api, [("FLOW", flow_id)], name="secret flow")
    assert settings.blob_dir is not None
    on_disk = blob_text(settings.blob_dir)
    assert_no_secret(on_disk, "blobs")
    assert PLACEHOLDER in on_disk
    lines = [json.loads(line) for line in on_disk.splitlines() if line.startswith('{"')]
    snap = next(a for a in lines if a.get("type") == "FLOW" and "definition" in a)
    assert_useful(snap["definition"], w["ds"], w["map"])

    # import into another sandbox of the org
    sandbox(api, "dev")
    job = run_import(api, pid, "dev")
    assert job["jobStatus"] == "SUCCESS", job
    assert_no_secret(json.dumps(job), "import job")
    imported = [o for k, o in objects(api, "dev").items() if k[0] == "FLOW"]
    assert len(imported) == 1
    assert_no_secret(json.dumps(imported), "imported flow")
    new_ds = next(k[1] for k in objects(api, "dev") if k[0] == "CATALOG_DATASET")
    new_map = next(k[1] for k in objects(api, "dev") if k[0] == "MAPPING_SET")
    assert_useful(imported[0]["definition"], new_ds, new_map)
    assert imported[0]["definition"]["state"] == "draft"

    # transfer to another org, which imports its copy
    link(api, api_b)
    r = api.post(T, json={"packageId": pid, "targets": [{"imsOrgId": ORG_B}]})
    assert r.status_code == 200, r.text
    done = wait_transfer(api, r.json()[0]["id"])
    assert done["status"] == "COMPLETED", done
    assert_no_secret(json.dumps(done), "transfer")
    assert_no_secret(blob_text(settings.blob_dir), "blobs after the transfer")
    r = api_b.post(
        f"{P}/import", json={"id": done["targetPackageId"], "destinationSandbox": {"name": "prod"}}
    )
    assert r.status_code == 200, r.text
    job = api_b.wait_job(r.json()["jobId"])
    assert job["jobStatus"] == "SUCCESS", job
    theirs = objects(api_b, "prod")
    flows = [o for k, o in theirs.items() if k[0] == "FLOW"]
    assert len(flows) == 1
    assert_no_secret(json.dumps(list(theirs.values())), "the other org's objects")
    b_ds = next(k[1] for k in theirs if k[0] == "CATALOG_DATASET")
    b_map = next(k[1] for k in theirs if k[0] == "MAPPING_SET")
    assert_useful(flows[0]["definition"], b_ds, b_map)


# -- the redactor itself ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name",
    [
        "password",
        "pwd",
        "passwd",
        "passPhrase",
        "apiKey",
        "api_key",
        "X-Api-Key",
        "clientSecret",
        "client_secret",
        "accessToken",
        "refresh_token",
        "privateKeyPem",
        "credentials",
        "apiSecret",
        "sasToken",
        "sig",
        "signature",
        "X-Amz-Signature",
        "Authorization",
        "Proxy-Authorization",
        "auth",
        "Cookie",
        "accountKey",
        "SASToken",
        "s3SecretKey",
        "subscriptionkey",
    ],
)
def test_secret_names(name: str) -> None:
    assert is_secret_name(name)


@pytest.mark.parametrize(
    "name",
    [
        "dataSetId",
        "mappingId",
        "specName",
        "path",
        "folderPath",
        "username",
        "host",
        "authType",
        "authenticationType",
        "tokenUrl",
        "sasUri",
        "keyFile",
        "author",
        "passive",
        "keyspace",
        "signatureVersion",
        "connectionString",
        "bucketName",
        "format",
        "name",
    ],
)
def test_not_secret_names(name: str) -> None:
    assert not is_secret_name(name)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Server=x;Uid=u;Pwd={a;b};Database=d",
            f"Server=x;Uid=u;Pwd={PLACEHOLDER};Database=d",
        ),
        (
            "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=root;"
            "SharedAccessKey=abcdefgh=",
            "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=root;"
            f"SharedAccessKey={PLACEHOLDER}",
        ),
        (
            "BlobEndpoint=https://a.blob.core.windows.net/;SharedAccessSignature=sv=1&sig=abc",
            f"BlobEndpoint=https://a.blob.core.windows.net/;SharedAccessSignature={PLACEHOLDER}",
        ),
        (
            "jdbc:snowflake://acct.snowflakecomputing.com/?user=etl&password=p4ss&warehouse=wh",
            "jdbc:snowflake://acct.snowflakecomputing.com/?user=etl"
            f"&password={PLACEHOLDER}&warehouse=wh",
        ),
        ("Bearer abcdefghijkl", f"Bearer {PLACEHOLDER}"),
        ("Basic Authentication for SFTP", "Basic Authentication for SFTP"),
        ("key AKIAABCDEFGHIJKLMNOP here", f"key {PLACEHOLDER} here"),
        ("/exports/members.csv", "/exports/members.csv"),
        (
            "https://api.example.com/v1?page=2&limit=10",
            "https://api.example.com/v1?page=2&limit=10",
        ),
        ("9ff80183ba804a7cb63274be", "9ff80183ba804a7cb63274be"),
    ],
)
def test_value_patterns(text: str, expected: str) -> None:
    assert redact_text(text) == expected


def test_redact_keeps_given_paths_and_the_original() -> None:
    doc = {"params": {"token": "abc", "list": ["x", {"password": "p", "n": 1, "on": False}]}}
    out = redact(doc, keep=["/params/token"])
    assert out == {
        "params": {"token": "abc", "list": ["x", {"password": PLACEHOLDER, "n": 1, "on": False}]}
    }
    assert doc["params"]["list"][1]["password"] == "p"  # type: ignore[index]
    assert secrets.redact({"auth": {"a": [1, "b", None]}}) == {
        "auth": {"a": [PLACEHOLDER, PLACEHOLDER, None]}
    }
