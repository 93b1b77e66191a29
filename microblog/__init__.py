"""Microblog: the Flask Mega-Tutorial's microblog as a live Reflex app."""
