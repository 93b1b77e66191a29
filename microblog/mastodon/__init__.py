"""The Mastodon client API (/api/v1, /api/v2): Mastodon's documented shapes over our services,
so Tusky, Elk, toot and Mastodon.py work against Microblog. docs/mastodon-api.md."""
