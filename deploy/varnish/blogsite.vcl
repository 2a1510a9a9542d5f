vcl 4.1;
# Varnish in front of Blogsite (Varnish 6 or 7 with the xkey module of varnish-modules).
#
# It keeps what the site says a shared cache may keep (Cache-Control: s-maxage), for visitors
# who are not signed in, and drops a page the moment the site purges one of the surrogate
# keys the page carries in its xkey header (blogsite/purgers.py). Set the site's
# SHARED_CACHE_PURGE_URLS to this Varnish's address (e.g. http://127.0.0.1:6081) and run
# the worker (manage.py db_worker), which sends the purges. See README, "A cache in front".

import xkey;

# The site's gunicorn (or a director over several).
backend default {
    .host = "127.0.0.1";
    .port = "8000";
}

# Who may purge: the machines that run the site's worker.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    # The site is served from the root: a visitor's SCRIPT_NAME or PATH_INFO header must never
    # reach gunicorn (it would move the site's root and poison the cache).
    unset req.http.SCRIPT_NAME;
    unset req.http.PATH_INFO;

    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (!req.http.xkey) {
            return (synth(400, "Name the keys to purge in the xkey header"));
        }
        set req.http.n-gone = xkey.purge(req.http.xkey);
        return (synth(200, "Purged " + req.http.n-gone + " objects"));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # Signed-in readers (session cookie, bearer token) and a visitor with a message waiting
    # get pages made for them. Rename "sessionid" if SESSION_COOKIE_NAME says otherwise.
    if (req.http.Authorization || req.http.Cookie ~ "(^|;\s*)(sessionid|messages)=") {
        return (pass);
    }
    # No other cookie changes a public page; without them it can be shared.
    unset req.http.Cookie;
    return (hash);
}

sub vcl_backend_response {
    # Keep only what the site marked for shared caches, and never an answer that sets a cookie.
    if (beresp.http.Set-Cookie || beresp.http.Cache-Control !~ "s-maxage") {
        set beresp.uncacheable = true;
        set beresp.ttl = 60s;
        return (deliver);
    }
    # s-maxage gives the time to live, stale-while-revalidate the grace (served once while a
    # fresh copy is fetched). A purge drops a page at once, whatever its time.
    return (deliver);
}

sub vcl_deliver {
    # The keys are between the site and this cache.
    unset resp.http.xkey;
    if (obj.uncacheable) {
        set resp.http.X-Shared-Cache = "pass";
    } elsif (obj.hits > 0) {
        set resp.http.X-Shared-Cache = "hit";
    } else {
        set resp.http.X-Shared-Cache = "miss";
    }
}
