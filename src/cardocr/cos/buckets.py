"""Which configured bucket a request is for, from its Host header (as COS tells buckets apart):

  * `<bucket>.cos.<region>.myqcloud.com` (what the official SDK sends with `IP=`/`Port=`, and
    what COS itself is called by): that bucket, if configured;
  * one of a bucket's configured `domains`: that bucket;
  * the listener's own address (an IP literal, `localhost`, or the configured host; what the
    SDK sends with `Domain="127.0.0.1:8081"`, where the bucket appears nowhere): the first
    configured bucket;
  * anything else: NoSuchBucket.
"""

from __future__ import annotations

import ipaddress
import re

from cardocr.cos.signing import host_without_port
from cardocr.errors import NoSuchBucket
from cardocr.settings import CosBucket

_COS_HOST = re.compile(r"^([a-z0-9-]+)\.cos\.[a-z0-9-]+\.(?:myqcloud\.com|tencentcos\.cn)$")


def _is_address(host: str, listener: str) -> bool:
    if host in ("localhost", listener.lower()):
        return True
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


class Buckets:
    def __init__(self, buckets: list[CosBucket], listener_host: str) -> None:
        self.by_name = {b.name: b for b in buckets}
        self.by_domain = {d: b for b in buckets for d in b.domains}
        self.first = buckets[0] if buckets else None
        self.listener = listener_host

    @property
    def names(self) -> list[str]:
        return list(self.by_name)

    def for_host(self, host_header: str) -> CosBucket:
        host = host_without_port(host_header.strip()).lower()
        m = _COS_HOST.match(host)
        if m is not None:
            bucket = self.by_name.get(m[1])
        elif host in self.by_domain:
            bucket = self.by_domain[host]
        elif _is_address(host, self.listener):
            bucket = self.first
        else:
            bucket = None
        if bucket is None:
            raise NoSuchBucket()
        return bucket
