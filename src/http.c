/* http.c - in progress */
