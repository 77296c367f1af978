"""``python -m initcheck``: the same as the ``initcheck`` command."""

from __future__ import annotations

from .cli import main

raise SystemExit(main())
