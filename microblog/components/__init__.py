"""Reusable UI pieces. They render state; they hold no logic of their own."""

from reflex.vars import ObjectVar

# One row of a list state var (a post, a message, a search hit...) as a page draws it, from
# `rx.foreach`: a Var whose fields are read by name (`post.author_username`), each a Var.
RowVar = ObjectVar[object]
