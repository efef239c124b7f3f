/* claims.c - in progress */
