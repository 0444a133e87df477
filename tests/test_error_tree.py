"""Walk the whole error tree: every leaf has wire codes and reaches the client as documented.

Also: stray exceptions from a pipeline become 400 AIS.0105 at the API (never a 500), and the
real `pipeline.recognize` translates OpenCV / numpy / onnxruntime failures of the OCR engine
into RecognitionFailed itself (its docstring promises so), so the CLI and API only see the tree.
"""

from __future__ import annotations

import re

import cv2
import numpy as np
import pytest

from apihelpers import OCR_PATH, FakePipeline, assert_error, b64, get_token, make_client, make_image
from cardocr import errors
from cardocr.errors import CardOcrError, RecognitionFailed, all_leaves

LEAVES = all_leaves()
JPEG_B64 = b64(make_image(120, 160))
HUAWEI_CODE = re.compile(r"^(AIS|ModelArts|APIGW)\.\d{4}$")


def test_tree_is_complete():
    names = {c.__name__ for c in LEAVES}
    documented = {
        "InvalidParameter", "UnsupportedFormat", "ImageSizeError", "NoCardFound",
        "RecognitionFailed", "MalformedBody", "BodyTooLarge", "UrlRefused", "UrlFetchFailed",
        "ApiNotFound", "MethodNotAllowed", "TokenMissing", "TokenInvalid", "TokenExpired",
        "ProjectForbidden", "BadCredentials",
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
    assert leaf.status in {400, 401, 403, 404, 405}
    assert isinstance(leaf.huawei_code, str) and HUAWEI_CODE.match(leaf.huawei_code)
    assert isinstance(leaf.tencent_code, str) and leaf.tencent_code
    exc = leaf()
    assert exc.message == leaf.default_message and exc.message
    assert exc.huawei_body() == {"error_code": leaf.huawei_code, "error_msg": leaf.default_message}
    if issubclass(leaf, errors.AuthError):
        assert leaf.status in {401, 403}
    elif leaf.huawei_code.startswith("APIGW."):
        assert leaf.status in {404, 405}
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
    assert_error(r, leaf.status, leaf.huawei_code)
    assert r.json() == leaf().huawei_body()


@pytest.mark.parametrize("leaf", LEAVES, ids=lambda c: c.__name__)
def test_leaf_custom_message_passes_through(leaf, token):
    r = _post_with(FakePipeline(exc=leaf("Something specific.")), token)
    assert r.status_code == leaf.status
    assert r.json() == {"error_code": leaf.huawei_code, "error_msg": "Something specific."}


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


@pytest.mark.parametrize("exc", STRAY, ids=lambda e: type(e).__name__)
def test_stray_exception_from_pipeline_is_ais0105(exc, token):
    r = _post_with(FakePipeline(exc=exc), token)
    assert_error(r, 400, "AIS.0105")
    assert r.json() == RecognitionFailed().huawei_body()
    assert "Traceback" not in r.text


# --- the real pipeline's translation boundary (a failing fake engine; no models needed) ---


def _onnxruntime_errors() -> list[BaseException]:
    from onnxruntime.capi import onnxruntime_pybind11_state as ort_state

    return [ort_state.Fail("[ONNXRuntime] fail"),
            ort_state.InvalidArgument("[ONNXRuntime] invalid argument"),
            ort_state.RuntimeException("[ONNXRuntime] runtime exception")]


ENGINE_ERRORS = [
    RuntimeError("boom"),
    cv2.error("OpenCV(4) error"),
    MemoryError(),
    ValueError("bad"),
    IndexError("i"),
    np.linalg.LinAlgError("singular"),
    *_onnxruntime_errors(),
]


class FailingEngine:
    charset = ["<blank>", "a", " "]

    def __init__(self, exc: BaseException) -> None:
        self.exc = exc

    def detect(self, image, max_side=960):
        raise self.exc

    def recognize(self, crops, similar_width=None):
        raise self.exc

    def upside_down(self, crops):
        raise self.exc


def _card_like_image() -> np.ndarray:
    img = np.full((600, 900, 3), 60, np.uint8)
    cv2.rectangle(img, (150, 120), (750, 500), (235, 235, 235), -1)
    return img


@pytest.mark.parametrize("exc", ENGINE_ERRORS, ids=lambda e: type(e).__name__)
def test_pipeline_translates_engine_failures(exc):
    from cardocr.pipeline import RecognizeOptions, recognize

    with pytest.raises(RecognitionFailed):
        recognize("id-card", _card_like_image(), RecognizeOptions(), engine=FailingEngine(exc))


@pytest.mark.parametrize("exc", ENGINE_ERRORS, ids=lambda e: type(e).__name__)
def test_engine_failure_through_api_is_ais0105(exc, token):
    from cardocr.pipeline import recognize

    def pipe(doc_type, image, options):
        return recognize(doc_type, image, options, engine=FailingEngine(exc))

    ok, buf = cv2.imencode(".jpg", _card_like_image())
    client, _ = make_client(pipeline=pipe)
    r = client.post(OCR_PATH, json={"image": b64(buf.tobytes())}, headers={"X-Auth-Token": token})
    assert_error(r, 400, "AIS.0105")
    assert r.json() == RecognitionFailed().huawei_body()
