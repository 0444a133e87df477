"""The OpenAPI document (/openapi.json, rendered at /docs) with the real wire schemas.

The routes read their bodies by hand (every bad input must become a vendor error code, not
FastAPI's 422), so FastAPI cannot see their shapes. Here they are written out from the same
tables the routers use: one path per Huawei OCR API (render.huawei.WIRE: its parameters and
flags, its result keys per side), the Keystone token request and answer, and the vendor's
error body with the statuses each endpoint answers.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, Field, create_model

from cardocr.documents import REGISTRY
from cardocr.render.huawei import WIRE, WireDocument
from cardocr.types import BOTH_SIDES

REF = "#/components/schemas/{model}"


class HuaweiError(BaseModel):
    error_code: str = Field(examples=["AIS.0101"])
    error_msg: str = Field(examples=["The parameter is invalid."])


class _Name(BaseModel):
    name: str


class _Domain(BaseModel):
    name: str


class _User(BaseModel):
    name: str
    password: str
    domain: _Domain


class _Password(BaseModel):
    user: _User


class _Identity(BaseModel):
    methods: list[Literal["password"]]
    password: _Password


class _ProjectScope(BaseModel):
    id: str | None = None
    name: str | None = None


class _Scope(BaseModel):
    project: _ProjectScope


class _Auth(BaseModel):
    identity: _Identity
    scope: _Scope | None = None


class TokenRequest(BaseModel):
    """Keystone's password form, as Huawei IAM takes it; the token comes back in the
    X-Subject-Token header."""

    auth: _Auth


class TokenAnswer(BaseModel):
    token: dict[str, Any]


_OCR_ERRORS = {
    "400": "bad parameter or image (AIS.0101-0105), body (ModelArts.4104/4105), URL (ModelArts.4601/4603)",
    "401": "token missing, invalid or expired; a bad AK/SK signature (APIGW.0301)",
    "403": "another project's token or key (ModelArts.4203)",
    "503": "the inference queue is full (ModelArts.4401, with Retry-After) or its worker died (ModelArts.4403)",
    "504": "not read within the deadline (ModelArts.4402)",
}


def _title(path: str) -> str:
    return "".join(part.capitalize() for part in path.split("-"))


def _request_model(wire: WireDocument) -> type[BaseModel]:
    fields: dict[str, Any] = {
        "image": (str | None, Field(None, description="the image, base64 (exactly one of image and url)")),
        "url": (str | None, Field(None, description="an http(s) URL to fetch the image from")),
    }
    if wire.takes_side:
        sides = (*REGISTRY[wire.document].sides, BOTH_SIDES)
        fields["side"] = (Literal[sides] | None, Field(None, description="absent: detected"))
    for flag in wire.flags:
        fields[flag.value] = (bool | None, None)
    return create_model(f"{_title(wire.path)}Request", **fields)


def _result_models(wire: WireDocument) -> list[type[BaseModel]]:
    booleans = REGISTRY[wire.document].boolean_fields
    models = []
    for side, keys in wire.fields.items():
        fields: dict[str, Any] = {key: (bool if name in booleans else str, ...) for key, name in keys}
        if wire.verification.get(side):
            fields["verification_result"] = (dict[str, bool] | None, None)
        if wire.confidence:
            fields["confidence"] = (dict[str, float], ...)
        models.append(create_model(f"{_title(wire.path)}{side.capitalize()}Result",
                                   **fields))
    return models


def _ocr_operation(wire: WireDocument, schemas: dict[str, Any]) -> dict[str, Any]:
    request = _request_model(wire)
    results = _result_models(wire)
    for model in (request, *results):
        schemas[model.__name__] = model.model_json_schema(ref_template=REF)
    one = [{"$ref": REF.format(model=m.__name__)} for m in results]
    result: dict[str, Any] = {"anyOf": one} if len(one) > 1 else one[0]
    if wire.takes_side and len(results) > 1:  # side=double_side: both, by side
        result = {"anyOf": [*one, {"type": "object", "properties": {
            side: one[i] for i, side in enumerate(wire.fields)}}]}
    error = {"content": {"application/json": {"schema": {"$ref": REF.format(model="HuaweiError")}}}}
    return {
        "tags": ["Huawei OCR"],
        "summary": f"Recognise a {wire.path} ({wire.document})",
        "parameters": [{"name": "project_id", "in": "path", "required": True, "schema": {"type": "string"}},
                       {"name": "X-Auth-Token", "in": "header", "required": False, "schema": {"type": "string"},
                        "description": "a token from POST /v3/auth/tokens (or sign with AK/SK)"}],
        "requestBody": {"required": True, "content": {"application/json": {
            "schema": {"$ref": REF.format(model=request.__name__)}}}},
        "responses": {
            "200": {"description": "the reading", "content": {"application/json": {"schema": {
                "type": "object", "properties": {"result": result}, "required": ["result"]}}}},
            **{status: {"description": text, **error} for status, text in _OCR_ERRORS.items()},
        },
    }


def install(app: FastAPI) -> None:
    """Replace the app's generated OpenAPI document with one that shows the wire schemas."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        spec = get_openapi(title=app.title, version=app.version, routes=app.routes,
                           description="Huawei Cloud OCR and IAM wire formats, self-hosted.")
        schemas = spec.setdefault("components", {}).setdefault("schemas", {})
        for model in (HuaweiError, TokenRequest, TokenAnswer):
            schema = model.model_json_schema(ref_template=REF)
            schemas.update(schema.pop("$defs", {}))
            schemas[model.__name__] = schema
        paths = spec["paths"]
        paths.pop("/v2/{project_id}/ocr/{path}", None)  # one documented path per API instead
        for path, wire in WIRE.items():
            paths[f"/v2/{{project_id}}/ocr/{path}"] = {"post": _ocr_operation(wire, schemas)}
        for schema in list(schemas.values()):
            schemas.update(schema.pop("$defs", {}))
        token = paths.get("/v3/auth/tokens", {}).get("post")
        if token is not None:
            token["requestBody"] = {"required": True, "content": {"application/json": {
                "schema": {"$ref": REF.format(model="TokenRequest")}}}}
            token["responses"] = {
                "201": {"description": "X-Subject-Token header: the token", "content": {"application/json": {
                    "schema": {"$ref": REF.format(model="TokenAnswer")}}}},
                "401": {"description": "wrong credentials (ModelArts.0205)", "content": {"application/json": {
                    "schema": {"$ref": REF.format(model="HuaweiError")}}}},
            }
        app.openapi_schema = spec
        return spec

    app.openapi = openapi  # type: ignore[method-assign]
