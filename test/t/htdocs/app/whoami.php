#!/usr/bin/php-cgi
<?php
// A PHP application behind mod_auth_client: it only reads its environment.
header('Content-Type: text/plain; charset=utf-8');
echo "php_remote_user=" . getenv('REMOTE_USER') . "\n";
echo "php_email=" . getenv('OIDC_CLAIM_email') . "\n";
echo "php_groups=" . getenv('OIDC_CLAIM_groups') . "\n";
echo "php_name=" . getenv('OIDC_CLAIM_name') . "\n";
