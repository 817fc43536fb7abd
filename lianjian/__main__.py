from lianjian.cli import main

raise SystemExit(main())
