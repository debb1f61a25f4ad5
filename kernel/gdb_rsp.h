/*
 * gdb_rsp.h - the packet layer of GDB's remote serial protocol (GDB
 * manual, appendix E "Overview", "Packets"): $payload#cs framing with a
 * checksum, acknowledgements, and the hex encodings the packets use.
 * Plain C: kernel/gdbstub.c uses it, and tests/test_gdb_rsp.c links it
 * as it is.
 */
#ifndef KERNEL_GDB_RSP_H
#define KERNEL_GDB_RSP_H

#include <inc/types.h>

#define RSP_PACKET_MAX 1024 /* payload bytes, what qSupported announces */

/* What one received byte completed. */
enum rsp_event {
	RSP_NONE,      /* nothing yet */
	RSP_PACKET,    /* a packet with a good checksum: answer '+' */
	RSP_BAD,       /* a bad checksum or an overlong packet: answer '-' */
	RSP_INTERRUPT, /* ^C outside a packet */
	RSP_ACK,       /* '+' */
	RSP_NACK,      /* '-': send the last packet again */
};

/* A receiver; zeroed, it waits for a packet. */
struct rsp_rx {
	enum {
		RSP_IDLE,
		RSP_DATA,
		RSP_SUM1,
		RSP_SUM2
	} state;
	char buf[RSP_PACKET_MAX + 1]; /* the payload, NUL-terminated */
	size_t len;
	uint8_t sum, want;
	bool overflow;
};

/* Feeds byte ch to rx; at RSP_PACKET, rx->buf holds the payload. */
enum rsp_event rsp_rx_byte(struct rsp_rx *rx, uint8_t ch);

/*
 * Writes "$payload#cs" into out[0..outlen); returns its length, or
 * -E_RANGE when it does not fit.
 */
int rsp_frame(const char *payload, char *out, size_t outlen);

/* Parses a hex number at *s (at most 16 digits), advancing *s past it;
 * 0, or -E_INVAL when no digit is there or it is longer. */
int rsp_parse_hex(const char **s, uint64_t *val);

/* Writes n bytes as 2n lower-case hex digits and a NUL to out. */
void rsp_put_hex(char *out, const void *buf, size_t n);

/* Reads 2n hex digits at s into buf; 0 or -E_INVAL. */
int rsp_get_hex(const char *s, void *buf, size_t n);

#endif
