/*
 * fuzz_decode.c - libFuzzer target for kernel/x86/decode.c and
 * kernel/x86/emulate.c.  Input: one control byte (mode in bits 0-1, CPL
 * in bits 2-3, real mode in bit 4, DF in bit 5), then instruction bytes.
 * Checks the decoder's contract (length within 1..15 and within the bytes
 * given, a reason on every error, only the documented errors, the same
 * answer twice) and runs the emulator against a fake guest whose
 * callbacks check sizes and bounds.  `make fuzz FUZZ_SECONDS=N` runs it.
 */
#include <assert.h>
#include <stdlib.h>
#include <inc/string.h>
#include <kernel/x86/emulate.h>

#define FUZZ_MEM 4096

static uint8_t fuzz_mem[FUZZ_MEM];

static bool size_ok(unsigned size)
{
	return size == 1 || size == 2 || size == 4 || size == 8;
}

static int fz_read(struct x86_emul_ctxt *c, uint64_t la, unsigned size,
		   uint64_t *val)
{
	assert(size_ok(size));
	*val = 0;
	memcpy(val, fuzz_mem + la % (FUZZ_MEM - 8), size);
	return X86EMUL_OKAY;
}

static int fz_write(struct x86_emul_ctxt *c, uint64_t la, unsigned size,
		    uint64_t val)
{
	assert(size_ok(size));
	if (la & 0x800)
		return x86_emul_raise(c, T_PF, true, 2);
	memcpy(fuzz_mem + la % (FUZZ_MEM - 8), &val, size);
	return X86EMUL_OKAY;
}

static int fz_in(struct x86_emul_ctxt *c, uint16_t port, unsigned size,
		 uint32_t *val)
{
	assert(size == 1 || size == 2 || size == 4);
	*val = 0xffffffffu >> (32 - 8 * size);
	return X86EMUL_OKAY;
}

static int fz_out(struct x86_emul_ctxt *c, uint16_t port, unsigned size,
		  uint32_t val)
{
	assert(size == 1 || size == 2 || size == 4);
	return X86EMUL_OKAY;
}

static int fz_read_cr(struct x86_emul_ctxt *c, unsigned cr, uint64_t *val)
{
	assert(cr == 0 || cr == 2 || cr == 3 || cr == 4 || cr == 8);
	*val = 0x80000011;
	return X86EMUL_OKAY;
}

static int fz_write_cr(struct x86_emul_ctxt *c, unsigned cr, uint64_t val)
{
	assert(cr == 0 || cr == 2 || cr == 3 || cr == 4 || cr == 8);
	return X86EMUL_OKAY;
}

static int fz_load_dtr(struct x86_emul_ctxt *c, enum vseg which, uint64_t base,
		       uint32_t limit)
{
	assert(which == VSEG_GDTR || which == VSEG_IDTR);
	assert(limit <= 0xffff);
	return X86EMUL_OKAY;
}

static int fz_load_sel(struct x86_emul_ctxt *c, enum vseg which, uint16_t sel)
{
	assert(which == VSEG_LDTR || which == VSEG_TR);
	return X86EMUL_OKAY;
}

static int fz_nop(struct x86_emul_ctxt *c)
{
	return X86EMUL_OKAY;
}

static const struct x86_emul_ops fz_ops = {
	.read = fz_read,
	.write = fz_write,
	.io_in = fz_in,
	.io_out = fz_out,
	.read_cr = fz_read_cr,
	.write_cr = fz_write_cr,
	.load_dtr = fz_load_dtr,
	.load_sel = fz_load_sel,
	.wbinvd = fz_nop,
};

static void check_decode(const uint8_t *bytes, size_t n, enum x86_mode mode)
{
	struct x86_insn a, b;
	int r = x86_decode(bytes, n, mode, &a);

	assert(r == 0 || r == -E_INVAL || r == -E_RANGE || r == -E_NOT_SUPP);
	assert(x86_decode(bytes, n, mode, &b) == r);
	if (r != 0) {
		assert(a.why != NULL);
		assert(r != -E_RANGE || n < X86_MAX_INSN_LEN);
		return;
	}
	assert(a.length >= 1 && a.length <= X86_MAX_INSN_LEN && a.length <= n);
	assert(b.length == a.length && b.mnemonic == a.mnemonic);
	assert(a.mnemonic < X86_INSN_NMNEMONICS);
	assert(a.op_bytes == 1 || a.op_bytes == 2 || a.op_bytes == 4 ||
	       a.op_bytes == 8);
	assert(a.addr_bytes == 2 || a.addr_bytes == 4 || a.addr_bytes == 8);
	assert(!a.is_mem ||
	       (a.mem.scale && a.mem.seg >= VSEG_ES && a.mem.seg <= VSEG_GS));
	/* The same instruction decodes the same with every byte after it. */
	assert(x86_decode(bytes, a.length, mode, &b) == 0 &&
	       b.length == a.length);
}

static void check_emulate(const uint8_t *bytes, size_t n, enum x86_mode mode,
			  uint8_t ctl)
{
	struct x86_emul_ctxt c;
	uint64_t rip = 0x1000;
	int r;

	memset(&c, 0, sizeof(c));
	c.mode = mode;
	c.cpl = (ctl >> 2) & 3;
	c.real_mode = mode == X86_MODE_16 && (ctl & 0x10);
	c.regs.rip = rip;
	c.regs.rflags = X86_FLAGS_FIXED | ((ctl & 0x20) ? X86_FLAGS_DF : 0);
	for (int i = 0; i < 16; i++)
		c.regs.gpr[i] = 0x10 * (uint64_t)i + (i == GPR_RCX ? 3 : 0);
	c.insn_avail = MIN(n, (size_t)X86_MAX_INSN_LEN);
	memcpy(c.insn_bytes, bytes, c.insn_avail);
	r = x86_emulate(&c, &fz_ops);
	assert(r == X86EMUL_OKAY || r == X86EMUL_EXCEPTION ||
	       r == X86EMUL_UNHANDLEABLE);
	if (r == X86EMUL_EXCEPTION)
		assert(c.exc.vector < 32);
	else
		assert(c.regs.rip == rip || c.regs.rip == rip + c.insn.length);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum x86_mode mode;
	uint8_t *bytes;
	size_t n;

	if (size < 1)
		return 0;
	mode = (enum x86_mode)(data[0] % 3);
	n = size - 1;
	/* An exact-size heap copy, so that any read past n trips ASan. */
	bytes = malloc(n ? n : 1);
	assert(bytes);
	memcpy(bytes, data + 1, n);
	check_decode(bytes, n, mode);
	check_emulate(bytes, n, mode, data[0]);
	free(bytes);
	return 0;
}
