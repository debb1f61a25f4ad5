/*
 * test_gdb_rsp.c - the packet layer of GDB's remote serial protocol
 * (kernel/gdb_rsp.c): framing with the checksum GDB computes, a receiver
 * that takes a packet byte by byte and refuses a bad checksum, a missing
 * one or an overlong packet, and the hex encodings.
 */
#include <criterion/criterion.h>
#include <string.h>
#include <inc/types.h>
#include <inc/error.h>
#include <kernel/gdb_rsp.h>

/* Feeds s to rx; returns the last event that was not RSP_NONE. */
static enum rsp_event feed(struct rsp_rx *rx, const char *s)
{
	enum rsp_event last = RSP_NONE, e;

	for (; *s; s++)
		if ((e = rsp_rx_byte(rx, (uint8_t)*s)) != RSP_NONE)
			last = e;
	return last;
}

Test(gdb_rsp, frame_has_gdbs_checksum)
{
	char out[32];

	/* "$g#67" and "$?#3f": what GDB itself sends. */
	cr_assert_eq(rsp_frame("g", out, sizeof(out)), 5);
	cr_expect_str_eq(out, "$g#67");
	rsp_frame("?", out, sizeof(out));
	cr_expect_str_eq(out, "$?#3f");
	rsp_frame("", out, sizeof(out));
	cr_expect_str_eq(out, "$#00");
	cr_expect_eq(rsp_frame("OK", out, 6), -E_RANGE);
}

Test(gdb_rsp, receives_a_packet)
{
	struct rsp_rx rx = { 0 };

	cr_assert_eq(feed(&rx, "+$m101ca0,1#50"), RSP_PACKET);
	cr_expect_str_eq(rx.buf, "m101ca0,1");
	/* Upper-case checksum digits are hex too. */
	cr_assert_eq(feed(&rx, "$qSymbol::#5B"), RSP_PACKET);
	cr_expect_str_eq(rx.buf, "qSymbol::");
}

Test(gdb_rsp, refuses_bad_packets)
{
	struct rsp_rx rx = { 0 };
	char big[RSP_PACKET_MAX + 16];

	cr_expect_eq(feed(&rx, "$g#68"), RSP_BAD);
	cr_expect_eq(feed(&rx, "$g#6z"), RSP_BAD);
	cr_expect_eq(feed(&rx, "$g#x"), RSP_BAD);
	memset(big, 'A', sizeof(big) - 1);
	big[0] = '$';
	big[sizeof(big) - 1] = 0;
	cr_expect_eq(feed(&rx, big), RSP_NONE);
	/* 1038 bytes of 'A' sum to 0x8e: even the right checksum
	 * cannot save an overlong packet. */
	cr_expect_eq(feed(&rx, "#8e"), RSP_BAD);
	cr_expect_eq(feed(&rx, "$g#67"), RSP_PACKET);
}

Test(gdb_rsp, controls_outside_packets)
{
	struct rsp_rx rx = { 0 };

	cr_expect_eq(rsp_rx_byte(&rx, 0x03), RSP_INTERRUPT);
	cr_expect_eq(rsp_rx_byte(&rx, '+'), RSP_ACK);
	cr_expect_eq(rsp_rx_byte(&rx, '-'), RSP_NACK);
	cr_expect_eq(rsp_rx_byte(&rx, 'x'), RSP_NONE);
	/* Inside a packet they are data; a '$' starts it over. */
	cr_expect_eq(feed(&rx, "$a\x03-$?#3f"), RSP_PACKET);
	cr_expect_str_eq(rx.buf, "?");
}

Test(gdb_rsp, hex)
{
	const char *s = "101ca0,1";
	uint64_t v;
	uint8_t b[4];
	char out[9];

	cr_assert_eq(rsp_parse_hex(&s, &v), 0);
	cr_expect_eq(v, 0x101ca0);
	cr_expect_str_eq(s, ",1");
	s = ",1";
	cr_expect_eq(rsp_parse_hex(&s, &v), -E_INVAL);
	s = "12345678123456781";
	cr_expect_eq(rsp_parse_hex(&s, &v), -E_INVAL);
	rsp_put_hex(out, "\x8b\x05\xee\xc3", 4);
	cr_expect_str_eq(out, "8b05eec3");
	cr_assert_eq(rsp_get_hex("8B05eec3", b, 4), 0);
	cr_expect(memcmp(b, "\x8b\x05\xee\xc3", 4) == 0);
	cr_expect_eq(rsp_get_hex("8b0", b, 2), -E_INVAL);
	cr_expect_eq(rsp_get_hex("zz", b, 1), -E_INVAL);
}
