"""Who is calling: one authentication layer in front of every router that needs it.

`authenticate(request, project_id)` answers the Account a request acts for, by either of
Huawei's two schemes, with the same account model and the same error tree:

  * X-Auth-Token: a token from POST /v3/auth/tokens (cardocr.auth), as raw-HTTP clients send;
  * Authorization: SDK-HMAC-SHA256 ...: an AK/SK signature (cardocr.aksk), which is all the
    official SDK sends. The body is part of what is signed, so it is read here (under the
    body limit) and handed on to the router, which reads it as usual.

A token wins when both are present; a request with neither is TokenMissing, as before.
With a `project_id` (the path's), the account must own it, else 403. The SDK, given an endpoint
but no project id, sends the literal `{project_id}` in the path: it stands for X-Project-Id when
that header is sent, else for the account's own project. An X-Project-Id the account does not
own is refused the same way.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Request

from cardocr.aksk import SignatureVerifier, SignedRequest
from cardocr.api.common import read_body
from cardocr.errors import ProjectForbidden, TokenInvalid
from cardocr.settings import Account

PROJECT_PLACEHOLDER = "{project_id}"
SIGNATURE_FORBIDDEN = "The access key does not grant access to this project."


async def authenticate(request: Request, project_id: str | None) -> Account:
    state = request.app.state
    token = request.headers.get("x-auth-token")
    if token is None and "authorization" in request.headers:
        body = await read_body(request, state.settings.limits.max_body_bytes)
        # Starlette's Request.stream() and body() replay `_body`: the router reads it again
        request._body = body
        signatures: SignatureVerifier = state.signatures  # built once, in create_app
        account = signatures.verify(signed_request(request, body))
    else:
        claims = state.auth.verify(token)
        account = _token_account(state.settings.accounts, claims.user, claims.domain, claims.project_id)
    if project_id is not None:
        wanted = project_id
        x_project_id = request.headers.get("x-project-id")
        if project_id == PROJECT_PLACEHOLDER:
            wanted = x_project_id or account.project_id
        if wanted != account.project_id or (x_project_id is not None and x_project_id != account.project_id):
            raise ProjectForbidden() if token is not None else ProjectForbidden(SIGNATURE_FORBIDDEN)
    return account


def signed_request(request: Request, body: bytes) -> SignedRequest:
    """The request as it arrived: the raw path and query, header values as UTF-8."""
    scope = request.scope
    raw_path = scope.get("raw_path")
    path = raw_path.decode("latin-1") if isinstance(raw_path, bytes) else quote(scope["path"])
    headers: dict[str, str] = {}
    for name, value in scope["headers"]:
        key = name.decode("latin-1").lower()
        text = value.decode("utf-8", "replace")
        headers[key] = f"{headers[key]},{text}" if key in headers else text
    return SignedRequest(method=request.method, raw_path=path,
                         raw_query=scope.get("query_string", b"").decode("latin-1"),
                         headers=headers, body=body)


def _token_account(accounts: list[Account], user: str, domain: str, project_id: str) -> Account:
    for account in accounts:
        if (account.user, account.domain, account.project_id) == (user, domain, project_id):
            return account
    raise TokenInvalid()  # a valid token of an account no longer configured
