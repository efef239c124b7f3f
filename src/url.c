/* url.c - in progress */
