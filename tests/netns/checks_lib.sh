#!/bin/bash
# Helpers of the health-check namespace tests (checks*.sh), on top of
# lab.sh and vlab.sh:
#   hc_tcp_server NODE PORT   a TCP server on 127.0.0.1:PORT in NODE's
#                             namespace (python3; accepts and closes);
#                             HC_SRV[NODE] its pid; true once it listens
#   hc_tcp_kill NODE          SIGKILL NODE's server and reap it
#   hc_checks FILE TEXT       append a top-level checks list to a config
#   hc_ck NODE CHECK FIELD    a field of check CHECK in NODE's status JSON

declare -A HC_SRV

hc_listening() {
	lab_exec "$1" python3 -c "
import socket, sys
s = socket.socket()
sys.exit(s.connect_ex(('127.0.0.1', $2)) != 0)"
}

hc_tcp_server() {
	lab_bg "$1" "$VLAB_TMP/srv-$1.log" python3 -c "
import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $2))
s.listen(128)
while True:
    s.accept()[0].close()"
	HC_SRV[$1]=$LAB_LASTPID
	lab_wait 3000 hc_listening "$1" "$2"
}

hc_tcp_kill() {
	[ -n "${HC_SRV[$1]:-}" ] || return 0
	lab_stop "${HC_SRV[$1]}" KILL
	unset "HC_SRV[$1]"
}

hc_checks() { echo "checks = ( $2 );" >>"$1"; }

hc_ck() {
	vlab_json "$1" ".checks[] | select(.name==\"$2\") | .$3"
}

# hc_svc NODE NAME           a long sleep whose process name is NAME
#                            (a symlink to sleep), in NODE's namespace;
#                            HC_SVC[NODE] its pid
declare -A HC_SVC

hc_svc() {
	ln -sf "$(command -v sleep)" "$VLAB_TMP/$2"
	lab_bg "$1" /dev/null "$VLAB_TMP/$2" 600
	HC_SVC[$1]=$LAB_LASTPID
}

hc_svc_kill() {
	[ -n "${HC_SVC[$1]:-}" ] || return 0
	lab_stop "${HC_SVC[$1]}" KILL
	unset "HC_SVC[$1]"
}
