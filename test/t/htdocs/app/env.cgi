#!/bin/sh
# Shows the CGI environment the module prepared, one NAME=value per line.
printf 'Content-Type: text/plain; charset=utf-8\r\n\r\n'
env | LC_ALL=C sort
