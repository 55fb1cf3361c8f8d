from dispatch_desktop.cli import main

raise SystemExit(main())
