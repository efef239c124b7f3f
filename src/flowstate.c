/* flowstate.c - in progress */
