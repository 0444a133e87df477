"""The review store over HTTP, for the console (cardocr.console.store; off unless configured):

  POST /console/reviews   {"records": [...]} as the page exports them -> {"saved", "retention_days"}
  GET  /console/reviews   {"records": [...]}: the caller's project's saved records, newest first

Both need a token (or a signature) like the OCR API, act for the caller's own project, and
answer errors in Huawei's JSON body. With the store off they do not exist (404 APIGW.0101).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from cardocr.api.authn import authenticate
from cardocr.api.common import ErrorRendering, read_json_object
from cardocr.api.huawei_ocr import error_response
from cardocr.console.store import ReviewStore, valid_records
from cardocr.errors import ApiNotFound

router = APIRouter(route_class=ErrorRendering.route_class(error_response))


def review_store(request: Request) -> ReviewStore:
    """The app's store, opened on first use; ApiNotFound when the config names no file."""
    state = request.app.state
    store: ReviewStore | None = getattr(state, "review_store", None)
    if store is None:
        review = state.settings.review
        if review.path is None:
            raise ApiNotFound()
        store = state.review_store = ReviewStore(review.path, review.retention_days)
    return store


@router.post("/console/reviews", include_in_schema=False)
async def save_reviews(request: Request) -> JSONResponse:
    store = review_store(request)
    account = await authenticate(request, None)
    records = valid_records(await read_json_object(request, request.app.state.settings.limits.max_body_bytes))
    saved = await run_in_threadpool(store.save, account.project_id, account.user, records)
    return JSONResponse({"saved": saved, "retention_days": request.app.state.settings.review.retention_days})


@router.get("/console/reviews", include_in_schema=False)
async def saved_reviews(request: Request) -> JSONResponse:
    store = review_store(request)
    account = await authenticate(request, None)
    return JSONResponse({"records": await run_in_threadpool(store.records, account.project_id)})
