"""A loopback HTTP server run in a daemon thread: the common part of the harness's proxies
(stdlib only).

QuietServer(address, handler_class)
    A ThreadingHTTPServer whose handler threads are daemons and whose close does not wait for
    them; a client that goes away (an OSError in a handler) is not reported, anything else is.

ServerThread
    Base of an object that serves one such server.  `_serve(server, poll_interval)` keeps
    `server`, sets `port` to its port and runs it in a daemon thread.  `close()` stops the
    server, closes its socket and joins the thread.  Context manager.
"""
import sys
import threading
from http.server import ThreadingHTTPServer


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False

    def handle_error(self, request, client_address):
        if isinstance(sys.exc_info()[1], OSError):
            return  # a client that resets, times out or goes away is business as usual here
        super().handle_error(request, client_address)


class ServerThread:
    def _serve(self, server, poll_interval):
        self._server = server
        self.port = server.server_address[1]
        self._thread = threading.Thread(target=server.serve_forever,
                                        kwargs={"poll_interval": poll_interval}, daemon=True)
        self._thread.start()

    def close(self):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
