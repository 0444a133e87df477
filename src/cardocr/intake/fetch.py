"""SSRF-safe download of an image URL.

Policy
  * only http:// and https://; URLs with userinfo (`http://user@host/`) are refused, since
    `http://trusted.example@evil.example/` is a classic spoof and no image store needs it;
  * the host is resolved here, and EVERY resolved address must be public: loopback, RFC1918,
    CGNAT 100.64/10, link-local (169.254/16 incl. the 169.254.169.254 metadata service,
    fe80::/10), ULA fc00::/7, multicast, unspecified, reserved, documentation ranges and
    IPv4 addresses embedded in IPv6 (::ffff:a.b.c.d, 6to4, NAT64, IPv4-compatible) are refused;
  * allow-list entries (settings `url_allowlist`) lift the address rule: a host name
    ("minio.internal"), an IP or CIDR ("10.1.0.0/16"), optionally with a port
    ("127.0.0.1:9000", "[::1]:9000", "minio.internal:9000") to allow only that port;
  * the connection goes to the exact address that was checked (the URL host is replaced by the
    IP; the Host header and, for https, the TLS SNI / certificate check keep the real name),
    so DNS rebinding between check and connect is impossible;
  * redirects are followed by hand (at most 3), each hop is checked again from scratch;
  * one deadline (10 s by default) covers resolution, all hops and the body; the body is
    streamed and cut off at the size cap (10 MB by default); env proxies / .netrc are ignored.

Refusals raise UrlRefused (ModelArts.4601); network errors, non-200, oversize bodies and
timeouts raise UrlFetchFailed (ModelArts.4603).

Residual risk: if several addresses are resolved, all are checked and they are tried in
order, so no unchecked address is ever contacted. Requests through an HTTP proxy are not
supported (the proxy would do its own resolution).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

import httpx

from cardocr.errors import UrlFetchFailed, UrlRefused
from cardocr.settings import Limits

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[str]]]

# the service's defaults (settings.Limits); the API passes the configured ones
_DEFAULTS = Limits()
DEFAULT_TIMEOUT = _DEFAULTS.url_fetch_timeout_seconds
DEFAULT_MAX_BYTES = _DEFAULTS.max_download_bytes
DEFAULT_MAX_REDIRECTS = _DEFAULTS.max_redirects
USER_AGENT = "cardocr-fetch/0.1"

_REDIRECT_CODES = {301, 302, 303, 307, 308}

_BLOCKED_NETWORKS = [
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",  # "this network", incl. 0.0.0.0
        "10.0.0.0/8",
        "100.64.0.0/10",  # CGNAT
        "127.0.0.0/8",
        "169.254.0.0/16",  # link-local, cloud metadata
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.88.99.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved + broadcast
        "::/128",
        "::1/128",
        "::ffff:0:0/96",  # IPv4-mapped (checked via the embedded address first)
        "64:ff9b:1::/48",
        "100::/64",
        "2001:db8::/32",
        "fc00::/7",  # ULA
        "fe80::/10",  # link-local
        "fec0::/10",  # site-local (deprecated)
        "ff00::/8",  # multicast
    )
]
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_V4_COMPAT = ipaddress.ip_network("::/96")


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    out: list[ipaddress.IPv4Address] = []
    if ip.ipv4_mapped is not None:
        out.append(ip.ipv4_mapped)
    if ip.sixtofour is not None:
        out.append(ip.sixtofour)
    if ip.teredo is not None:
        out.extend(ip.teredo)
    if ip in _NAT64 or (ip in _V4_COMPAT and int(ip) > 1):
        out.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return out


def is_forbidden_ip(ip: IPAddress) -> bool:
    """True for any address a server-side fetch must not reach."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.scope_id:
            return True
        embedded = _embedded_ipv4(ip)
        if any(is_forbidden_ip(v4) for v4 in embedded):
            return True
        if ip.ipv4_mapped is not None or ip in _NAT64:
            return False  # mapped / NAT64 public IPv4: judged by the embedded address alone
    if any(ip.version == net.version and ip in net for net in _BLOCKED_NETWORKS):
        return True
    return (
        not ip.is_global
        or ip.is_multicast
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_unspecified
        or ip.is_private
    )


@dataclass(frozen=True)
class _Entry:
    host: str | None  # lower-case host name, or None for an IP/CIDR entry
    network: ipaddress.IPv4Network | ipaddress.IPv6Network | None
    port: int | None


class Allowlist:
    """Hosts / IPs / CIDRs (optionally `:port`) that may be fetched despite the address rules."""

    def __init__(self, entries: Iterable[str] = ()) -> None:
        self.entries: list[_Entry] = [self._parse(e) for e in entries if e and e.strip()]

    @staticmethod
    def _parse(entry: str) -> _Entry:
        e = entry.strip().lower()
        port: int | None = None
        try:
            return _Entry(None, ipaddress.ip_network(e, strict=False), None)
        except ValueError:
            pass
        if e.startswith("["):  # [v6] or [v6]:port or [v6/len]:port
            inner, _, rest = e[1:].partition("]")
            if rest.startswith(":"):
                port = int(rest[1:])
            return _Entry(None, ipaddress.ip_network(inner, strict=False), port)
        if e.count(":") == 1:
            e, p = e.split(":")
            port = int(p)
        try:
            return _Entry(None, ipaddress.ip_network(e, strict=False), port)
        except ValueError:
            return _Entry(e.rstrip("."), None, port)

    def allows_host(self, host: str, port: int) -> bool:
        h = host.lower().rstrip(".")
        return any(
            x.host is not None and x.host == h and (x.port is None or x.port == port)
            for x in self.entries
        )

    def allows_ip(self, ip: IPAddress, port: int) -> bool:
        return any(
            x.network is not None
            and x.network.version == ip.version
            and ip in x.network
            and (x.port is None or x.port == port)
            for x in self.entries
        )


async def system_resolver(host: str, port: int) -> list[str]:
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    out: list[str] = []
    for info in infos:
        addr = str(info[4][0])
        if addr not in out:
            out.append(addr)
    return out


@dataclass(frozen=True)
class _Target:
    url: httpx.URL
    host: str  # ASCII (IDNA) host, no brackets
    port: int
    host_header: str
    is_ip_literal: bool


def _parse_target(url: str) -> _Target:
    if not isinstance(url, str) or not url.strip():
        raise UrlRefused("The image URL is empty.")
    try:
        parsed = httpx.URL(url.strip())
    except (httpx.InvalidURL, ValueError, TypeError):
        raise UrlRefused("The image URL is malformed.") from None
    if parsed.scheme not in ("http", "https"):
        raise UrlRefused("Only http and https image URLs are allowed.")
    if parsed.userinfo:
        raise UrlRefused("Image URLs with credentials are not allowed.")
    try:
        host = parsed.raw_host.decode("ascii")
    except UnicodeDecodeError:
        raise UrlRefused("The image URL host is malformed.") from None
    if not host:
        raise UrlRefused("The image URL has no host.")
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        ipaddress.ip_address(host)
        is_ip = True
    except ValueError:
        is_ip = False
    return _Target(parsed, host, port, parsed.netloc.decode("ascii"), is_ip)


async def _resolve_checked(
    target: _Target, allow: Allowlist, resolver: Resolver
) -> list[IPAddress]:
    if target.is_ip_literal:
        addrs = [target.host]
    else:
        try:
            addrs = await resolver(target.host, target.port)
        except (OSError, UnicodeError):
            raise UrlFetchFailed("The image URL host could not be resolved.") from None
    ips: list[IPAddress] = []
    for a in addrs:
        try:
            ips.append(ipaddress.ip_address(a.split("%", 1)[0] if "%" in a else a))
        except ValueError:
            raise UrlFetchFailed("The image URL host could not be resolved.") from None
    if not ips:
        raise UrlFetchFailed("The image URL host could not be resolved.")
    if allow.allows_host(target.host, target.port):
        return ips
    for ip in ips:
        if is_forbidden_ip(ip) and not allow.allows_ip(ip, target.port):
            raise UrlRefused("The image URL points to a non-public address.")
    return ips


async def fetch_image(
    url: str,
    *,
    allowlist: Allowlist | Iterable[str] = (),
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_redirects: int = DEFAULT_MAX_REDIRECTS,
    resolver: Resolver | None = None,
) -> bytes:
    """Download `url` under the policy above and return the body bytes."""
    allow = allowlist if isinstance(allowlist, Allowlist) else Allowlist(allowlist)
    try:
        async with asyncio.timeout(timeout):
            return await _fetch(url, allow, timeout, max_bytes, max_redirects,
                                resolver or system_resolver)
    except TimeoutError:
        raise UrlFetchFailed("Downloading the image timed out.") from None


async def _fetch(
    url: str,
    allow: Allowlist,
    timeout: float,
    max_bytes: int,
    max_redirects: int,
    resolver: Resolver,
) -> bytes:
    current = url
    for _hop in range(max_redirects + 1):
        target = _parse_target(current)
        ips = await _resolve_checked(target, allow, resolver)
        headers = {
            "Host": target.host_header,
            "User-Agent": USER_AGENT,
            "Accept": "image/*, */*;q=0.5",
            "Accept-Encoding": "identity",
        }
        extensions = {}
        if target.url.scheme == "https" and not target.is_ip_literal:
            extensions["sni_hostname"] = target.host  # SNI + certificate name check
        async with httpx.AsyncClient(
            trust_env=False, follow_redirects=False, timeout=httpx.Timeout(timeout)
        ) as client:
            response = None
            for ip in ips:
                pinned = target.url.copy_with(host=str(ip), fragment=None)
                request = client.build_request(
                    "GET", pinned, headers=headers, extensions=extensions
                )
                try:
                    response = await client.send(request, stream=True)
                    break
                except (httpx.ConnectError, httpx.ConnectTimeout):
                    continue
                except httpx.HTTPError:
                    raise UrlFetchFailed() from None
                except (httpx.InvalidURL, ValueError):
                    # httpx builds the next request from a redirect's Location even when it does
                    # not follow it: a Location it cannot parse (`http:\\host`, a host IDNA
                    # refuses) fails here, not at our own join below
                    raise UrlRefused("The redirect location is malformed.") from None
            if response is None:
                raise UrlFetchFailed("Could not connect to the image URL host.")
            try:
                status = response.status_code
                if status in _REDIRECT_CODES:
                    location = response.headers.get("location")
                    if not location:
                        raise UrlFetchFailed("Redirect without a location.")
                    try:
                        # Resolve against the URL as the client wrote it, not the pinned IP URL.
                        current = str(target.url.join(location))
                    except (httpx.InvalidURL, ValueError):
                        raise UrlRefused("The redirect location is malformed.") from None
                    continue
                if status != 200:
                    raise UrlFetchFailed(f"The image URL answered HTTP {status}.")
                declared = response.headers.get("content-length")
                if declared is not None:
                    try:
                        if int(declared) > max_bytes:
                            raise UrlFetchFailed("The image at the URL is too large.")
                    except ValueError:
                        pass
                body = bytearray()
                async for chunk in response.aiter_bytes():
                    body.extend(chunk)
                    if len(body) > max_bytes:
                        raise UrlFetchFailed("The image at the URL is too large.")
                return bytes(body)
            except httpx.HTTPError:
                raise UrlFetchFailed() from None
            finally:
                await response.aclose()
    raise UrlFetchFailed("Too many redirects.")
