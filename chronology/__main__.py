"""``python -m chronology``: the same as the ``chronology`` command."""

from chronology.cli import main

if __name__ == "__main__":
    main()
