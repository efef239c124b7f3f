/* errorpage.c - in progress */
