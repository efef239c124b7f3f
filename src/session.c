/* session.c - in progress */
