#!/bin/bash
# HTTP(S) checks (issue 10) on one node, libcurl driven by vipd's loop:
# a 2xx passes, a 503 fails unless expected, the Host header is sent, a
# self-signed certificate fails with tls_verify (default) and passes
# without it or with its ca_file, a server that never answers times out;
# an http check without weight faults its group.
set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
# shellcheck source=tests/netns/lab.sh
. "$top_srcdir/tests/netns/lab.sh"
# shellcheck source=tests/netns/vlab.sh
. "$top_srcdir/tests/netns/vlab.sh"
# shellcheck source=tests/netns/checks_lib.sh
. "$top_srcdir/tests/netns/checks_lib.sh"
vlab_begin "hch$$" 1 python3 openssl

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
	-addext subjectAltName=IP:127.0.0.1 -keyout "$T/key.pem" \
	-out "$T/cert.pem" >/dev/null 2>&1 || lab_bail "openssl: no certificate"
cat >"$T/srv.py" <<'PY'
import http.server, socket, ssl, sys, threading
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        code = 200
        if self.path == "/bad":
            code = 503
        if self.path == "/host" and self.headers.get("Host") != "api.local":
            code = 404
        self.send_response(code)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")
    def log_message(self, *a):
        pass
plain = http.server.ThreadingHTTPServer(("127.0.0.1", 8081), H)
tls = http.server.ThreadingHTTPServer(("127.0.0.1", 8443), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[1] + "/cert.pem", sys.argv[1] + "/key.pem")
tls.socket = ctx.wrap_socket(tls.socket, server_side=True)
mute = socket.socket()   # accepts (backlog) but never answers
mute.bind(("127.0.0.1", 8082))
mute.listen(16)
threading.Thread(target=tls.serve_forever, daemon=True).start()
plain.serve_forever()
PY
lab_bg n1 "$T/srv.log" python3 "$T/srv.py" "$T"
lab_wait 15000 hc_listening n1 8443 || lab_bail "the HTTP server did not start"

U=http://127.0.0.1:8081
S=https://127.0.0.1:8443
vlab_conf n1 "$T/n1.conf" peers=none extra='track = [ "ok" ];'
vlab_conf_group "$T/n1.conf" group=bad vips="10.$VLAB_NET.0.101" \
	extra='track = [ "bad" ];'
hc_checks "$T/n1.conf" "
	{ name = \"ok\"; http = \"$U/ok\"; interval_ms = 200; timeout_ms = 3000; },
	{ name = \"bad\"; http = \"$U/bad\"; interval_ms = 200; timeout_ms = 3000; },
	{ name = \"expect\"; http = \"$U/bad\"; expect = [ 200, 503 ]; },
	{ name = \"host\"; http = \"$U/host\"; host = \"api.local\"; },
	{ name = \"nohost\"; http = \"$U/host\"; },
	{ name = \"tls\"; http = \"$S/ok\"; },
	{ name = \"noverify\"; http = \"$S/ok\"; tls_verify = false; },
	{ name = \"ca\"; http = \"$S/ok\"; ca_file = \"$T/cert.pem\"; },
	{ name = \"mute\"; http = \"$U/ok\"; timeout_ms = 300; },
	{ name = \"mute2\"; http = \"http://127.0.0.1:8082/\"; timeout_ms = 300; }"
vlab_start n1 || lab_bail "n1 did not start"

has_result() { [ "$(hc_ck n1 "$1" result)" != null ] && [ -n "$(hc_ck n1 "$1" result)" ]; }
for c in ok bad expect host nohost tls noverify ca mute2; do
	lab_wait 5000 has_result $c
done
tap_is "$(hc_ck n1 ok state) $(hc_ck n1 ok reason)" "up HTTP 200" "200: up"
tap_is "$(hc_ck n1 bad state) $(hc_ck n1 bad reason)" "down HTTP 503" \
	"503: down"
tap_is "$(hc_ck n1 bad code)" 503 "the status is the result's code"
tap_is "$(hc_ck n1 expect state)" up "503 listed in expect: up"
tap_is "$(hc_ck n1 host state)" up "the Host header is sent"
tap_is "$(hc_ck n1 nohost reason)" "HTTP 404" "... and only when set"
tap_is "$(hc_ck n1 tls state)" down "self-signed certificate, tls_verify: down"
tap_match "$(hc_ck n1 tls reason)" '[Cc]ertificate|SSL' \
	"... the reason names the certificate ($(hc_ck n1 tls reason))"
tap_is "$(hc_ck n1 noverify reason)" "HTTP 200" "tls_verify = false: up"
tap_is "$(hc_ck n1 ca reason)" "HTTP 200" "ca_file with the certificate: up"
tap_is "$(hc_ck n1 mute2 state)" down "a server that never answers: down"
tap_match "$(hc_ck n1 mute2 reason)" '^(timeout after 300 ms|Timeout was reached)$' \
	"... on its timeout"
lab_wait 3000 vlab_leader_is n1 vip
tap_ok $? "group vip (its check answers 200) leads"
tap_is "$(vlab_gf n1 fault bad)" check "group bad (503) is in fault"
tap_is "$(vlab_gf n1 fault_text bad)" "check bad failed 1 time: HTTP 503" \
	"... saying why"
vlab_stop_ok n1
tap_done
