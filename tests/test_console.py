"""The web console in a real browser: Debian's chromium driven by Playwright (executable_path:
Playwright's own browser builds are never downloaded or used), against the real service (real
models) on a free loopback port.

Each step leaves a screenshot in tests/out/console/ (ignored by git) to look at.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
import uvicorn
from playwright.sync_api import Browser, Page, expect, sync_playwright

from cardocr.api.app import create_app
from cardocr.server import uvicorn_config
from cardocr.settings import DEV_DOMAIN, DEV_PASSWORD, DEV_USER, Settings
from reference import reference_image, reference_path
from test_specimen import BACK as CN_BACK
from test_specimen import FRONT as CN_FRONT
from test_specimen_hk import PRINTED as HK_PRINTED
from tools.cardgen import make_sample

SHOTS = Path(__file__).resolve().parent / "out" / "console"
CHROMIUM = shutil.which("chromium")

# specimen file -> (document, side, printed values the table must show)
SPECIMENS = {
    "cn-id-both-sides-specimen.png": ("id-card", "double_side", {"front": CN_FRONT, "back": CN_BACK}),
    "hk-id-2018-specimen.png": ("hk-id-card", None,
                                {"front": {k: str(v).lower() if isinstance(v, bool) else v
                                           for k, v in HK_PRINTED.items()}}),
    # the fields tests/test_e2e_driver_license.py reads right on the mock-up (its dates: issue 15)
    "cn-driving-licence-mockup.png": ("driver-license", "front",
                                      {"front": {"name": "小帮", "sex": "男", "nationality": "中国", "class": "E"}}),
}


@pytest.fixture(scope="module")
def base_url(tmp_path_factory) -> Iterator[str]:
    """The service as `cardocr serve` runs it, with the real models, on a free port, with the
    review store on (off by default: tests/test_console_store.py)."""
    settings = Settings(review={"path": tmp_path_factory.mktemp("store") / "reviews.sqlite"})
    server = uvicorn.Server(uvicorn_config(create_app(settings), settings, log_level="warning"))
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60  # the models load before the server starts answering
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the service did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory) -> Iterator[Browser]:
    assert CHROMIUM, "Debian's chromium is missing: scripts/bootstrap.sh (make bootstrap) installs it"
    SHOTS.mkdir(parents=True, exist_ok=True)
    # Playwright's driver is pointed at an empty browsers folder: were it to want a browser of
    # its own it would find none, and it must leave the folder empty
    empty = tmp_path_factory.mktemp("no-playwright-browsers")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PLAYWRIGHT_BROWSERS_PATH", str(empty))
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM)
            debian = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True).stdout
            assert f" {browser.version} " in debian, (browser.version, debian)
            yield browser
            browser.close()
    assert not any(empty.iterdir()), "Playwright put a browser of its own in place"


@pytest.fixture
def page(browser: Browser, base_url: str) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)
    page = context.new_page()
    foreign: list[str] = []
    page.on("request", lambda r: None if r.url.startswith((base_url, "data:", "blob:")) else foreign.append(r.url))
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    # an API error answer is logged by the browser itself ("Failed to load resource"): expected
    page.on("console", lambda m: problems.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
    page.goto(base_url + "/")
    yield page
    context.close()
    assert foreign == [], f"the console fetched from elsewhere: {foreign}"
    assert problems == [], f"errors in the page: {problems}"


def shot(page: Page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def log_in(page: Page, name: str = "login") -> None:
    page.get_by_label("User", exact=True).fill(DEV_USER)
    page.get_by_label("Password", exact=True).fill(DEV_PASSWORD)
    page.get_by_label("Domain", exact=True).fill(DEV_DOMAIN)
    if name == "review":
        shot(page, f"{name}-1-form")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text(f"Logged in as {DEV_USER}")).to_be_visible()


def choose(page: Page, document: str, side: str | None = None) -> None:
    page.get_by_label("Document", exact=True).select_option(document)
    if side is not None:
        page.get_by_label("Side", exact=True).select_option(side)


def wait_until_read(page: Page, count: int) -> None:
    expect(page.locator(".items li")).to_have_count(count)
    page.wait_for_function("() => !document.querySelector('.items li.waiting, .items li.reading')", timeout=60_000)


def table(page: Page, side: str) -> dict[str, str]:
    rows = page.locator(f".card-side[data-side={side}] tr[data-key]")
    return {rows.nth(i).get_attribute("data-key"): rows.nth(i).locator("input").input_value()
            for i in range(rows.count())}


# WCAG 2 contrast of every visible text against the first opaque background behind it
# (4.5:1, 3:1 for large text); disabled controls and the labels drawn on the photo excepted
LOW_CONTRAST = """() => {
    const channel = (v) => (v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    const lum = (c) => { const [r, g, b] = c.match(/[\\d.]+/g).map(Number).map(channel);
                         return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
    const behind = (el) => {
        for (; el; el = el.parentElement) {
            const m = getComputedStyle(el).backgroundColor.match(/[\\d.]+/g);
            if (m && (m.length < 4 || Number(m[3]) > 0.5)) return getComputedStyle(el).backgroundColor;
        }
        return 'rgb(255, 255, 255)';
    };
    return [...document.querySelectorAll('body *')].filter((el) => el.offsetParent !== null
            && [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())
            && !el.closest('svg, :disabled')).flatMap((el) => {
        const s = getComputedStyle(el);
        const [a, b] = [lum(s.color), lum(behind(el))];
        const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
        const large = parseFloat(s.fontSize) >= 24 || (parseFloat(s.fontSize) >= 18.66 && Number(s.fontWeight) >= 700);
        return ratio < (large ? 3 : 4.5) ? [`${el.textContent.trim().slice(0, 40)}: ${ratio.toFixed(2)}`] : [];
    });
}"""


def ink_under(photo: np.ndarray, pts: np.ndarray) -> tuple[float, float]:
    """(share of dark pixels, share of columns with any) in the box's bounding rectangle (a
    one-character field such as sex is boxed with its blank zone: 0.27 of the columns on the ID):
    printed text is dark strokes spread along the box; the card's pattern is light."""
    gray = cv2.cvtColor(photo, cv2.COLOR_BGR2GRAY).astype(np.int16)
    x0, y0 = np.floor(pts.min(axis=0)).astype(int).clip(0)
    x1, y1 = np.ceil(pts.max(axis=0)).astype(int)
    crop = gray[y0:y1, x0:x1]
    ink = crop < np.percentile(crop, 90) - 70
    return float(ink.mean()), float(ink.any(axis=0).mean())


@pytest.mark.parametrize("name", list(SPECIMENS))
def test_each_specimen_is_read_and_its_boxes_lie_on_the_printed_text(page: Page, name: str, tmp_path: Path):
    document, side, printed = SPECIMENS[name]
    step = name.split(".")[0]
    log_in(page, step)
    choose(page, document, side)
    page.set_input_files("#files", str(reference_path(name)))
    wait_until_read(page, 1)
    shot(page, f"{step}-2-read")

    assert page.evaluate(LOW_CONTRAST) == []
    for card_side, values in printed.items():
        shown = table(page, card_side)
        assert {k: shown.get(k) for k in values} == values

    # every box drawn where the API located it, on the photo as displayed ...
    boxes = page.locator(".frame svg g.box:not(.portrait)")
    drawn = page.evaluate("""() => {
        const img = document.querySelector('.frame img').getBoundingClientRect();
        const scale = img.width / document.querySelector('.frame img').naturalWidth;
        return [...document.querySelectorAll('.frame svg g.box')].map((g) => {
            const r = g.querySelector('polygon').getBoundingClientRect();
            const pts = g.querySelector('polygon').getAttribute('points').trim().split(' ')
                .map((p) => p.split(',').map(Number));
            return {key: g.dataset.key, pts, scale,
                    rect: [r.left - img.left, r.top - img.top, r.right - img.left, r.bottom - img.top]};
        });
    }""")
    for box in drawn:
        pts = np.array(box["pts"], float)
        expected = [*(pts.min(axis=0) * box["scale"]), *(pts.max(axis=0) * box["scale"])]
        assert np.allclose(box["rect"], expected, atol=2.5), box
    # ... and on the printed text of the photo
    photo = reference_image(name)
    located = [b for b in drawn if b["key"] != "portrait"]
    assert boxes.count() == len(located)
    if document == "hk-id-card":  # its API returns no text_location: only the portrait is located
        assert located == [] and [b["key"] for b in drawn] == ["portrait"]
        expect(page.locator("img.portrait")).to_be_visible()
        copy_as_curl_repeats_the_request(page, reference_path(name), tmp_path)
        return
    assert sum(len(b["key"].split()) for b in located) >= sum(len(v) for v in printed.values())
    for box in located:
        dark, spread = ink_under(photo, np.array(box["pts"], float))
        assert dark > 0.04 and spread > 0.2, (box["key"], dark, spread)
    if document == "id-card":  # the specimen's number fails its check: said in words, row marked
        expect(page.locator("img.adjusted").first).to_be_visible()
        expect(page.get_by_text("The ID number fails its check character")).to_be_visible()
        assert "check failed" in page.locator(".card-side[data-side=front] tr[data-key=number] .notes").inner_text()


def test_detect_tries_each_document_until_one_finds_its_card(page: Page):
    """The licence mock-up with the document left to "detect": the ID card's and the Hong
    Kong card's endpoints answer "no card" (AIS.0104), the licence's reads it."""
    name = "cn-driving-licence-mockup.png"
    log_in(page, "detect")
    choose(page, "")
    page.set_input_files("#files", str(reference_path(name)))
    wait_until_read(page, 1)
    shot(page, "detect-2-read")
    expect(page.locator("span", has_text="Mainland driving licence")).to_be_visible()  # what detect settled on
    printed = SPECIMENS[name][2]["front"]
    shown = table(page, "front")
    assert {k: shown.get(k) for k in printed} == printed


def test_a_bad_file_and_a_refused_url_say_what_went_wrong(page: Page, tmp_path: Path, base_url: str):
    log_in(page, "errors")
    bad = tmp_path / "not-a-photo.jpg"
    bad.write_bytes(b"%PDF-1.4 this is a document, not a photo")
    page.set_input_files("#files", str(bad))
    wait_until_read(page, 1)
    error = page.locator(".detail .error")
    expect(error.locator(".code")).to_have_text("AIS.0102")
    expect(error.locator(".says")).to_contain_text("not an image the service reads")
    expect(page.locator(".items li.failed .badge")).to_have_text("failed")
    shot(page, "errors-2-bad-file")

    page.get_by_label("…or the address of an image").fill(base_url + "/card.png")  # loopback: refused
    page.get_by_role("button", name="Read the URL").click()
    wait_until_read(page, 2)
    expect(error.locator(".code")).to_have_text("ModelArts.4601")
    expect(error.locator(".says")).to_contain_text("only public http(s) addresses")
    shot(page, "errors-3-refused-url")


def test_a_review_batch_on_a_phone_exports_the_corrections(browser: Browser, base_url: str, tmp_path: Path):
    context = browser.new_context(viewport={"width": 360, "height": 740}, accept_downloads=True,
                                  permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(base_url + "/")
    log_in(page, "review")
    people = []
    files = []
    for seed in (101, 202):
        img, person, _ = make_sample(seed, "front", "scan")
        files.append(tmp_path / f"card-{seed}.png")
        cv2.imwrite(str(files[-1]), img)
        people.append(person)
    files.append(tmp_path / "animation.gif")
    files[-1].write_bytes(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;")
    choose(page, "id-card", "front")
    page.set_input_files("#files", [str(f) for f in files])
    wait_until_read(page, 3)
    shot(page, "review-2-batch")

    # every control named for assistive technology; nothing wider than the phone
    unnamed = page.evaluate("""() => [...document.querySelectorAll('input, select, button')]
        .filter((el) => el.offsetParent && !(el.labels && el.labels.length) && !el.textContent.trim()
                        && !el.getAttribute('aria-label')).map((el) => el.outerHTML)""")
    assert unnamed == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.evaluate(LOW_CONTRAST) == []

    # the keyboard: to the first card, correct its name, accept; the next one, accept
    options = page.locator(".items [role=option]")
    options.nth(2).focus()
    page.keyboard.press("Home")
    expect(options.nth(0)).to_have_attribute("aria-selected", "true")
    expect(options.nth(0)).to_be_focused()
    assert table(page, "front") == {k: getattr(people[0], k) for k in table(page, "front")}
    page.get_by_label("name", exact=True).fill("王小明")
    expect(page.locator("tr[data-key=name] .notes")).to_have_text("corrected")
    options.nth(0).focus()
    page.keyboard.press("a")
    expect(options.nth(1)).to_be_focused()
    assert table(page, "front")["number"] == people[1].number
    page.keyboard.press("a")  # on to the next card not accepted: the failed one
    expect(options.nth(2)).to_be_focused()
    page.keyboard.press("a")  # a card that was not read cannot be accepted
    expect(options.nth(2).locator(".badge")).to_have_text("failed")
    expect(page.locator(".detail .error .code")).to_have_text("AIS.0102")
    expect(options.nth(0).locator(".badge")).to_have_text("accepted")
    shot(page, "review-3-accepted")

    with page.expect_download() as jl:
        page.get_by_role("button", name="Export JSON lines").click()
    records = [json.loads(line) for line in Path(jl.value.path()).read_text().splitlines()]
    with page.expect_download() as cs:
        page.get_by_role("button", name="Export CSV").click()
    rows = list(csv.DictReader(io.StringIO(Path(cs.value.path()).read_text())))
    page.get_by_role("button", name="Save on the server").click()
    expect(page.get_by_text("Saved 3 card sides on the server; they are deleted after 30 days.")).to_be_visible()
    with page.expect_download() as sv:
        page.get_by_role("button", name="Download the saved cards").click()
    saved = [json.loads(line) for line in Path(sv.value.path()).read_text().splitlines()]
    shot(page, "review-4-exported")
    context.close()

    assert sorted((r["file"], r["fields"].get("name", "")) for r in saved) == sorted(
        (r["file"], r["fields"].get("name", "")) for r in records)
    assert {r["saved_by"] for r in saved} == {DEV_USER}

    assert [r["file"] for r in records] == [f.name for f in files]
    assert [r["status"] for r in records] == ["accepted", "accepted", "failed"]
    assert records[0]["fields"] == {k: getattr(people[0], k) for k in CN_FRONT} | {"name": "王小明"}
    assert records[0]["corrected"] == ["name"]
    assert records[1]["fields"]["number"] == people[1].number and records[1]["corrected"] == []
    assert records[2]["error_code"] == "AIS.0102" and records[2]["fields"] == {}
    assert [r["name"] for r in rows] == ["王小明", people[1].name, ""]
    assert [r["corrected"] for r in rows] == ["name", "", ""]
    assert rows[0]["number"] == people[0].number


def copy_as_curl_repeats_the_request(page: Page, photo: Path, folder: Path) -> None:
    """The command on the clipboard, run by bash next to the photo, gets the answer shown."""
    page.get_by_role("button", name="Copy as curl").click()
    expect(page.get_by_text("The curl command is on the clipboard.")).to_be_visible()
    command = page.evaluate("navigator.clipboard.readText()")
    shutil.copy(photo, folder / photo.name)
    out = subprocess.run(["bash", "-c", command], cwd=folder, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and out.stdout, (command[:300], out.stderr)
    assert json.loads(out.stdout) == json.loads(page.locator("pre.answer").text_content())
