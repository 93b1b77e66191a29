"""Widgets that more than React draws, each described once (`tree.py`) and rendered by the
server as HTML (`html.py`) and by the live page as Reflex components
(`microblog/components/widget.py`): the post card, the profile's card and tabs, the navbar's
links for the reader. No Reflex and no HTTP here."""
