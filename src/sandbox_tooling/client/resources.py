"""The SDK's resources: one class per noun of the API, reached as ``client.packages``,
``client.imports``… Each method is one call (or a paged series of calls) and returns the
server's read models."""

from __future__ import annotations

import builtins
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from sandbox_tooling.client.errors import (
    JobFailedError,
    JobTimeoutError,
    NotFoundError,
    TargetDriftedError,
)
from sandbox_tooling.importer.schemas import ConflictRead, ImportPlanRead, PreflightRead
from sandbox_tooling.job.schemas import JobListItem, JobRead, ToolsEnvelope
from sandbox_tooling.models.enums import JobStatus
from sandbox_tooling.package.schemas import (
    ChildrenRead,
    JobSubmitted,
    PackageDeleted,
    PackagePayload,
    PackageRead,
)
from sandbox_tooling.registry.schemas import ObjectRead
from sandbox_tooling.sandbox.schemas import SandboxList, SandboxRead
from sandbox_tooling.sharing.schemas import BulkCreateRead, HandshakeRead, TransferRead
from sandbox_tooling.version.schemas import CompareEnvelope, VersionRead

if TYPE_CHECKING:
    from sandbox_tooling.batch.schemas import BatchRead
    from sandbox_tooling.client.client import Client

EXIM = "/data/foundation/exim"
PACKAGES = f"{EXIM}/packages"
SANDBOXES = "/data/foundation/sandbox-management/sandboxes"
OBJECTS = "/data/foundation/registry/objects"
#: ``(type, id)`` pairs, as artifacts are named.
Artifact = tuple[str, str]
Mappings = Mapping[str, Artifact]


def _artifacts(items: Iterable[Artifact]) -> list[dict[str, str]]:
    return [{"id": i, "type": t} for t, i in items]


def _mappings(items: Mappings | None) -> dict[str, dict[str, str]] | None:
    """``{source id: (type, target id)}`` as the API's ``alternatives``."""
    if items is None:
        return None
    return {src: {"id": tgt, "type": t} for src, (t, tgt) in items.items()}


def _quote(object_id: str) -> str:
    from urllib.parse import quote

    return quote(object_id, safe="")


class _Resource:
    def __init__(self, client: Client) -> None:
        self._c = client


class Sandboxes(_Resource):
    """Sandboxes of the org (``/sandbox-management``)."""

    def list(self, *, deleted: bool = False) -> list[SandboxRead]:
        """The sandboxes the caller can use (``deleted``: every sandbox, deleted included)."""
        path = SANDBOXES if deleted else "/data/foundation/sandbox-management"
        out: list[SandboxRead] = []
        offset = 0
        while True:
            page = self._c.call(
                "GET", path, SandboxList, params={"limit": 100, "offset": offset}, sandbox=None
            )
            out += page.sandboxes
            if len(page.sandboxes) < 100:
                return out
            offset += len(page.sandboxes)

    def get(self, name: str) -> SandboxRead:
        return self._c.call("GET", f"{SANDBOXES}/{name}", SandboxRead)

    def create(
        self, name: str, *, title: str | None = None, type: str = "development"
    ) -> SandboxRead:
        body = {"name": name, "title": title or name, "type": type}
        return self._c.call("POST", SANDBOXES, SandboxRead, json=body)

    def reset(self, name: str) -> SandboxRead:
        """Delete every object of the sandbox."""
        return self._c.call("PUT", f"{SANDBOXES}/{name}", SandboxRead, json={"action": "reset"})

    def delete(self, name: str) -> SandboxRead:
        return self._c.call("DELETE", f"{SANDBOXES}/{name}", SandboxRead)


class Objects(_Resource):
    """Objects of the registry (``/registry/objects/{TYPE}``), in ``sandbox`` (default: the
    client's)."""

    def list(
        self, type_name: str, *, sandbox: str | None = None, filters: Sequence[str] = ()
    ) -> Iterator[ObjectRead]:
        """Every object of a type (``filters``: ``property`` expressions, ``title==X``)."""
        params = {"property": list(filters)} if filters else None
        return self._c.pages(f"{OBJECTS}/{type_name}", ObjectRead, params=params, sandbox=sandbox)

    def get(self, type_name: str, object_id: str, *, sandbox: str | None = None) -> ObjectRead:
        path = f"{OBJECTS}/{type_name}/{_quote(object_id)}"
        return self._c.call("GET", path, ObjectRead, sandbox=sandbox)

    def create(
        self, type_name: str, definition: Mapping[str, Any], *, sandbox: str | None = None
    ) -> ObjectRead:
        return self._c.call(
            "POST", f"{OBJECTS}/{type_name}", ObjectRead, json=dict(definition), sandbox=sandbox
        )

    def replace(
        self,
        type_name: str,
        object_id: str,
        definition: Mapping[str, Any],
        *,
        sandbox: str | None = None,
    ) -> ObjectRead:
        path = f"{OBJECTS}/{type_name}/{_quote(object_id)}"
        return self._c.call("PUT", path, ObjectRead, json=dict(definition), sandbox=sandbox)

    def delete(self, type_name: str, object_id: str, *, sandbox: str | None = None) -> None:
        self._c.request("DELETE", f"{OBJECTS}/{type_name}/{_quote(object_id)}", sandbox=sandbox)

    def apply(
        self,
        type_name: str,
        definition: Mapping[str, Any],
        *,
        object_id: str | None = None,
        sandbox: str | None = None,
    ) -> tuple[ObjectRead, bool]:
        """Create the object, or replace it if its id exists: ``(object, created)``. The id
        is ``object_id``, else read from the definition by the (built-in) type."""
        object_id = object_id or _object_id(type_name, definition)
        if object_id is not None:
            try:
                self.get(type_name, object_id, sandbox=sandbox)
            except NotFoundError:
                pass
            else:
                return self.replace(type_name, object_id, definition, sandbox=sandbox), False
        return self.create(type_name, definition, sandbox=sandbox), True

    def batch(
        self, items: Iterable[tuple[str, Mapping[str, Any]]], *, sandbox: str | None = None
    ) -> BatchRead:
        """Create many objects of mixed types in one transaction (all or nothing)."""
        from sandbox_tooling.batch.schemas import BatchRead

        body = [{"type": t, "definition": dict(d)} for t, d in items]
        return self._c.call(
            "POST", "/data/foundation/registry/objects:batch", BatchRead, json=body, sandbox=sandbox
        )


def _object_id(type_name: str, definition: Mapping[str, Any]) -> str | None:
    from sandbox_tooling.artifact_type.plugins import default_types

    types = default_types()
    return types.get(type_name).get_id(definition) if type_name in types else None


class Packages(_Resource):
    """Packages (``/packages``)."""

    def list(
        self, *, filters: Sequence[str] = (), order: str | None = None
    ) -> Iterator[PackageRead]:
        """Every package of the org (``filters``: ``status==PUBLISHED``, ``name==X``…)."""
        params: dict[str, Any] = {}
        if filters:
            params["property"] = list(filters)
        if order:
            params["orderby"] = order
        return self._c.pages(PACKAGES, PackageRead, params=params)

    def get(self, package_id: str, *, capabilities: bool = False) -> PackageRead:
        params = {"getCapabilities": "true"} if capabilities else None
        return self._c.call("GET", f"{PACKAGES}/{package_id}", PackageRead, params=params)

    def create(
        self,
        name: str,
        *,
        sandbox: str | None = None,
        artifacts: Iterable[Artifact] = (),
        full: bool = False,
        description: str | None = None,
        expiry: str | None = None,
    ) -> PackageRead:
        """A DRAFT package of ``artifacts`` of ``sandbox`` (``full``: the whole sandbox)."""
        body: dict[str, Any] = {
            "name": name,
            "packageType": "FULL" if full else "PARTIAL",
            "sourceSandbox": {"name": sandbox or self._c.sandbox},
        }
        if not full:
            body["artifacts"] = _artifacts(artifacts)
        if description is not None:
            body["description"] = description
        if expiry is not None:
            body["expiry"] = expiry
        return self._c.call("POST", PACKAGES, PackageRead, json=body)

    def _edit(self, package_id: str, action: str, artifacts: Iterable[Artifact]) -> PackageRead:
        body = {"id": package_id, "action": action, "artifacts": _artifacts(artifacts)}
        return self._c.call("PUT", PACKAGES, PackageRead, json=body)

    def add(self, package_id: str, artifacts: Iterable[Artifact]) -> PackageRead:
        return self._edit(package_id, "ADD", artifacts)

    def remove(self, package_id: str, artifacts: Iterable[Artifact]) -> PackageRead:
        return self._edit(package_id, "DELETE", artifacts)

    def publish(self, package_id: str, *, expiry_days: int | None = None) -> JobSubmitted:
        """Start publishing (an EXPORT job; wait for it with ``client.jobs.wait``)."""
        params = {"expiryPeriod": expiry_days} if expiry_days is not None else None
        return self._c.call("GET", f"{PACKAGES}/{package_id}/export", JobSubmitted, params=params)

    def delete(self, package_id: str) -> PackageDeleted:
        return self._c.call("DELETE", f"{PACKAGES}/{package_id}", PackageDeleted)

    def children(
        self, package_id: str, artifacts: Iterable[Artifact] = ()
    ) -> builtins.list[ChildrenRead]:
        """Direct dependencies of artifacts of the package (of its roots by default)."""
        return self._c.call_list(
            "POST", f"{PACKAGES}/{package_id}/children", ChildrenRead, json=_artifacts(artifacts)
        )

    def make_public(self, package_id: str) -> PackageRead:
        body = {"id": package_id, "action": "UPDATE", "packageVisibility": "PUBLIC"}
        return self._c.call("PUT", PACKAGES, PackageRead, json=body)

    def payload(self, package_id: str) -> PackagePayload:
        return self._c.call("GET", f"{PACKAGES}/payload/{package_id}", PackagePayload)

    def share(self, package_id: str, orgs: Iterable[str]) -> builtins.list[TransferRead]:
        """Transfer the package to linked orgs (one transfer each)."""
        body = {"packageId": package_id, "targets": [{"imsOrgId": o} for o in orgs]}
        return self._c.call_list("POST", f"{EXIM}/transfer", TransferRead, json=body)

    def download(
        self, package_id: str, dest: str | Path | IO[bytes], *, version: int | None = None
    ) -> str:
        """Write a published version (the latest by default) as a package file to ``dest``
        (a path or a binary file); returns the file name the server suggests."""
        params = {"version": version} if version is not None else None
        r = self._c.request("GET", f"{PACKAGES}/{package_id}/file", params=params, stream=True)
        try:
            disposition = r.headers.get("content-disposition", "")
            name = disposition.split('filename="', 1)[-1].rstrip('"') or f"{package_id}.sbx.zip"
            if isinstance(dest, (str, Path)):
                with Path(dest).open("wb") as fh:
                    for chunk in r.iter_bytes():
                        fh.write(chunk)
            else:
                for chunk in r.iter_bytes():
                    dest.write(chunk)
        finally:
            r.close()
        return name

    def upload(self, file: str | Path | bytes) -> PackageRead:
        """Upload a package file into the org: a PUBLISHED package."""
        data = file if isinstance(file, bytes) else Path(file).read_bytes()
        return self._c.call(
            "POST",
            f"{PACKAGES}/file",
            PackageRead,
            content=data,
            headers={"Content-Type": "application/zip"},
        )


class Imports(_Resource):
    """Imports into a target sandbox: conflicts, preflight, plans, imports, updates."""

    def conflicts(self, package_id: str, target: str) -> list[ConflictRead]:
        path = f"{PACKAGES}/{package_id}/import"
        return self._c.call_list("GET", path, ConflictRead, params={"targetSandbox": target})

    def preflight(self, package_id: str, target: str) -> PreflightRead:
        path = f"{PACKAGES}/preflight/{package_id}"
        return self._c.call("GET", path, PreflightRead, params={"targetSandbox": target})

    def plan(
        self,
        package_id: str,
        target: str,
        *,
        alternatives: Mappings | None = None,
        update: bool = False,
        package_version: int | None = None,
    ) -> ImportPlanRead:
        """What an import (``update``: an update) would do; nothing is written. Apply it
        with ``apply``."""
        body: dict[str, Any] = {"destinationSandbox": {"name": target}, "update": update}
        if alternatives:
            body["overwriteMappings" if update else "alternatives"] = _mappings(alternatives)
        if package_version is not None:
            body["packageVersion"] = package_version
        path = f"{PACKAGES}/{package_id}/import/plan"
        return self._c.call("POST", path, ImportPlanRead, json=body)

    def submit(
        self,
        package_id: str,
        target: str,
        *,
        alternatives: Mappings | None = None,
        plan_id: str | None = None,
        name: str | None = None,
        description: str | None = None,
    ) -> JobSubmitted:
        """Start an import (an IMPORT job); with ``plan_id``, exactly that plan or nothing."""
        body: dict[str, Any] = {"id": package_id, "destinationSandbox": {"name": target}}
        if alternatives:
            body["alternatives"] = _mappings(alternatives)
        if plan_id is not None:
            body["planId"] = plan_id
        if name is not None:
            body["name"] = name
        if description is not None:
            body["description"] = description
        return self._c.call("POST", f"{PACKAGES}/import", JobSubmitted, json=body)

    def update(
        self,
        package_id: str,
        target: str,
        *,
        mappings: Mappings | None = None,
        plan_id: str | None = None,
    ) -> JobRead:
        """Start an update of the objects an earlier import created (an IMPORT/UPDATE job)."""
        body: dict[str, Any] = {"destinationSandbox": {"name": target}}
        if mappings:
            body["overwriteMappings"] = _mappings(mappings)
        if plan_id is not None:
            body["planId"] = plan_id
        return self._c.call("PATCH", f"{PACKAGES}/{package_id}/import", JobRead, json=body)

    def apply(self, plan: ImportPlanRead) -> str:
        """Start applying a plan (import, update or express copy); returns the job id."""
        target = plan.destination_sandbox.name
        if plan.kind == "UPDATE":
            assert plan.package_id is not None
            return self.update(plan.package_id, target, plan_id=plan.plan_id).id
        if plan.kind == "EXPRESS":
            raise ValueError("an express plan is applied with client.express.copy(plan_id=...)")
        assert plan.package_id is not None
        return self.submit(plan.package_id, target, plan_id=plan.plan_id).job_id

    def rollback(self, job_id: str) -> JobRead:
        """Undo an import (delete what it created)."""
        return self._c.call("POST", f"{PACKAGES}/jobs/{job_id}/rollback", JobRead)


class Express(_Resource):
    """Express copy: package, publish and import in one job."""

    @staticmethod
    def _body(
        source: str, target: str, artifacts: Iterable[Artifact], alternatives: Mappings | None
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "sourceSandbox": {"name": source},
            "destinationSandbox": {"name": target},
            "artifacts": _artifacts(artifacts),
        }
        if alternatives:
            body["alternatives"] = _mappings(alternatives)
        return body

    def plan(
        self,
        source: str,
        target: str,
        artifacts: Iterable[Artifact],
        *,
        alternatives: Mappings | None = None,
    ) -> ImportPlanRead:
        body = self._body(source, target, artifacts, alternatives)
        return self._c.call("POST", f"{PACKAGES}/express/plan", ImportPlanRead, json=body)

    def copy(
        self,
        source: str,
        target: str,
        artifacts: Iterable[Artifact],
        *,
        alternatives: Mappings | None = None,
        plan_id: str | None = None,
        name: str | None = None,
    ) -> JobRead:
        """Start the copy (a COPY job); with ``plan_id``, exactly that plan or nothing."""
        body = self._body(source, target, artifacts, alternatives)
        if plan_id is not None:
            body["planId"] = plan_id
        if name is not None:
            body["name"] = name
        return self._c.call("POST", f"{PACKAGES}/express", JobRead, json=body)


ProgressCallback = Callable[[JobRead], None]


class Jobs(_Resource):
    """Jobs: publish, import, update, compare, save, transfer, rollback, express copy."""

    def get(self, job_id: str) -> JobRead:
        return self._c.call("GET", f"{EXIM}/tools/job/{job_id}", ToolsEnvelope).object

    def list(self, *, filters: Sequence[str] = ()) -> Iterator[JobListItem]:
        params = {"property": list(filters)} if filters else None
        return self._c.pages(f"{PACKAGES}/jobs", JobListItem, params=params)

    def wait(
        self,
        job_id: str,
        *,
        timeout: float | None = None,
        interval: float = 0.25,
        progress: ProgressCallback | None = None,
        check: bool = True,
    ) -> JobRead:
        """Poll until the job ends; ``progress`` is called with each state seen. With
        ``check``, a FAILED job raises ``JobFailedError`` (``TargetDriftedError`` when an
        import refused its plan); past ``timeout`` seconds, ``JobTimeoutError``."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            job = self.get(job_id)
            if progress is not None:
                progress(job)
            if JobStatus(job.job_status).finished:
                break
            if deadline is not None and time.monotonic() >= deadline:
                raise JobTimeoutError(job, timeout or 0)
            pause = interval if deadline is None else min(interval, deadline - time.monotonic())
            time.sleep(max(pause, 0.01))
            interval = min(interval * 1.5, 2.0)
        if check and job.job_status != JobStatus.SUCCESS:
            if job.drifted_objects:
                raise TargetDriftedError(job)
            raise JobFailedError(job)
        return job


class Versions(_Resource):
    """Package versions: save, history, compare (updates are ``client.imports.update``)."""

    def save(self, package_id: str) -> JobRead:
        """Snapshot the source sandbox as the next version (a VERSION job)."""
        return self._c.call("POST", f"{PACKAGES}/{package_id}/version/save", JobRead)

    def history(self, package_id: str) -> list[VersionRead]:
        return self._c.call_list("GET", f"{PACKAGES}/{package_id}/history", VersionRead)

    def compare(
        self,
        package_id: str,
        *,
        target: str | None = None,
        version: int | None = None,
        mappings: Mappings | None = None,
        trigger_new: bool = True,
    ) -> JobRead:
        """Start a compare (a VERSION/COMPUTE job; its result has ``deltaPackageVersion``)."""
        body: dict[str, Any] = {"triggerNew": trigger_new}
        if target is not None:
            body["targetSandbox"] = target
        if version is not None:
            body["packageVersion"] = version
        if mappings:
            body["overwriteMappings"] = _mappings(mappings)
        path = f"{PACKAGES}/{package_id}/version/compare"
        return self._c.call("POST", path, CompareEnvelope, json=body).object


class Links(_Resource):
    """Links between orgs (``/handshake``)."""

    def list(self, *, direction: str | None = None) -> Iterator[HandshakeRead]:
        """The org's links: ``INCOMING``, ``OUTGOING`` or both."""
        params = {"requestType": direction} if direction else None
        return self._c.pages(f"{EXIM}/handshake/list", HandshakeRead, params=params)

    def request(self, orgs: Iterable[str]) -> BulkCreateRead:
        body = {"targetIMSOrgIds": list(orgs), "sourceIMSDetails": {"id": self._c.org}}
        return self._c.call("POST", f"{EXIM}/handshake/bulkCreate", BulkCreateRead, json=body)

    def _decide(self, linking_id: str, status: str, reason: str) -> HandshakeRead:
        link = next(
            (
                li
                for li in self.list(direction="INCOMING")
                if li.linking_id.replace("-", "") == linking_id.replace("-", "")
            ),
            None,
        )
        if link is None:
            raise NotFoundError(
                404, "LinkNotFound", f"no incoming link {linking_id} for this org", None
            )
        body = {
            "linkingID": linking_id,
            "status": status,
            "reason": reason,
            "targetIMSOrgDetails": {
                "id": self._c.org,
                "name": link.target_org_name or "",
                "region": link.target_region or "",
            },
        }
        return self._c.call("POST", f"{EXIM}/handshake/action", HandshakeRead, json=body)

    def approve(self, linking_id: str, reason: str = "approved") -> HandshakeRead:
        return self._decide(linking_id, "APPROVED", reason)

    def reject(self, linking_id: str, reason: str = "rejected") -> HandshakeRead:
        return self._decide(linking_id, "REJECTED", reason)


class Transfers(_Resource):
    """Package transfers between orgs (``/transfer``)."""

    def list(self, *, kind: str | None = None) -> Iterator[TransferRead]:
        """Transfers from or to the org (``kind``: ``PRIVATE`` or ``PUBLIC``)."""
        params = {"requestType": kind} if kind else None
        return self._c.pages(f"{EXIM}/transfer/list", TransferRead, params=params)

    def get(self, transfer_id: str) -> TransferRead:
        return self._c.call("GET", f"{EXIM}/transfer/{transfer_id}", TransferRead)

    def pull(self, org: str, package_id: str) -> TransferRead:
        """Pull another org's PUBLIC package."""
        body = {"imsOrgId": org, "packageId": package_id}
        return self._c.call("POST", f"{EXIM}/transfer/pullRequest", TransferRead, json=body)
