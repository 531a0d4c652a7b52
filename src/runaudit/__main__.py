"""Run the command line: ``python -m runaudit``."""

from runaudit.cli import main

if __name__ == "__main__":
    main()
