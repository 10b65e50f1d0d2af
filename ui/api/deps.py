"""What every route needs: the application and the caller."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from ingest.application import Application, Caller
from ingest.case_desk import CaseDesk
from ui.api.problems import Problem


def application(request: Request) -> Application:
    """:returns: the application this API serves."""
    app: Application = request.app.state.application
    return app


def cases(request: Request) -> CaseDesk:
    """:returns: the council office's cases of this application."""
    desk: CaseDesk = request.app.state.cases
    return desk


def caller(request: Request) -> Caller:
    """:returns: who sent the request (see :mod:`ui.api.auth`).

    :raises Problem: ``unauthenticated`` when nobody can be identified.
    """
    resolved: Caller = request.app.state.resolver(request.headers)
    return resolved


def admin(who: Annotated[Caller, Depends(caller)]) -> Caller:
    """:returns: the caller when they may administer.

    :raises Problem: ``forbidden`` otherwise.
    """
    if not who.is_admin:
        raise Problem("forbidden")
    return who


App = Annotated[Application, Depends(application)]
Cases = Annotated[CaseDesk, Depends(cases)]
Who = Annotated[Caller, Depends(caller)]
Admin = Annotated[Caller, Depends(admin)]
