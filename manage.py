#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "capture_portal.settings")
    # manage.py is the developer's tool: without DEBUG in the environment it runs in
    # development mode. The served application (capture_portal.wsgi) has no such
    # default, so production must set SECRET_KEY and leaves DEBUG off.
    os.environ.setdefault("DEBUG", "true")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
