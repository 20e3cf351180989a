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

    Lower-cases scheme and host, drops the default port, any user name and password (a link is posted
    for everyone to read), the fragment unless it is a route ("#/story/5", "#!/story/5"), tracking
    parameters (``utm_*``, ``fbclid``, ``gclid``, ``xtor``, ``mc_cid`` …) and a trailing slash (except the
    root "/"). Other query parameters keep their order; a space in the path or query is written %20 (as a
    browser sends it: platforms refuse links with spaces). Raises ``ValueError`` for anything but an
    absolute http(s) URL, and for one with control characters or a space in its host.
    """
    raw = url.strip()
    if _CONTROL.search(raw):
        raise ValueError(f"{url!r} contains control characters (a tab or a line break?)")
    parts = urlsplit(raw)
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise ValueError(f"{url!r} is not an absolute http(s) URL (it should start with https://)")
    if _SPACE.search(parts.hostname):
        raise ValueError(f"{url!r} has a space in its host name")
    host = parts.hostname.lower().rstrip(".")
    try:
        port = parts.port
    except ValueError:
        raise ValueError(f"{url!r} has an invalid port number") from None
    netloc = host if ":" not in host else f"[{host}]"  # IPv6 literals keep their brackets
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
    fragment = parts.fragment if parts.fragment.startswith(("/", "!")) else ""  # a single-page app's route
    path, query, fragment = (_SPACE.sub(_percent, piece) for piece in (path, query, fragment))
    return urlunsplit((scheme, netloc, path, query, fragment))


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SPACE = re.compile(r"\s")


def _percent(m: re.Match[str]) -> str:
    return "".join(f"%{b:02X}" for b in m.group().encode("utf-8"))


def find_url(line: str) -> str | None:
    """The URL if ``line`` is nothing but one http(s) URL (optionally in <angle brackets>), else None."""
    match = _URL_LINE.match(line.strip())
    return match.group(1) if match else None
