"""The production stack: `make prod`, the containers and the systemd units all run it.

`python -m microblog.stack run` checks what the site needs (the database, Redis, nginx) and says
what is missing, builds the frontend once (`build.py`: again only when its inputs change),
migrates, starts `WEB_WORKERS` backend workers (`worker.py`: uvicorn, each on its own loopback
port) and nginx in front of them on the port of `PUBLIC_URL` (`nginx.py`, from the templates in
deploy/nginx/), restarts a worker that dies, and stops everything on Ctrl-C
(`supervisor.py`). Settings: `settings.py`; the commands: `__main__.py`.
"""
