"""Walk the whole error tree: every leaf has a Huawei code and reaches the client as documented.

Also: what the libraries raise on a particular image (OpenCV, onnxruntime, memory) becomes
RecognitionFailed in the real `pipeline.read`; any other exception is a bug, answered as an
internal error (500 ModelArts.4505), logged with its traceback and counted, never passed off
as a bad photo.
"""

from __future__ import annotations

import re

import cv2
import numpy as np
import pytest

from apihelpers import OCR_PATH, FakePipeline, assert_error, b64, get_token, make_client, make_image
from cardocr import errors
from cardocr.errors import CardOcrError, InternalError, RecognitionFailed, all_leaves
from cardocr.render.huawei import error_body, error_code

LEAVES = all_leaves()
JPEG_B64 = b64(make_image(120, 160))
HUAWEI_CODE = re.compile(r"^(AIS|ModelArts|APIGW)\.\d{4}$")


def test_tree_is_complete():
    names = {c.__name__ for c in LEAVES}
    documented = {
        "InvalidParameter", "ConfigFormatError", "UnsupportedFormat", "ImageSizeError", "NoCardFound",
        "RecognitionFailed", "MalformedBody", "BodyTooLarge", "UrlRefused", "UrlFetchFailed",
        "ApiNotFound", "MethodNotAllowed", "InternalError", "TokenMissing", "TokenInvalid", "TokenExpired",
        "ProjectForbidden", "BadCredentials", "Overloaded", "BadHttpRequest", "HeadersTooLarge",
        "RequestTimeout", "SignatureMalformed", "AccessKeyUnknown", "SignatureMismatch", "SignatureExpired",
        "NoSuchKey", "NoSuchBucket", "DigestMismatch", "RangeNotSatisfiable", "RequestExpired",
        "DeadlineExceeded", "WorkerLost", "MultiCardError", "ImageBlurred",
    }
    assert names == documented
    assert len(names) == len(LEAVES)
    # every public CardOcrError class in the module is either a leaf or an inner node
    module_classes = {v for v in vars(errors).values()
                      if isinstance(v, type) and issubclass(v, CardOcrError)}
    inner = {CardOcrError, errors.AuthError}
    assert module_classes == set(LEAVES) | inner


@pytest.mark.parametrize("leaf", LEAVES, ids=lambda c: c.__name__)
def test_leaf_codes(leaf):
    from cardocr.render.huawei import ERROR_CODES

    assert leaf in ERROR_CODES  # each leaf has its own code, not an inherited fallback
    code = error_code(leaf)
    assert HUAWEI_CODE.match(code)
    exc = leaf()
    assert exc.message == leaf.default_message and exc.message
    assert error_body(exc) == {"error_code": code, "error_msg": leaf.default_message}
    if issubclass(leaf, errors.AuthError):
        assert leaf.status in {401, 403}
    elif code == "APIGW.0101":
        assert leaf.status in {404, 405}
    elif code == "APIGW.0201":  # the gateway's "API request error" family: its own statuses
        assert leaf.status in {400, 408, 494}
    elif leaf is errors.RangeNotSatisfiable:  # only the COS endpoint answers it
        assert leaf.status == 416 and code == "AIS.0101"
    elif leaf is InternalError:
        assert leaf.status == 500 and code == "ModelArts.4505"
    elif leaf is errors.Overloaded:
        assert leaf.status == 503 and code == "ModelArts.4401"
    elif leaf is errors.DeadlineExceeded:
        assert leaf.status == 504 and code == "ModelArts.4402"
    elif leaf is errors.WorkerLost:
        assert leaf.status == 503 and code == "ModelArts.4403"
    else:
        assert leaf.status == 400


@pytest.fixture(scope="module")
def token():
    client, _ = make_client()
    return get_token(client)


def _post_with(pipe, token):
    client, _ = make_client(pipeline=pipe)
    return client.post(OCR_PATH, json={"image": JPEG_B64}, headers={"X-Auth-Token": token})


@pytest.mark.parametrize("leaf", LEAVES, ids=lambda c: c.__name__)
def test_leaf_raised_by_pipeline_reaches_client(leaf, token):
    pipe = FakePipeline(exc=leaf())
    r = _post_with(pipe, token)
    assert len(pipe.calls) == 1
    assert_error(r, leaf.status, error_code(leaf))
    assert r.json() == error_body(leaf())


@pytest.mark.parametrize("leaf", LEAVES, ids=lambda c: c.__name__)
def test_leaf_custom_message_passes_through(leaf, token):
    r = _post_with(FakePipeline(exc=leaf("Something specific.")), token)
    assert r.status_code == leaf.status
    assert r.json() == {"error_code": error_code(leaf), "error_msg": "Something specific."}


STRAY = [
    RuntimeError("boom"),
    cv2.error("OpenCV(4) error: (-215:Assertion failed)"),
    MemoryError(),
    ValueError("bad"),
    KeyError("k"),
    TypeError("t"),
    ZeroDivisionError(),
    np.linalg.LinAlgError("singular"),
]


@pytest.mark.internal_error
@pytest.mark.parametrize("exc", STRAY, ids=lambda e: type(e).__name__)
def test_stray_exception_from_a_reader_is_an_internal_error(exc, token):
    # the fake stands where pipeline.read stands, past its translation boundary: whatever
    # reaches the router uncaught is a bug
    r = _post_with(FakePipeline(exc=exc), token)
    assert_error(r, 500, "ModelArts.4505")
    assert r.json() == error_body(InternalError())
    assert "Traceback" not in r.text


# --- the real pipeline's translation boundary (a failing fake engine; no models needed) ---


def _onnxruntime_errors() -> list[BaseException]:
    from onnxruntime.capi import onnxruntime_pybind11_state as ort_state

    return [ort_state.Fail("[ONNXRuntime] fail"),
            ort_state.InvalidArgument("[ONNXRuntime] invalid argument"),
            ort_state.RuntimeException("[ONNXRuntime] runtime exception")]


# what a particular image can make the libraries raise: a recognition failure
IMAGE_FAILURES = [cv2.error("OpenCV(4) error"), MemoryError(), *_onnxruntime_errors()]
# what only a bug raises
BUGS = [RuntimeError("boom"), ValueError("bad"), IndexError("i"), np.linalg.LinAlgError("singular")]


class FailingEngine:
    charset = ["<blank>", "a", " "]

    def __init__(self, exc: BaseException) -> None:
        self.exc = exc

    def detect(self, image, max_side=960):
        raise self.exc

    def recognize(self, crops, similar_width=None, min_width=0):
        raise self.exc

    def upside_down(self, crops):
        raise self.exc


def _card_like_image() -> np.ndarray:
    img = np.full((600, 900, 3), 60, np.uint8)
    cv2.rectangle(img, (150, 120), (750, 500), (235, 235, 235), -1)
    return img


def _read_with(exc):
    from cardocr.documents import REGISTRY
    from cardocr.pipeline import read
    from cardocr.types import ReadRequest

    return read(REGISTRY["id-card"], _card_like_image(), ReadRequest(), FailingEngine(exc))


@pytest.mark.parametrize("exc", IMAGE_FAILURES, ids=lambda e: type(e).__name__)
def test_pipeline_translates_image_failures(exc):
    with pytest.raises(RecognitionFailed):
        _read_with(exc)


@pytest.mark.parametrize("exc", BUGS, ids=lambda e: type(e).__name__)
def test_pipeline_lets_bugs_through(exc):
    with pytest.raises(type(exc)):
        _read_with(exc)


def _post_through_failing_engine(exc, token):
    """A card-like photo through the API, the real pipeline and an engine that raises `exc`."""
    from cardocr.pipeline import read

    ok, buf = cv2.imencode(".jpg", _card_like_image())
    client, _ = make_client(pipeline=lambda doc, image, request: read(doc, image, request, FailingEngine(exc)))
    return client.post(OCR_PATH, json={"image": b64(buf.tobytes())}, headers={"X-Auth-Token": token})


@pytest.mark.parametrize("exc", IMAGE_FAILURES, ids=lambda e: type(e).__name__)
def test_image_failure_through_api_is_ais0105(exc, token):
    r = _post_through_failing_engine(exc, token)
    assert_error(r, 400, "AIS.0105")
    assert r.json() == error_body(RecognitionFailed())


@pytest.mark.internal_error
@pytest.mark.parametrize("exc", BUGS, ids=lambda e: type(e).__name__)
def test_bug_through_api_is_an_internal_error(exc, token):
    r = _post_through_failing_engine(exc, token)
    assert_error(r, 500, "ModelArts.4505")
