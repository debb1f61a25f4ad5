/*
 * gdb_rsp.c - the packet layer of GDB's remote serial protocol (see
 * gdb_rsp.h): a byte-at-a-time receiver that never blocks, for a stub
 * polled from the scheduler loop.
 */
#include <inc/error.h>
#include <inc/string.h>
#include <kernel/gdb_rsp.h>

static const char rsp_digits[] = "0123456789abcdef";

/* The two checksum digits after '#'. */
static enum rsp_event rsp_rx_sum(struct rsp_rx *rx, uint8_t ch)
{
	int d = hex_digit((char)ch);

	if (rx->state == RSP_SUM1) {
		rx->want = (uint8_t)(d << 4);
		rx->state = d < 0 ? RSP_IDLE : RSP_SUM2;
		return d < 0 ? RSP_BAD : RSP_NONE;
	}
	rx->state = RSP_IDLE;
	if (d < 0 || rx->overflow || (uint8_t)(rx->want | d) != rx->sum)
		return RSP_BAD;
	rx->buf[rx->len] = 0;
	return RSP_PACKET;
}

enum rsp_event rsp_rx_byte(struct rsp_rx *rx, uint8_t ch)
{
	if (rx->state == RSP_SUM1 || rx->state == RSP_SUM2)
		return rsp_rx_sum(rx, ch);
	if (ch == '$') {
		/* A '$' inside a packet starts it over: GDB resent it. */
		rx->state = RSP_DATA;
		rx->len = rx->sum = 0;
		rx->overflow = false;
		return RSP_NONE;
	}
	if (rx->state == RSP_IDLE)
		return ch == 0x03 ? RSP_INTERRUPT :
		       ch == '+'  ? RSP_ACK :
		       ch == '-'  ? RSP_NACK :
				    RSP_NONE;
	if (ch == '#') {
		rx->state = RSP_SUM1;
		return RSP_NONE;
	}
	rx->sum += ch;
	if (rx->len < RSP_PACKET_MAX)
		rx->buf[rx->len++] = (char)ch;
	else
		rx->overflow = true;
	return RSP_NONE;
}

int rsp_frame(const char *payload, char *out, size_t outlen)
{
	size_t n = strlen(payload);
	uint8_t sum = 0;
	size_t i;

	if (outlen < n + 5)
		return -E_RANGE;
	out[0] = '$';
	for (i = 0; i < n; i++) {
		out[1 + i] = payload[i];
		sum += (uint8_t)payload[i];
	}
	out[n + 1] = '#';
	out[n + 2] = rsp_digits[sum >> 4];
	out[n + 3] = rsp_digits[sum & 15];
	out[n + 4] = 0;
	return (int)(n + 4);
}

int rsp_parse_hex(const char **s, uint64_t *val)
{
	const char *p = *s;
	uint64_t v = 0;
	int d, n;

	for (n = 0; (d = hex_digit(*p)) >= 0; n++, p++)
		v = v << 4 | (uint64_t)d;
	if (n == 0 || n > 16)
		return -E_INVAL;
	*s = p;
	*val = v;
	return 0;
}

void rsp_put_hex(char *out, const void *buf, size_t n)
{
	const uint8_t *b = buf;
	size_t i;

	for (i = 0; i < n; i++) {
		*out++ = rsp_digits[b[i] >> 4];
		*out++ = rsp_digits[b[i] & 15];
	}
	*out = 0;
}

int rsp_get_hex(const char *s, void *buf, size_t n)
{
	uint8_t *b = buf;
	int hi, lo;
	size_t i;

	for (i = 0; i < n; i++) {
		hi = hex_digit(s[2 * i]);
		lo = hi < 0 ? -1 : hex_digit(s[2 * i + 1]);
		if (lo < 0)
			return -E_INVAL;
		b[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}
