/* directives.c - in progress */
