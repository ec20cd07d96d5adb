import os
import socket

import redis
from flask import Flask, jsonify, request

app = Flask(__name__)
store = redis.Redis(host=os.environ.get("REDIS_HOST", "redis"), port=6379, socket_connect_timeout=2)


@app.route("/")
def index():
    hits = store.incr("hits")
    # nginx says who it is and who asked: proof the request came through the proxy.
    return jsonify(
        app=socket.gethostname(),
        hits=hits,
        via=request.headers.get("X-Proxied-By", ""),
        client=request.headers.get("X-Real-IP", request.remote_addr),
    )


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=5000)
