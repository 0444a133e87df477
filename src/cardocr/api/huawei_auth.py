"""Huawei IAM (Keystone v3) token endpoint: POST /v3/auth/tokens.

Errors on this endpoint use the Keystone shape that IAM clients parse,
    {"error": {"code": 401, "message": "...", "title": "Unauthorized"}}
plus the service-wide "error_code" / "error_msg" pair, so either kind of client finds a code.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from cardocr.api.common import read_json_object
from cardocr.auth import token_response_body
from cardocr.errors import CardOcrError
from cardocr.render.huawei import error_body

router = APIRouter()

AUTH_BODY_LIMIT = 64 * 1024

_TITLES = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 408: "Request Timeout"}


def keystone_error(exc: CardOcrError) -> JSONResponse:
    body = {
        "error": {
            "code": exc.status,
            "message": exc.message,
            "title": _TITLES.get(exc.status, "Error"),
        },
        **error_body(exc),
    }
    return JSONResponse(body, status_code=exc.status)


@router.post("/v3/auth/tokens", status_code=201)
async def issue_token(request: Request) -> JSONResponse:
    auth = request.app.state.auth
    try:
        body = await read_json_object(request, AUTH_BODY_LIMIT)
        token, claims, account = auth.authenticate_request(body)
    except CardOcrError as exc:
        return keystone_error(exc)
    return JSONResponse(
        token_response_body(claims, account),
        status_code=201,
        headers={"X-Subject-Token": token},
    )
