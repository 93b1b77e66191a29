"""The product's behaviour as plain functions over a SQLModel session (no Reflex, no HTTP).

The UI states, the REST API and the CLI all call these, so each rule is written once.
"""
