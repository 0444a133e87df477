"""Huawei IAM's project look-up, GET /v3/projects (KeystoneListProjects), as much of it as the
official SDK needs: given a region and no project id, `BasicCredentials` first asks IAM for
`GET /v3/projects?name=<region>`, signed with the same AK/SK, and takes `projects[0].id`. Point
the SDK's IAM endpoint (`with_iam_endpoint(...)` or HUAWEICLOUD_SDK_IAM_ENDPOINT) at cardocr.

An account owns one project: the answer lists it when it passes the query's filters (name,
domain_id, parent_id, enabled, is_domain), else nothing. Token or AK/SK, as on every route
(api/authn.py); errors in the Keystone shape plus error_code / error_msg (huawei_auth).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from cardocr.api.authn import authenticate
from cardocr.api.common import ErrorRendering, request_id
from cardocr.api.huawei_auth import keystone_error
from cardocr.settings import Account

router = APIRouter(route_class=ErrorRendering.route_class(keystone_error))


def project_body(account: Account, base_url: str) -> dict[str, Any]:
    """One `projects` item as IAM writes it (iam_06_0001): a system project's parent is its
    account (domain)."""
    return {
        "id": account.project_id,
        "name": account.project_name,
        "domain_id": account.domain,
        "parent_id": account.domain,
        "is_domain": False,
        "enabled": True,
        "description": "",
        "links": {"self": f"{base_url}/v3/projects/{account.project_id}"},
    }


def _matches(project: dict[str, Any], query: Any) -> bool:
    for key in ("name", "domain_id", "parent_id"):
        if key in query and query[key] != project[key]:
            return False
    for key in ("enabled", "is_domain"):
        if key in query and query[key].lower() != str(project[key]).lower():
            return False
    return True


@router.get("/v3/projects")
async def list_projects(request: Request) -> JSONResponse:
    account = await authenticate(request, None)
    base_url = str(request.base_url).rstrip("/")
    project = project_body(account, base_url)
    projects = [project] if _matches(project, request.query_params) else []
    return JSONResponse(
        {"links": {"self": f"{base_url}/v3/projects", "previous": None, "next": None}, "projects": projects},
        headers={"X-IAM-Trace-Id": request_id(request.scope)},
    )
