#!/bin/sh
# Compares conf/troubleshooting with the error codes of src/error.h, the
# way check_conf_reference.sh keeps the directive reference in step with
# the directive table:
#   - every code of AC_ERROR_CODES has exactly one entry, and every entry
#     names a code that exists;
#   - each entry sits under the heading of its code's category, and each
#     heading "== CATEGORY (HTTP NNN)" gives the status that
#     ac_error_status() in src/errorpage.c answers for that category;
#   - every category has its heading, and each entry has its Seen:,
#     Cause: and Fix: lines.
# A code added to src/error.h without an entry, an entry left behind by a
# removed code, or a category moved to another status fails the check.
#   sh test/check_troubleshooting.sh
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
doc="$top/conf/troubleshooting"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
problems="$tmp/problems"
: > "$problems"

# ---- the code: codes, categories, statuses -----------------------------------------

# "code category" for every X(ID, "code", CATEGORY) row
grep -E '^[[:space:]]+X\(' "$top/src/error.h" \
    | grep -oE 'X\([A-Z0-9_]+, "[a-z0-9_]+", [A-Z_]+\)' \
    | sed -E 's/X\([A-Z0-9_]+, "([a-z0-9_]+)", ([A-Z_]+)\)/\1 \2/' \
    | awk '{ print $1, tolower($2) }' | sort > "$tmp/codes"
[ -s "$tmp/codes" ] || {
    echo "check_troubleshooting: no X(ID, \"code\", CATEGORY) rows found in src/error.h"
    exit 1
}
# the categories of ac_error_category
sed -n '/typedef enum {/,/} ac_error_category;/p' "$top/src/error.h" \
    | grep -oE 'AC_CAT_[A-Z_]+' | sed 's/^AC_CAT_//' | tr 'A-Z' 'a-z' | sort -u > "$tmp/categories"

# HTTP_* names as numbers: httpd.h where installed, else the ones used today
http_number() {
    n=""
    for h in /usr/include/apache2/httpd.h /usr/include/httpd/httpd.h; do
        [ -f "$h" ] || continue
        n=$(sed -nE "s/^#define $1[[:space:]]+([0-9]{3}).*/\\1/p" "$h" | head -n 1)
        [ -n "$n" ] && break
    done
    if [ -z "$n" ]; then
        case $1 in
            HTTP_BAD_REQUEST) n=400 ;;
            HTTP_FORBIDDEN) n=403 ;;
            HTTP_INTERNAL_SERVER_ERROR) n=500 ;;
            HTTP_BAD_GATEWAY) n=502 ;;
            HTTP_SERVICE_UNAVAILABLE) n=503 ;;
            HTTP_GATEWAY_TIME_OUT) n=504 ;;
        esac
    fi
    echo "${n:-?}"
}

# "category HTTP_NAME" from the switch of ac_error_status(): the case
# labels before each return share it; labels that break out of the switch,
# and categories without a label, get the return after it
awk '
    /^int ac_error_status\(/ { infn = 1; next }
    !infn { next }
    /^}/ { infn = 0; next }
    /case AC_CAT_[A-Z_]+:/ {
        match($0, /AC_CAT_[A-Z_]+/)
        pending[npend++] = tolower(substr($0, RSTART + 7, RLENGTH - 7))
    }
    /return HTTP_[A-Z_]+;/ {
        match($0, /HTTP_[A-Z_]+/)
        last = substr($0, RSTART, RLENGTH)
        for (i = 0; i < npend; i++) {
            print pending[i], last
        }
        npend = 0
        seen_return = 1
    }
    END { if (seen_return) print "*", last }
' "$top/src/errorpage.c" > "$tmp/status_names"
fallback=$(awk '$1 == "*" { print $2 }' "$tmp/status_names")
[ -n "$fallback" ] || {
    echo "check_troubleshooting: ac_error_status() not found in src/errorpage.c"
    exit 1
}
while read -r cat; do
    name=$(awk -v c="$cat" '$1 == c { print $2; exit }' "$tmp/status_names")
    echo "$cat $(http_number "${name:-$fallback}")"
done < "$tmp/categories" > "$tmp/statuses"

# ---- the document: headings and entries ---------------------------------------------

# heading CATEGORY STATUS LINE | entry CODE CATEGORY LINE FIELDS |
# stray LINE TEXT | outside LINE NAME
awk '
    function flush() {
        if (code != "") {
            printf "entry %s %s %d %s%s%s\n", code, cat, codeline, \
                (seen ? "S" : "-"), (cause ? "C" : "-"), (fix ? "F" : "-")
        }
        code = ""; seen = cause = fix = 0
    }
    /^== / {
        flush()
        if (match($0, /^== [a-z_]+ \(HTTP [0-9][0-9][0-9]\)/)) {
            split(substr($0, 4), w, /[ ()]+/)
            cat = w[1]
            printf "heading %s %s %d\n", w[1], w[3], NR
        } else {
            cat = ""
        }
        next
    }
    cat == "" && /^[a-z0-9_]+$/ { printf "outside %d %s\n", NR, $0; next }
    cat == "" { next }
    /^[a-z0-9_]+$/ { flush(); code = $0; codeline = NR; next }
    /^[^ \t]/ { printf "stray %d %s\n", NR, $0; next }
    code != "" && /^    Seen:  / { seen = 1 }
    code != "" && /^    Cause: / { cause = 1 }
    code != "" && /^    Fix:   / { fix = 1 }
    END { flush() }
' "$doc" > "$tmp/doc"

# ---- compare ------------------------------------------------------------------------

awk '$1 == "entry" { print $2 }' "$tmp/doc" | sort > "$tmp/entries"
sort -u "$tmp/entries" > "$tmp/entries.u"
cut -d' ' -f1 "$tmp/codes" > "$tmp/codes.names"
if ! diff -u "$tmp/codes.names" "$tmp/entries.u" > "$tmp/diff"; then
    {
        echo "src/error.h and conf/troubleshooting disagree (- a code without an entry, + an entry without a code):"
        sed -n '3,$p' "$tmp/diff" | grep -E '^[-+]'
    } >> "$problems"
fi
uniq -d "$tmp/entries" | while read -r c; do
    echo "conf/troubleshooting has more than one entry for $c" >> "$problems"
done
awk '$1 == "outside" { print "conf/troubleshooting:" $2 ": entry " $3 " is outside the category sections" }' \
    "$tmp/doc" >> "$problems"
awk '$1 == "stray" { n = $2; $1 = $2 = ""; sub(/^ +/, ""); print "conf/troubleshooting:" n ": \"" $0 "\" is neither an entry name nor indented" }' \
    "$tmp/doc" >> "$problems"
while read -r kind code cat line fields; do
    [ "$kind" = entry ] || continue
    want=$(awk -v c="$code" '$1 == c { print $2 }' "$tmp/codes")
    if [ -n "$want" ] && [ "$want" != "$cat" ]; then
        echo "conf/troubleshooting:$line: $code is under '== $cat' but its category is $want" >> "$problems"
    fi
    if [ "$fields" != SCF ]; then
        echo "conf/troubleshooting:$line: $code lacks a Seen:, Cause: or Fix: line ($fields)" >> "$problems"
    fi
done < "$tmp/doc"
awk '$1 == "heading" { print $2, $3, $4 }' "$tmp/doc" > "$tmp/headings"
while read -r cat status line; do
    want=$(awk -v c="$cat" '$1 == c { print $2 }' "$tmp/statuses")
    if [ -z "$want" ]; then
        echo "conf/troubleshooting:$line: heading '$cat' is no category of src/error.h" >> "$problems"
    elif [ "$want" != "$status" ]; then
        echo "conf/troubleshooting:$line: '$cat' says HTTP $status, ac_error_status() answers $want" >> "$problems"
    fi
done < "$tmp/headings"
while read -r cat; do
    grep -q "^$cat " "$tmp/headings" ||
        echo "conf/troubleshooting has no heading '== $cat (HTTP $(awk -v c="$cat" '$1 == c { print $2 }' "$tmp/statuses"))'" >> "$problems"
done < "$tmp/categories"

if [ -s "$problems" ]; then
    cat "$problems"
    echo "check_troubleshooting: 0 passed, 1 failed"
    exit 1
fi
echo "check_troubleshooting: $(wc -l < "$tmp/codes") codes in $(wc -l < "$tmp/categories") categories match"
