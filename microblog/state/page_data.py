"""Page data that knows which page view it was read for.

A tab's state stays on the server between page loads, and a full page load (a reload, an
address typed into the same tab) is first sent that state as it was. Data read for another page
(someone else's profile, page 1 of a feed under page 2's address) would show until the new page's
own data arrives, and the browser would spend a render on it only to throw it away. So each page
state records the address and the connection it read its data for, and a page shows the data
only when one of them matches: the same connection (a click to another page of the app, where the
old page stays until the new one's data replaces it) or the same address (a reload, a reconnect).
"""

from __future__ import annotations

import reflex as rx


class PageData(rx.State, mixin=True):
    loaded: bool = False
    loaded_for: str = ""  # the address the data was read for
    loaded_in: str = ""  # the websocket connection that read it

    def _set_loaded(self, loaded: bool = True) -> None:
        self.loaded = loaded
        self.loaded_for = str(self.router.url) if loaded else ""
        self.loaded_in = self.router.session.session_id if loaded else ""

    @classmethod
    def loaded_here(cls) -> rx.Var[bool]:
        """For pages: the data was read for the page the browser is showing."""
        router = rx.State.router
        return cls.loaded & (
            (cls.loaded_in == router.session.session_id) | (cls.loaded_for == router.url)
        )
