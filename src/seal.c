/* seal.c - in progress */
