/*
 * lab7_grant.c - lab 7's grant tables (pv/grant.c, the foreign frames of
 * kernel/mm/p2m.c, guests/lib/gnttab.c): the host unit test of the grant
 * state machine (tests/test_grant.c) and one boot of guests/pv-grant,
 * three granter/mapper pairs: a granter in the hvm container with its
 * mapper in te, where the granter ends first; a granter in te with its
 * mapper in the hvm container, where the mapper ends first; and a
 * mapper in the hvm container with shadow paging, its granter ending
 * first.  Points: lab7.points (grant section).
 *
 * Bugs these tests catch, bug: the tests that fail:
 *   map_grant_ref / unmap_grant_ref stubbed (the handout): grant_unit,
 *     grant_map, grant_misuse, grant_copy, grant_revoke
 *   GTF_reading/GTF_writing not kept while mapped, or not cleared at the
 *     last unmap: grant_unit, grant_map
 *   GNTMAP_readonly mapped writable: grant_unit, grant_map
 *   the entry's domid or GTF_readonly not checked: grant_unit,
 *     grant_misuse
 *   host_addr over RAM accepted: grant_unit, grant_misuse
 *   no revocation at the granter's death, pins kept at the mapper's:
 *     grant_unit, grant_revoke
 *   a mapped frame ballooned out: grant_unit, grant_map
 *   copy without the page-end or permission checks: grant_unit,
 *     grant_copy
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include "../grader.h"

/* pv-grant as domain name in container c; ids follow the names. */
#define GRANT(name, c, extra)                                    \
	{                                                        \
		name, "name   = \"" name "\"\ntype   = \"pv\"\n" \
		      "container = \"" c "\"\n"                  \
		      "kernel = \"guests/pv-grant.elf\"\n"       \
		      "extra  = \"" extra "\"\nmemory = 16\n"    \
	}

static const struct hv_cfg grant_pairs = {
	.needs_virt = 1,
	.cmdline = "timeout=3000",
	.progress_timeout = 240,
	.timeout = 1200,
	.domains = {
		GRANT("grant-a-hvm", "hvm", "role=granter peer=1 end=granter"),
		GRANT("grant-b-te", "te", "role=mapper peer=0 end=granter"),
		GRANT("grant-c-te", "te", "role=granter peer=3 end=mapper"),
		GRANT("grant-d-hvm", "hvm", "role=mapper peer=2 end=mapper"),
		GRANT("grant-e-hvm", "hvm", "role=granter peer=5 end=granter"),
		{ "grant-f-shadow",
		  "name   = \"grant-f-shadow\"\ntype   = \"pv\"\n"
		  "container = \"hvm\"\npaging = \"shadow\"\n"
		  "kernel = \"guests/pv-grant.elf\"\n"
		  "extra  = \"role=mapper peer=4 end=granter\"\nmemory = 16\n" },
	},
};

static struct hv_run *boot(void)
{
	return hv_boot_group("grant", &grant_pairs);
}

/* Every domain of the boot passed all its checks, these among them. */
static void expect_all_passed(struct hv_run *r, const char *const granter[],
			      const char *const mapper[])
{
	expect_guest_passed(r, "grant-a-hvm", granter);
	expect_guest_passed(r, "grant-b-te", mapper);
	expect_guest_passed(r, "grant-f-shadow", mapper);
	expect_guest_passed(r, "grant-c-te", granter);
	expect_guest_passed(r, "grant-d-hvm", mapper);
	expect_guest_passed(r, "grant-e-hvm", granter);
	expect_guest_passed(r, "grant-f-shadow", mapper);
}

Test(lab7, grant_unit, .timeout = 300)
{
	expect_host_test("test_grant", NULL);
	expect_host_test("test_p2m", NULL);
}

/* RW and RO maps in both containers, data seen both ways, the pins. */
Test(lab7, grant_map, .timeout = 1800)
{
	static const char *const granter[] = {
		"ref 8: reading and writing while mapped RW",
		"ref 9: reading only while mapped RO",
		"the mapper's write through its mapping",
		"the read-only page unchanged by the mapper",
		"end ref 8 while mapped",
		"balloon out the mapped page: refused",
		"ref 9: unpinned after its unmap",
		NULL
	};
	static const char *const mapper[] = {
		"map ref 8 RW",
		"map ref 9 RO",
		"the granter's RW page",
		"a write through the RO mapping is dropped",
		"the granter's later write, through the mapping",
		"unmap ref 9: got 0",
		"map own grant",
		NULL
	};

	expect_all_passed(boot(), granter, mapper);
}

/* Each misuse gets Xen's status; nothing is mapped by them. */
Test(lab7, grant_misuse, .timeout = 1800)
{
	static const char *const mapper[] = {
		"map RW of a read-only grant",
		"map a grant to another domain",
		"map a ref never granted",
		"map a ref beyond the table",
		"map from no domain",
		"map over a RAM frame",
		"map at an unaligned address",
		"map beyond the domain's memory",
		"map without GNTMAP_host_map",
		"unmap a handle never given",
		"unmap ref 9 again",
		"map over a frame already mapped",
		"add_to_physmap_batch: not privileged",
		NULL
	};
	struct hv_run *r = boot();

	expect_guest_passed(r, "grant-b-te", mapper);
	expect_guest_passed(r, "grant-d-hvm", mapper);
	expect_guest_passed(r, "grant-f-shadow", mapper);
}

/* GNTTABOP_copy through grants, and what it refuses. */
Test(lab7, grant_copy, .timeout = 1800)
{
	static const char *const granter[] = {
		"the mapper's copy into ref 8",
		"the page granted elsewhere unchanged", NULL
	};
	static const char *const mapper[] = {
		"copy from ref 8",
		"copied bytes",
		"copy into ref 8",
		"copy into a read-only grant",
		"copy from a grant to another domain",
		"copy from the peer's frame, no grant",
		"copy across the source page's end",
		"copy into an absent frame of its own",
		NULL
	};

	expect_all_passed(boot(), granter, mapper);
}

/* The granter's death revokes; the mapper's releases its pins. */
Test(lab7, grant_revoke, .timeout = 1800)
{
	static const char *const mapper[] = {
		"the granter ended",
		"after the granter ended the mapping reads zeros, not its page",
		"and writes to it are dropped",
		"unmap after the granter ended: revoked",
		"the frame is absent again: populated anew",
		"and reads zeros, not the granter's page",
		NULL
	};
	static const char *const granter[] = {
		"ref 8 unpinned by the mapper's death", "end ref 8",
		"balloon out the page once unmapped", NULL
	};
	struct hv_run *r = boot();
	const struct hv_line *l = hv_find_output(r, "hvlab: panic");

	expect_guest_passed(r, "grant-b-te", mapper);
	expect_guest_passed(r, "grant-f-shadow", mapper);
	expect_guest_passed(r, "grant-c-te", granter);
	cr_expect(l == NULL, "[panic] %s\n    log: %s", l ? l->text : "",
		  r->log);
}
