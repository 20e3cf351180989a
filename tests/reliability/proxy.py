"""A fault-injecting reverse proxy in front of the real Bluesky PDS.

The PDS itself cannot be told to fail, so requests go through this proxy, which has the same fault injection
as the fake X and Mastodon servers (``fail_next``, ``slow_next``, ``reset_next`` from ``servers.base``) and
otherwise passes each request to the PDS unchanged. The PDS names its own address in the DID document, and
the atproto client switches to that address after logging in, so the proxy writes its own address over the
PDS's in every answer.
"""

from __future__ import annotations

import httpx

try:
    from servers.base import FaultyServer, Reply, Request
except ImportError:  # tests/ is a package
    from tests.servers.base import FaultyServer, Reply, Request  # type: ignore[no-redef]

_FORWARDED = ("authorization", "content-type", "accept", "atproto-accept-labelers")


class PdsProxy(FaultyServer):
    def __init__(self, target: str) -> None:
        super().__init__()
        self.target = target.rstrip("/")
        self.http = httpx.Client(base_url=self.target, timeout=30.0)

    def handle(self, request: Request) -> Reply:
        url = request.path + (f"?{request.raw_query}" if request.raw_query else "")
        headers = {k: v for k, v in request.headers.items() if k in _FORWARDED}
        answer = self.http.request(request.method, url, headers=headers, content=request.body)
        body = answer.content.replace(self.target.encode(), self.url.encode())
        out = {"content-type": answer.headers.get("content-type", "application/octet-stream")}
        for name in ("ratelimit-limit", "ratelimit-remaining", "ratelimit-reset", "www-authenticate"):
            if name in answer.headers:
                out[name] = answer.headers[name]
        return Reply(answer.status_code, body, out)

    def stop(self) -> None:
        super().stop()
        self.http.close()
