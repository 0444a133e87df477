"""The inference front (cardocr.serving): a bounded queue refused past its length at once
(503 ModelArts.4401 with Retry-After), a deadline (504 ModelArts.4402), dead workers replaced
(503 ModelArts.4403), and what /metrics, /ready and /docs show. Shedding logic on threads with
a slow fake reader; the same on real worker processes."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from apihelpers import OCR_PATH, FakePipeline, assert_error, b64, get_token, make_client, make_image
from cardocr.api.app import create_app
from cardocr.serving.inference import Inference
from cardocr.serving.workers import ProcessBackend
from cardocr.settings import Limits, Settings
from serving_readers import CRASH_HEIGHT


class SlowPipeline(FakePipeline):
    def __init__(self, seconds: float) -> None:
        super().__init__()
        self.seconds = seconds

    def __call__(self, doc, image, request):
        time.sleep(self.seconds)
        return super().__call__(doc, image, request)


def _settings(workers: int, **limits) -> Settings:
    return Settings(workers=workers, limits=Limits(**limits))


async def _post_many(app, token: str, images: list[bytes]) -> list[tuple[httpx.Response, float]]:
    """Post every image at once; each answer with the seconds it took."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://cardocr", timeout=60) as client:
        async def one(img: bytes) -> tuple[httpx.Response, float]:
            began = time.perf_counter()
            r = await client.post(OCR_PATH, json={"image": b64(img)}, headers={"X-Auth-Token": token})
            return r, time.perf_counter() - began

        return list(await asyncio.gather(*(one(i) for i in images)))


def _metric(app, name: str) -> float:
    text = app.state.inference.metrics.registry.get_sample_value(name)
    return 0.0 if text is None else text


@pytest.fixture(scope="module")
def token() -> str:
    client, _ = make_client()
    return get_token(client)


def test_past_the_queue_requests_are_refused_at_once_with_retry_after(token):
    pipe = SlowPipeline(0.6)
    app = create_app(_settings(1, max_queue=2, retry_after_seconds=3), pipe)
    answers = asyncio.run(_post_many(app, token, [make_image()] * 6))
    ok = [(r, t) for r, t in answers if r.status_code == 200]
    refused = [(r, t) for r, t in answers if r.status_code != 200]
    assert len(ok) == 3 and len(pipe.calls) == 3  # one read, two waited
    assert len(refused) == 3
    for r, seconds in refused:
        assert_error(r, 503, "ModelArts.4401")
        assert r.headers["Retry-After"] == "3"
        assert seconds < 0.5  # refused at once, not after waiting
    assert _metric(app, "cardocr_shed_total") == 3
    # the queue is free again: the next request is read
    assert asyncio.run(_post_many(app, token, [make_image()]))[0][0].status_code == 200


def test_when_the_queue_is_full_a_request_is_refused_before_its_image_is_decoded(token):
    pipe = SlowPipeline(0.5)
    app = create_app(_settings(1, max_queue=0), pipe)

    async def scenario():
        first = asyncio.create_task(_post_many(app, token, [make_image()]))
        while app.state.inference.running == 0:
            await asyncio.sleep(0.01)
        (late, _), = await _post_many(app, token, [make_image()])
        return (await first)[0][0], late

    first, late = asyncio.run(scenario())
    assert first.status_code == 200
    assert_error(late, 503, "ModelArts.4401")
    assert "Connection" not in late.headers  # its body was read (no reset), the connection kept
    assert len(pipe.calls) == 1


def test_by_default_one_request_per_two_workers_may_wait(token):
    pipe = SlowPipeline(0.5)
    app = create_app(_settings(2), pipe)  # limits.max_queue unset
    codes = sorted(r.status_code for r, _ in asyncio.run(_post_many(app, token, [make_image()] * 6)))
    assert codes == [200] * 3 + [503] * 3


def test_a_request_past_its_deadline_is_answered_and_a_queued_one_is_not_read(token):
    pipe = SlowPipeline(0.8)
    app = create_app(_settings(1, request_deadline_seconds=0.3), pipe)
    answers = asyncio.run(_post_many(app, token, [make_image()] * 2))
    for r, seconds in answers:
        assert_error(r, 504, "ModelArts.4402")
        assert seconds < 0.7
    time.sleep(0.6)
    assert len(pipe.calls) == 1  # the second passed its deadline in the queue: never read
    assert _metric(app, "cardocr_deadline_exceeded_total") == 2


def test_a_blocking_reader_goes_through_the_same_queue_and_deadline():
    """For routes that read on their own threads (Inference.blocking_reader): the same refusals."""
    from concurrent.futures import ThreadPoolExecutor

    import cv2
    import numpy as np

    from cardocr.documents import REGISTRY
    from cardocr.serving.inference import ThreadBackend
    from cardocr.types import ReadRequest

    pipe = SlowPipeline(0.4)
    inference = Inference(ThreadBackend(pipe, 1), Limits(max_queue=1, request_deadline_seconds=1.5))
    reader = inference.blocking_reader()
    image = cv2.imdecode(np.frombuffer(make_image(), np.uint8), cv2.IMREAD_COLOR)

    def read_one(_):
        try:
            return reader(REGISTRY["id-card"], image, ReadRequest())[0].side
        except Exception as exc:  # noqa: BLE001 - the answer under test
            return type(exc).__name__

    with ThreadPoolExecutor(4) as pool:
        answers = sorted(pool.map(read_one, range(4)))
    inference.close(timeout=2)
    # one read, one waited (and still made its deadline), two refused at once
    assert answers == ["Overloaded", "Overloaded", "front", "front"]


def test_a_reading_leaves_the_queue_before_its_answer_goes_out():
    """A client that sends its next request on the answer must find the slot free: at the
    moment a reading's answer is set, it is no longer counted (a closed loop at saturation
    lost requests to 503 when the count came down after the answer)."""
    import cv2
    import numpy as np

    from cardocr.documents import REGISTRY
    from cardocr.serving.inference import ThreadBackend
    from cardocr.types import ReadRequest

    inference = Inference(ThreadBackend(FakePipeline(), 1), Limits(max_queue=0, request_deadline_seconds=5))
    image = cv2.imdecode(np.frombuffer(make_image(), np.uint8), cv2.IMREAD_COLOR)
    counted: list[int] = []
    try:
        for _ in range(5):
            job = inference._admit(REGISTRY["id-card"], image, ReadRequest(), "-")
            job.future.add_done_callback(lambda _f: counted.append(inference.running + inference.queued))
            assert job.future.result(timeout=5).results[0].side == "front"
    finally:
        inference.close(timeout=2)
    assert counted == [0] * 5


def test_metrics_ready_and_docs(token):
    pipe = FakePipeline({"name": "王小明", "number": "110101199003074514"})
    client, _ = make_client(_settings(2), pipe)
    with client:
        assert client.get("/health").json() == {"status": "ok"}
        r = client.get("/ready")
        assert r.status_code == 200 and r.json() == {"status": "ready", "workers": 2, "workers_ready": 2}
        auth = {"X-Auth-Token": token}
        assert client.post(OCR_PATH, json={"image": b64(make_image())}, headers=auth).status_code == 200
        assert_error(client.post(OCR_PATH, json={"url": "x", "image": "y"}, headers=auth), 400, "AIS.0101")
        text = client.get("/metrics").text
    route = 'route="/v2/{project_id}/ocr/{path}"'
    assert f'cardocr_requests_total{{code="-",document="id-card",{route},status="200"}} 1.0' in text
    assert f'cardocr_requests_total{{code="AIS.0101",document="id-card",{route},status="400"}} 1.0' in text
    assert f'cardocr_request_duration_seconds_count{{document="id-card",{route}}} 2.0' in text
    for name in ("cardocr_queue_depth 0.0", "cardocr_workers_ready 2.0", "cardocr_worker_restarts_total 0.0",
                 "cardocr_shed_total 0.0", "cardocr_deadline_exceeded_total 0.0"):
        assert name in text
    for value in pipe.values.values():  # never a field value, nor the project in a path
        assert value not in text
    assert "0000000000000000000000000000dev0" not in text


def test_metrics_ask_for_the_bearer_token_when_one_is_set():
    secret = "metrics-" + "s3cr3t" * 4
    client, _ = make_client(Settings(metrics_token=secret))
    with client:
        assert_error(client.get("/metrics"), 401, "ModelArts.4101")
        assert_error(client.get("/metrics", headers={"Authorization": "Basic " + secret}), 401, "ModelArts.4101")
        assert_error(client.get("/metrics", headers={"Authorization": "Bearer " + secret[:-1]}), 401,
                     "ModelArts.4102")
        r = client.get("/metrics", headers={"Authorization": "Bearer " + secret})
        assert r.status_code == 200 and "cardocr_requests_total" in r.text
        assert client.get("/health").status_code == 200  # the rest is as open as before
    open_client, _ = make_client(Settings())
    with open_client:
        assert open_client.get("/metrics").status_code == 200


def test_stage_times_are_recorded_from_the_real_pipeline(live_api):
    """The five stages of a real reading (tests/conftest.live_api: the real engine)."""
    import cv2

    from tools.cardgen import make_sample

    client, token = live_api
    photo, _, _ = make_sample(3, "front", "photo")
    img = cv2.imencode(".jpg", photo)[1].tobytes()
    assert client.post(OCR_PATH, json={"image": b64(img)}, headers={"X-Auth-Token": token}).status_code == 200
    registry = client.app.state.inference.metrics.registry
    for stage in ("find", "straighten", "detect", "recognise", "validate"):
        assert registry.get_sample_value("cardocr_stage_duration_seconds_count", {"stage": stage}) >= 1, stage
        assert registry.get_sample_value("cardocr_stage_duration_seconds_sum", {"stage": stage}) > 0, stage


def test_openapi_documents_every_endpoint_with_its_schemas():
    client, _ = make_client()
    assert client.get("/docs").status_code == 200
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    for doc in ("id-card", "hk-id-card", "driver-license"):
        op = paths[f"/v2/{{project_id}}/ocr/{doc}"]["post"]
        body = op["requestBody"]["content"]["application/json"]["schema"]
        assert body["$ref"].rsplit("/", 1)[-1] in spec["components"]["schemas"]
        assert "200" in op["responses"] and "400" in op["responses"] and "503" in op["responses"]
    assert "/v3/auth/tokens" in paths and "/health" in paths and "/ready" in paths


# --- the same on worker processes -------------------------------------------------------------


def test_worker_processes_shed_time_out_and_replace_the_dead(token):
    settings = _settings(1, max_queue=1, request_deadline_seconds=4)
    inference = Inference(ProcessBackend(1, 1, reader_factory="serving_readers:slow_or_crashing"),
                          settings.limits)
    app = create_app(settings, inference=inference)
    inference.start()

    def wait_ready(restarts: int = 0) -> None:  # a worker starting takes seconds on a loaded machine
        deadline = time.monotonic() + 60
        while inference.backend.restarts < restarts or not inference.ready():
            assert time.monotonic() < deadline, "the worker did not start"
            time.sleep(0.1)

    try:
        wait_ready()
        # a reading made in the worker comes back whole
        (r, _), = asyncio.run(_post_many(app, token, [make_image()]))
        assert r.status_code == 200 and r.json()["result"]["name"] == "测试"
        # one read, one waiting, the third refused at once
        codes = sorted(r.status_code for r, _ in asyncio.run(_post_many(app, token, [make_image(h=45)] * 3)))
        assert codes == [200, 200, 503]
        # the worker dies mid-request: that request is answered, a new worker reads the next
        (r, _), = asyncio.run(_post_many(app, token, [make_image(h=CRASH_HEIGHT)]))
        assert_error(r, 503, "ModelArts.4403")
        wait_ready(restarts=1)
        (r, _), = asyncio.run(_post_many(app, token, [make_image()]))
        assert r.status_code == 200
        # a worker still busy when its request's deadline passes is replaced too
        inference.limits = Limits(max_queue=1, request_deadline_seconds=0.5)
        (r, seconds), = asyncio.run(_post_many(app, token, [make_image(h=90)]))
        assert_error(r, 504, "ModelArts.4402")
        assert seconds < 2
        inference.limits = settings.limits
        wait_ready(restarts=2)
        (r, _), = asyncio.run(_post_many(app, token, [make_image()]))
        assert r.status_code == 200
        assert inference.backend.restarts == 2
        assert _metric(app, "cardocr_worker_restarts_total") == 2
        assert _metric(app, "cardocr_shed_total") == 1
        assert inference.backend.busy == 0  # the dead and the stopped worker's jobs were uncounted
    finally:
        inference.close(timeout=5)
    assert all(not p.is_alive() for p in inference.backend._procs if p is not None)


class _Engine:
    """An OcrEngine that notes which of two it is when a model runs."""

    def __init__(self, name: str, calls: list[str]) -> None:
        self.name, self.calls, self.charset = name, calls, ["<blank>"]

    def detect(self, image, max_side=960):
        self.calls.append(self.name)
        return []

    def recognize(self, crops, similar_width=None, min_width=0):
        self.calls.append(self.name)
        return []

    def upside_down(self, crops):
        self.calls.append(self.name)
        return []


def test_a_worker_reading_alone_runs_its_models_on_every_core_and_on_its_share_otherwise():
    import multiprocessing

    import cv2
    import numpy as np

    from cardocr.serving.sharing import LoadShared

    calls: list[str] = []
    busy = multiprocessing.get_context("spawn").Value("i", 1)
    engine = LoadShared(_Engine("share", calls), _Engine("alone", calls), busy, 1, 2)
    before = cv2.getNumThreads()
    try:
        image = np.zeros((32, 32, 3), np.uint8)
        engine.set_cv_threads()
        assert cv2.getNumThreads() == 2
        engine.detect(image)
        busy.value = 2  # another worker started: the same reading moves to its share
        engine.recognize([image])
        engine.set_cv_threads()
        assert cv2.getNumThreads() == 1
        busy.value = 1
        engine.upside_down([image])
        assert calls == ["alone", "share", "alone"]
    finally:
        cv2.setNumThreads(before)
