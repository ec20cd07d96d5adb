#!/bin/sh
# A small stand-in for the official mariadb image's entrypoint: first start makes the data
# folder; every start (re)applies the database, the user and its password from
# $MARIADB_PASSWORD_FILE (a secret) through --init-file, which the server runs before it
# accepts connections.
set -eu
: "${MARIADB_DATABASE:?}" "${MARIADB_USER:?}" "${MARIADB_PASSWORD_FILE:?}"
password=$(cat "$MARIADB_PASSWORD_FILE")
case "$password$MARIADB_USER$MARIADB_DATABASE" in
  *\'*|*\`*|*\\*) echo "entrypoint: quotes and backslashes are not allowed in the database, user or password" >&2; exit 1 ;;
esac

mkdir -p /run/mysqld
chown mysql:mysql /run/mysqld /var/lib/mysql
if [ ! -d /var/lib/mysql/mysql ]; then
  echo "entrypoint: initializing /var/lib/mysql"
  mariadb-install-db --user=mysql --datadir=/var/lib/mysql --skip-test-db \
    --auth-root-authentication-method=socket >/dev/null
fi

init=/run/mysqld/init.sql
cat >"$init" <<SQL
CREATE DATABASE IF NOT EXISTS \`$MARIADB_DATABASE\`;
CREATE USER IF NOT EXISTS '$MARIADB_USER'@'%' IDENTIFIED BY '$password';
ALTER USER '$MARIADB_USER'@'%' IDENTIFIED BY '$password';
GRANT ALL ON \`$MARIADB_DATABASE\`.* TO '$MARIADB_USER'@'%';
SQL
chown mysql:mysql "$init"
chmod 600 "$init"

if [ "$1" = mariadbd ]; then
  shift
  exec mariadbd --user=mysql --datadir=/var/lib/mysql --bind-address=0.0.0.0 \
    --skip-name-resolve --init-file="$init" "$@"
fi
exec "$@"
