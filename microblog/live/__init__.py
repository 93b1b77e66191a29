"""Live events: what changed for whom, published after the database commit and fanned out to
every open page. This package knows nothing of Reflex; `microblog.state.delivery` delivers
events to the browser tabs of one backend worker."""
