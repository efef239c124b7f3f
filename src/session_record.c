/* session_record.c - in progress */
