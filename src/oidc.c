/* oidc.c - in progress */
