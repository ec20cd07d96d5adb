import os
import socket

import redis
from flask import Flask

app = Flask(__name__)
store = redis.Redis(host=os.environ.get("REDIS_HOST", "redis"), port=6379, socket_connect_timeout=2)


@app.route("/")
def hello():
    visits = store.incr("visits")
    return f"Hello from {socket.gethostname()}! I have been seen {visits} times.\n"


# The healthcheck's route: answers once the app listens and Redis does, and counts nothing.
@app.route("/health")
def health():
    store.ping()
    return "ok\n"


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=5000)
