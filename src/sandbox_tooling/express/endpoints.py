"""Express copy endpoints (beyond Adobe): plan, then copy objects between sandboxes in one
job."""

from __future__ import annotations

from sandbox_tooling.api.deps import CurrentPrincipal, RuntimeDep, SessionDep
from sandbox_tooling.api.responses import errors
from sandbox_tooling.api.routing import api_router
from sandbox_tooling.express import service as express_service
from sandbox_tooling.express.schemas import ExpressCopyRequest, ExpressPlanRequest
from sandbox_tooling.importer.schemas import ImportPlanRead
from sandbox_tooling.job.schemas import JobRead

router = api_router("/data/foundation/exim", "express")


@router.post("/packages/express/plan", response_model=ImportPlanRead, responses=errors(409))
def plan_copy(
    body: ExpressPlanRequest, session: SessionDep, rt: RuntimeDep, principal: CurrentPrincipal
) -> ImportPlanRead:
    """What an express copy would do now, without writing to the target (the plan is kept
    a day: a copy given its ``planId`` does exactly it, or refuses if anything it read
    changed)."""
    plan = express_service.plan_copy(session, rt, principal, body)
    session.commit()
    return ImportPlanRead.of(plan)


@router.post("/packages/express", response_model=JobRead, responses=errors(404, 409))
def copy(
    body: ExpressCopyRequest, session: SessionDep, rt: RuntimeDep, principal: CurrentPrincipal
) -> JobRead:
    """Copy objects and their dependencies from one sandbox to another: one COPY job makes a
    package of them, publishes it and imports it (dependencies the target has are reused)."""
    job = express_service.submit_copy(session, rt, principal, body)
    session.commit()
    rt.jobs.submit(job.id)
    return JobRead.of(job)
