"""Getting articles in: the queue folder (``inbox``), one article file (``files``), canonical URLs (``urls``).

Importing this package is cheap: trafilatura (HTML) is only imported when an HTML file is read.
"""

from .files import SUPPORTED_SUFFIXES, read_article_file
from .inbox import (
    IngestItem,
    IngestReport,
    ItemStatus,
    QueuedFile,
    ingest_queue,
    queue_listing,
    read_queue,
    scan_queue,
)
from .urls import canonical_url

__all__ = [
    "SUPPORTED_SUFFIXES",
    "IngestItem",
    "IngestReport",
    "ItemStatus",
    "QueuedFile",
    "canonical_url",
    "ingest_queue",
    "queue_listing",
    "read_article_file",
    "read_queue",
    "scan_queue",
]
