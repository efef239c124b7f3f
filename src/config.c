/* config.c - in progress */
