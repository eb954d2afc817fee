"""``python -m osslever``: Ctrl-C while the modules are still loading is one line, exit 130."""

import sys

try:
    from osslever.cli import main
except KeyboardInterrupt:  # nothing has been done yet; cli.main handles it from here on
    sys.stderr.write("osslever: interrupted\n")
    sys.exit(130)

main()
