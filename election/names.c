/* Stable names of verdicts, states and reasons (metric labels, JSON). */
#include "config.h"

#include "election.h"

static const char *const verdict_names[EL_VERDICT_MAX] = {
    [EL_OK] = "ok",
    [EL_REJ_TRUNCATED] = "truncated",
    [EL_REJ_OVERSIZE] = "oversize",
    [EL_REJ_VERSION] = "version",
    [EL_REJ_TYPE] = "type",
    [EL_REJ_LENGTH] = "length",
    [EL_REJ_HMAC] = "hmac",
    [EL_REJ_MALFORMED] = "malformed",
    [EL_REJ_UNKNOWN_SENDER] = "unknown-sender",
    [EL_REJ_REPLAY] = "replay",
    [EL_REJ_SELF] = "self",
};

static const char *const state_names[] = {
    [EL_ST_BACKUP] = "backup", [EL_ST_LEADER] = "leader",
    [EL_ST_FAULT] = "fault",   [EL_ST_RESIGNING] = "resigning",
    [EL_ST_LISTEN] = "listen",
};

static const char *const reason_names[EL_REASON_MAX] = {
    [EL_R_NONE] = "none",
    [EL_R_SOLO] = "solo",
    [EL_R_NO_LEADER] = "no-leader",
    [EL_R_LEADER_DEAD] = "leader-dead",
    [EL_R_LEADER_UNREACHABLE] = "leader-unreachable",
    [EL_R_LEADER_RESIGNED] = "leader-resigned",
    [EL_R_LEADER_FAULT] = "leader-fault",
    [EL_R_PREEMPT] = "preempt",
    [EL_R_PREEMPTED] = "preempted",
    [EL_R_SPLIT_YIELD] = "split-yield",
    [EL_R_SPLIT_WIN] = "split-win",
    [EL_R_DATAPLANE_YIELD] = "dataplane-yield",
    [EL_R_DATAPLANE_WIN] = "dataplane-win",
    [EL_R_FAULT] = "fault",
    [EL_R_RECOVERED] = "recovered",
    [EL_R_RESIGN] = "resign",
    [EL_R_RESIGN_DONE] = "resign-done",
    [EL_R_RESIGN_TIMEOUT] = "resign-timeout",
    [EL_R_STALL] = "stall",
    [EL_R_STALL_REASSERT] = "stall-reassert",
    [EL_R_FALLBACK] = "fallback",
    [EL_R_PEER_RETURNED] = "peer-returned",
    [EL_R_HANDOVER] = "handover",
    [EL_R_DEAF_PEER] = "deaf-peer",
};

const char *
el_verdict_name(enum el_verdict v)
{
	if ((unsigned)v >= EL_VERDICT_MAX)
		return "unknown";
	return verdict_names[v];
}

const char *
el_state_name(enum el_state s)
{
	if ((unsigned)s >= sizeof(state_names) / sizeof(state_names[0]))
		return "unknown";
	return state_names[s];
}

const char *
el_reason_name(enum el_reason r)
{
	if ((unsigned)r >= EL_REASON_MAX)
		return "unknown";
	return reason_names[r];
}
