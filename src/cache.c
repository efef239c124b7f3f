/* cache.c - in progress */
