"""Keystone-style password tokens (the Huawei IAM `POST /v3/auth/tokens` flow).

Token format (opaque to clients):  base64url(JSON payload) "." base64url(HMAC-SHA256(payload))
payload = {"v": 1, "u": user, "d": domain, "p": project_id, "iat": issued, "exp": expiry}
signed with `settings.token_secret`. Tokens are stateless: they cannot be revoked before
expiry except by changing the secret (which revokes all of them).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cardocr.errors import (
    BadCredentials,
    InvalidParameter,
    ProjectForbidden,
    TokenExpired,
    TokenInvalid,
    TokenMissing,
)
from cardocr.settings import Account, Settings

Clock = Callable[[], float]
# the scopes Keystone knows (auth.scope must name exactly one)
SCOPE_KINDS = ("project", "domain", "system", "OS-TRUST:trust", "unscoped")
MAX_TOKEN_LENGTH = 4096


@dataclass(frozen=True)
class TokenClaims:
    user: str
    domain: str
    project_id: str
    issued_at: int
    expires_at: int


def _b64e(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode("ascii")


_B64URL = re.compile(r"[A-Za-z0-9_-]*")


def _b64d(s: str) -> bytes:
    """Strict: only the canonical unpadded base64url form that _b64e writes decodes. Padding,
    other alphabets, an impossible length (4n+1) or set unused low bits in the last character
    are refused (ValueError), so one token has exactly one spelling."""
    if not _B64URL.fullmatch(s) or len(s) % 4 == 1:
        raise ValueError("not canonical base64url")
    raw = base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
    if _b64e(raw) != s:
        raise ValueError("not canonical base64url")
    return raw


def _digest(s: str) -> bytes:
    return hashlib.sha256(s.encode("utf-8", "surrogatepass")).digest()


def consteq(a: str, b: str) -> bool:
    """Equal strings, compared in constant time: hashed first so the time depends on neither
    content nor length (passwords, tokens' fields, access keys, signatures)."""
    return hmac.compare_digest(_digest(a), _digest(b))


def signing_account(accounts: Sequence[Account], access_key: str) -> Account | None:
    """The account whose access key this is, among those that take signatures: compared with
    every account's key (no early exit), in constant time each. Shared by the Huawei AK/SK
    and the COS signature checks."""
    found: Account | None = None
    for account in accounts:
        if account.access_key and account.secret_key and consteq(account.access_key, access_key) \
                and found is None:
            found = account
    return found


def iso_utc(ts: float) -> str:
    """Keystone's timestamp format: 2026-05-09T07:35:25.000000Z."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Authenticator:
    def __init__(self, settings: Settings, clock: Clock = time.time) -> None:
        self.settings = settings
        self.clock = clock
        self._key = settings.token_secret.encode("utf-8")

    # ---- issuing -------------------------------------------------------------------------

    def check_password(
        self, user: str, password: str, domain: str | None, domain_id: str | None = None
    ) -> Account:
        """Constant-time credential check over every account (no early exit on user name)."""
        found: Account | None = None
        for acc in self.settings.accounts:
            ok_user = consteq(acc.user, user)
            ok_pw = consteq(acc.password, password)
            ok_dom = (domain is not None and consteq(acc.domain, domain)) or (
                domain_id is not None and consteq(acc.domain, domain_id)
            )
            if ok_user & ok_pw & ok_dom and found is None:
                found = acc
        if found is None:
            raise BadCredentials()
        return found

    def issue(self, account: Account, now: float | None = None) -> tuple[str, TokenClaims]:
        t = int(self.clock() if now is None else now)
        claims = TokenClaims(
            user=account.user,
            domain=account.domain,
            project_id=account.project_id,
            issued_at=t,
            expires_at=t + self.settings.token_ttl_seconds,
        )
        payload = json.dumps(
            {"v": 1, "u": claims.user, "d": claims.domain, "p": claims.project_id,
             "iat": claims.issued_at, "exp": claims.expires_at},
            separators=(",", ":"),
            ensure_ascii=True,
        ).encode("ascii")
        body = _b64e(payload)
        sig = _b64e(hmac.new(self._key, body.encode("ascii"), hashlib.sha256).digest())
        return f"{body}.{sig}", claims

    # ---- verifying -----------------------------------------------------------------------

    def verify(self, token: str | None, project_id: str | None = None) -> TokenClaims:
        if token is None or not token.strip():
            raise TokenMissing()
        token = token.strip()
        if len(token) > MAX_TOKEN_LENGTH or token.count(".") != 1:
            raise TokenInvalid()
        body, sig = token.split(".")
        try:
            expected = hmac.new(self._key, body.encode("ascii"), hashlib.sha256).digest()
            given = _b64d(sig)
        except (UnicodeEncodeError, ValueError):
            raise TokenInvalid() from None
        if not hmac.compare_digest(expected, given):
            raise TokenInvalid()
        try:
            data: Any = json.loads(_b64d(body))
            claims = TokenClaims(
                user=str(data["u"]),
                domain=str(data["d"]),
                project_id=str(data["p"]),
                issued_at=int(data["iat"]),
                expires_at=int(data["exp"]),
            )
        except (ValueError, KeyError, TypeError):
            raise TokenInvalid() from None
        if self.clock() >= claims.expires_at:
            raise TokenExpired()
        if project_id is not None and not consteq(claims.project_id, project_id):
            raise ProjectForbidden()
        return claims

    # ---- the Keystone request body ---------------------------------------------------------

    def authenticate_request(self, body: Any) -> tuple[str, TokenClaims, Account]:
        """Validate a parsed `POST /v3/auth/tokens` body; return (token, claims, account)."""
        def obj(v: Any, what: str) -> dict:
            if not isinstance(v, dict):
                raise InvalidParameter(f"Expecting an object for {what}.")
            return v

        def opt_str(d: dict, key: str) -> str | None:
            v = d.get(key)
            if v is None:
                return None
            if not isinstance(v, str):
                raise InvalidParameter(f"Expecting a string for {key}.")
            return v

        auth = obj(obj(body, "the body").get("auth"), "auth")
        identity = obj(auth.get("identity"), "auth.identity")
        methods = identity.get("methods")
        if not isinstance(methods, list) or "password" not in methods:
            raise InvalidParameter("Only the password method is supported.")
        user = obj(obj(identity.get("password"), "identity.password").get("user"), "password.user")
        name = opt_str(user, "name")
        password = opt_str(user, "password")
        if not name or password is None:
            raise InvalidParameter("User name and password are required.")
        domain_obj = user.get("domain")
        domain = domain_id = None
        if domain_obj is not None:
            d = obj(domain_obj, "user.domain")
            domain, domain_id = opt_str(d, "name"), opt_str(d, "id")
        if domain is None and domain_id is None:
            raise InvalidParameter("The user domain is required.")

        account = self.check_password(name, password, domain, domain_id)

        scope = auth.get("scope")
        if scope is not None:
            self._check_scope(obj(scope, "auth.scope"), account, obj, opt_str)
        token, claims = self.issue(account)
        return token, claims, account

    @staticmethod
    def _check_scope(scope: dict, account: Account, obj: Callable[[Any, str], dict],
                     opt_str: Callable[[dict, str], str | None]) -> None:
        """As Keystone / IAM do: exactly one scope (else 400); a project scope names the
        account's project by id or name, and its domain, when given, is the account's (else
        401, as Keystone answers a project it cannot find). Tokens here are project-scoped
        only: a domain, system, trust or explicit `unscoped` scope is a scope the user has no
        role on (401, as IAM answers), never a token that no OCR call could use."""
        kinds = [k for k in SCOPE_KINDS if k in scope]
        if len(kinds) != 1:
            raise InvalidParameter("Expecting exactly one of system, project, domain, OS-TRUST:trust "
                                   "or unscoped in auth.scope.")
        if kinds[0] != "project":
            raise BadCredentials("The user has no access to the requested scope.")
        p = obj(scope["project"], "scope.project")
        pid, pname = opt_str(p, "id"), opt_str(p, "name")
        if not pid and not pname:
            raise InvalidParameter("Expecting to find id or name in scope.project.")
        if pid is not None and not consteq(pid, account.project_id):
            raise BadCredentials("The user has no access to the requested project.")
        if pid is None and pname is not None and not consteq(pname, account.project_name):
            raise BadCredentials("The user has no access to the requested project.")
        if p.get("domain") is not None:
            d = obj(p["domain"], "project.domain")
            did, dname = opt_str(d, "id"), opt_str(d, "name")
            if not did and not dname:
                raise InvalidParameter("Expecting to find id or name in project.domain.")
            for given in (did, dname):  # the account's domain is both its id and its name here
                if given is not None and not consteq(given, account.domain):
                    raise BadCredentials("The user has no access to the requested project.")


def token_response_body(claims: TokenClaims, account: Account) -> dict:
    """The JSON body Keystone/IAM returns next to the X-Subject-Token header."""
    return {
        "token": {
            "expires_at": iso_utc(claims.expires_at),
            "issued_at": iso_utc(claims.issued_at),
            "methods": ["password"],
            "project": {
                "id": account.project_id,
                "name": account.project_name,
                "domain": {"id": account.domain, "name": account.domain},
            },
            "user": {
                "id": account.user,
                "name": account.user,
                "domain": {"id": account.domain, "name": account.domain},
            },
            "roles": [{"id": "0", "name": "te_admin"}],
            "catalog": [],
        }
    }
