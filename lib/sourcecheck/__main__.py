"""``python -m sourcecheck`` is the same as the ``sourcecheck`` command."""
import sys

from .cli import main

sys.exit(main())
