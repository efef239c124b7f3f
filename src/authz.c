/* authz.c - in progress */
