/*
 * The STATE datagram codec (layout in doc/protocol.md), the group wire id
 * and the rendezvous hash.  Decoding authenticates before it parses: the
 * body of a datagram that fails the HMAC is never looked at.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <sodium.h>

#include "el_impl.h"

#define OFF_VERSION  0
#define OFF_TYPE     1
#define OFF_LEN      2
#define OFF_INTERVAL 4
#define OFF_EPOCH    6
#define OFF_SEQ      14
#define OFF_IDLEN    22
#define OFF_ID       23
/* Fixed part + 1-byte id + record count + HMAC. */
#define MSG_MIN (OFF_ID + 1 + 2 + EL_HMAC_LEN)

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static void
put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	put32(p + 4, (uint32_t)v);
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

static uint64_t
get64(const uint8_t *p)
{
	return (uint64_t)get32(p) << 32 | get32(p + 4);
}

/* Node ids appear in logs, JSON and metric labels: keep them plain. */
bool
el_id_valid(const char *id, size_t len)
{
	size_t i;

	if (len < 1 || len >= EL_ID_MAX)
		return false;
	for (i = 0; i < len; i++) {
		char c = id[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-'))
			return false;
	}
	return true;
}

static void
msg_hmac(const uint8_t *buf, size_t len, const uint8_t *key, size_t keylen,
         uint8_t out[EL_HMAC_LEN])
{
	static const uint8_t nokey[1];
	crypto_auth_hmacsha256_state st;
	int rc;

	/* Idempotent and cheap once done.  HMAC-SHA256 has no CPU-specific
	 * variants, so it works even if initialisation failed. */
	rc = sodium_init();
	(void)rc;
	crypto_auth_hmacsha256_init(&st, key != NULL ? key : nokey, keylen);
	crypto_auth_hmacsha256_update(&st, buf, len);
	crypto_auth_hmacsha256_final(&st, out);
	sodium_memzero(&st, sizeof(st));
}

int
el_msg_encode(const struct el_msg *msg, const uint8_t *key, size_t keylen,
              uint8_t *buf, size_t cap)
{
	size_t idlen = strnlen(msg->node, EL_ID_MAX), len, off, i;

	if (msg->version != EL_PROTO_VERSION || msg->type != EL_MSG_STATE ||
	    msg->interval_ms == 0 || !el_id_valid(msg->node, idlen) ||
	    msg->nrec > EL_MSG_MAX_REC) {
		errno = EINVAL;
		return -1;
	}
	len = OFF_ID + idlen + 2 + msg->nrec * EL_REC_LEN + EL_HMAC_LEN;
	if (len > cap || len > EL_MSG_MAX) {
		errno = EMSGSIZE;
		return -1;
	}
	buf[OFF_VERSION] = msg->version;
	buf[OFF_TYPE] = msg->type;
	put16(buf + OFF_LEN, (uint16_t)len);
	put16(buf + OFF_INTERVAL, msg->interval_ms);
	put64(buf + OFF_EPOCH, msg->epoch);
	put64(buf + OFF_SEQ, msg->seq);
	buf[OFF_IDLEN] = (uint8_t)idlen;
	memcpy(buf + OFF_ID, msg->node, idlen);
	off = OFF_ID + idlen;
	put16(buf + off, (uint16_t)msg->nrec);
	off += 2;
	for (i = 0; i < msg->nrec; i++, off += EL_REC_LEN) {
		const struct el_rec *r = &msg->rec[i];

		put32(buf + off, r->group);
		buf[off + 4] = r->prio;
		buf[off + 5] = r->flags;
		memcpy(buf + off + 6, r->mac, EL_MAC_LEN);
	}
	msg_hmac(buf, off, key, keylen, buf + off);
	return (int)len;
}

/* The authenticated body, from the id length on. */
static enum el_verdict
msg_parse_body(const uint8_t *buf, size_t len, struct el_msg *out)
{
	size_t end = len - EL_HMAC_LEN, idlen = buf[OFF_IDLEN], off, i, n;

	if (OFF_ID + idlen + 2 > end ||
	    !el_id_valid((const char *)buf + OFF_ID, idlen))
		return EL_REJ_MALFORMED;
	memcpy(out->node, buf + OFF_ID, idlen);
	out->node[idlen] = '\0';
	off = OFF_ID + idlen;
	n = get16(buf + off);
	off += 2;
	if (n > EL_MSG_MAX_REC || end - off != n * EL_REC_LEN)
		return EL_REJ_MALFORMED;
	out->nrec = n;
	for (i = 0; i < n; i++, off += EL_REC_LEN) {
		struct el_rec *r = &out->rec[i];

		r->group = get32(buf + off);
		r->prio = buf[off + 4];
		r->flags = buf[off + 5];
		memcpy(r->mac, buf + off + 6, EL_MAC_LEN);
	}
	return EL_OK;
}

enum el_verdict
el_msg_decode(const uint8_t *buf, size_t len, const uint8_t *key, size_t keylen,
              struct el_msg *out)
{
	uint8_t mac[EL_HMAC_LEN];
	int bad;

	if (len < MSG_MIN)
		return EL_REJ_TRUNCATED;
	if (len > EL_MSG_MAX)
		return EL_REJ_OVERSIZE;
	if (buf[OFF_VERSION] != EL_PROTO_VERSION)
		return EL_REJ_VERSION;
	if (buf[OFF_TYPE] != EL_MSG_STATE)
		return EL_REJ_TYPE;
	if (get16(buf + OFF_LEN) != len)
		return EL_REJ_LENGTH;
	msg_hmac(buf, len - EL_HMAC_LEN, key, keylen, mac);
	bad = sodium_memcmp(mac, buf + len - EL_HMAC_LEN, EL_HMAC_LEN);
	sodium_memzero(mac, sizeof(mac));
	if (bad != 0)
		return EL_REJ_HMAC;
	out->version = buf[OFF_VERSION];
	out->type = buf[OFF_TYPE];
	out->interval_ms = get16(buf + OFF_INTERVAL);
	out->epoch = get64(buf + OFF_EPOCH);
	out->seq = get64(buf + OFF_SEQ);
	/* A zero interval would make the sender dead on arrival. */
	if (out->interval_ms == 0)
		return EL_REJ_MALFORMED;
	return msg_parse_body(buf, len, out);
}

int
el_msg_ctl_add(struct el_msg *msg, enum el_ctl_kind kind, uint64_t nonce)
{
	struct el_rec *r;
	int i;

	if (msg->nrec >= EL_MSG_MAX_REC) {
		errno = ENOSPC;
		return -1;
	}
	r = &msg->rec[msg->nrec++];
	r->group = EL_CTL_GROUP;
	r->prio = (uint8_t)kind;
	r->flags = 0;
	for (i = 0; i < EL_MAC_LEN; i++)
		r->mac[i] = (uint8_t)(nonce >> (8 * (EL_MAC_LEN - 1 - i)));
	return 0;
}

bool
el_msg_ctl_find(const struct el_msg *msg, enum el_ctl_kind kind,
                uint64_t *nonce)
{
	size_t i;
	int j;

	for (i = 0; i < msg->nrec && i < EL_MSG_MAX_REC; i++) {
		const struct el_rec *r = &msg->rec[i];

		if (r->group != EL_CTL_GROUP || r->prio != (uint8_t)kind)
			continue;
		*nonce = 0;
		for (j = 0; j < EL_MAC_LEN; j++)
			*nonce = (*nonce << 8) | r->mac[j];
		return true;
	}
	return false;
}

uint32_t
el_group_id(const char *name)
{
	uint32_t h = 2166136261u;

	for (; *name != '\0'; name++) {
		h ^= (uint8_t)*name;
		h *= 16777619u;
	}
	return h;
}

uint64_t
el_rendezvous(uint32_t group, const char *node)
{
	uint64_t h = 14695981039346656037ull;
	int i;

	/* FNV-1a 64 of (group, big-endian) then the node id ... */
	for (i = 3; i >= 0; i--) {
		h ^= (uint8_t)(group >> (8 * i));
		h *= 1099511628211ull;
	}
	for (; *node != '\0'; node++) {
		h ^= (uint8_t)*node;
		h *= 1099511628211ull;
	}
	/* ... then splitmix64's finalizer: FNV alone mixes the last bytes
	 * poorly, and ids often differ only in their last character. */
	h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
	h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
	return h ^ (h >> 31);
}
