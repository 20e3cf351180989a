"""newsbot: turns news articles into posts for X, Bluesky and Mastodon, and publishes them exactly once."""

__version__ = "0.1.0"
