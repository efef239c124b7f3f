/*
 * pages.c - every page the module shows a person: the provider chooser, the
 * sign-out confirmation, the signed-out page and the error page.  One small
 * built-in design (inline CSS, no external assets, no script, light and
 * dark), or the administrator's own files from AuthClientTemplateDir, per
 * virtual host.  Both are templates with {{name}} placeholders (template.c),
 * filled with HTML-escaped values; the placeholders each page knows are
 * listed below and checked at startup.
 */
#include "auth_client.h"
#include "template.h"

/* ---- the built-in design ------------------------------------------------------ */

#define PAGE_HEAD \
    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n" \
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n" \
    "<meta name=\"robots\" content=\"noindex\">\n<title>{{title}}</title>\n" \
    "<style>\n" \
    ":root{color-scheme:light dark;--fg:#1f2328;--bg:#f6f8fa;--card:#fff;" \
    "--muted:#59636e;--line:#d1d9e0;--accent:#0550ae;--on-accent:#fff}\n" \
    "@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--bg:#0d1117;" \
    "--card:#151b23;--muted:#9198a1;--line:#3d444d;--accent:#79b8ff;" \
    "--on-accent:#0d1117}}\n" \
    "body{margin:0;font:1rem/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto," \
    "sans-serif;color:var(--fg);background:var(--bg)}\n" \
    "main{max-width:26rem;margin:12vh auto 2rem;padding:2rem;" \
    "background:var(--card);border:1px solid var(--line);border-radius:12px}\n" \
    "h1{font-size:1.375rem;line-height:1.3;margin:0 0 1rem}\n" \
    "p{margin:0 0 1rem}ul{list-style:none;margin:0;padding:0}li{margin:0 0 .5rem}\n" \
    ".choice,button{display:flex;align-items:center;gap:.75rem;box-sizing:border-box;" \
    "width:100%;padding:.7rem 1rem;font:inherit;color:var(--fg);" \
    "background:var(--card);border:1px solid var(--line);border-radius:8px;" \
    "text-decoration:none;cursor:pointer}\n" \
    ".choice:hover,button:hover{border-color:var(--accent)}\n" \
    "a:focus-visible,button:focus-visible{outline:3px solid var(--accent);" \
    "outline-offset:2px}\n" \
    "button.primary{justify-content:center;color:var(--on-accent);" \
    "background:var(--accent);border-color:var(--accent);font-weight:600}\n" \
    ".choice img{width:1.5rem;height:1.5rem}a{color:var(--accent)}\n" \
    ".small{font-size:.875rem;color:var(--muted);margin:1.5rem 0 0}\n" \
    "code{font:.875rem ui-monospace,SFMono-Regular,Menlo,monospace}\n" \
    "</style>\n</head>\n<body>\n<main>\n"
#define PAGE_FOOT "</main>\n</body>\n</html>\n"

static const char builtin_chooser[] = PAGE_HEAD
    "<h1>Sign in to {{site}}</h1>\n"
    "<ul>\n{{providers}}</ul>\n" PAGE_FOOT;

static const char builtin_logout[] = PAGE_HEAD
    "<h1>Sign out</h1>\n"
    "{{signed_in}}"
    "<form method=\"post\" action=\"{{action}}\">\n"
    "<input type=\"hidden\" name=\"return\" value=\"{{return}}\">\n"
    "<button class=\"primary\" type=\"submit\">Sign out</button>\n</form>\n"
    PAGE_FOOT;

static const char builtin_signed_out[] = PAGE_HEAD
    "<h1>{{heading}}</h1>\n<p>{{message}}</p>\n" PAGE_FOOT;

static const char builtin_error[] = PAGE_HEAD
    "<h1>{{heading}}</h1>\n<p>{{message}}</p>\n{{retry}}"
    "<p class=\"small\">Error code <code id=\"error-code\">{{code}}</code>"
    "{{request_id}}</p>\n" PAGE_FOOT;

/* ---- the pages and their placeholders --------------------------------------------- */

typedef struct page_def {
    const char *file;               /* in AuthClientTemplateDir */
    const char *builtin;
    const char *const known[12];    /* the placeholders it may use */
} page_def;

static const page_def pages[AC_PAGE_COUNT] = {
    [AC_PAGE_CHOOSER] = { "chooser.html", builtin_chooser,
        { "title", "site", "providers", "target", NULL } },
    [AC_PAGE_LOGOUT] = { "logout.html", builtin_logout,
        { "title", "site", "signed_in", "user", "provider", "action", "return",
          NULL } },
    [AC_PAGE_SIGNED_OUT] = { "signed-out.html", builtin_signed_out,
        { "title", "site", "heading", "message", NULL } },
    [AC_PAGE_ERROR] = { "error.html", builtin_error,
        { "title", "site", "heading", "message", "retry", "retry_url", "code",
          "request_id", "unique_id", "status", NULL } },
};

/* ---- AuthClientTemplateDir ------------------------------------------------------- */

/* an administrator's page is read once, at startup; no page needs more */
#define AC_TEMPLATE_MAX_BYTES (64 * 1024)

static const char *known_list(apr_pool_t *p, const char *const *known)
{
    const char *s = "";
    int i;

    for (i = 0; known[i] != NULL; i++) {
        s = apr_pstrcat(p, s, i ? " " : "", "{{", known[i], "}}", NULL);
    }
    return s;
}

static const char *read_page(cmd_parms *cmd, const char *path, const page_def *pd,
                             const char **out)
{
    apr_file_t *f;
    apr_finfo_t fi;
    const char *unknown;
    char *text;
    apr_size_t len;
    int line;

    *out = NULL;
    if (apr_file_open(&f, path, APR_FOPEN_READ, 0, cmd->temp_pool) != APR_SUCCESS) {
        return NULL;    /* absent: the built-in page */
    }
    if (apr_file_info_get(&fi, APR_FINFO_SIZE, f) != APR_SUCCESS
        || fi.size > AC_TEMPLATE_MAX_BYTES) {
        apr_file_close(f);
        return apr_psprintf(cmd->pool, "%s: unreadable or larger than %d bytes",
                            path, AC_TEMPLATE_MAX_BYTES);
    }
    len = (apr_size_t)fi.size;
    text = apr_palloc(cmd->pool, len + 1);
    if (apr_file_read_full(f, text, len, NULL) != APR_SUCCESS && len > 0) {
        apr_file_close(f);
        return apr_psprintf(cmd->pool, "%s: could not be read", path);
    }
    apr_file_close(f);
    text[len] = '\0';
    if ((unknown = ac_template_unknown(cmd->temp_pool, text, pd->known, &line)) != NULL) {
        return apr_psprintf(cmd->pool, "%s line %d: {{%s}} is not a placeholder "
                            "of %s; it knows %s", path, line, unknown, pd->file,
                            known_list(cmd->temp_pool, pd->known));
    }
    *out = text;
    return NULL;
}

const char *ac_pages_set_dir(cmd_parms *cmd, void *dummy, const char *arg)
{
    ac_server_conf *c = ac_sconf(cmd->server);
    const char **templates = apr_pcalloc(cmd->pool, AC_PAGE_COUNT * sizeof(char *));
    const char *dir = ap_server_root_relative(cmd->pool, arg), *err;
    apr_finfo_t fi;
    int i, found = 0;

    (void)dummy;
    if (dir == NULL || apr_stat(&fi, dir, APR_FINFO_TYPE, cmd->temp_pool) != APR_SUCCESS
        || fi.filetype != APR_DIR) {
        return apr_psprintf(cmd->pool, "AuthClientTemplateDir %s: not a directory "
                            "(it holds chooser.html, logout.html, signed-out.html "
                            "and error.html, each optional)", arg);
    }
    for (i = 0; i < AC_PAGE_COUNT; i++) {
        const char *path = apr_pstrcat(cmd->temp_pool, dir, "/", pages[i].file, NULL);

        if ((err = read_page(cmd, path, &pages[i], &templates[i])) != NULL) {
            return apr_pstrcat(cmd->pool, "AuthClientTemplateDir: ", err, NULL);
        }
        found += templates[i] != NULL;
    }
    if (found == 0) {
        return apr_psprintf(cmd->pool, "AuthClientTemplateDir %s has none of "
                            "chooser.html, logout.html, signed-out.html, error.html",
                            dir);
    }
    c->template_dir = dir;
    c->templates = templates;
    return NULL;
}

/* ---- sending a page -------------------------------------------------------------- */

static const char *site_name(request_rec *r)
{
    return r->server->server_hostname ? r->server->server_hostname : "this site";
}

void ac_page_write(request_rec *r, int status, ac_page_id id, const char *title,
                   const ac_template_var *vars, apr_size_t nvars)
{
    const ac_server_conf *c = ac_sconf(r->server);
    const char *tmpl = c->templates && c->templates[id] ? c->templates[id]
                                                        : pages[id].builtin;
    ac_template_var *all = apr_palloc(r->pool, (nvars + 2) * sizeof(*all));

    all[0].name = "title";
    all[0].value = title;
    all[0].markup = 0;
    all[1].name = "site";
    all[1].value = site_name(r);
    all[1].markup = 0;
    memcpy(all + 2, vars, nvars * sizeof(*vars));
    r->status = status;
    ap_set_content_type(r, "text/html; charset=utf-8");
    apr_table_setn(r->err_headers_out, "Cache-Control", "no-store");
    apr_table_setn(r->err_headers_out, "X-Content-Type-Options", "nosniff");
    ap_rputs(ac_template_render(r->pool, tmpl, all, nvars + 2), r);
}
