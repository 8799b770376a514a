"""A TCP link on 127.0.0.1 between the service and its PostgreSQL that a scenario can cut.

`cut()` closes the listening port (new connections are refused, as with a database
that is down) and resets every live connection (as a network failure or a restart
would); `restore()` listens on the same port again. The service is never restarted
and the suite's own PostgreSQL is never touched.

Threads, one per direction of each connection: the scenarios open a handful.
"""

import contextlib
import socket
import threading
from types import TracebackType

ACCEPT_POLL_S = 0.05
CONNECT_TIMEOUT_S = 5.0
JOIN_TIMEOUT_S = 5.0


class TcpProxy:
    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.port = 0
        self._listener: socket.socket | None = None
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._acceptor: threading.Thread | None = None

    def __enter__(self) -> "TcpProxy":
        self.restore()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.cut()

    @property
    def is_open(self) -> bool:
        return self._listener is not None

    def restore(self) -> None:
        """Listen (again) on the proxy's port; the first call picks a free one."""
        if self._listener is not None:
            return
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        listener.settimeout(ACCEPT_POLL_S)
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._stop.clear()
        self._acceptor = threading.Thread(target=self._accept_loop, args=(listener,), daemon=True)
        self._acceptor.start()

    def cut(self) -> None:
        """Refuse new connections and reset the live ones; join every thread."""
        self._stop.set()
        listener, self._listener = self._listener, None
        acceptor, self._acceptor = self._acceptor, None
        if listener is not None:
            listener.close()
        if acceptor is not None:
            acceptor.join(JOIN_TIMEOUT_S)  # no new connection starts after this
        with self._lock:
            sockets, self._sockets = self._sockets, []
            threads, self._threads = self._threads, []
        for sock in sockets:
            _shut(sock)
        for thread in threads:
            thread.join(JOIN_TIMEOUT_S)
        if acceptor is not None:
            threads.append(acceptor)
        stuck = [t.name for t in threads if t.is_alive()]
        if stuck:
            raise RuntimeError(f"proxy threads did not stop: {stuck}")

    def _start_pump(self, source: socket.socket, target: socket.socket) -> None:
        thread = threading.Thread(target=_pump, args=(source, target), daemon=True)
        with self._lock:
            self._threads.append(thread)
        thread.start()

    def _accept_loop(self, listener: socket.socket) -> None:
        while not self._stop.is_set():
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return  # listener closed by cut()
            try:
                server = socket.create_connection(self.upstream, timeout=CONNECT_TIMEOUT_S)
            except OSError:
                _shut(client)
                continue
            for sock in (client, server):
                sock.settimeout(None)
                # Forwarded as it comes: with Nagle's algorithm on, a message split over two
                # reads would wait for the peer's delayed ACK (~40 ms) before going on.
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                self._sockets += [client, server]
            self._start_pump(client, server)
            self._start_pump(server, client)


def _pump(source: socket.socket, target: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            target.sendall(data)
    except OSError:
        pass
    finally:
        _shut(source)
        _shut(target)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already reset by the other side
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
