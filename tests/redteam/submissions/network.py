# Reaches for the network while the file is imported: the grader's machine on loopback, and the internet.
import socket
import urllib.request

for host, port in (("127.0.0.1", @PORT@), ("pypi.org", 443), ("1.1.1.1", 53)):
    try:
        with socket.create_connection((host, port), timeout=1) as connection:
            connection.sendall(b"hello from a submission\n")
    except OSError:
        pass
try:
    urllib.request.urlopen("http://example.com", timeout=1)
except Exception:
    pass
