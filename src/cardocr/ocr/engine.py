"""The OCR engine: PP-OCR ONNX models from the `rapidocr` wheels, run by onnxruntime.

Models: all three from the one pinned `rapidocr` wheel: text detection PP-OCRv6 small,
recognition PP-OCRv6 small, the 180° classifier (mobile v2). The detector replaced
rapidocr-onnxruntime's PP-OCRv4 mobile (a second wheel, with its own OpenCV build) on
2026-12-06, one model wheel and one OpenCV build (the project's brief). Its text regions
come out a little taller than v4's: unclip_ratio 1.4 (v4's 1.6) gives boxes of v4's height,
which the zones and crops were measured with (598 v4 boxes of 48 dev cards, mean height
+2.4 px at 1.6, -0.1 px at 1.4). It is not symmetric under a half turn (vision.orient).
It costs ~1.5x v4's time at one input size; the documents detect their straightened cards
at sizes measured with it (DocumentType.det_side: ID card 576, HK card 640, licence 672).

We call the models ourselves instead of going through `rapidocr.RapidOCR` because that
class downloads missing models on demand, fetches any string that looks like a URL, and
keeps per-call options on the shared engine. Here model paths are taken explicitly from
the installed wheel (nothing is ever fetched), inputs are decoded arrays only, and every
method is safe to call from several worker threads at once (onnxruntime sessions are).
Only the DB post-processing (bitmap → boxes) is borrowed from rapidocr.
"""

from __future__ import annotations

import importlib.util
import threading
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np
import onnxruntime as ort

from .ctc import Charset, greedy_decode
from .types import Line

REC_HEIGHT = 48
DET_MODEL = "PP-OCRv6_det_small.onnx"
REC_MODEL = "PP-OCRv6_rec_small.onnx"
CLS_MODEL = "ch_ppocr_mobile_v2.0_cls_mobile.onnx"


def wheel_model_dir(package: str = "rapidocr") -> Path:
    """The `models/` folder inside an installed wheel (found without importing it)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"the {package} wheel (which carries OCR models) is not installed")
    return Path(list(spec.submodule_search_locations)[0]) / "models"


_engines: dict[int, OnnxOcrEngine] = {}
_lock = threading.RLock()


class OcrEngine(Protocol):
    # read-only, so an engine may hold a Charset (the real one) or a plain list (a test's)
    @property
    def charset(self) -> list[str]: ...

    def detect(self, image: np.ndarray, max_side: int = 960) -> list[np.ndarray]: ...

    def recognize(self, crops: list[np.ndarray], similar_width: float | None = None,
                  min_width: int = 0) -> list[Line]: ...

    def upside_down(self, crops: list[np.ndarray]) -> list[float]: ...


def _normalise(img: np.ndarray) -> np.ndarray:
    x = img.astype(np.float32) * (2.0 / 255.0) - 1.0  # (x/255 - 0.5) / 0.5
    return x.transpose(2, 0, 1)


def _as_bgr(img: np.ndarray) -> np.ndarray:
    if img.ndim == 2:
        return cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)
    return img


_allocator_registered = False


def _share_one_arena(opts: ort.SessionOptions) -> None:
    """Every session of the process allocates from one arena registered with onnxruntime's
    environment, instead of each growing its own to its largest run and keeping it. A worker
    holds two engines (serving.sharing) and runs one model at a time: measured, the second
    engine's sessions then added ~20 MB instead of ~190 MB after a few cards."""
    global _allocator_registered
    with _lock:
        if not _allocator_registered:
            info = ort.OrtMemoryInfo("Cpu", ort.OrtAllocatorType.ORT_ARENA_ALLOCATOR, 0,
                                     ort.OrtMemType.DEFAULT)
            ort.create_and_register_allocator(info, None)
            _allocator_registered = True
    opts.add_session_config_entry("session.use_env_allocators", "1")


class OnnxOcrEngine:
    def __init__(self, threads: int = 2) -> None:
        from rapidocr.ch_ppocr_det.utils import DBPostProcess  # post-processing only

        model_dir = wheel_model_dir("rapidocr")
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        # Each session has its own pool of intra-op threads, which by default spin for a while
        # after every run. The three sessions run one after another on the same 2 cores, so
        # the detector's spinning threads took the cores from the recogniser that ran next:
        # measured, the recogniser right after the detector took 115 ms instead of 62 ms.
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        _share_one_arena(opts)
        providers = ["CPUExecutionProvider"]
        self._det = ort.InferenceSession(str(model_dir / DET_MODEL), opts, providers=providers)
        self._rec = ort.InferenceSession(str(model_dir / REC_MODEL), opts, providers=providers)
        self._cls = ort.InferenceSession(str(model_dir / CLS_MODEL), opts, providers=providers)
        meta = self._rec.get_modelmeta().custom_metadata_map
        # class 0 is the CTC blank, the last class is a space (PaddleOCR's convention)
        self.charset = Charset(["<blank>", *meta["character"].splitlines(), " "])
        self._post = DBPostProcess(  # unclip_ratio: see the module's docstring
            thresh=0.3, box_thresh=0.5, max_candidates=300, unclip_ratio=1.4,
            use_dilation=True, score_mode="fast",
        )

    # -- detection -------------------------------------------------------------------------
    def detect(self, image: np.ndarray, max_side: int = 960) -> list[np.ndarray]:
        """Text line quads (4x2 float32, clockwise from top-left) in `image` pixels."""
        image = _as_bgr(image)
        h, w = image.shape[:2]
        scale = min(1.0, max_side / max(h, w))
        rh = max(32, int(round(h * scale / 32)) * 32)
        rw = max(32, int(round(w * scale / 32)) * 32)
        x = _normalise(cv2.resize(image, (rw, rh)))[None]
        pred = self._det.run(None, {self._det.get_inputs()[0].name: x})[0]
        boxes, _scores = self._post(pred, (h, w))
        quads = [np.asarray(b, dtype=np.float32) for b in boxes]
        quads.sort(key=lambda q: (q[:, 1].mean(), q[:, 0].min()))
        return quads

    # -- recognition -----------------------------------------------------------------------
    def recognize(self, crops: list[np.ndarray], similar_width: float | None = None,
                  min_width: int = 0) -> list[Line]:
        """Recognise horizontal line crops; each Line keeps its posterior matrix.

        Crops go through the model in batches of up to 8, sorted by width, each padded to its
        widest crop. `similar_width`: also start a new batch where a crop is more than this
        many times as wide as the batch's first, so short lines are not padded to long ones
        (cheaper on CPU: the model's time grows with the padded width; padding also shifts
        the recogniser's reading slightly). `min_width`: pad every crop to at least this many
        columns (at the model's 48-px height) and batch by the padded width, so a short line
        is read with the same blank context whichever lines share its batch."""
        results: list[Line | None] = [None] * len(crops)
        prepared = []
        for i, crop in enumerate(crops):
            crop = _as_bgr(crop)
            h, w = crop.shape[:2]
            if h < 2 or w < 2:
                results[i] = Line(text="", char_probs=[])
                continue
            nw = max(16, min(1600, int(np.ceil(REC_HEIGHT * w / h))))
            prepared.append((i, cv2.resize(crop, (nw, REC_HEIGHT))))
        prepared.sort(key=lambda p: p[1].shape[1])
        for chunk in _batches(prepared, 8, similar_width, min_width):
            width = max(min_width, *(p[1].shape[1] for p in chunk))
            x = np.zeros((len(chunk), 3, REC_HEIGHT, width), dtype=np.float32)
            for j, (_, img) in enumerate(chunk):
                x[j, :, :, : img.shape[1]] = _normalise(img)
            out = self._rec.run(None, {self._rec.get_inputs()[0].name: x})[0]
            for j, (i, img) in enumerate(chunk):
                # drop timesteps that only saw padding
                steps = max(1, int(np.ceil(out.shape[1] * img.shape[1] / width)))
                results[i] = greedy_decode(out[j, :steps], self.charset)
        return [r if r is not None else Line(text="", char_probs=[]) for r in results]

    # -- orientation -----------------------------------------------------------------------
    def upside_down(self, crops: list[np.ndarray]) -> list[float]:
        """Probability that each line crop is rotated by 180 degrees."""
        if not crops:
            return []
        x = np.zeros((len(crops), 3, 48, 192), dtype=np.float32)
        for j, crop in enumerate(crops):
            crop = _as_bgr(crop)
            h, w = crop.shape[:2]
            nw = max(1, min(192, int(np.ceil(48 * w / max(h, 1)))))
            x[j, :, :, :nw] = _normalise(cv2.resize(crop, (nw, 48)))
        out = self._cls.run(None, {self._cls.get_inputs()[0].name: x})[0]
        return [float(p[1]) for p in out]


def _batches(prepared: list[tuple[int, np.ndarray]], size: int, similar_width: float | None,
             min_width: int = 0) -> list[list[tuple[int, np.ndarray]]]:
    """Consecutive runs of width-sorted crops: at most `size`, and within `similar_width`
    of each other once every width is raised to `min_width`."""
    out: list[list[tuple[int, np.ndarray]]] = []
    for item in prepared:
        if not out or len(out[-1]) == size or (similar_width and max(min_width, item[1].shape[1])
                                               > similar_width * max(min_width, out[-1][0][1].shape[1])):
            out.append([])
        out[-1].append(item)
    return out


def get_engine(threads: int = 2) -> OnnxOcrEngine:
    """An engine with `threads` intra-op threads (Settings.engine_threads), loaded once per
    process and thread count: the sessions are thread-safe and loading takes a while. The
    app and the CLI build theirs from Settings and pass it down; nothing below asks for one."""
    with _lock:
        if threads not in _engines:
            _engines[threads] = OnnxOcrEngine(threads=threads)
        return _engines[threads]
