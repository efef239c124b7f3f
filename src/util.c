/* util.c - in progress */
