"""The administrator's command line: `xuefen <command>` runs any of Django's and Xuefen's management
commands (`xuefen setup`, `xuefen serve`, `xuefen demo`, `xuefen ledger verify`, ...)."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xuefen.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(["xuefen", *sys.argv[1:]])
    except ImproperlyConfigured as exc:
        # A missing or wrong setting: the sentence that names it, not a traceback.
        sys.stderr.write(f"xuefen: {exc}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
