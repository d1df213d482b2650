/* Wire codec: round trip, every rejection, hashes, names. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <sodium.h>

#include "election.h"
#include "tap.h"

static const uint8_t key[] = "0123456789abcdef-secret";
#define KEYLEN (sizeof(key) - 1)

/* Recompute the trailing HMAC after a test edited the datagram. */
static void
resign(uint8_t *buf, size_t len)
{
	crypto_auth_hmacsha256_state st;

	crypto_auth_hmacsha256_init(&st, key, KEYLEN);
	crypto_auth_hmacsha256_update(&st, buf, len - EL_HMAC_LEN);
	crypto_auth_hmacsha256_final(&st, buf + len - EL_HMAC_LEN);
}

static void
sample(struct el_msg *m, size_t nrec)
{
	size_t i;

	memset(m, 0, sizeof(*m));
	m->version = EL_PROTO_VERSION;
	m->type = EL_MSG_STATE;
	m->interval_ms = 100;
	m->epoch = 0x0123456789abcdefull;
	m->seq = 0xfedcba9876543210ull;
	strcpy(m->node, "node-1.example_A");
	m->nrec = nrec;
	for (i = 0; i < nrec; i++) {
		m->rec[i].group = 0xa0b0c0d0u + (uint32_t)i;
		m->rec[i].prio = (uint8_t)(i + 1);
		m->rec[i].flags = (uint8_t)(i & 0xff);
		memset(m->rec[i].mac, (int)i, EL_MAC_LEN);
		m->rec[i].mac[0] = 0x02;
	}
}

static bool
msg_equal(const struct el_msg *a, const struct el_msg *b)
{
	size_t i;

	if (a->version != b->version || a->type != b->type ||
	    a->interval_ms != b->interval_ms || a->epoch != b->epoch ||
	    a->seq != b->seq || strcmp(a->node, b->node) != 0 ||
	    a->nrec != b->nrec)
		return false;
	for (i = 0; i < a->nrec; i++)
		if (a->rec[i].group != b->rec[i].group ||
		    a->rec[i].prio != b->rec[i].prio ||
		    a->rec[i].flags != b->rec[i].flags ||
		    memcmp(a->rec[i].mac, b->rec[i].mac, EL_MAC_LEN) != 0)
			return false;
	return true;
}

static void
test_round_trip(void)
{
	static struct el_msg m, got;
	uint8_t buf[EL_MSG_MAX + 64];
	size_t sizes[] = {0, 1, 2, 50, EL_MSG_MAX_REC};
	size_t k;
	int len;

	for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		sample(&m, sizes[k]);
		len = el_msg_encode(&m, key, KEYLEN, buf, sizeof(buf));
		is_int(len, 23 + strlen(m.node) + 2 + 12 * sizes[k] + 32,
		       "encode %zu records: length", sizes[k]);
		memset(&got, 0xee, sizeof(got));
		is_int(el_msg_decode(buf, (size_t)len, key, KEYLEN, &got),
		       EL_OK, "decode %zu records", sizes[k]);
		ok(msg_equal(&m, &got), "round trip %zu records", sizes[k]);
	}

	/* Byte layout, spot-checked against doc/protocol.md. */
	sample(&m, 1);
	len = el_msg_encode(&m, key, KEYLEN, buf, sizeof(buf));
	ok(buf[0] == 1 && buf[1] == 1, "version and type bytes");
	is_int(buf[2] << 8 | buf[3], len, "length field, big-endian");
	is_int(buf[4] << 8 | buf[5], 100, "interval field");
	ok(buf[6] == 0x01 && buf[13] == 0xef, "epoch big-endian");
	ok(buf[14] == 0xfe && buf[21] == 0x10, "seq big-endian");
	is_int(buf[22], strlen(m.node), "id length byte");
	ok(memcmp(buf + 23, m.node, strlen(m.node)) == 0, "id bytes");
	is_int(buf[39] << 8 | buf[40], 1, "record count");
	ok(buf[41] == 0xa0 && buf[44] == 0xd0 && buf[45] == 1 && buf[46] == 0 &&
	       buf[47] == 0x02,
	   "record: group id, prio, flags, mac");

	/* Longest id and full record set still fit in EL_MSG_MAX. */
	sample(&m, EL_MSG_MAX_REC);
	memset(m.node, 'x', EL_ID_MAX - 1);
	m.node[EL_ID_MAX - 1] = '\0';
	len = el_msg_encode(&m, key, KEYLEN, buf, sizeof(buf));
	ok(len > 0 && len <= EL_MSG_MAX, "largest message fits (%d)", len);
	is_int(el_msg_decode(buf, (size_t)len, key, KEYLEN, &got), EL_OK,
	       "largest message decodes");
	ok(msg_equal(&m, &got), "largest message round trip");
}

static void
test_keys(void)
{
	static struct el_msg m, got;
	uint8_t buf[EL_MSG_MAX], longkey[200];
	int len;

	sample(&m, 3);
	memset(longkey, 0x5a, sizeof(longkey));
	len = el_msg_encode(&m, longkey, sizeof(longkey), buf, sizeof(buf));
	is_int(el_msg_decode(buf, (size_t)len, longkey, sizeof(longkey), &got),
	       EL_OK, "key longer than the hash block works");
	is_int(
	    el_msg_decode(buf, (size_t)len, longkey, sizeof(longkey) - 1, &got),
	    EL_REJ_HMAC, "key one byte shorter is another key");
	len = el_msg_encode(&m, NULL, 0, buf, sizeof(buf));
	is_int(el_msg_decode(buf, (size_t)len, NULL, 0, &got), EL_OK,
	       "empty key works (the config forbids it, not the codec)");
	is_int(el_msg_decode(buf, (size_t)len, key, KEYLEN, &got), EL_REJ_HMAC,
	       "empty key differs from a real one");
}

static void
test_encode_errors(void)
{
	static struct el_msg m;
	uint8_t buf[EL_MSG_MAX];
	int len;

	sample(&m, 2);
	len = el_msg_encode(&m, key, KEYLEN, buf, sizeof(buf));
	errno = 0;
	is_int(el_msg_encode(&m, key, KEYLEN, buf, (size_t)len - 1), -1,
	       "buffer one byte short");
	is_int(errno, EMSGSIZE, "... EMSGSIZE");
	is_int(el_msg_encode(&m, key, KEYLEN, buf, (size_t)len), len,
	       "buffer of exactly the length");

	m.node[0] = '\0';
	errno = 0;
	is_int(el_msg_encode(&m, key, KEYLEN, buf, sizeof(buf)), -1,
	       "empty id");
	is_int(errno, EINVAL, "... EINVAL");
	strcpy(m.node, "bad id");
	is_int(el_msg_encode(&m, key, KEYLEN, buf, sizeof(buf)), -1,
	       "id with a space");
	memset(m.node, 'a', EL_ID_MAX);
	is_int(el_msg_encode(&m, key, KEYLEN, buf, sizeof(buf)), -1,
	       "id of 64 bytes without NUL");
	strcpy(m.node, "ok");
	m.nrec = EL_MSG_MAX_REC + 1;
	errno = 0;
	is_int(el_msg_encode(&m, key, KEYLEN, buf, sizeof(buf)), -1,
	       "too many records");
	is_int(errno, EINVAL, "... EINVAL");
	m.nrec = 1;
	m.version = 2;
	is_int(el_msg_encode(&m, key, KEYLEN, buf, sizeof(buf)), -1,
	       "unknown version");
	m.version = EL_PROTO_VERSION;
	m.type = 7;
	is_int(el_msg_encode(&m, key, KEYLEN, buf, sizeof(buf)), -1,
	       "unknown type");
	m.type = EL_MSG_STATE;
	m.interval_ms = 0;
	is_int(el_msg_encode(&m, key, KEYLEN, buf, sizeof(buf)), -1,
	       "zero interval");
}

static void
test_rejects(void)
{
	static struct el_msg m, got;
	uint8_t buf[EL_MSG_MAX + 8], tmp[EL_MSG_MAX + 8];
	size_t len, i;
	int n;

	sample(&m, 2);
	n = el_msg_encode(&m, key, KEYLEN, buf, sizeof(buf));
	len = (size_t)n;

	is_int(el_msg_decode(buf, 0, key, KEYLEN, &got), EL_REJ_TRUNCATED,
	       "empty datagram: truncated");
	is_int(el_msg_decode(buf, 57, key, KEYLEN, &got), EL_REJ_TRUNCATED,
	       "57 bytes (below the minimum of 58): truncated");
	is_int(el_msg_decode(buf, 58, key, KEYLEN, &got), EL_REJ_LENGTH,
	       "58 bytes of a longer datagram: length");
	is_int(el_msg_decode(buf, len - 1, key, KEYLEN, &got), EL_REJ_LENGTH,
	       "datagram cut by one byte: length");
	memset(tmp, 0, sizeof(tmp));
	memcpy(tmp, buf, len);
	is_int(el_msg_decode(tmp, len + 1, key, KEYLEN, &got), EL_REJ_LENGTH,
	       "one trailing byte: length");
	is_int(el_msg_decode(tmp, EL_MSG_MAX + 1, key, KEYLEN, &got),
	       EL_REJ_OVERSIZE, "EL_MSG_MAX + 1 bytes: oversize");

	memcpy(tmp, buf, len);
	tmp[0] = 2;
	is_int(el_msg_decode(tmp, len, key, KEYLEN, &got), EL_REJ_VERSION,
	       "version 2");
	tmp[0] = 0;
	is_int(el_msg_decode(tmp, len, key, KEYLEN, &got), EL_REJ_VERSION,
	       "version 0");
	memcpy(tmp, buf, len);
	tmp[1] = 2;
	is_int(el_msg_decode(tmp, len, key, KEYLEN, &got), EL_REJ_TYPE,
	       "type 2");

	is_int(el_msg_decode(buf, len, (const uint8_t *)"wrong-key-0123456", 17,
	                     &got),
	       EL_REJ_HMAC, "wrong key: hmac");
	for (i = 4; i < len; i += 7) {
		memcpy(tmp, buf, len);
		tmp[i] ^= 0x10;
		if (el_msg_decode(tmp, len, key, KEYLEN, &got) != EL_REJ_HMAC)
			break;
	}
	ok(i >= len, "every flipped bit after the length field: hmac (%zu)", i);
	memcpy(tmp, buf, len);
	tmp[len - 1] ^= 1;
	is_int(el_msg_decode(tmp, len, key, KEYLEN, &got), EL_REJ_HMAC,
	       "flipped bit in the HMAC itself");
}

/* Body errors: only visible with a valid HMAC, so tests re-sign. */
static void
test_malformed(void)
{
	static struct el_msg m, got;
	uint8_t buf[EL_MSG_MAX], tmp[EL_MSG_MAX];
	size_t len, idl;

	sample(&m, 2);
	len = (size_t)el_msg_encode(&m, key, KEYLEN, buf, sizeof(buf));
	idl = strlen(m.node);

	memcpy(tmp, buf, len);
	tmp[22] = 0;
	resign(tmp, len);
	is_int(el_msg_decode(tmp, len, key, KEYLEN, &got), EL_REJ_MALFORMED,
	       "id length 0");
	memcpy(tmp, buf, len);
	tmp[22] = 64;
	resign(tmp, len);
	is_int(el_msg_decode(tmp, len, key, KEYLEN, &got), EL_REJ_MALFORMED,
	       "id length 64");
	memcpy(tmp, buf, len);
	tmp[22] = 255;
	resign(tmp, len);
	is_int(el_msg_decode(tmp, len, key, KEYLEN, &got), EL_REJ_MALFORMED,
	       "id length past the end");
	memcpy(tmp, buf, len);
	tmp[23 + 3] = '/';
	resign(tmp, len);
	is_int(el_msg_decode(tmp, len, key, KEYLEN, &got), EL_REJ_MALFORMED,
	       "id with a '/'");
	memcpy(tmp, buf, len);
	tmp[23] = '\0';
	resign(tmp, len);
	is_int(el_msg_decode(tmp, len, key, KEYLEN, &got), EL_REJ_MALFORMED,
	       "id with a NUL");
	memcpy(tmp, buf, len);
	tmp[23 + idl + 1] = 3;
	resign(tmp, len);
	is_int(el_msg_decode(tmp, len, key, KEYLEN, &got), EL_REJ_MALFORMED,
	       "record count 3 with 2 records");
	memcpy(tmp, buf, len);
	tmp[23 + idl + 1] = 1;
	resign(tmp, len);
	is_int(el_msg_decode(tmp, len, key, KEYLEN, &got), EL_REJ_MALFORMED,
	       "record count 1 with 2 records");
	memcpy(tmp, buf, len);
	tmp[23 + idl] = 0xff;
	resign(tmp, len);
	is_int(el_msg_decode(tmp, len, key, KEYLEN, &got), EL_REJ_MALFORMED,
	       "record count 65282");
	memcpy(tmp, buf, len);
	tmp[4] = tmp[5] = 0;
	resign(tmp, len);
	is_int(el_msg_decode(tmp, len, key, KEYLEN, &got), EL_REJ_MALFORMED,
	       "interval 0");
	memcpy(tmp, buf, len);
	tmp[23 + idl + 2 + 5] = 0xf0;
	resign(tmp, len);
	is_int(el_msg_decode(tmp, len, key, KEYLEN, &got), EL_OK,
	       "unknown flag bits are accepted");
	is_int(got.rec[0].flags, 0xf0, "... and passed through");

	/* 101 records: count above the maximum, even though it would fit. */
	sample(&m, 2);
	strcpy(m.node, "a");
	if (el_msg_encode(&m, key, KEYLEN, buf, sizeof(buf)) < 0)
		return;
	memset(tmp, 0, sizeof(tmp));
	memcpy(tmp, buf, 26);
	tmp[24] = 0;
	tmp[25] = EL_MSG_MAX_REC + 1;
	len = 26 + (EL_MSG_MAX_REC + 1) * EL_REC_LEN + EL_HMAC_LEN;
	tmp[2] = (uint8_t)(len >> 8);
	tmp[3] = (uint8_t)len;
	resign(tmp, len);
	is_int(el_msg_decode(tmp, len, key, KEYLEN, &got), EL_REJ_MALFORMED,
	       "101 records");
}

static void
test_hashes(void)
{
	const char *nodes[] = {"n1", "n2", "n3"};
	unsigned wins[3] = {0, 0, 0};
	size_t g, k, best;

	is_int(el_group_id(""), 0x811c9dc5u, "FNV-1a 32 of \"\"");
	is_int(el_group_id("a"), 0xe40c292cu, "FNV-1a 32 of \"a\"");
	is_int(el_group_id("foobar"), 0xbf9cf968u, "FNV-1a 32 of \"foobar\"");
	ok(el_rendezvous(1, "n1") == el_rendezvous(1, "n1"),
	   "rendezvous is deterministic");
	ok(el_rendezvous(1, "n1") != el_rendezvous(2, "n1"),
	   "rendezvous depends on the group");
	ok(el_rendezvous(1, "n1") != el_rendezvous(1, "n2"),
	   "rendezvous depends on the node");
	/* Pinned: every architecture must compute the same ranking. */
	ok(el_rendezvous(el_group_id("web"), "node1") == 0x846554e4c79b46edull,
	   "rendezvous(web, node1) pinned value (%016llx)",
	   (unsigned long long)el_rendezvous(el_group_id("web"), "node1"));
	for (g = 0; g < 300; g++) {
		char name[16];

		snprintf(name, sizeof(name), "g%zu", g);
		best = 0;
		for (k = 1; k < 3; k++)
			if (el_rendezvous(el_group_id(name), nodes[k]) >
			    el_rendezvous(el_group_id(name), nodes[best]))
				best = k;
		wins[best]++;
	}
	ok(wins[0] > 70 && wins[1] > 70 && wins[2] > 70,
	   "rendezvous spreads 300 groups over 3 nodes (%u/%u/%u)", wins[0],
	   wins[1], wins[2]);
}

static void
test_names(void)
{
	int i, j;

	is_str(el_verdict_name(EL_OK), "ok", "verdict ok");
	is_str(el_verdict_name(EL_REJ_HMAC), "hmac", "verdict hmac");
	is_str(el_verdict_name(EL_REJ_UNKNOWN_SENDER), "unknown-sender",
	       "verdict unknown-sender");
	is_str(el_verdict_name(EL_VERDICT_MAX), "unknown", "verdict range");
	is_str(el_state_name(EL_ST_RESIGNING), "resigning", "state name");
	is_str(el_state_name((enum el_state)99), "unknown", "state range");
	is_str(el_reason_name(EL_R_LEADER_DEAD), "leader-dead", "reason name");
	is_str(el_reason_name(EL_REASON_MAX), "unknown", "reason range");
	for (i = 0; i < EL_REASON_MAX; i++)
		for (j = 0; j < i; j++)
			if (el_reason_name((enum el_reason)i) == NULL ||
			    strcmp(el_reason_name((enum el_reason)i),
			           el_reason_name((enum el_reason)j)) == 0)
				goto dup;
dup:
	ok(i == EL_REASON_MAX, "every reason has a distinct name");
	for (i = 0; i < EL_VERDICT_MAX; i++)
		if (el_verdict_name((enum el_verdict)i) == NULL ||
		    strcmp(el_verdict_name((enum el_verdict)i), "unknown") == 0)
			break;
	ok(i == EL_VERDICT_MAX, "every verdict has a name");
}

/* Control records (group id 0): a 48-bit nonce in the MAC bytes, the
 * kind in the prio byte; they survive the wire and are found by kind. */
static void
test_ctl(void)
{
	static struct el_msg m, d;
	uint8_t buf[EL_MSG_MAX];
	uint64_t nonce = 0;
	int len;

	sample(&m, 3);
	ok(!el_msg_ctl_find(&m, EL_CTL_CHALLENGE, &nonce), "no control record");
	ok(el_msg_ctl_add(&m, EL_CTL_CHALLENGE, 0xffff123456789abcull) == 0,
	   "add a challenge");
	len = el_msg_encode(&m, key, KEYLEN, buf, sizeof(buf));
	ok(len == 58 + 15 + 4 * EL_REC_LEN, "encoded as one more record");
	is_int(el_msg_decode(buf, (size_t)len, key, KEYLEN, &d), EL_OK,
	       "decodes");
	ok(el_msg_ctl_find(&d, EL_CTL_CHALLENGE, &nonce) &&
	       nonce == 0x123456789abcull,
	   "the challenge's 48-bit nonce comes back");
	ok(!el_msg_ctl_find(&d, EL_CTL_ECHO, &nonce), "no echo in it");
	ok(d.rec[3].group == EL_CTL_GROUP && d.rec[3].prio == EL_CTL_CHALLENGE,
	   "a record of group 0, kind in prio");
	sample(&m, EL_MSG_MAX_REC);
	errno = 0;
	ok(el_msg_ctl_add(&m, EL_CTL_ECHO, 1) == -1 && errno == ENOSPC,
	   "a full message: ENOSPC");
}

int
main(void)
{
	test_ctl();
	test_round_trip();
	test_keys();
	test_encode_errors();
	test_rejects();
	test_malformed();
	test_hashes();
	test_names();
	return tap_done();
}
