"""One module per route; each renders state and holds no logic."""
