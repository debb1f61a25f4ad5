/*
 * gdbstub.c - a GDB stub for guests: GDB's remote serial protocol (GDB
 * manual, appendix E) on the machine's COM2 for the one domain whose
 * config says gdb = 1 (docs/debugging.md, "GDB on a guest").  The
 * backend turns the guest's #BP and #DB into EXIT_DEBUG (VIRT_DEBUG_* in
 * kernel/virt.h), which stops the domain; gdbstub_poll, called between
 * slices, answers GDB while the other domains run on.
 */
#include <inc/x86.h>
#include <kernel/kernel.h>
#include <kernel/domain.h>
#include <kernel/gdb_rsp.h>
#include <kernel/gdbstub.h>
#include <kernel/mm/gmem.h>

#define GDB_BP_MAX 32
#define GDB_G_REGS 24	  /* rax..gs: what 'g' carries (GDB writes with P) */
#define DR6_B0_B3  0xfull /* the breakpoint conditions met */
#define GDB_XML	   4096

enum gdb_reg_kind {
	GR_GPR,
	GR_VREG,
	GR_SEL,
	GR_BASE,
	GR_NONE
};

/* One register of target.xml, in GDB's numbering (amd64's core first). */
struct gdb_reg {
	const char *name;
	const char *type;
	uint8_t bytes;
	uint8_t kind; /* enum gdb_reg_kind */
	uint8_t index;
};

static const struct gdb_reg gdb_regs[] = {
	{ "rax", "int64", 8, GR_GPR, GPR_RAX },
	{ "rbx", "int64", 8, GR_GPR, GPR_RBX },
	{ "rcx", "int64", 8, GR_GPR, GPR_RCX },
	{ "rdx", "int64", 8, GR_GPR, GPR_RDX },
	{ "rsi", "int64", 8, GR_GPR, GPR_RSI },
	{ "rdi", "int64", 8, GR_GPR, GPR_RDI },
	{ "rbp", "data_ptr", 8, GR_GPR, GPR_RBP },
	{ "rsp", "data_ptr", 8, GR_GPR, GPR_RSP },
	{ "r8", "int64", 8, GR_GPR, GPR_R8 },
	{ "r9", "int64", 8, GR_GPR, GPR_R9 },
	{ "r10", "int64", 8, GR_GPR, GPR_R10 },
	{ "r11", "int64", 8, GR_GPR, GPR_R11 },
	{ "r12", "int64", 8, GR_GPR, GPR_R12 },
	{ "r13", "int64", 8, GR_GPR, GPR_R13 },
	{ "r14", "int64", 8, GR_GPR, GPR_R14 },
	{ "r15", "int64", 8, GR_GPR, GPR_R15 },
	{ "rip", "code_ptr", 8, GR_VREG, VREG_RIP },
	{ "eflags", "int32", 4, GR_VREG, VREG_RFLAGS },
	{ "cs", "int32", 4, GR_SEL, VSEG_CS },
	{ "ss", "int32", 4, GR_SEL, VSEG_SS },
	{ "ds", "int32", 4, GR_SEL, VSEG_DS },
	{ "es", "int32", 4, GR_SEL, VSEG_ES },
	{ "fs", "int32", 4, GR_SEL, VSEG_FS },
	{ "gs", "int32", 4, GR_SEL, VSEG_GS },
	/* GDB's amd64 core feature has the x87 registers: unavailable. */
	{ "st0", "i387_ext", 10, GR_NONE, 0 },
	{ "st1", "i387_ext", 10, GR_NONE, 0 },
	{ "st2", "i387_ext", 10, GR_NONE, 0 },
	{ "st3", "i387_ext", 10, GR_NONE, 0 },
	{ "st4", "i387_ext", 10, GR_NONE, 0 },
	{ "st5", "i387_ext", 10, GR_NONE, 0 },
	{ "st6", "i387_ext", 10, GR_NONE, 0 },
	{ "st7", "i387_ext", 10, GR_NONE, 0 },
	{ "fctrl", "int", 4, GR_NONE, 0 },
	{ "fstat", "int", 4, GR_NONE, 0 },
	{ "ftag", "int", 4, GR_NONE, 0 },
	{ "fiseg", "int", 4, GR_NONE, 0 },
	{ "fioff", "int", 4, GR_NONE, 0 },
	{ "foseg", "int", 4, GR_NONE, 0 },
	{ "fooff", "int", 4, GR_NONE, 0 },
	{ "fop", "int", 4, GR_NONE, 0 },
	{ "fs_base", "int64", 8, GR_BASE, VSEG_FS },
	{ "gs_base", "int64", 8, GR_BASE, VSEG_GS },
	{ "cr0", "int64", 8, GR_VREG, VREG_CR0 },
	{ "cr2", "int64", 8, GR_VREG, VREG_CR2 },
	{ "cr3", "int64", 8, GR_VREG, VREG_CR3 },
	{ "cr4", "int64", 8, GR_VREG, VREG_CR4 },
	{ "efer", "int64", 8, GR_VREG, VREG_EFER },
};

/* target.xml's features: each starts at its first register. */
static const struct {
	unsigned first;
	const char *name;
} gdb_features[] = {
	{ 0, "org.gnu.gdb.i386.core" },
	{ 40, "org.gnu.gdb.i386.segments" },
	{ 42, "org.hvlab.sys" },
};

struct gdb_bp {
	gva_t la;
	uint8_t orig; /* the byte the INT3 replaced */
	bool used;
};

static struct {
	bool up;	  /* COM2 answered */
	struct domain *d; /* the debugged domain, while it runs */
	struct vcpu *v;	  /* the vcpu GDB sees: the one that stopped */
	bool stopped;	  /* d's vcpus are held */
	bool waiting;	  /* GDB resumed d and waits for a stop reply */
	bool noack;	  /* QStartNoAckMode */
	struct rsp_rx rx;
	char out[2 * RSP_PACKET_MAX]; /* the last packet, for a '-' */
	char reply[RSP_PACKET_MAX + 1];
	struct gdb_bp bp[GDB_BP_MAX];
	uint64_t hw[4]; /* hardware breakpoints' addresses */
	unsigned hwmask;
	char xml[GDB_XML];
	size_t xml_len;
} gdb;

/* Sets a reply to s. */
static void gdb_set(char *reply, const char *s)
{
	strlcpy(reply, s, RSP_PACKET_MAX + 1);
}

static void gdb_send_out(void)
{
	for (const char *p = gdb.out; *p; p++)
		com_putbyte(COM2, (uint8_t)*p);
}

/* Sends payload as a packet (an empty one when it does not fit). */
static void gdb_send(const char *payload)
{
	if (rsp_frame(payload, gdb.out, sizeof(gdb.out)) < 0)
		rsp_frame("", gdb.out, sizeof(gdb.out));
	gdb_send_out();
}

/* Sets the vcpus' debug requests: TRAP while attached, STEP for v. */
static void gdb_arm(struct vcpu *step)
{
	for (int i = 0; i < gdb.d->nvcpus; i++) {
		struct vcpu *v = &gdb.d->vcpus[i];

		v->debug = VIRT_DEBUG_TRAP | (v == step ? VIRT_DEBUG_STEP : 0);
	}
}

/* Holds the domain with v current and tells GDB why (a stop reply). */
static void gdb_stop(struct vcpu *v, const char *why)
{
	gdb.stopped = true;
	gdb.v = v;
	gdb_arm(NULL);
	if (gdb.waiting)
		gdb_send(why);
	gdb.waiting = false;
}

void gdbstub_attach(struct domain *d)
{
	/* domain_parse_all lets one config say gdb = 1; a restart of
	 * that domain takes the stub over. */
	if (gdb.d && gdb.d != d && gdb.d->state == DOMAIN_RUNNING)
		panic("gdbstub_attach: %s is debugged already", gdb.d->name);
	gdb.up = gdb.up || com_init(COM2);
	if (!gdb.up) {
		cprintf("gdbstub: no UART at COM2; %s runs without GDB\n",
			d->name);
		return;
	}
	gdb.d = d;
	gdb.stopped = true;
	gdb.v = &d->vcpus[0];
	gdb_arm(NULL);
	cprintf("gdbstub: domain %s waits for GDB on COM2\n", d->name);
}

bool gdbstub_holds(const struct domain *d)
{
	return d == gdb.d && gdb.stopped;
}

static struct gdb_bp *gdb_bp_find(gva_t la)
{
	for (int i = 0; i < GDB_BP_MAX; i++)
		if (gdb.bp[i].used && gdb.bp[i].la == la)
			return &gdb.bp[i];
	return NULL;
}

void gdbstub_exit(struct vcpu *v)
{
	const struct exit_debug *e = &v->exit.debug;
	uint64_t rip = virt_reg_read(v, VREG_RIP);
	bool step = v->debug & VIRT_DEBUG_STEP;

	if (v->domain != gdb.d) {
		v->debug = 0;
		virt_inject_exception(v, e->vector, false, 0);
	} else if (e->vector == T_BP && gdb_bp_find(rip))
		gdb_stop(v, "T05swbreak:;");
	else if (e->vector == T_BP) {
		/* The guest's own INT3: its frame holds the next RIP. */
		virt_reg_write(v, VREG_RIP, rip + 1);
		virt_inject_exception(v, T_BP, false, 0);
	} else if (step)
		gdb_stop(v, "S05");
	else if (e->dr6 & gdb.hwmask & DR6_B0_B3) /* one of GDB's */
		gdb_stop(v, "T05hwbreak:;");
	else
		virt_inject_exception(v, T_DB, false, 0);
}

/* Register n of the current vcpu into *val; its size, 0 when unknown. */
static unsigned gdb_reg_get(unsigned n, uint64_t *val)
{
	const struct gdb_reg *r = &gdb_regs[n];
	struct vseg_desc seg;

	*val = 0;
	if (n >= ARRAY_SIZE(gdb_regs) || r->kind == GR_NONE)
		return 0;
	if (r->kind == GR_GPR)
		*val = gdb.v->gprs[r->index];
	else if (r->kind == GR_VREG)
		*val = virt_reg_read(gdb.v, (enum vreg)r->index);
	else {
		virt_seg_read(gdb.v, (enum vseg)r->index, &seg);
		*val = r->kind == GR_SEL ? seg.sel : seg.base;
	}
	return r->bytes;
}

/*
 * Sets register n: the general ones, RIP and RFLAGS.  Segments and
 * control registers stay as they are (a new CR3 or CR0 would bypass
 * the paging code's intercepts): false.
 */
static bool gdb_reg_set(unsigned n, uint64_t val)
{
	const struct gdb_reg *r = &gdb_regs[n];

	if (n >= ARRAY_SIZE(gdb_regs))
		return false;
	if (r->kind == GR_GPR)
		gdb.v->gprs[r->index] = val;
	else if (r->kind == GR_VREG &&
		 (r->index == VREG_RIP || r->index == VREG_RFLAGS))
		virt_reg_write(gdb.v, (enum vreg)r->index,
			       r->index == VREG_RIP ? val : (uint32_t)val);
	else
		return false;
	return true;
}

/* Appends register n to out as 'g' and 'p' show it; 'x's: unavailable. */
static char *gdb_reg_hex(char *out, unsigned n)
{
	unsigned len = 2 * gdb_regs[n].bytes;
	uint64_t val;

	if (gdb_reg_get(n, &val))
		rsp_put_hex(out, &val, len / 2);
	else
		memset(out, 'x', len);
	out[len] = 0;
	return out + len;
}

static void gdb_cmd_g(char *reply)
{
	for (unsigned n = 0; n < GDB_G_REGS; n++)
		reply = gdb_reg_hex(reply, n);
}

/* p n, P n=value */
static void gdb_cmd_reg(const char *args, bool write, char *reply)
{
	uint64_t n, val = 0;

	if (rsp_parse_hex(&args, &n) < 0 || n >= ARRAY_SIZE(gdb_regs) ||
	    (write && *args++ != '='))
		gdb_set(reply, "E01");
	else if (!write)
		gdb_reg_hex(reply, (unsigned)n);
	else if (strlen(args) < 2u * gdb_regs[n].bytes ||
		 rsp_get_hex(args, &val, MIN(gdb_regs[n].bytes, 8u)) < 0 ||
		 !gdb_reg_set((unsigned)n, val))
		gdb_set(reply, "E01");
	else
		gdb_set(reply, "OK");
}

/* "ADDR,LEN" then *end (':' for M, 0 for m); len at most max. */
static bool gdb_parse_range(const char **args, uint64_t *addr, uint64_t *len,
			    uint64_t max)
{
	return rsp_parse_hex(args, addr) == 0 && *(*args)++ == ',' &&
	       rsp_parse_hex(args, len) == 0 && *len <= max;
}

/*
 * m ADDR,LEN: through the guest's page tables, as much as is mapped
 * (E14, EFAULT, when not even the first byte is), with GDB's INT3s
 * hidden.
 */
static void gdb_cmd_m(const char *args, char *reply)
{
	uint8_t buf[RSP_PACKET_MAX / 2];
	uint64_t addr, len, n, i;
	gva_t fault;
	uint32_t pfec;

	if (!gdb_parse_range(&args, &addr, &len, sizeof(buf)) || *args) {
		gdb_set(reply, "E01");
		return;
	}
	for (n = 0; n < len; n++)
		if (gmem_read(gdb.v, addr + n, &buf[n], 1, &fault, &pfec) < 0)
			break;
	if (n == 0 && len) {
		gdb_set(reply, "E14");
		return;
	}
	for (i = 0; i < n; i++) {
		struct gdb_bp *bp = gdb_bp_find(addr + i);

		buf[i] = bp ? bp->orig : buf[i];
	}
	rsp_put_hex(reply, buf, n);
}

static void gdb_cmd_M(const char *args, char *reply)
{
	uint8_t buf[RSP_PACKET_MAX / 2];
	uint64_t addr, len;
	gva_t fault;
	uint32_t pfec;

	if (!gdb_parse_range(&args, &addr, &len, sizeof(buf)) ||
	    *args++ != ':' || strlen(args) != 2 * len ||
	    rsp_get_hex(args, buf, len) < 0)
		gdb_set(reply, "E01");
	else if (gmem_write(gdb.v, addr, buf, len, &fault, &pfec) < 0)
		gdb_set(reply, "E14");
	else
		gdb_set(reply, "OK");
}

/* Z0/z0: an INT3 at la, or the byte it replaced back; 0 or -E_*. */
static int gdb_sw_break(gva_t la, bool insert)
{
	static const uint8_t int3 = 0xcc;
	struct gdb_bp *bp = gdb_bp_find(la);
	gva_t fault;
	uint32_t pfec;
	int i;

	if (!insert) {
		if (bp && gmem_write(gdb.v, la, &bp->orig, 1, &fault, &pfec))
			return -E_RANGE;
		if (bp)
			bp->used = false;
		return 0;
	}
	if (bp)
		return 0;
	for (i = 0; i < GDB_BP_MAX && gdb.bp[i].used; i++)
		;
	if (i == GDB_BP_MAX)
		return -E_NO_MEM;
	if (gmem_read(gdb.v, la, &gdb.bp[i].orig, 1, &fault, &pfec) < 0 ||
	    gmem_write(gdb.v, la, &int3, 1, &fault, &pfec) < 0)
		return -E_RANGE;
	gdb.bp[i].la = la;
	gdb.bp[i].used = true;
	return 0;
}

/*
 * Z1/z1: an instruction breakpoint in DR0-DR3 (SDM 3B 18.2 "Debug
 * Registers": L0-L3, R/W and LEN 0), loaded into every vcpu; GDB's
 * take the guest's own DR7 over.
 */
static int gdb_hw_break(gva_t la, bool insert)
{
	unsigned i, dr7 = DR7_RESET;

	for (i = 0; i < 4; i++)
		if ((gdb.hwmask & 1u << i) && gdb.hw[i] == la)
			break;
	if (!insert && i < 4)
		gdb.hwmask &= ~(1u << i);
	if (insert && i == 4) {
		for (i = 0; i < 4 && (gdb.hwmask & 1u << i); i++)
			;
		if (i == 4)
			return -E_NO_MEM;
		gdb.hw[i] = la;
		gdb.hwmask |= 1u << i;
	}
	for (i = 0; i < 4; i++)
		dr7 |= (gdb.hwmask >> i & 1) << (2 * i);
	for (int n = 0; n < gdb.d->nvcpus; n++) {
		memcpy(gdb.d->vcpus[n].xs.dr, gdb.hw, sizeof(gdb.hw));
		virt_reg_write(&gdb.d->vcpus[n], VREG_DR7, dr7);
	}
	return 0;
}

/* Z TYPE,ADDR,KIND and z: software (0) and hardware (1) breakpoints. */
static void gdb_cmd_z(const char *args, bool insert, char *reply)
{
	uint64_t type, addr, kind;
	int r;

	if (rsp_parse_hex(&args, &type) < 0 || *args++ != ',' ||
	    !gdb_parse_range(&args, &addr, &kind, 16))
		gdb_set(reply, "E01");
	else if (type > 1)
		reply[0] = 0;
	else if ((r = type == 0 ? gdb_sw_break(addr, insert) :
				  gdb_hw_break(addr, insert)) < 0)
		gdb_set(reply, r == -E_NO_MEM ? "E28" : "E14");
	else
		gdb_set(reply, "OK");
}

/* Builds target.xml from gdb_regs once. */
static void gdb_xml_build(void)
{
	size_t f = 0, n = 0;
	unsigned i;

	n += snprintf(gdb.xml + n, GDB_XML - n,
		      "<?xml version=\"1.0\"?><!DOCTYPE target SYSTEM "
		      "\"gdb-target.dtd\"><target><architecture>i386:x86-64"
		      "</architecture>");
	for (i = 0; i < ARRAY_SIZE(gdb_regs); i++) {
		if (f < ARRAY_SIZE(gdb_features) &&
		    gdb_features[f].first == i) {
			n += snprintf(gdb.xml + n, GDB_XML - n,
				      "%s<feature name=\"%s\">",
				      f ? "</feature>" : "",
				      gdb_features[f].name);
			f++;
		}
		n += snprintf(gdb.xml + n, GDB_XML - n,
			      "<reg name=\"%s\" bitsize=\"%u\" type=\"%s\"/>",
			      gdb_regs[i].name, gdb_regs[i].bytes * 8u,
			      gdb_regs[i].type);
	}
	n += snprintf(gdb.xml + n, GDB_XML - n, "</feature></target>");
	if (n >= GDB_XML)
		panic("gdb_xml_build: target.xml needs more than %d bytes",
		      GDB_XML);
	gdb.xml_len = n;
}

/* qXfer:features:read:target.xml:OFFSET,LENGTH */
static void gdb_cmd_xfer(const char *args, char *reply)
{
	uint64_t off, len;

	if (!gdb.xml_len)
		gdb_xml_build();
	if (!gdb_parse_range(&args, &off, &len, RSP_PACKET_MAX - 1) || *args)
		gdb_set(reply, "E01");
	else if (off >= gdb.xml_len)
		gdb_set(reply, "l");
	else {
		len = MIN(len, gdb.xml_len - off);
		reply[0] = off + len < gdb.xml_len ? 'm' : 'l';
		memcpy(reply + 1, gdb.xml + off, len);
		reply[len + 1] = 0;
	}
}

static void gdb_cmd_query(const char *p, char *reply)
{
	static const char xfer[] = "qXfer:features:read:target.xml:";

	if (strncmp(p, "qSupported", 10) == 0)
		snprintf(reply, RSP_PACKET_MAX,
			 "PacketSize=%x;qXfer:features:read+;"
			 "QStartNoAckMode+;swbreak+;hwbreak+",
			 RSP_PACKET_MAX);
	else if (strncmp(p, xfer, sizeof(xfer) - 1) == 0)
		gdb_cmd_xfer(p + sizeof(xfer) - 1, reply);
	else if (strcmp(p, "qAttached") == 0)
		gdb_set(reply, "1");
	else if (strcmp(p, "QStartNoAckMode") == 0) {
		gdb.noack = true;
		gdb_set(reply, "OK");
	}
}

/* Takes GDB's breakpoints out and lets the domain run on its own. */
static void gdb_detach(void)
{
	for (int i = 0; i < GDB_BP_MAX; i++)
		if (gdb.bp[i].used)
			gdb_sw_break(gdb.bp[i].la, false);
	gdb.hwmask = 0;
	gdb_hw_break(0, false);
	for (int i = 0; i < gdb.d->nvcpus; i++)
		gdb.d->vcpus[i].debug = 0;
	gdb.stopped = gdb.waiting = gdb.noack = false;
}

/* c [ADDR], s [ADDR]: resumes, with the stop reply to come. */
static void gdb_resume(const char *args, bool step)
{
	uint64_t addr;

	if (*args && rsp_parse_hex(&args, &addr) == 0)
		virt_reg_write(gdb.v, VREG_RIP, addr);
	gdb_arm(step ? gdb.v : NULL);
	gdb.stopped = false;
	gdb.waiting = true;
}

/* Packets that want the domain stopped; a reply in gdb.reply or none. */
static bool gdb_cmd_stopped(const char *p, char *reply)
{
	switch (p[0]) {
	case 'g': gdb_cmd_g(reply); return true;
	case 'p': gdb_cmd_reg(p + 1, false, reply); return true;
	case 'P': gdb_cmd_reg(p + 1, true, reply); return true;
	case 'm': gdb_cmd_m(p + 1, reply); return true;
	case 'M': gdb_cmd_M(p + 1, reply); return true;
	case 'Z': gdb_cmd_z(p + 1, true, reply); return true;
	case 'z': gdb_cmd_z(p + 1, false, reply); return true;
	case 'c': gdb_resume(p + 1, false); return false;
	case 's': gdb_resume(p + 1, true); return false;
	}
	reply[0] = 0;
	return true;
}

/* Answers packet p. */
static void gdb_packet(const char *p)
{
	char *reply = gdb.reply;

	reply[0] = 0;
	if (p[0] == '?') {
		/* A (re)connecting GDB finds the domain stopped. */
		gdb.waiting = true;
		gdb_stop(gdb.stopped ? gdb.v : &gdb.d->vcpus[0], "S05");
		return;
	}
	if (p[0] == 'D' || p[0] == 'k') {
		gdb_detach();
		if (p[0] == 'D')
			gdb_send("OK");
		return;
	}
	if (p[0] == 'q' || p[0] == 'Q')
		gdb_cmd_query(p, reply);
	else if (p[0] == 'H' || p[0] == 'T')
		gdb_set(reply, "OK");
	else if (!gdb.stopped)
		gdb_set(reply, "E16"); /* EBUSY: only ^C while it runs */
	else if (!gdb_cmd_stopped(p, reply))
		return;
	gdb_send(reply);
}

/* The debugged domain ended: GDB hears its exit status. */
static void gdb_domain_ended(void)
{
	char msg[8] = "X09"; /* it crashed: "SIGKILL" */

	if (gdb.d->state == DOMAIN_EXITED)
		snprintf(msg, sizeof(msg), "W%02x", gdb.d->exit_status & 0xff);
	gdb_send(msg);
	gdb.d = NULL;
	gdb.stopped = gdb.waiting = false;
}

void gdbstub_poll(void)
{
	int ch, n;

	if (!gdb.d)
		return;
	if (gdb.d->state != DOMAIN_RUNNING) {
		gdb_domain_ended();
		return;
	}
	/* Bounded: a stuck UART must not hold the other domains up. */
	for (n = 0; n < 4 * RSP_PACKET_MAX && (ch = com_getbyte(COM2)) >= 0;
	     n++) {
		switch (rsp_rx_byte(&gdb.rx, (uint8_t)ch)) {
		case RSP_PACKET:
			if (!gdb.noack)
				com_putbyte(COM2, '+');
			gdb_packet(gdb.rx.buf);
			break;
		case RSP_BAD: com_putbyte(COM2, '-'); break;
		case RSP_NACK: gdb_send_out(); break;
		case RSP_INTERRUPT:
			if (!gdb.stopped)
				gdb_stop(&gdb.d->vcpus[0], "S02");
			break;
		default: break;
		}
	}
}
