/* flow.c - in progress */
