/* jose.c - in progress */
