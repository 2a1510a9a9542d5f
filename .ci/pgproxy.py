"""A TCP proxy the CI can cut: the site talks to PostgreSQL through it, so a test can take the
database away and give it back without touching the real server.

Modes: ``open`` forwards; ``refuse`` closes every connection and stops listening (as a
crashed or restarting server does); ``blackhole`` accepts connections and never answers (as
a dead host or a dropped network does). Used as a library by ``.ci/outage.py``, or alone:
``python .ci/pgproxy.py LISTEN_PORT TARGET_PORT`` (SIGUSR1 refuses, SIGUSR2 reopens).
"""

import contextlib
import signal
import socket
import sys
import threading


class TcpProxy:
    def __init__(self, listen_port: int, target_port: int, host: str = "127.0.0.1"):
        self.host, self.listen_port, self.target = host, listen_port, (host, target_port)
        self.mode = "open"
        self.lock = threading.Lock()
        self.sockets = set()  # every accepted and upstream socket, to close on a cut
        self.listener = None
        self.stopping = False

    # Control
    def start(self):
        self._listen()
        threading.Thread(target=self._accept_loop, daemon=True, name="pgproxy-accept").start()
        return self

    def cut(self, mode: str = "refuse"):
        """Take the database away: ``refuse`` or ``blackhole``. Live connections are closed either way."""
        with self.lock:
            self.mode = mode
            if mode == "refuse" and self.listener is not None:
                self.listener.close()
                self.listener = None
            elif mode == "blackhole" and self.listener is None:
                self._listen()
        self._close_all()

    def restore(self):
        with self.lock:
            self.mode = "open"
            if self.listener is None:
                self._listen()
        self._close_all()  # connections held in the blackhole never reached the database

    def stop(self):
        self.stopping = True
        self.cut("refuse")

    # Inside
    def _listen(self):
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.host, self.listen_port))
        listener.listen(64)
        listener.settimeout(0.2)
        self.listener = listener

    def _close_all(self):
        with self.lock:
            doomed, self.sockets = self.sockets, set()
        for sock in doomed:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _accept_loop(self):
        while not self.stopping:
            listener = self.listener
            if listener is None:
                threading.Event().wait(0.1)
                continue
            try:
                client, _address = listener.accept()
            except (TimeoutError, OSError):
                continue
            with self.lock:
                self.sockets.add(client)
                mode = self.mode
            if mode == "open":
                threading.Thread(target=self._connect, args=(client,), daemon=True).start()
            # blackhole: keep the connection open and never read from it

    def _connect(self, client):
        try:
            upstream = socket.create_connection(self.target, timeout=5)
        except OSError:
            client.close()
            return
        upstream.settimeout(None)
        with self.lock:
            self.sockets.add(upstream)
        for source, sink in ((client, upstream), (upstream, client)):
            threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):  # wakes the pump going the other way
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
            source.close()


def main():
    listen_port, target_port = (int(arg) for arg in sys.argv[1:3])
    proxy = TcpProxy(listen_port, target_port).start()
    signal.signal(signal.SIGUSR1, lambda *_: proxy.cut("refuse"))
    signal.signal(signal.SIGUSR2, lambda *_: proxy.restore())
    print(f"Proxying 127.0.0.1:{listen_port} to 127.0.0.1:{target_port}", flush=True)
    stop_signals = {signal.SIGINT, signal.SIGTERM}
    signal.pthread_sigmask(signal.SIG_BLOCK, stop_signals)
    signal.sigwait(stop_signals)
    proxy.stop()


if __name__ == "__main__":
    main()
