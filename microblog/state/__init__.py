"""Reflex states, one per feature. Thin: read the form, call a service, set vars."""
