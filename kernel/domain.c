/*
 * domain.c - creating domains from the boot files' configs, ending and
 * summarizing them, and the vcpu state a guest image asks to start in
 * (labs 2 and 3); domain_run_all runs them all through the scheduler.
 * A domain that cannot be built is reported and skipped; the others run.
 */
#include <inc/boot_info.h>
#include <inc/x86.h>
#include <kernel/kernel.h>
#include <kernel/domain.h>
#include <kernel/cpuid.h>
#include <kernel/load/image.h>
#include <kernel/mm/page.h>
#include <kernel/dev/debugexit.h>
#include <kernel/dev/platform.h>
#include <kernel/sched.h>
#include <kernel/bench.h>
#include <kernel/migrate.h>
#include <kernel/gdbstub.h>

#define DOMAIN_RESTART_MAX 3

struct domain domains[DOMAIN_MAX] __attribute__((aligned(PAGE_SIZE)));

static int domain_mem_write(void *ctx, gpa_t gpa, const void *src, size_t len)
{
	return p2m_write(ctx, gpa, src, len);
}

void vcpu_skip_insn(struct vcpu *v)
{
	uint64_t rip = virt_reg_read(v, VREG_RIP) + v->exit.insn_len;

	/* only a RIP past 4 GiB asks which mode wraps it */
	if ((rip >> 32) && !vcpu_long_mode(v))
		rip &= 0xffffffff;
	virt_reg_write(v, VREG_RIP, rip);
}

/* The entry state image.h describes for each boot mode. */
static void vcpu_set_boot(struct vcpu *v, const struct guest_boot *gb)
{
	uint16_t code_attr = 0x09b | SEG_ATTR_G |
			     (gb->mode == BOOT_MODE_LONG ? SEG_ATTR_L :
							   SEG_ATTR_DB);
	struct vseg_desc code = { 0x08, code_attr, 0xffffffff, 0 },
			 data = { 0x10, 0x093 | SEG_ATTR_DB | SEG_ATTR_G,
				  0xffffffff, 0 };
	uint64_t efer = gb->efer;
	enum vseg s;

	if (gb->mode == BOOT_MODE_REAL) {
		code = (struct vseg_desc){ gb->cs_sel, 0x09b, 0xffff,
					   (uint64_t)gb->cs_sel << 4 };
		data = (struct vseg_desc){ 0, 0x093, 0xffff, 0 };
	}
	for (s = VSEG_ES; s <= VSEG_GS; s++)
		virt_seg_write(v, s, s == VSEG_CS ? &code : &data);
	if ((efer & EFER_LME) && (gb->cr0 & CR0_PG))
		efer |= EFER_LMA;
	virt_reg_write(v, VREG_CR4, gb->cr4);
	virt_reg_write(v, VREG_CR3, gb->cr3);
	virt_reg_write(v, VREG_EFER, efer);
	virt_reg_write(v, VREG_CR0, gb->cr0 | CR0_ET);
	virt_reg_write(v, VREG_RFLAGS, RFLAGS_RESET);
	virt_reg_write(v, VREG_RIP, gb->rip);
	virt_reg_write(v, VREG_CPL, 0);
	v->gprs[GPR_RAX] = gb->rax;
	v->gprs[GPR_RBX] = gb->rbx;
	v->gprs[GPR_RSI] = gb->rsi;
}

/*
 * Whether c runs on te: type te, or a pv domain in the te container (by
 * default where the CPU has neither VT-x nor SVM).
 */
static bool domain_te(const struct domain_config *c)
{
	if (c->type == DOMAIN_PV && c->container == CONTAINER_DEFAULT)
		return !virt_hw();
	return c->type == DOMAIN_TE ||
	       (c->type == DOMAIN_PV && c->container == CONTAINER_TE);
}

/* Loads the kernel (and ramdisk) config c names into d's memory. */
static int domain_load(struct domain *d, struct guest_boot *gb, char *err,
		       size_t errlen)
{
	const struct domain_config *c = d->config;
	const struct boot_file *k, *rd = NULL;
	struct guest_mem mem = { &d->p2m, p2m_size(&d->p2m), domain_mem_write };
	int r;

	r = config_file_find(c, d->bi, "kernel", &c->kernel, &k, err, errlen);
	if (r == 0 && c->ramdisk.path[0])
		r = config_file_find(c, d->bi, "ramdisk", &c->ramdisk, &rd, err,
				     errlen);
	if (r < 0)
		return r;
	if (c->type == DOMAIN_PV)
		return image_load_pv(c, domain_te(c), kva(k->pa), k->size,
				     rd ? kva(rd->pa) : NULL, rd ? rd->size : 0,
				     &mem, gb, err, errlen);
	return image_load(c, kva(k->pa), k->size, rd ? kva(rd->pa) : NULL,
			  rd ? rd->size : 0, &mem, gb, err, errlen);
}

/* Sets up d's vcpus; vcpu 0 starts as gb says (NULL: at RESET). */
static int domain_init_vcpus(struct domain *d, const struct guest_boot *gb)
{
	int i, r;

	for (i = 0; i < d->nvcpus; i++) {
		struct vcpu *v = &d->vcpus[i];

		v->domain = d;
		v->id = i;
		r = xstate_vcpu_init(v);
		if (r == 0)
			r = d->ops->vcpu_init(v);
		if (r == 0)
			r = vlapic_init(v);
		if (r < 0)
			return r;
		v->state = i == 0 ? VCPU_RUNNABLE : VCPU_WAIT_SIPI;
	}
	if (gb)
		vcpu_set_boot(&d->vcpus[0], gb);
	return 0;
}

/*
 * Who translates d's guest-linear addresses (lab 4): nested paging by
 * default on hardware (the backends' probes insist on NPT / EPT), shadow
 * paging when the config asks and always for te.
 */
static int domain_paging(struct domain *d)
{
	const struct domain_config *c = d->config;
	unsigned limit = c->shadow_pages ? c->shadow_pages :
					   SHADOW_PAGES_DEFAULT;
	bool te = domain_te(c);

	d->paging = c->paging;
	if (te)
		d->paging = PAGING_SHADOW;
	else if (d->paging == PAGING_DEFAULT)
		d->paging = PAGING_NESTED;
	if (d->paging != PAGING_SHADOW)
		return 0;
	return shadow_domain_init(d, limit, te);
}

/* Pages as "12.5 MiB" (or "48 KiB" below 1 MiB) in buf; returns buf. */
static const char *domain_mib(char *buf, size_t len, size_t pages)
{
	uint64_t bytes = (uint64_t)pages * PAGE_SIZE;
	uint64_t tenths = (bytes * 10 + MiB / 2) / MiB;

	if (bytes < MiB)
		snprintf(buf, len, "%llu KiB",
			 (unsigned long long)(bytes / KiB));
	else
		snprintf(buf, len, "%llu.%llu MiB",
			 (unsigned long long)(tenths / 10),
			 (unsigned long long)(tenths % 10));
	return buf;
}

/* Host memory a domain may still take, in pages. */
static size_t domain_host_free(void)
{
	size_t n = page_free_count();

	return n > P2M_HOST_RESERVE_PAGES ? n - P2M_HOST_RESERVE_PAGES : 0;
}

/*
 * Gives d its guest RAM (lab 5: populated now or at the first touch, as
 * the config's populate says); refused with how much the host has free.
 */
static int domain_memory(struct domain *d, char *err, size_t errlen)
{
	const struct domain_config *c = d->config;
	size_t free = domain_host_free();
	char mib[24];
	int r;

	r = p2m_init(&d->p2m,
		     c->memory_mib * MiB +
			     (c->xen_platform ? PLATFORM_XEN_MMIO_SIZE : 0),
		     c->populate == POPULATE_EAGER);
	if (r < 0)
		snprintf(err, errlen, "memory: %llu MiB asked, %s free%s",
			 (unsigned long long)c->memory_mib,
			 domain_mib(mib, sizeof(mib), free),
			 c->populate == POPULATE_EAGER ?
				 " (populate \"eager\")" :
				 "");
	return r;
}

void domain_crash_no_mem(struct domain *d, struct vcpu *v, gpa_t gpa)
{
	char used[24], free[24];

	domain_crash(d, v, "out of host memory at 0x%llx (host %s, %s free)",
		     (unsigned long long)gpa,
		     domain_mib(used, sizeof(used), d->p2m.populated),
		     domain_mib(free, sizeof(free), domain_host_free()));
}

/* The backend for d's config; NULL with the reason in err. */
static const struct virt_ops *domain_ops(struct domain *d, char *err,
					 size_t errlen)
{
	const struct domain_config *c = d->config;

	if (domain_te(c))
		return te_ops();
	if (virt_hw())
		return virt_hw();
	snprintf(err, errlen,
		 "%s \"hvm\" needs VT-x or SVM, which this CPU lacks (%s "
		 "\"te\" runs anywhere)",
		 c->type == DOMAIN_PV ? "container" : "type",
		 c->type == DOMAIN_PV ? "container" : "type");
	return NULL;
}

/* Xen's ABI for pv domains and xen_platform hvm ones (pv/pv.h): Xen's
 * leaves replace hvlab's for the first, sit above them for the others. */
static void domain_pv_on(struct domain *d)
{
	const struct domain_config *c = d->config;

	d->pv.on = c->type == DOMAIN_PV || c->xen_platform;
	d->pv.privileged = c->privileged;
	d->pv.driver = c->driver_domain;
	d->pv.cpuid_base = CPUID_HV_BASE + (c->type == DOMAIN_PV ? 0 : 0x100);
	d->pv.shared_info = PV_NO_GPA;
}

/*
 * The xenstore ring the builder placed (lab 7) and its port, which the te
 * container's start_info names too; 0 or -E_*.
 */
static int domain_pv_store(struct domain *d, const struct guest_boot *gb)
{
	long port = pv_store_init(d, gb->pv_store);
	uint32_t p32 = (uint32_t)port;

	if (port < 0)
		return -E_NO_MEM;
	if (d->type == DOMAIN_HVM)
		d->pv.ram_end = gb->pv_store;
	if (!gb->pv_shared_info)
		return 0;
	return p2m_write(&d->p2m,
			 gb->rsi + __builtin_offsetof(struct start_info,
						      store_evtchn),
			 &p32, sizeof(p32));
}

/*
 * After the vcpus: the event channel state, then what the builders placed
 * when they ran (gb not NULL): the xenstore ring, the te container's
 * shared_info, the hypercall page its note names.
 */
static int domain_pv_start(struct domain *d, const struct guest_boot *gb,
			   char *err, size_t errlen)
{
	int r = pv_domain_init(d);

	if (r == 0 && gb && gb->pv_store && (r = domain_pv_store(d, gb)) < 0)
		snprintf(err, errlen, "xenstore ring: %s", error_name(r));
	if (r < 0 || !gb || d->config->type != DOMAIN_PV)
		return r;
	d->pv.ram_end = gb->pv_ram_end;
	if (gb->pv_shared_info) {
		d->pv.shared_info = gb->pv_shared_info;
		pv_wallclock_update(d);
	}
	if (gb->pv_hypercall_page != IMAGE_PV_NONE &&
	    pv_hypercall_page(d, gb->pv_hypercall_page) < 0) {
		snprintf(err, errlen,
			 "kernel %s: XEN_ELFNOTE_HYPERCALL_PAGE 0x%llx is not "
			 "a page of RAM",
			 d->config->kernel.path,
			 (unsigned long long)gb->pv_hypercall_page);
		return -E_INVAL;
	}
	return 0;
}

/*
 * Builds d from its config, loading its image when load is set (else
 * memory, devices and vcpus are left as they come: the destination of a
 * migration); "reason" in err on failure.
 */
static int domain_build(struct domain *d, bool load, char *err, size_t errlen)
{
	const struct domain_config *c = d->config;
	struct guest_boot gb;
	int r;

	if (!(d->ops = domain_ops(d, err, errlen)))
		return -E_NOT_SUPP;
	domain_pv_on(d);
	r = domain_memory(d, err, errlen);
	if (r < 0)
		return r;
	r = uart_init(d, &d->uart);
	if (r == 0)
		r = debugexit_init(d);
	if (r == 0 && c->testdev)
		r = testdev_init(d, &d->testdev);
	if (r == 0 && d->type == DOMAIN_HVM)
		r = platform_init(d);
	if (r < 0) {
		snprintf(err, errlen, "devices: %s", error_name(r));
		return r;
	}
	r = load ? domain_load(d, &gb, err, errlen) : 0;
	if (r < 0)
		return r;
	r = domain_paging(d);
	if (r == 0 && d->paging == PAGING_NESTED)
		r = nested_init(d, d->ops->nested);
	if (r == 0 && load && d->paging == PAGING_SHADOW &&
	    gb.mode == BOOT_MODE_REAL && d->ops->shadow_pe_only) {
		snprintf(err, errlen,
			 "paging \"shadow\": %s runs a real-mode guest "
			 "(boot_mode \"real\") only with paging \"nested\"",
			 d->ops->name);
		return -E_NOT_SUPP;
	}
	if (r == 0)
		r = d->ops->domain_init(d);
	if (r == 0)
		r = domain_init_vcpus(d, load ? &gb : NULL);
	if (r < 0) {
		snprintf(err, errlen, "%s setup: %s", d->ops->name,
			 error_name(r));
		return r;
	}
	return d->pv.on ? domain_pv_start(d, load ? &gb : NULL, err, errlen) :
			  0;
}

/* Resets slot d to a fresh domain for config c (keeping the restart count). */
static void domain_reset(struct domain *d, const struct domain_config *c,
			 const struct boot_info *bi, int restarts)
{
	memset(d, 0, sizeof(*d));
	d->id = (int)(d - domains);
	strlcpy(d->name, c->name, sizeof(d->name));
	d->type = c->type;
	d->on_crash = c->on_crash;
	d->nvcpus = (int)c->vcpus;
	d->config = c;
	d->bi = bi;
	d->restarts = restarts;
	d->state = DOMAIN_RUNNING;
	console_domain_init(&d->console);
}

static bool domain_start(struct domain *d)
{
	char err[160];

	if (domain_build(d, true, err, sizeof(err)) == 0) {
		cprintf("domain %s: started (%llu MiB, %d vcpu%s)\n", d->name,
			(unsigned long long)d->config->memory_mib, d->nvcpus,
			d->nvcpus == 1 ? "" : "s");
		if (d->config->gdb)
			gdbstub_attach(d);
		return true;
	}
	/* Image and file errors already start with FILE:LINE. */
	const char *file = d->config->file;
	if (strncmp(err, file, strlen(file)) == 0)
		cprintf("domain %s: %s\n", d->name, err);
	else
		cprintf("domain %s: %s: %s\n", d->name, file, err);
	domain_destroy(d);
	d->state = DOMAIN_CRASHED;
	strlcpy(d->crash_reason, "failed to start", sizeof(d->crash_reason));
	result_printf("domain %s: crashed (failed to start)\n", d->name);
	return false;
}

/*
 * A slot neither in use nor holding a result, reset to a fresh domain for
 * config c; NULL when all are taken.
 */
static struct domain *domain_new(const struct domain_config *c,
				 const struct boot_info *bi)
{
	int id;

	for (id = 0; id < DOMAIN_MAX; id++)
		if (domains[id].state == DOMAIN_FREE && !domains[id].name[0]) {
			domain_reset(&domains[id], c, bi, 0);
			return &domains[id];
		}
	return NULL;
}

struct domain *domain_create(const struct domain_config *c,
			     const struct boot_info *bi)
{
	struct domain *d = domain_new(c, bi);

	if (!d) {
		cprintf("%s: more than %d domains\n", c->file, DOMAIN_MAX);
		return NULL;
	}
	return domain_start(d) ? d : NULL;
}

struct domain *domain_create_empty(const struct domain_config *c,
				   const struct boot_info *bi, const char *name,
				   char *err, size_t errlen)
{
	struct domain *d = domain_new(c, bi);

	if (!d) {
		snprintf(err, errlen, "more than %d domains", DOMAIN_MAX);
		return NULL;
	}
	strlcpy(d->name, name, sizeof(d->name));
	if (domain_build(d, false, err, errlen) == 0)
		return d;
	domain_release(d);
	return NULL;
}

void domain_release(struct domain *d)
{
	domain_destroy(d);
	memset(d, 0, sizeof(*d));
}

/* Ends running domain d in state (its vcpus stopped); false if not running. */
static bool domain_end(struct domain *d, enum domain_state state)
{
	int i;

	if (d->state != DOMAIN_RUNNING)
		return false;
	uart_flush(d, &d->uart);
	d->state = state;
	for (i = 0; i < d->nvcpus; i++)
		d->vcpus[i].state = VCPU_STOPPED;
	return true;
}

struct domain *domain_privileged(void)
{
	struct domain *d;

	for (d = domains; d < domains + DOMAIN_MAX; d++)
		if (d->state == DOMAIN_RUNNING && d->pv.privileged)
			return d;
	return NULL;
}

struct domain *domain_console_input(void)
{
	struct domain *d, *first = NULL;

	if ((d = domain_privileged()))
		return d;
	for (d = domains; d < domains + DOMAIN_MAX; d++) {
		if (d->state != DOMAIN_RUNNING || d->type != DOMAIN_HVM)
			continue;
		if (d->config->console)
			return d;
		first = first ? first : d;
	}
	return first;
}

/* VIRQ_DOM_EXC: dom0 learns that another domain ended. */
static void domain_tell_dom0(struct domain *d)
{
	struct domain *dom0 = domain_privileged();

	if (dom0 && dom0 != d)
		evtchn_send_virq(dom0, NULL, VIRQ_DOM_EXC);
}

void domain_exit(struct domain *d, int status)
{
	if (!domain_end(d, DOMAIN_EXITED))
		return;
	d->exit_status = status;
	result_printf("domain %s: exit %d\n", d->name, status);
	domain_tell_dom0(d);
}

void domain_reboot(struct domain *d)
{
	if (!domain_end(d, DOMAIN_EXITED))
		return;
	d->rebooted = true;
	result_printf("domain %s: rebooted\n", d->name);
	domain_tell_dom0(d);
}

void domain_crash(struct domain *d, struct vcpu *v, const char *fmt, ...)
{
	va_list ap;

	if (!domain_end(d, DOMAIN_CRASHED))
		return;
	va_start(ap, fmt);
	vsnprintf(d->crash_reason, sizeof(d->crash_reason), fmt, ap);
	va_end(ap);
	cprintf("domain %s: crash: %s\n", d->name, d->crash_reason);
	if (v)
		virt_dump(v);
	shadow_print(d);
	nested_print(d);
	result_printf("domain %s: crashed (%s)\n", d->name, d->crash_reason);
	domain_tell_dom0(d);
}

void domain_kill(struct domain *d, const char *why)
{
	if (!domain_end(d, DOMAIN_CRASHED))
		return;
	strlcpy(d->crash_reason, why, sizeof(d->crash_reason));
	result_printf("domain %s: destroyed (%s)\n", d->name, why);
	domain_destroy(d);
}

void domain_destroy(struct domain *d)
{
	int i;

	for (i = 0; i < d->nvcpus; i++) {
		if (d->vcpus[i].domain)
			d->ops->vcpu_destroy(&d->vcpus[i]);
		xstate_vcpu_free(&d->vcpus[i]);
	}
	if (d->ops && d->ops->domain_destroy)
		d->ops->domain_destroy(d);
	/* Before the memory goes: no other domain may still map it. */
	gnttab_domain_destroy(d);
	ioreq_domain_destroy(d);
	if (d->pv.on)
		pv_domain_destroy(d);
	nested_destroy(d);
	shadow_domain_destroy(d);
	if (d->p2m.entries) {
		d->host_pages = d->p2m.populated;
		d->host_peak = d->p2m.peak;
	}
	p2m_destroy(&d->p2m);
	d->nvcpus = 0;
}

/*
 * Applies the on_crash action of a domain that just crashed, or the
 * on_reboot one of a domain that rebooted: destroy frees it, preserve
 * keeps its memory for inspection, restart builds it again from its
 * config (at most DOMAIN_RESTART_MAX times).  A domain dom0 created is
 * never restarted here: its toolstack destroys it and creates it anew,
 * as xl does.
 */
void domain_reap(struct domain *d)
{
	enum on_crash action = d->rebooted ? d->config->on_reboot : d->on_crash;

	if (d->state == DOMAIN_EXITED && !d->rebooted) {
		domain_destroy(d);
		return;
	}
	if (d->state == DOMAIN_FREE || action == ON_CRASH_PRESERVE)
		return;
	domain_destroy(d);
	if (action != ON_CRASH_RESTART || d->pv.toolstack ||
	    d->restarts == DOMAIN_RESTART_MAX)
		return;
	cprintf("domain %s: restarting (%d of %d)\n", d->name, d->restarts + 1,
		DOMAIN_RESTART_MAX);
	domain_reset(d, d->config, d->bi, d->restarts + 1);
	domain_start(d);
}

bool domain_is_config(const char *name)
{
	size_t len = strnlen(name, BOOT_NAME_MAX);

	return len > 12 && strncmp(name, "domains/", 8) == 0 &&
	       !strchr(name + 8, '/') && strcmp(name + len - 4, ".cfg") == 0;
}

static void domain_summary(const struct domain *d)
{
	const struct nested_stats *ns = &d->nested.stats;
	char paging[48], host[24], peak[24];
	char mem[120];
	bool live = d->p2m.entries;

	snprintf(paging, sizeof(paging), "nested paging, 4K %zu 2M %zu 1G %zu",
		 ns->pages_4k, ns->pages_2m, ns->pages_1g);
	if (d->paging == PAGING_SHADOW)
		snprintf(paging, sizeof(paging), "shadow paging, peak %u pages",
			 d->shadow.peak);
	snprintf(mem, sizeof(mem), "%s, host %s peak %s", paging,
		 domain_mib(host, sizeof(host),
			    live ? d->p2m.populated : d->host_pages),
		 domain_mib(peak, sizeof(peak),
			    live ? d->p2m.peak : d->host_peak));
	if (d->state == DOMAIN_EXITED)
		cprintf("summary: %s exited %d after %llu exits (%s)\n",
			d->name, d->exit_status,
			(unsigned long long)d->vcpus[0].nexits, mem);
	else
		cprintf("summary: %s crashed: %s (%s)\n", d->name,
			d->crash_reason, mem);
}

/*
 * Parses every "domains/ *.cfg" boot file into configs; returns how many
 * parsed, failures counted in *failed.  A second privileged config is
 * refused: there is one dom0, which *dom0 names (NULL: none); so is a
 * second config that claims the console, or GDB.
 */
static int domain_parse_all(const struct boot_info *bi,
			    struct domain_config *configs, int *failed,
			    const struct domain_config **dom0)
{
	const struct domain_config *console = NULL, *gdb = NULL;
	char err[160];
	int n = 0;
	uint32_t f;

	*dom0 = NULL;
	for (f = 0; f < bi->nfiles; f++) {
		const struct boot_file *bf = &bi->files[f];
		struct domain_config *c = &configs[n];

		if (!domain_is_config(bf->name))
			continue;
		if (n == DOMAIN_MAX) {
			cprintf("%s: more than %d domains\n", bf->name,
				DOMAIN_MAX);
			(*failed)++;
			continue;
		}
		if (config_parse(bf->name, kva(bf->pa), bf->size, c, err,
				 sizeof(err)))
			cprintf("%s\n", err);
		else if (c->privileged && *dom0)
			cprintf("%s:%d: privileged: %s is dom0 already\n",
				c->file, c->privileged_line, (*dom0)->file);
		else if (c->console && console)
			cprintf("%s:%d: console: %s has it already\n", c->file,
				c->console_line, console->file);
		else if (c->gdb && gdb)
			cprintf("%s:%d: gdb: %s has it already\n", c->file,
				c->gdb_line, gdb->file);
		else {
			*dom0 = c->privileged ? c : *dom0;
			console = c->console ? c : console;
			gdb = c->gdb ? c : gdb;
			n++;
			continue;
		}
		result_printf("config %s: rejected\n", bf->name);
		(*failed)++;
	}
	return n;
}

/*
 * Once dom0 has ended, the machine ends: the domains it created are
 * destroyed.  Returns dom0's status.
 */
static int domain_end_dom0(struct domain *dom0)
{
	int i;

	for (i = 0; i < DOMAIN_MAX; i++)
		if (&domains[i] != dom0)
			domain_kill(&domains[i], "dom0 ended");
	return dom0->state == DOMAIN_EXITED ? dom0->exit_status : 1;
}

int domain_run_all(const struct boot_info *bi)
{
	static struct domain_config configs[DOMAIN_MAX];
	const struct domain_config *dom0c;
	struct domain *dom0 = NULL;
	int n, failed = 0, started = 0, status = 0, i;

	n = domain_parse_all(bi, configs, &failed, &dom0c);
	if (n + failed == 0)
		return 0;
	/* Hardware virtualization is enabled by the first hvm domain
	 * (virt_hw): without it, or before lab 3, te domains still run and
	 * hvm ones fail to start. */
	check_p2m();
	xstate_init();
	if (dom0c) {
		/* The others wait for dom0's XEN_DOMCTL_createdomain. */
		dom0 = domain_create(dom0c, bi);
		started = dom0 != NULL;
		failed += !dom0;
	} else
		for (i = 0; i < n; i++) {
			struct domain *d = domain_create(&configs[i], bi);

			if (d)
				migrate_arm(d);
			started += d != NULL;
			failed += !d;
		}
	cprintf("hvlab: running %d domain%s\n", started,
		started == 1 ? "" : "s");
	sched_run();
	bench_report();
	if (dom0)
		status = domain_end_dom0(dom0);
	for (i = 0; i < DOMAIN_MAX; i++) {
		if (!domains[i].name[0])
			continue;
		domain_summary(&domains[i]);
		if (domains[i].state != DOMAIN_EXITED || domains[i].exit_status)
			failed++;
	}
	if (dom0)
		return status;
	return failed ? 1 : 0;
}
