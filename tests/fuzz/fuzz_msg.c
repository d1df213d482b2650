/*
 * Fuzz target: the peer message decoder, and the cluster behind it.
 *
 * 1. The input as a datagram, checked with the fixed key (must never
 *    crash; almost always an HMAC failure, which is the point).
 * 2. The input made authentic: version, type and length patched, the HMAC
 *    recomputed, so that the body parser and the state machine see what an
 *    attacker holding the secret (or a buggy peer) could send.  Decoded
 *    messages must re-encode to the same bytes, a second delivery must be a
 *    replay, and the cluster is then pushed through every input it has.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "election.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *fuzz_corpus_dir = FUZZ_CORPUS;

static const uint8_t key[] = "vipd-fuzz-key-0123456789";
#define KEYLEN (sizeof(key) - 1)

static const char *const groups[] = {"web", "db", "mail"};
#define NGROUPS 3

static void
make_authentic(uint8_t *buf, size_t len)
{
	crypto_auth_hmacsha256_state st;

	buf[0] = EL_PROTO_VERSION;
	buf[1] = EL_MSG_STATE;
	buf[2] = (uint8_t)(len >> 8);
	buf[3] = (uint8_t)len;
	crypto_auth_hmacsha256_init(&st, key, KEYLEN);
	crypto_auth_hmacsha256_update(&st, buf, len - EL_HMAC_LEN);
	crypto_auth_hmacsha256_final(&st, buf + len - EL_HMAC_LEN);
}

static struct el_cluster *
make_cluster(uint8_t mode)
{
	struct el_config cfg = {.self_id = "self",
	                        .interval_ms = 100,
	                        .dead_after = 3,
	                        .solo = (mode & 1) != 0};
	struct el_cluster *cl = el_cluster_new(&cfg, 1ull << 32, 0);
	size_t i;

	if (cl == NULL)
		abort();
	for (i = 0; i < NGROUPS; i++) {
		struct el_group_config gc = {
		    .name = groups[i],
		    .priority = (uint8_t)(50 + 50 * i),
		    .preempt = (mode & 2) != 0,
		    .preempt_delay_ms = (mode & 4) ? 0 : 200,
		};

		if (el_cluster_group_add(cl, &gc, 0) != (int)i)
			abort();
	}
	el_cluster_tick(cl, 300); /* leading every group, or about to */
	return cl;
}

static void
drain(struct el_cluster *cl)
{
	struct el_event ev;

	while (el_cluster_next_event(cl, &ev))
		if (ev.group >= NGROUPS || ev.to > EL_ST_LISTEN ||
		    ev.reason >= EL_REASON_MAX ||
		    ev.peer[EL_ID_MAX - 1] != '\0')
			abort();
}

static void
status(struct el_cluster *cl, uint64_t now)
{
	struct el_group_info gi;
	struct el_peer_info pi[4];
	struct el_peer_group_info pg[4];
	static struct el_msg out[2];
	size_t i;

	for (i = 0; i < NGROUPS; i++) {
		if (el_cluster_group_info(cl, i, now, &gi) != 0)
			abort();
		el_cluster_group_peers(cl, i, now, pg, 4);
	}
	el_cluster_peers(cl, now, pi, 4);
	(void)el_cluster_next_deadline(cl);
	(void)el_cluster_send_due(cl);
	el_cluster_build(cl, out, 2);
}

/* Feed one authentic message, then every other input of the cluster. */
static void
exercise(const struct el_msg *msg, uint8_t mode)
{
	struct el_cluster *cl = make_cluster(mode);
	static struct el_msg m;
	char owner[EL_ID_MAX];
	enum el_verdict v;
	uint64_t t;
	size_t i;

	/* Point records at our groups so that the state machine acts. */
	m = *msg;
	for (i = 0; i < m.nrec; i++)
		m.rec[i].group = el_group_id(groups[m.rec[i].group % NGROUPS]);
	v = el_cluster_receive(cl, &m, 310);
	if (v != EL_OK && v != EL_REJ_SELF)
		abort();
	drain(cl);
	if (v == EL_OK && el_cluster_receive(cl, &m, 320) != EL_REJ_REPLAY)
		abort();
	if (m.nrec > 0) {
		el_cluster_dataplane_claim(cl, m.rec[0].group % NGROUPS,
		                           m.rec[0].mac, owner, 330);
		(void)el_cluster_mac_is_peer(cl, m.rec[0].mac);
	}
	for (t = 340; t < 1500; t += 37) {
		el_cluster_tick(cl, t);
		status(cl, t);
		drain(cl);
	}
	m.seq++;
	el_cluster_receive(cl, &m, 1500);
	el_cluster_peer_gone(cl, m.node, 1510);
	el_cluster_resign(cl, SIZE_MAX, 1520);
	el_cluster_group_set_fault(cl, mode % NGROUPS, true, 1530);
	el_cluster_stalled(cl, 2000, 3600);
	el_cluster_group_set_fault(cl, mode % NGROUPS, false, 3700);
	el_cluster_group_remove(cl, 1, 3800);
	for (t = 3800; t < 5000; t += 53) {
		el_cluster_tick(cl, t);
		drain(cl);
	}
	el_cluster_free(cl);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct el_msg msg;
	uint8_t buf[EL_MSG_MAX], again[EL_MSG_MAX];
	int n;

	(void)el_msg_decode(data, size, key, KEYLEN, &msg);
	if (size < 58 || size > EL_MSG_MAX)
		return 0;
	memcpy(buf, data, size);
	make_authentic(buf, size);
	if (el_msg_decode(buf, size, key, KEYLEN, &msg) != EL_OK)
		return 0;
	/* The format is canonical: what decodes re-encodes identically. */
	n = el_msg_encode(&msg, key, KEYLEN, again, sizeof(again));
	if (n != (int)size || memcmp(buf, again, size) != 0)
		abort();
	exercise(&msg, data[size - 1]);
	return 0;
}
