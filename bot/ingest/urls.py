"""Canonical URLs: one spelling per article, so the same story shared with different tracking tags is one story.

Pure functions, no I/O. Used by the queue inbox and the feed reader alike.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_plus, urlsplit, urlunsplit

# Query parameters that only say how a reader arrived, never which page they get.
TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "ttclid",
        "igshid", "igsh", "li_fat_id", "mc_cid", "mc_eid", "mkt_tok", "xtor", "xtref", "_ga", "_gl",
        "_hsenc", "_hsmi", "hsctatracking", "oly_anon_id", "oly_enc_id", "vero_id", "vero_conv",
        "ocid", "cmpid", "cmp", "smid", "smtyp", "sr_share", "s_cid", "at_medium", "at_campaign",
        "at_custom1", "at_custom2", "at_custom3", "at_custom4", "ns_mchannel", "ns_source", "ns_campaign",
        "ns_linkname", "ns_fee", "soc_src", "soc_trk", "__twitter_impression", "ref_src", "ref_url",
        "wt_mc", "wt.mc_id", "icid", "spm", "share_source", "rss_source",
    }
)
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_")  # utm_source, Piwik/Matomo, HubSpot ads

_DEFAULT_PORTS = {"http": 80, "https": 443}
_URL_LINE = re.compile(r"^<?(https?://[^\s<>\"]+)>?$", re.IGNORECASE)


def is_tracking_param(name: str) -> bool:
    low = name.lower()
    return low in TRACKING_PARAMS or low.startswith(TRACKING_PREFIXES)


def canonical_url(url: str) -> str:
    """The one spelling of ``url`` used to recognise an article.

    Lower-cases scheme and host, drops the default port, the fragment, tracking parameters
    (``utm_*``, ``fbclid``, ``gclid``, ``xtor``, ``mc_cid`` …) and a trailing slash (except the root "/").
    Other query parameters keep their order. Raises ``ValueError`` for anything but an absolute http(s) URL.
    """
    raw = url.strip()
    parts = urlsplit(raw)
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise ValueError(f"{url!r} is not an absolute http(s) URL (it should start with https://)")
    host = parts.hostname.lower().rstrip(".")
    try:
        port = parts.port
    except ValueError:
        raise ValueError(f"{url!r} has an invalid port number") from None
    netloc = host if ":" not in host else f"[{host}]"  # IPv6 literals keep their brackets
    if parts.username is not None:
        userinfo = parts.username + (f":{parts.password}" if parts.password is not None else "")
        netloc = f"{userinfo}@{netloc}"
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        netloc = f"{netloc}:{port}"
    path = parts.path or "/"
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    # Filter the raw "k=v" pieces rather than decode and re-encode them: the rest stays byte-for-byte.
    kept = [
        piece
        for piece in parts.query.split("&")
        if piece and not is_tracking_param(unquote_plus(piece.split("=", 1)[0]))
    ]
    query = "&".join(kept)
    return urlunsplit((scheme, netloc, path, query, ""))


def find_url(line: str) -> str | None:
    """The URL if ``line`` is nothing but one http(s) URL (optionally in <angle brackets>), else None."""
    match = _URL_LINE.match(line.strip())
    return match.group(1) if match else None
