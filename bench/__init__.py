"""`make bench`: seed a large data set, serve it with gunicorn and load it with wrk (SPEC 6)."""
