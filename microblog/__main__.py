from microblog.cli import main

raise SystemExit(main())
