"""Readers for the inference-pool tests, importable in a worker process (serving.workers loads
them by "module:function"). What each does is told by the image it is given, so one worker
serves every case: a photo `h` pixels high sleeps `h - 40` tenths of a second, one 39 pixels
high makes the worker die on the spot (as a crash in native code would)."""

from __future__ import annotations

import os
import time

from apihelpers import FakePipeline

CRASH_HEIGHT = 39


def slow_or_crashing(threads: int):
    pipe = FakePipeline()

    def reader(doc, image, request):
        h = image.shape[0]
        if h == CRASH_HEIGHT:
            os._exit(3)
        time.sleep(max(0, h - 40) / 10)
        return pipe(doc, image, request)

    return reader
