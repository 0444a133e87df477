"""SSRF-safe URL fetching against a local HTTP server on 127.0.0.1 and a fake resolver."""

from __future__ import annotations

import asyncio
import ipaddress

import pytest

from cardocr.errors import UrlFetchFailed, UrlRefused
from cardocr.intake.fetch import Allowlist, fetch_image, is_forbidden_ip
from tests.apihelpers import local_server, make_image

PNG = make_image(20, 30, ".png")


@pytest.fixture
def srv():
    with local_server() as s:
        s.body("/img.png", PNG)
        yield s


def fetch(url, **kw):
    return asyncio.run(fetch_image(url, **kw))


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/x.png",
        "http://127.0.0.2:8080/x.png",
        "http://localhost/x.png",
        "http://LOCALHOST/x.png",
        "http://10.1.2.3/x.png",
        "http://172.16.0.1/x.png",
        "http://192.168.1.1/x.png",
        "http://100.64.0.1/x.png",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/x.png",
        "http://[::ffff:127.0.0.1]/x.png",
        "http://[::ffff:169.254.169.254]/x.png",
        "http://[fe80::1]/x.png",
        "http://[fd00::1]/x.png",
        "http://0.0.0.0/x.png",
        "http://[::]/x.png",
        "http://224.0.0.1/x.png",
        "http://2130706433/x.png",  # 127.0.0.1 as an integer
        "ftp://example.com/x.png",
        "file:///etc/passwd",
        "gopher://example.com/",
        "http://user@example.com/x.png",
        "http://user:pw@example.com/x.png",
        "http:///x.png",
        "not a url",
        "",
    ],
)
def test_refused(url):
    with pytest.raises(UrlRefused):
        fetch(url)


@pytest.mark.parametrize(
    "ip,forbidden",
    [
        ("8.8.8.8", False), ("2606:4700::1111", False), ("::ffff:8.8.8.8", False),
        ("64:ff9b::808:808", False), ("127.0.0.1", True), ("10.0.0.1", True),
        ("169.254.169.254", True), ("100.127.255.255", True), ("198.18.0.1", True),
        ("::1", True), ("::ffff:10.0.0.1", True), ("2002:7f00:1::", True),
        ("64:ff9b::a9fe:a9fe", True), ("fc00::1", True), ("ff02::1", True),
        ("255.255.255.255", True), ("0.0.0.0", True),
    ],
)
def test_is_forbidden_ip(ip, forbidden):
    assert is_forbidden_ip(ipaddress.ip_address(ip)) is forbidden


def test_allowlist_parsing():
    a = Allowlist(["127.0.0.1:8081", "Minio.Internal", "10.0.0.0/8", "[::1]:9000", "h.test:99"])
    assert a.allows_ip(ipaddress.ip_address("127.0.0.1"), 8081)
    assert not a.allows_ip(ipaddress.ip_address("127.0.0.1"), 8082)
    assert a.allows_ip(ipaddress.ip_address("10.9.9.9"), 1)
    assert a.allows_ip(ipaddress.ip_address("::1"), 9000)
    assert a.allows_host("minio.internal.", 80)
    assert a.allows_host("h.test", 99) and not a.allows_host("h.test", 98)


def test_success_from_allowlisted_local_server(srv):
    data = fetch(srv.url("/img.png"), allowlist=[f"127.0.0.1:{srv.port}"])
    assert data == PNG
    assert srv.seen_hosts[-1] == f"127.0.0.1:{srv.port}"


def test_allowlist_port_specific(srv):
    with pytest.raises(UrlRefused):
        fetch(srv.url("/img.png"), allowlist=[f"127.0.0.1:{srv.port + 1}"])


def test_resolver_results_are_checked_and_pinned(srv):
    async def fake_resolver(host, port):
        return {"img.example": ["127.0.0.1"], "evil.example": ["93.184.216.34", "10.0.0.7"],
                "meta.example": ["169.254.169.254"]}[host]

    # host name allow-listed: connect to the resolved (pinned) address, keep the Host header
    url = f"http://img.example:{srv.port}/img.png"
    assert fetch(url, allowlist=["img.example"], resolver=fake_resolver) == PNG
    assert srv.seen_hosts[-1] == f"img.example:{srv.port}"
    # one bad address among good ones -> refused
    with pytest.raises(UrlRefused):
        fetch("http://evil.example/x.png", resolver=fake_resolver)
    with pytest.raises(UrlRefused):
        fetch("http://meta.example/latest", resolver=fake_resolver)


def test_redirect_to_private_address_refused(srv):
    srv.redirect("/to-metadata", "http://169.254.169.254/latest/meta-data/")
    srv.redirect("/to-ten", "http://10.0.0.1/x.png", code=307)
    srv.redirect("/to-other-port", f"http://127.0.0.1:{srv.port + 1}/img.png", code=301)
    allow = [f"127.0.0.1:{srv.port}"]  # only the first hop is allowed
    for path in ("/to-metadata", "/to-ten", "/to-other-port"):
        with pytest.raises(UrlRefused):
            fetch(srv.url(path), allowlist=allow)


def test_redirect_followed_and_limited(srv):
    srv.redirect("/r1", "/img.png")
    srv.redirect("/r3", "/r2")
    srv.redirect("/r2", "/r1")
    srv.redirect("/r4", "/r3")
    srv.redirect("/loop", "/loop")
    allow = [f"127.0.0.1:{srv.port}"]
    assert fetch(srv.url("/r1"), allowlist=allow) == PNG
    assert fetch(srv.url("/r3"), allowlist=allow) == PNG  # exactly 3 redirects
    with pytest.raises(UrlFetchFailed):
        fetch(srv.url("/r4"), allowlist=allow)
    with pytest.raises(UrlFetchFailed):
        fetch(srv.url("/loop"), allowlist=allow)


def test_redirect_to_bad_scheme_refused(srv):
    srv.redirect("/to-file", "file:///etc/passwd")
    with pytest.raises(UrlRefused):
        fetch(srv.url("/to-file"), allowlist=[f"127.0.0.1:{srv.port}"])


def test_size_cap_with_and_without_content_length(srv):
    srv.body("/big", b"\x89PNG" + b"\x00" * 5000)
    srv.stream("/stream", b"\x00" * 1024, 10)
    allow = [f"127.0.0.1:{srv.port}"]
    with pytest.raises(UrlFetchFailed):
        fetch(srv.url("/big"), allowlist=allow, max_bytes=4096)
    with pytest.raises(UrlFetchFailed):
        fetch(srv.url("/stream"), allowlist=allow, max_bytes=4096)
    assert len(fetch(srv.url("/stream"), allowlist=allow, max_bytes=20000)) == 10240


def test_timeout(srv):
    srv.stream("/slow", b"\x00" * 10, 100, delay=0.1)  # ~10 s in total
    with pytest.raises(UrlFetchFailed):
        fetch(srv.url("/slow"), allowlist=[f"127.0.0.1:{srv.port}"], timeout=0.5)


@pytest.mark.parametrize("code", [404, 500, 204])
def test_non_200_fails(srv, code):
    srv.status("/s", code)
    with pytest.raises(UrlFetchFailed):
        fetch(srv.url("/s"), allowlist=[f"127.0.0.1:{srv.port}"])


def test_connection_refused_and_unresolvable():
    with local_server() as s:
        port = s.port
    with pytest.raises(UrlFetchFailed):  # nothing listens there any more
        fetch(f"http://127.0.0.1:{port}/x", allowlist=["127.0.0.1"])

    async def failing_resolver(host, port):
        raise OSError("no such host")

    with pytest.raises(UrlFetchFailed):
        fetch("http://nowhere.example/x", resolver=failing_resolver)
