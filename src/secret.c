/* secret.c - in progress */
