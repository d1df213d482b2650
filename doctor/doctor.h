/*
 * doctor: why a VIP does not answer.  `vipctl doctor` gathers facts about
 * the host (links, addresses, policy rules, route lookups, ARP and
 * reverse-path sysctls), the configuration and, when a daemon runs, its
 * live view (the `status` answer), then runs small pure checks over those
 * facts.  Each check returns findings: a stable code, a severity, the
 * cause in one sentence, the evidence it saw (as the command that would
 * show it, with its result) and the fix (a config key or a command).
 *
 * Layout: the facts and findings are plain structs (this header); checks
 * (dr_check.c) read only the facts, so unit tests feed them recorded
 * facts without root.  Gathering (dr_gather.c: netlink and sysctls through
 * net/; dr_status.c: the daemon's JSON) and output (dr_out.c) are apart.
 * doctor/ may include conf/, net/ and ctlproto/ headers; only vipctl/
 * includes this one, which names no net/ type.
 */
#ifndef VIPD_DOCTOR_H
#define VIPD_DOCTOR_H

#include <jansson.h>
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "conf.h"

#define DR_IFACES_MAX   1024 /* Kubernetes nodes have a veth per pod */
#define DR_ADDRS_MAX    16   /* addresses kept per interface */
#define DR_RULES_MAX    64
#define DR_VIPS_MAX     16 /* VIPs per group that are looked at */
#define DR_PEERS_MAX    CONF_PEERS_MAX
#define DR_CONFLICTS    8
#define DR_TEXT         200
#define DR_EVIDENCE_MAX 6

/* A sysctl value that could not be read. */
#define DR_UNKNOWN (-1)

struct dr_prefix {
	struct conf_addr addr;
	unsigned plen;
};

struct dr_iface {
	char name[IFNAMSIZ];
	int ifindex;
	bool up; /* admin up with carrier */
	struct dr_prefix addrs[DR_ADDRS_MAX];
	size_t naddrs;
	/* IPv4 sysctls of the interface itself (DR_UNKNOWN if unread). */
	int rp_filter, arp_ignore, arp_announce;
};

struct dr_rule {
	int family;
	struct conf_addr src; /* family 0: from all */
	unsigned src_len;
	uint32_t table, priority;
	unsigned proto;
};

/* One `ip route get DST from SRC`. */
struct dr_lookup {
	bool done;            /* asked (false: not applicable) */
	struct conf_addr dst; /* family 0 when not done */
	struct conf_addr src; /* family 0: no source given */
	bool src_is_vip;      /* else a stand-in: the VIP is not local */
	int err;              /* 0, or the kernel's errno */
	char oif[IFNAMSIZ];   /* "" when none */
	bool has_gw;
	struct conf_addr gw;
	uint32_t table;
};

struct dr_vip {
	struct conf_addr addr;
	char on_iface[IFNAMSIZ];    /* the interface holding it, "" none */
	char other_iface[IFNAMSIZ]; /* held by an interface that is neither
	                               lo nor the group's, "" none */
	unsigned other_plen;        /* its prefix length there */
	struct dr_lookup remote;    /* to an off-subnet address */
	struct dr_lookup onlink;    /* to the gateway, when configured */
};

/* A conflict the daemon saw: a foreign MAC answering for a VIP. */
struct dr_conflict {
	struct conf_addr vip;
	char mac[24];
	uint64_t count;
	bool yielded;
};

struct dr_group {
	const struct conf_group *cg; /* borrowed from the config */
	struct dr_vip vips[DR_VIPS_MAX];
	size_t nvips;
	/* The daemon's view (have_status: the daemon knew the group). */
	bool have_status;
	char state[16];
	char fault[32];
	char fault_text[DR_TEXT];
	bool route_installed;
	struct dr_conflict conflicts[DR_CONFLICTS];
	size_t nconflicts;
	/* The neighbour entries (`ip neigh`) of route.gateway and
	 * route.gateway6 on the group's interface, "" when none. */
	char gw_neigh[16], gw6_neigh[16];
	/* An alive peer that says it leads the group too ("" none). */
	char rival[CONF_ID_MAX];
	char rival_mac[24];
	/* Or, while this node leads, a peer not heard (heartbeats lost both
	 * ways) whose frames claimed the VIPs: rival_alive false, peer_claims
	 * the group's counter (claims by peers on VIPs this node led). */
	bool rival_alive;
	uint64_t peer_claims;
	int64_t peer_claim_age_ms; /* since the last claim; -1: none */
};

struct dr_peer {
	struct conf_addr addr;
	char id[CONF_ID_MAX];  /* "" until heard */
	bool own;              /* one of this node's addresses: skipped */
	struct dr_lookup path; /* `ip route get PEER` */
	/* From the daemon. */
	bool known; /* listed in its status */
	bool alive;
	bool heard;           /* a heartbeat was ever accepted */
	int64_t last_seen_ms; /* -1 never */
	bool auth_failing;
	/* The kernel's neighbour entry for an on-link peer, as `ip neigh`
	 * names it ("reachable", "stale", "failed" ...); "" when the peer is
	 * behind a gateway or has no entry. */
	char neigh[16];
};

/* An nftables rule with a drop or reject verdict that matches on the UDP
 * destination port or the destination address (other rules are not
 * kept).  Ports: closed ranges [lo, hi]; addresses: prefixes. */
#define DR_FW_RULES 32
#define DR_FW_ITEMS 8
struct dr_fw_rule {
	char family[8], table[32], chain[32];
	uint64_t handle;
	char text[DR_TEXT]; /* as `nft -a list ruleset` prints it, "" unknown */
	const char *verdict; /* "drop" or "reject" (static) */
	uint16_t port_lo[DR_FW_ITEMS], port_hi[DR_FW_ITEMS];
	size_t nports; /* 0: no udp dport match */
	struct dr_prefix daddrs[DR_FW_ITEMS];
	size_t ndaddrs; /* 0: no ip/ip6 daddr match */
};

struct dr_facts {
	const struct conf *cfg; /* borrowed */
	struct dr_iface ifaces[DR_IFACES_MAX];
	size_t nifaces;
	int all_rp_filter, all_arp_ignore, all_arp_announce;
	struct dr_rule rules[DR_RULES_MAX];
	size_t nrules;
	struct dr_group *groups; /* one per cfg->groups[] */
	size_t ngroups;
	struct dr_peer peers[DR_PEERS_MAX];
	size_t npeers;
	/* The daemon. */
	bool daemon; /* it answered `status` */
	char daemon_node[CONF_ID_MAX];
	uint64_t hb_rejected_hmac; /* heartbeats rejected: bad HMAC */
	uint64_t hb_received;
	/* The namespace's nftables rules that drop or reject by UDP port or
	 * destination address (dr_gather_firewall). */
	struct dr_fw_rule fw[DR_FW_RULES];
	size_t nfw;
};

/* ----------------------------------------------------------- findings */

enum dr_severity { DR_ERROR, DR_WARNING, DR_ADVICE };

/*
 * X(ID, code, severity, meaning): every finding, in priority order.  The
 * code is stable (scripts match on it); doc/vipctl.8 lists the same.
 */
#define DR_CODES(X)                                                            \
	X(REPLY_PATH, "reply-path", DR_ERROR,                                  \
	  "replies from a VIP leave another interface than the group's")       \
	X(RP_FILTER, "rp-filter", DR_ERROR,                                    \
	  "strict rp_filter drops requests to a VIP on arrival")               \
	X(ARP_FLUX, "arp-flux", DR_WARNING,                                    \
	  "another interface of the node answers ARP for a VIP")               \
	X(VIP_ELSEWHERE, "vip-elsewhere", DR_ERROR,                            \
	  "a VIP is configured on another interface of the node")              \
	X(SYSCTL_RESET, "sysctl-reset", DR_ERROR,                              \
	  "ARP sysctls that vipd set for bind \"local\" were put back")        \
	X(VIP_SUBNET, "vip-subnet", DR_ERROR,                                  \
	  "a VIP is outside every subnet of its interface")                    \
	X(GATEWAY_SUBNET, "gateway-subnet", DR_ERROR,                          \
	  "the route gateway is not on the interface's subnet")                \
	X(GATEWAY_SILENT, "gateway-silent", DR_ERROR,                          \
	  "the route gateway does not answer ARP/NDP")                         \
	X(LINK_DOWN, "link-down", DR_ERROR,                                    \
	  "the group's interface is missing or down")                          \
	X(GROUP_FAULT, "group-fault", DR_ERROR,                                \
	  "the daemon holds the group in fault")                               \
	X(FIREWALL_DROP, "firewall-drop", DR_ERROR,                            \
	  "an nftables rule drops the heartbeat port or traffic to a VIP")     \
	X(PEER_AUTH, "peer-auth", DR_ERROR,                                    \
	  "a peer's heartbeats arrive but fail authentication")                \
	X(PEER_DOWN, "peer-down", DR_ERROR,                                    \
	  "a peer is not heard and its address does not answer ARP/NDP")       \
	X(HB_DROPPED, "hb-dropped", DR_ERROR,                                  \
	  "a peer's address answers ARP/NDP but no heartbeat arrives")         \
	X(PEER_SILENT, "peer-silent", DR_ERROR,                                \
	  "a configured peer is not heard (down or dropped: not told)")        \
	X(FOREIGN_OWNER, "foreign-owner", DR_ERROR,                            \
	  "a host that is not a vipd peer answers for a VIP")                  \
	X(TWO_LEADERS, "two-leaders", DR_ERROR,                                \
	  "this node and a peer both lead a group")                            \
	X(HB_SHARED_PATH, "hb-shared-path", DR_ADVICE,                         \
	  "heartbeats only cross the group's own interface")

#define DR_CODE_ENUM_(id, code, sev, meaning) DR_C_##id,
enum dr_code { DR_CODES(DR_CODE_ENUM_) DR_C_MAX };
#undef DR_CODE_ENUM_

/* The code's word ("reply-path"), its severity and meaning; static. */
const char *dr_code_name(enum dr_code c);
enum dr_severity dr_code_severity(enum dr_code c);
const char *dr_code_meaning(enum dr_code c);
/* "error", "warning", "advice". */
const char *dr_severity_name(enum dr_severity s);

struct dr_finding {
	enum dr_code code;
	char group[CONF_NAME_MAX]; /* "" when not about one group */
	char subject[64];          /* the VIP, peer or interface */
	char cause[DR_TEXT * 2];
	char evidence[DR_EVIDENCE_MAX][DR_TEXT];
	size_t nevidence;
	char fix[DR_TEXT * 2];
};

/* A growing list; zero-initialise, free with dr_findings_clear(). */
struct dr_findings {
	struct dr_finding *v;
	size_t n, cap;
};

/*
 * A new finding at the end of list (zeroed but for code, group and a
 * subject formatted like printf), or NULL on ENOMEM.  The pointer is valid
 * until the next append.
 */
struct dr_finding *dr_findings_add(struct dr_findings *list, enum dr_code code,
                                   const char *group, const char *subject_fmt,
                                   ...) __attribute__((format(printf, 4, 5)));
/* Append one line of evidence / set the cause / set the fix (printf). */
void dr_evidence(struct dr_finding *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void dr_cause(struct dr_finding *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void dr_fix(struct dr_finding *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void dr_findings_clear(struct dr_findings *list);
/* Counts by severity. */
size_t dr_findings_count(const struct dr_findings *list, enum dr_severity s);

/* -------------------------------------------------------------- checks */

/*
 * The checks: pure functions of the facts.  Each appends its findings for
 * group g (or, for the peer checks, for the node) to out and returns how
 * many it added, or -1 on ENOMEM.
 */
int dr_check_reply_path(const struct dr_facts *f, const struct dr_group *g,
                        struct dr_findings *out);
int dr_check_rp_filter(const struct dr_facts *f, const struct dr_group *g,
                       struct dr_findings *out);
int dr_check_arp_flux(const struct dr_facts *f, const struct dr_group *g,
                      struct dr_findings *out);
int dr_check_vip_elsewhere(const struct dr_facts *f, const struct dr_group *g,
                           struct dr_findings *out);
int dr_check_sysctl_reset(const struct dr_facts *f, const struct dr_group *g,
                          struct dr_findings *out);
int dr_check_subnets(const struct dr_facts *f, const struct dr_group *g,
                     struct dr_findings *out);
int dr_check_gateway_silent(const struct dr_facts *f, const struct dr_group *g,
                            struct dr_findings *out);
int dr_check_link(const struct dr_facts *f, const struct dr_group *g,
                  struct dr_findings *out);
int dr_check_group_fault(const struct dr_facts *f, const struct dr_group *g,
                         struct dr_findings *out);
int dr_check_foreign_owner(const struct dr_facts *f, const struct dr_group *g,
                           struct dr_findings *out);
int dr_check_two_leaders(const struct dr_facts *f, const struct dr_group *g,
                         struct dr_findings *out);
/* firewall-drop: g NULL, a kept rule (f->fw) whose ports hold
 * cluster.port; else a kept rule without a port match whose addresses
 * hold one of g's VIPs. */
int dr_check_firewall(const struct dr_facts *f, const struct dr_group *g,
                      struct dr_findings *out);
int dr_check_peers(const struct dr_facts *f, struct dr_findings *out);
int dr_check_hb_path(const struct dr_facts *f, struct dr_findings *out);

/*
 * Every check, for the group named group (NULL: all groups; the node's
 * peer checks run either way), then the findings sorted by code (the
 * priority order of DR_CODES).  0, or -1 on ENOMEM.
 */
int dr_check_all(const struct dr_facts *f, const char *group,
                 struct dr_findings *out);

/* ------------------------------------------------------------- helpers */

/* The interface named name in f, or NULL. */
const struct dr_iface *dr_iface_find(const struct dr_facts *f,
                                     const char *name);
/* The effective IPv4 sysctl (the larger of "all" and the interface's);
 * DR_UNKNOWN when either is unknown.  key: "rp_filter", "arp_ignore",
 * "arp_announce". */
int dr_sysctl_eff(const struct dr_facts *f, const struct dr_iface *ifc,
                  const char *key);
/* Address to text (buf of 46+). */
const char *dr_addr_str(const struct conf_addr *a, char *buf, size_t len);
/* An `ip route get` line for l: "ip route get DST from SRC: via GW dev
 * IF table T" or ": error". */
void dr_lookup_str(const struct dr_lookup *l, char *buf, size_t len);

/* ----------------------------------------------------- facts: building */

/*
 * Empty facts for cfg (borrowed; must outlive f): one dr_group per
 * configured group with its VIPs, the configured peers.  0, or -1 on
 * ENOMEM.  dr_facts_free() frees what it allocated (not cfg).
 */
int dr_facts_init(struct dr_facts *f, const struct conf *cfg);
void dr_facts_free(struct dr_facts *f);

/*
 * Gather the host's facts through netlink and /proc/sys (links,
 * addresses, rules, sysctls, route lookups for every VIP and peer).
 * 0, or -1 with a reason in err.
 */
int dr_gather_host(struct dr_facts *f, char *err, size_t errlen);

/*
 * The namespace's nftables ruleset through libnftables ("list ruleset" as
 * JSON, and as text with handles for the rules' text), kept by
 * dr_fw_parse.  Quiet: when it cannot be read (no privilege), f->nfw is 0.
 */
void dr_gather_firewall(struct dr_facts *f);
/*
 * Keep in f->fw the drop/reject rules of json (`nft -j list ruleset`)
 * that match on udp dport or ip/ip6 daddr (values, ranges, prefixes,
 * anonymous or named sets); text (`nft -a list ruleset`, may be NULL)
 * gives their text.  Returns how many were kept.
 */
size_t dr_fw_parse(struct dr_facts *f, const char *json, const char *text);

/*
 * Merge the daemon's `status` answer (a JSON object, borrowed) into f:
 * group state, faults, conflicts, route pin, peers.  metrics (may be
 * NULL): its heartbeat counters.  Unknown keys are ignored.
 */
void dr_facts_add_status(struct dr_facts *f, const json_t *status,
                         const json_t *metrics);

/* ------------------------------------------------------------- output */

/* The answer of `vipctl doctor --json` (a new reference, NULL on ENOMEM):
 * {"ok", "node", "config", "daemon", "errors", "warnings", "advice",
 * "findings": [{"code", "severity", "group", "subject", "cause",
 * "evidence": [...], "fix"}]}. */
json_t *dr_findings_json(const struct dr_facts *f,
                         const struct dr_findings *list);
/*
 * The findings as Prometheus text (node_exporter's textfile collector):
 * vipd_doctor_findings{node,code,severity}, one series per code with its
 * count (0: not found), and vipd_doctor_last_run_timestamp_seconds{node}
 * at now_s.  node is a config node id (no character needs escaping).
 */
void dr_findings_prom(const struct dr_findings *list, const char *node,
                      double now_s, FILE *out);
/* The text form, one block per finding, on out. */
void dr_findings_print(const struct dr_facts *f, const struct dr_findings *list,
                       FILE *out);

#endif
