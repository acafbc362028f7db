#!/usr/bin/env python3
"""A TCP proxy on loopback in front of an S3 server that stalls for good once some bytes passed.

usage: stalling_proxy.py UPSTREAM_PORT PASS_BYTES

Prints the port it listens on, then forwards each connection to 127.0.0.1:UPSTREAM_PORT, both
ways, until PASS_BYTES bytes of requests (client to server) have passed over all connections.
From then on it reads nothing more from any client and forwards nothing either way, and it keeps
accepting connections and holding them open: an endpoint that takes connections and never
answers. So a backup's first parts are stored and acknowledged, and a later part hangs midway.
"""
import socket
import sys
import threading

upstream_port, pass_bytes = int(sys.argv[1]), int(sys.argv[2])
lock = threading.Lock()
passed = 0


def room():
    with lock:
        return pass_bytes - passed


def requests(client, upstream):
    global passed
    while True:
        allowed = room()
        if allowed <= 0:
            return  # stalled: the client's bytes stay unread
        data = client.recv(min(65536, allowed))
        if not data:
            upstream.shutdown(socket.SHUT_WR)
            return
        with lock:
            passed += len(data)
        upstream.sendall(data)


def responses(upstream, client):
    while True:
        data = upstream.recv(65536)
        if room() <= 0:
            return  # a response that comes after the stall began is never delivered
        if not data:
            client.shutdown(socket.SHUT_WR)
            return
        client.sendall(data)


def serve(client):
    upstream = socket.create_connection(("127.0.0.1", upstream_port))
    threading.Thread(target=responses, args=(upstream, client), daemon=True).start()
    requests(client, upstream)
    # The sockets stay open, so that a stalled connection is never closed from here.


listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", 0))
listener.listen(64)
print(listener.getsockname()[1], flush=True)
connections = []  # held open until the proxy ends
while True:
    connection, _ = listener.accept()
    connections.append(connection)
    threading.Thread(target=serve, args=(connection,), daemon=True).start()
