"""``python -m villageeval``: the same as the ``villageeval`` command."""

from ._cli import main

raise SystemExit(main())
