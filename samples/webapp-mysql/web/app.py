import os
import socket

import pymysql
import redis
from flask import Flask, jsonify, request

app = Flask(__name__)
cache = redis.Redis(host=os.environ["REDIS_HOST"], port=6379, socket_connect_timeout=2)


def db():
    with open(os.environ["DB_PASSWORD_FILE"]) as f:
        password = f.read().strip()
    return pymysql.connect(host=os.environ["DB_HOST"], user=os.environ["DB_USER"], password=password,
                           database=os.environ["DB_NAME"], connect_timeout=5, autocommit=True)


def setup():
    with db() as conn, conn.cursor() as cur:
        cur.execute("CREATE TABLE IF NOT EXISTS notes (id INT AUTO_INCREMENT PRIMARY KEY, text VARCHAR(200) NOT NULL)")


@app.route("/health")
def health():
    with db() as conn, conn.cursor() as cur:
        cur.execute("SELECT 1")
    cache.ping()
    return "ok\n"


@app.route("/notes", methods=["GET"])
def list_notes():
    with db() as conn, conn.cursor() as cur:
        cur.execute("SELECT id, text FROM notes ORDER BY id")
        notes = [{"id": i, "text": t} for i, t in cur.fetchall()]
    return jsonify(notes=notes, views=cache.incr("views"), served_by=socket.gethostname())


@app.route("/notes", methods=["POST"])
def add_note():
    text = request.form.get("text", "").strip()
    if not text:
        return jsonify(error="text is required"), 400
    with db() as conn, conn.cursor() as cur:
        cur.execute("INSERT INTO notes (text) VALUES (%s)", (text,))
        note_id = cur.lastrowid
    return jsonify(id=note_id, text=text), 201


if __name__ == "__main__":
    setup()
    app.run(host="0.0.0.0", port=5000)
