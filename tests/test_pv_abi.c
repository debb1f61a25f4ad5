/*
 * test_pv_abi.c - inc/public/ against Xen's public ABI (lab 6): every
 * number and every layout a guest or Linux's Xen code relies on, with the
 * values of Xen's own headers (xen/include/public/, x86-64), so a typo in
 * hvlab's copy cannot go unnoticed.  Each test names the Xen header its
 * values come from.  hvlab's own additions (the domctl payloads,
 * XEN_DOMCTL_console) are checked only where they sit in Xen's frame.
 */
#include <criterion/criterion.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <inc/public/xen.h>
#include <inc/public/event_channel.h>
#include <inc/public/sched.h>
#include <inc/public/vcpu.h>
#include <inc/public/memory.h>
#include <inc/public/grant_table.h>
#include <inc/public/version.h>
#include <inc/public/elfnote.h>
#include <inc/public/domctl.h>
#include <inc/public/hvm/hvm_op.h>
#include <inc/public/hvm/params.h>
#include <inc/public/hvm/start_info.h>
#include <guests/lib/io/xs_wire.h>
#include <guests/lib/io/xenbus.h>
#include <guests/lib/io/netif.h>
#include <guests/lib/io/ring.h>
#include <guests/lib/io/blkif.h>

#define OFF(type, field, want) \
	cr_expect_eq(offsetof(struct type, field), (want), #type "." #field)
#define SIZE(type, want) \
	cr_expect_eq(sizeof(struct type), (want), "sizeof " #type)
#define EQ(name, want) cr_expect_eq((long long)(name), (want), #name)

/* xen.h: __HYPERVISOR_* */
Test(pv_abi, hypercall_numbers)
{
	EQ(__HYPERVISOR_memory_op, 12);
	EQ(__HYPERVISOR_set_timer_op, 15);
	EQ(__HYPERVISOR_xen_version, 17);
	EQ(__HYPERVISOR_console_io, 18);
	EQ(__HYPERVISOR_grant_table_op, 20);
	EQ(__HYPERVISOR_vcpu_op, 24);
	EQ(__HYPERVISOR_sched_op, 29);
	EQ(__HYPERVISOR_event_channel_op, 32);
	EQ(__HYPERVISOR_hvm_op, 34);
	EQ(__HYPERVISOR_sysctl, 35);
	EQ(__HYPERVISOR_domctl, 36);
	/* hvlab's stubs fit Xen's 4 KiB page of 32-byte slots. */
	cr_expect_leq(XEN_HYPERCALL_MAX * 32, 4096, "hypercall page");
	cr_expect_gt(XEN_HYPERCALL_MAX, __HYPERVISOR_domctl, "stubs");
}

/* errno.h (Xen's numbers are Linux's x86 ones), domctl.h's EACCES */
Test(pv_abi, errno)
{
	EQ(XEN_EPERM, 1);
	EQ(XEN_ENOENT, 2);
	EQ(XEN_ESRCH, 3);
	EQ(XEN_EAGAIN, 11);
	EQ(XEN_ENOMEM, 12);
	EQ(XEN_EACCES, 13);
	EQ(XEN_EFAULT, 14);
	EQ(XEN_EBUSY, 16);
	EQ(XEN_EEXIST, 17);
	EQ(XEN_EINVAL, 22);
	EQ(XEN_ENOSPC, 28);
	EQ(XEN_ENOSYS, 38);
}

/* xen.h: domain ids, console_io, VIRQs, limits */
Test(pv_abi, xen_constants)
{
	EQ(sizeof(domid_t), 2);
	EQ(DOMID_FIRST_RESERVED, 0x7FF0);
	EQ(DOMID_SELF, 0x7FF0);
	EQ(CONSOLEIO_write, 0);
	EQ(CONSOLEIO_read, 1);
	EQ(VIRQ_TIMER, 0);
	EQ(VIRQ_DEBUG, 1);
	EQ(VIRQ_CONSOLE, 2);
	EQ(VIRQ_DOM_EXC, 3);
	EQ(NR_VIRQS, 24);
	EQ(XEN_LEGACY_MAX_VCPUS, 32);
	/* 2-level: 64 words of 64 bits (event_channel.h) */
	EQ(EVTCHN_2L_NR_CHANNELS, 4096);
	EQ(XEN_PVCLOCK_TSC_STABLE_BIT, 1);
	EQ(SIF_PRIVILEGED, 1);
	EQ(SIF_INITDOMAIN, 2);
	cr_expect_str_eq(XEN_START_INFO_MAGIC, "xen-3.0-x86_64");
}

/* xen.h: struct vcpu_time_info, vcpu_info, arch-x86/xen.h's arch part */
Test(pv_abi, vcpu_info)
{
	OFF(vcpu_time_info, version, 0);
	OFF(vcpu_time_info, tsc_timestamp, 8);
	OFF(vcpu_time_info, system_time, 16);
	OFF(vcpu_time_info, tsc_to_system_mul, 24);
	OFF(vcpu_time_info, tsc_shift, 28);
	OFF(vcpu_time_info, flags, 29);
	SIZE(vcpu_time_info, 32);
	OFF(vcpu_info, evtchn_upcall_pending, 0);
	OFF(vcpu_info, evtchn_upcall_mask, 1);
	OFF(vcpu_info, evtchn_pending_sel, 8);
	OFF(vcpu_info, cr2, 16);
	OFF(vcpu_info, time, 32);
	SIZE(vcpu_info, 64);
}

/* xen.h: struct shared_info, arch-x86/xen.h's arch_shared_info */
Test(pv_abi, shared_info)
{
	OFF(shared_info, vcpu_info, 0);
	OFF(shared_info, evtchn_pending, 2048);
	OFF(shared_info, evtchn_mask, 2560);
	OFF(shared_info, wc_version, 3072);
	OFF(shared_info, wc_sec, 3076);
	OFF(shared_info, wc_nsec, 3080);
	OFF(shared_info, wc_sec_hi, 3084);
	OFF(shared_info, max_pfn, 3088);
	OFF(shared_info, pfn_to_mfn_frame_list_list, 3096);
	OFF(shared_info, nmi_reason, 3104);
	OFF(shared_info, p2m_cr3, 3112);
	OFF(shared_info, p2m_vaddr, 3120);
	OFF(shared_info, p2m_generation, 3128);
	SIZE(shared_info, 3136);
	cr_expect_leq(sizeof(struct shared_info), 4096, "one page");
}

/* xen.h: struct start_info (x86-64) */
Test(pv_abi, start_info)
{
	OFF(start_info, magic, 0);
	OFF(start_info, nr_pages, 32);
	OFF(start_info, shared_info, 40);
	OFF(start_info, flags, 48);
	OFF(start_info, store_mfn, 56);
	OFF(start_info, store_evtchn, 64);
	OFF(start_info, console.domU.mfn, 72);
	OFF(start_info, console.domU.evtchn, 80);
	OFF(start_info, console.dom0.info_off, 72);
	OFF(start_info, console.dom0.info_size, 76);
	OFF(start_info, pt_base, 88);
	OFF(start_info, nr_pt_frames, 96);
	OFF(start_info, mfn_list, 104);
	OFF(start_info, mod_start, 112);
	OFF(start_info, mod_len, 120);
	OFF(start_info, cmd_line, 128);
	EQ(sizeof(((struct start_info *)0)->cmd_line),
	   1024); /* MAX_GUEST_CMDLINE */
	OFF(start_info, first_p2m_pfn, 1152);
	OFF(start_info, nr_p2m_frames, 1160);
	SIZE(start_info, 1168);
}

/* arch-x86/cpuid.h, features.h */
Test(pv_abi, discovery)
{
	char sig[13];
	uint32_t regs[3] = { XEN_CPUID_SIGNATURE_EBX, XEN_CPUID_SIGNATURE_ECX,
			     XEN_CPUID_SIGNATURE_EDX };

	memcpy(sig, regs, 12);
	sig[12] = 0;
	cr_expect_str_eq(sig, "XenVMMXenVMM");
	EQ(XEN_HVM_CPUID_VCPU_ID_PRESENT, 1 << 3);
	EQ(XENFEAT_writable_page_tables, 0);
	EQ(XENFEAT_auto_translated_physmap, 2);
	EQ(XENFEAT_hvm_callback_vector, 8);
	EQ(XENFEAT_dom0, 11);
}

/* event_channel.h */
Test(pv_abi, event_channel)
{
	EQ(sizeof(evtchn_port_t), 4);
	EQ(EVTCHNOP_bind_interdomain, 0);
	EQ(EVTCHNOP_bind_virq, 1);
	EQ(EVTCHNOP_close, 3);
	EQ(EVTCHNOP_send, 4);
	EQ(EVTCHNOP_status, 5);
	EQ(EVTCHNOP_alloc_unbound, 6);
	EQ(EVTCHNOP_bind_ipi, 7);
	EQ(EVTCHNOP_bind_vcpu, 8);
	EQ(EVTCHNOP_unmask, 9);
	EQ(EVTCHNOP_init_control, 11);
	EQ(EVTCHNSTAT_closed, 0);
	EQ(EVTCHNSTAT_unbound, 1);
	EQ(EVTCHNSTAT_interdomain, 2);
	EQ(EVTCHNSTAT_pirq, 3);
	EQ(EVTCHNSTAT_virq, 4);
	EQ(EVTCHNSTAT_ipi, 5);

	OFF(evtchn_alloc_unbound, dom, 0);
	OFF(evtchn_alloc_unbound, remote_dom, 2);
	OFF(evtchn_alloc_unbound, port, 4);
	SIZE(evtchn_alloc_unbound, 8);
	OFF(evtchn_bind_interdomain, remote_dom, 0);
	OFF(evtchn_bind_interdomain, remote_port, 4);
	OFF(evtchn_bind_interdomain, local_port, 8);
	SIZE(evtchn_bind_interdomain, 12);
	OFF(evtchn_bind_virq, virq, 0);
	OFF(evtchn_bind_virq, vcpu, 4);
	OFF(evtchn_bind_virq, port, 8);
	SIZE(evtchn_bind_virq, 12);
	OFF(evtchn_bind_ipi, vcpu, 0);
	OFF(evtchn_bind_ipi, port, 4);
	SIZE(evtchn_bind_ipi, 8);
	SIZE(evtchn_close, 4);
	SIZE(evtchn_send, 4);
	SIZE(evtchn_unmask, 4);
	OFF(evtchn_bind_vcpu, port, 0);
	OFF(evtchn_bind_vcpu, vcpu, 4);
	SIZE(evtchn_bind_vcpu, 8);
	OFF(evtchn_status, dom, 0);
	OFF(evtchn_status, port, 4);
	OFF(evtchn_status, status, 8);
	OFF(evtchn_status, vcpu, 12);
	OFF(evtchn_status, u.unbound.dom, 16);
	OFF(evtchn_status, u.interdomain.dom, 16);
	OFF(evtchn_status, u.interdomain.port, 20);
	OFF(evtchn_status, u.virq, 16);
	SIZE(evtchn_status, 24);
}

/* sched.h */
Test(pv_abi, sched)
{
	EQ(SCHEDOP_yield, 0);
	EQ(SCHEDOP_block, 1);
	EQ(SCHEDOP_shutdown, 2);
	EQ(SCHEDOP_poll, 3);
	EQ(SCHEDOP_shutdown_code, 5);
	EQ(SHUTDOWN_poweroff, 0);
	EQ(SHUTDOWN_reboot, 1);
	EQ(SHUTDOWN_suspend, 2);
	EQ(SHUTDOWN_crash, 3);
	EQ(SHUTDOWN_watchdog, 4);
	SIZE(sched_shutdown, 4);
	OFF(sched_poll, ports, 0);
	OFF(sched_poll, nr_ports, 8);
	OFF(sched_poll, timeout, 16);
	SIZE(sched_poll, 24);
}

/* vcpu.h */
Test(pv_abi, vcpu_op)
{
	EQ(VCPUOP_up, 1);
	EQ(VCPUOP_down, 2);
	EQ(VCPUOP_is_up, 3);
	EQ(VCPUOP_get_runstate_info, 4);
	EQ(VCPUOP_register_runstate_memory_area, 5);
	EQ(VCPUOP_set_periodic_timer, 6);
	EQ(VCPUOP_stop_periodic_timer, 7);
	EQ(VCPUOP_set_singleshot_timer, 8);
	EQ(VCPUOP_stop_singleshot_timer, 9);
	EQ(VCPUOP_register_vcpu_info, 10);
	EQ(RUNSTATE_running, 0);
	EQ(RUNSTATE_runnable, 1);
	EQ(RUNSTATE_blocked, 2);
	EQ(RUNSTATE_offline, 3);
	EQ(VCPU_SSHOTTMR_future, 1);

	OFF(vcpu_runstate_info, state, 0);
	OFF(vcpu_runstate_info, state_entry_time, 8);
	OFF(vcpu_runstate_info, time, 16);
	SIZE(vcpu_runstate_info, 48);
	SIZE(vcpu_register_runstate_memory_area, 8);
	SIZE(vcpu_set_periodic_timer, 8);
	OFF(vcpu_set_singleshot_timer, timeout_abs_ns, 0);
	OFF(vcpu_set_singleshot_timer, flags, 8);
	SIZE(vcpu_set_singleshot_timer, 16);
	OFF(vcpu_register_vcpu_info, mfn, 0);
	OFF(vcpu_register_vcpu_info, offset, 8);
	OFF(vcpu_register_vcpu_info, rsvd, 12);
	SIZE(vcpu_register_vcpu_info, 16);
}

/* memory.h */
Test(pv_abi, memory_op)
{
	EQ(XENMEM_increase_reservation, 0);
	EQ(XENMEM_decrease_reservation, 1);
	EQ(XENMEM_current_reservation, 3);
	EQ(XENMEM_maximum_reservation, 4);
	EQ(XENMEM_add_to_physmap, 7);
	EQ(XENMEM_memory_map, 9);
	EQ(XENMAPSPACE_shared_info, 0);
	EQ(XENMAPSPACE_grant_table, 1);

	OFF(xen_memory_reservation, extent_start, 0);
	OFF(xen_memory_reservation, nr_extents, 8);
	OFF(xen_memory_reservation, extent_order, 16);
	OFF(xen_memory_reservation, mem_flags, 20);
	OFF(xen_memory_reservation, domid, 24);
	SIZE(xen_memory_reservation, 32);
	OFF(xen_add_to_physmap, domid, 0);
	OFF(xen_add_to_physmap, size, 2);
	OFF(xen_add_to_physmap, space, 4);
	OFF(xen_add_to_physmap, idx, 8);
	OFF(xen_add_to_physmap, gpfn, 16);
	SIZE(xen_add_to_physmap, 24);
	OFF(xen_memory_map, nr_entries, 0);
	OFF(xen_memory_map, buffer, 8);
	SIZE(xen_memory_map, 16);
	EQ(XENMEM_remove_from_physmap, 15);
	EQ(XENMEM_add_to_physmap_batch, 23);
	EQ(XENMAPSPACE_grant_table, 1);
	EQ(XENMAPSPACE_gmfn_foreign, 4);
	OFF(xen_add_to_physmap_batch, domid, 0);
	OFF(xen_add_to_physmap_batch, space, 2);
	OFF(xen_add_to_physmap_batch, size, 4);
	OFF(xen_add_to_physmap_batch, foreign_domid, 6);
	OFF(xen_add_to_physmap_batch, idxs, 8);
	OFF(xen_add_to_physmap_batch, gpfns, 16);
	OFF(xen_add_to_physmap_batch, errs, 24);
	SIZE(xen_add_to_physmap_batch, 32);
	OFF(xen_remove_from_physmap, gpfn, 8);
	SIZE(xen_remove_from_physmap, 16);
}

/* version.h, elfnote.h */
Test(pv_abi, version_and_notes)
{
	EQ(XENVER_version, 0);
	EQ(XENVER_extraversion, 1);
	EQ(XENVER_capabilities, 3);
	EQ(XENVER_get_features, 6);
	EQ(XENVER_pagesize, 7);
	EQ(XENVER_commandline, 9);
	OFF(xen_feature_info, submap_idx, 0);
	OFF(xen_feature_info, submap, 4);
	SIZE(xen_feature_info, 8);

	EQ(XEN_ELFNOTE_ENTRY, 1);
	EQ(XEN_ELFNOTE_HYPERCALL_PAGE, 2);
	EQ(XEN_ELFNOTE_GUEST_OS, 6);
	EQ(XEN_ELFNOTE_PHYS32_ENTRY, 18);
}

/* hvm/hvm_op.h, hvm/params.h */
Test(pv_abi, hvm_op)
{
	EQ(HVMOP_set_param, 0);
	EQ(HVMOP_get_param, 1);
	EQ(HVMOP_set_mem_type, 8);
	EQ(HVMOP_get_mem_type, 15);
	EQ(HVMMEM_ram_rw, 0);
	EQ(HVMMEM_ram_ro, 1);
	EQ(HVMMEM_mmio_dm, 2);
	EQ(HVM_PARAM_CALLBACK_IRQ, 0);
	EQ(HVM_PARAM_CALLBACK_TYPE_VECTOR, 2);
	EQ(HVM_PARAM_STORE_PFN, 1);
	EQ(HVM_PARAM_STORE_EVTCHN, 2);
	EQ(HVM_PARAM_CONSOLE_PFN, 17);
	EQ(HVM_PARAM_CONSOLE_EVTCHN, 18);
	EQ(HVM_NR_PARAMS, 39); /* x86, Xen 4.6 .. 4.19 */

	OFF(xen_hvm_param, domid, 0);
	OFF(xen_hvm_param, index, 4);
	OFF(xen_hvm_param, value, 8);
	SIZE(xen_hvm_param, 16);
	OFF(xen_hvm_set_mem_type, domid, 0);
	OFF(xen_hvm_set_mem_type, hvmmem_type, 2);
	OFF(xen_hvm_set_mem_type, nr, 4);
	OFF(xen_hvm_set_mem_type, first_pfn, 8);
	SIZE(xen_hvm_set_mem_type, 16);
	OFF(xen_hvm_get_mem_type, mem_type, 2);
	OFF(xen_hvm_get_mem_type, pfn, 8);
	SIZE(xen_hvm_get_mem_type, 16);
}

/* arch-x86/hvm/start_info.h (PVH) */
Test(pv_abi, hvm_start_info)
{
	EQ(XEN_HVM_START_MAGIC_VALUE, 0x336ec578);
	OFF(hvm_start_info, magic, 0);
	OFF(hvm_start_info, version, 4);
	OFF(hvm_start_info, flags, 8);
	OFF(hvm_start_info, nr_modules, 12);
	OFF(hvm_start_info, modlist_paddr, 16);
	OFF(hvm_start_info, cmdline_paddr, 24);
	OFF(hvm_start_info, rsdp_paddr, 32);
	OFF(hvm_start_info, memmap_paddr, 40);
	OFF(hvm_start_info, memmap_entries, 48);
	SIZE(hvm_start_info, 56);
	OFF(hvm_modlist_entry, paddr, 0);
	OFF(hvm_modlist_entry, size, 8);
	OFF(hvm_modlist_entry, cmdline_paddr, 16);
	SIZE(hvm_modlist_entry, 32);
	OFF(hvm_memmap_table_entry, addr, 0);
	OFF(hvm_memmap_table_entry, size, 8);
	OFF(hvm_memmap_table_entry, type, 16);
	SIZE(hvm_memmap_table_entry, 24);
}

/* domctl.h, sysctl.h: Xen's command numbers, flags and outer frame */
Test(pv_abi, domctl_frame)
{
	EQ(XEN_DOMCTL_createdomain, 1);
	EQ(XEN_DOMCTL_destroydomain, 2);
	EQ(XEN_DOMCTL_pausedomain, 3);
	EQ(XEN_DOMCTL_unpausedomain, 4);
	EQ(XEN_DOMCTL_getdomaininfo, 5);
	EQ(XEN_SYSCTL_readconsole, 1);
	EQ(XEN_DOMINF_dying, 1 << 0);
	EQ(XEN_DOMINF_hvm_guest, 1 << 1);
	EQ(XEN_DOMINF_shutdown, 1 << 2);
	EQ(XEN_DOMINF_paused, 1 << 3);
	EQ(XEN_DOMINF_blocked, 1 << 4);
	EQ(XEN_DOMINF_running, 1 << 5);
	EQ(XEN_DOMINF_shutdownshift, 16);

	OFF(xen_domctl, cmd, 0);
	OFF(xen_domctl, interface_version, 4);
	OFF(xen_domctl, domain, 8);
	OFF(xen_domctl, u, 16);
	OFF(xen_sysctl, cmd, 0);
	OFF(xen_sysctl, interface_version, 4);
	OFF(xen_sysctl, u, 8);
}

/* io/xs_wire.h: message types, header, ring page, limits */
Test(pv_abi, xs_wire)
{
	EQ(XS_CONTROL, 0);
	EQ(XS_DIRECTORY, 1);
	EQ(XS_READ, 2);
	EQ(XS_GET_PERMS, 3);
	EQ(XS_WATCH, 4);
	EQ(XS_UNWATCH, 5);
	EQ(XS_TRANSACTION_START, 6);
	EQ(XS_TRANSACTION_END, 7);
	EQ(XS_INTRODUCE, 8);
	EQ(XS_RELEASE, 9);
	EQ(XS_GET_DOMAIN_PATH, 10);
	EQ(XS_WRITE, 11);
	EQ(XS_MKDIR, 12);
	EQ(XS_RM, 13);
	EQ(XS_SET_PERMS, 14);
	EQ(XS_WATCH_EVENT, 15);
	EQ(XS_ERROR, 16);
	EQ(XS_IS_DOMAIN_INTRODUCED, 17);
	EQ(XS_RESUME, 18);
	EQ(XS_SET_TARGET, 19);
	EQ(XS_RESET_WATCHES, 21);
	EQ(XS_DIRECTORY_PART, 22);
	EQ(XS_INVALID, 0xffff);
	EQ(XS_WATCH_PATH, 0);
	EQ(XS_WATCH_TOKEN, 1);
	SIZE(xsd_sockmsg, 16);
	OFF(xsd_sockmsg, type, 0);
	OFF(xsd_sockmsg, req_id, 4);
	OFF(xsd_sockmsg, tx_id, 8);
	OFF(xsd_sockmsg, len, 12);
	EQ(XENSTORE_RING_SIZE, 1024);
	EQ(MASK_XENSTORE_IDX(1025), 1);
	OFF(xenstore_domain_interface, req, 0);
	OFF(xenstore_domain_interface, rsp, 1024);
	OFF(xenstore_domain_interface, req_cons, 2048);
	OFF(xenstore_domain_interface, req_prod, 2052);
	OFF(xenstore_domain_interface, rsp_cons, 2056);
	OFF(xenstore_domain_interface, rsp_prod, 2060);
	OFF(xenstore_domain_interface, server_features, 2064);
	OFF(xenstore_domain_interface, connection, 2068);
	OFF(xenstore_domain_interface, error, 2072);
	OFF(xenstore_domain_interface, evtchn_port, 2076);
	EQ(XENSTORE_PAYLOAD_MAX, 4096);
	EQ(XENSTORE_ABS_PATH_MAX, 3072);
	EQ(XENSTORE_REL_PATH_MAX, 2048);
	EQ(XENSTORE_SERVER_FEATURE_RECONNECTION, 1);
	EQ(XENSTORE_SERVER_FEATURE_ERROR, 2);
	EQ(XENSTORE_ERROR_RINGIDX, 2);
}

/* io/xs_wire.h's xsd_errors: Xen's order, Xen's errno numbers */
Test(pv_abi, xsd_errors)
{
	static const struct xsd_errors errs[] = XSD_ERRORS_INIT;
	static const char *const names[] = {
		"EINVAL", "EACCES",  "EEXIST",	  "EISDIR", "ENOENT", "ENOMEM",
		"ENOSPC", "EIO",     "ENOTEMPTY", "ENOSYS", "EROFS",  "EBUSY",
		"EAGAIN", "EISCONN", "E2BIG",	  "EPERM",
	};
	static const int nums[] = { 22, 13, 17, 21, 2,	12,  28, 5,
				    39, 38, 30, 16, 11, 106, 7,	 1 };

	cr_assert_eq(sizeof(errs) / sizeof(errs[0]), 16, "xsd_errors count");
	for (int i = 0; i < 16; i++) {
		cr_expect_str_eq(errs[i].errstring, names[i], "xsd_errors[%d]",
				 i);
		cr_expect_eq(errs[i].errnum, nums[i], "%s", names[i]);
	}
	EQ(XEN_EIO, 5);
	EQ(XEN_E2BIG, 7);
	EQ(XEN_EISDIR, 21);
	EQ(XEN_EROFS, 30);
	EQ(XEN_ENOTEMPTY, 39);
	EQ(XEN_EISCONN, 106);
}

/* io/xenbus.h: enum xenbus_state */
Test(pv_abi, xenbus_state)
{
	EQ(XenbusStateUnknown, 0);
	EQ(XenbusStateInitialising, 1);
	EQ(XenbusStateInitWait, 2);
	EQ(XenbusStateInitialised, 3);
	EQ(XenbusStateConnected, 4);
	EQ(XenbusStateClosing, 5);
	EQ(XenbusStateClosed, 6);
	EQ(XenbusStateReconfiguring, 7);
	EQ(XenbusStateReconfigured, 8);
}

/* grant_table.h: version 1 */
Test(pv_abi, grant_table)
{
	EQ(GNTTABOP_map_grant_ref, 0);
	EQ(GNTTABOP_unmap_grant_ref, 1);
	EQ(GNTTABOP_setup_table, 2);
	EQ(GNTTABOP_copy, 5);
	EQ(GNTTABOP_query_size, 6);
	EQ(GNTTABOP_set_version, 8);
	EQ(GNTTABOP_get_version, 10);
	EQ(GNTTAB_NR_RESERVED_ENTRIES, 8);
	EQ(GNTTAB_RESERVED_XENSTORE, 1);
	EQ(GTF_permit_access, 1);
	EQ(GTF_type_mask, 3);
	EQ(GTF_readonly, 4);
	EQ(GTF_reading, 8);
	EQ(GTF_writing, 16);
	EQ(GTF_sub_page, 256);
	EQ(GNTMAP_device_map, 1);
	EQ(GNTMAP_host_map, 2);
	EQ(GNTMAP_readonly, 4);
	EQ(GNTMAP_application_map, 8);
	EQ(GNTMAP_contains_pte, 16);
	EQ(GNTCOPY_source_gref, 1);
	EQ(GNTCOPY_dest_gref, 2);
	EQ(GNTST_okay, 0);
	EQ(GNTST_general_error, -1);
	EQ(GNTST_bad_domain, -2);
	EQ(GNTST_bad_gntref, -3);
	EQ(GNTST_bad_handle, -4);
	EQ(GNTST_bad_virt_addr, -5);
	EQ(GNTST_no_device_space, -7);
	EQ(GNTST_permission_denied, -8);
	EQ(GNTST_bad_page, -9);
	EQ(GNTST_bad_copy_arg, -10);
	EQ(GNTST_eagain, -12);
	OFF(grant_entry_v1, flags, 0);
	OFF(grant_entry_v1, domid, 2);
	OFF(grant_entry_v1, frame, 4);
	SIZE(grant_entry_v1, 8);
	OFF(gnttab_map_grant_ref, host_addr, 0);
	OFF(gnttab_map_grant_ref, flags, 8);
	OFF(gnttab_map_grant_ref, ref, 12);
	OFF(gnttab_map_grant_ref, dom, 16);
	OFF(gnttab_map_grant_ref, status, 18);
	OFF(gnttab_map_grant_ref, handle, 20);
	OFF(gnttab_map_grant_ref, dev_bus_addr, 24);
	SIZE(gnttab_map_grant_ref, 32);
	OFF(gnttab_unmap_grant_ref, dev_bus_addr, 8);
	OFF(gnttab_unmap_grant_ref, handle, 16);
	OFF(gnttab_unmap_grant_ref, status, 20);
	SIZE(gnttab_unmap_grant_ref, 24);
	OFF(gnttab_setup_table, nr_frames, 4);
	OFF(gnttab_setup_table, status, 8);
	OFF(gnttab_setup_table, frame_list, 16);
	SIZE(gnttab_setup_table, 24);
	OFF(gnttab_query_size, nr_frames, 4);
	OFF(gnttab_query_size, max_nr_frames, 8);
	OFF(gnttab_query_size, status, 12);
	SIZE(gnttab_query_size, 16);
	OFF(gnttab_copy, source.u.gmfn, 0);
	OFF(gnttab_copy, source.domid, 8);
	OFF(gnttab_copy, source.offset, 10);
	OFF(gnttab_copy, dest, 16);
	OFF(gnttab_copy, len, 32);
	OFF(gnttab_copy, flags, 34);
	OFF(gnttab_copy, status, 36);
	SIZE(gnttab_copy, 40);
	SIZE(gnttab_set_version, 4);
	OFF(gnttab_get_version, version, 4);
	SIZE(gnttab_get_version, 8);
}

/* io/netif.h: the network rings' slots, flags and statuses */
Test(pv_abi, netif)
{
	EQ(NETTXF_csum_blank, 1);
	EQ(NETTXF_data_validated, 2);
	EQ(NETTXF_more_data, 4);
	EQ(NETTXF_extra_info, 8);
	EQ(NETRXF_data_validated, 1);
	EQ(NETRXF_csum_blank, 2);
	EQ(NETRXF_more_data, 4);
	EQ(NETRXF_extra_info, 8);
	EQ(NETRXF_gso_prefix, 16);
	EQ(XEN_NETIF_RSP_DROPPED, -2);
	EQ(XEN_NETIF_RSP_ERROR, -1);
	EQ(XEN_NETIF_RSP_OKAY, 0);
	EQ(XEN_NETIF_RSP_NULL, 1);
	EQ(XEN_NETIF_NR_SLOTS_MIN, 18);
	EQ(XEN_NETIF_EXTRA_TYPE_GSO, 1);
	EQ(XEN_NETIF_EXTRA_FLAG_MORE, 1);
	OFF(netif_tx_request, gref, 0);
	OFF(netif_tx_request, offset, 4);
	OFF(netif_tx_request, flags, 6);
	OFF(netif_tx_request, id, 8);
	OFF(netif_tx_request, size, 10);
	SIZE(netif_tx_request, 12);
	OFF(netif_tx_response, status, 2);
	SIZE(netif_tx_response, 4);
	OFF(netif_rx_request, gref, 4);
	SIZE(netif_rx_request, 8);
	OFF(netif_rx_response, offset, 2);
	OFF(netif_rx_response, flags, 4);
	OFF(netif_rx_response, status, 6);
	SIZE(netif_rx_response, 8);
	SIZE(netif_extra_info, 8);
	/* Linux's NET_TX_RING_SIZE and NET_RX_RING_SIZE for a 4 KiB page */
	EQ(NETIF_TX_RING_SIZE, 256);
	EQ(NETIF_RX_RING_SIZE, 256);
	OFF(netif_tx_sring, ring, 64);
	OFF(netif_rx_sring, ring, 64);
}

/* io/ring.h: the shared page's header, and a blkif ring's slots */
Test(pv_abi, io_ring)
{
	OFF(blkif_sring, req_prod, 0);
	OFF(blkif_sring, req_event, 4);
	OFF(blkif_sring, rsp_prod, 8);
	OFF(blkif_sring, rsp_event, 12);
	OFF(blkif_sring, ring, 64);
	EQ(__CONST_RING_SIZE(blkif, 4096), 32);
	EQ(sizeof(RING_IDX), 4);
}

/* io/blkif.h */
Test(pv_abi, blkif)
{
	EQ(BLKIF_OP_READ, 0);
	EQ(BLKIF_OP_WRITE, 1);
	EQ(BLKIF_OP_WRITE_BARRIER, 2);
	EQ(BLKIF_OP_FLUSH_DISKCACHE, 3);
	EQ(BLKIF_OP_DISCARD, 5);
	EQ(BLKIF_OP_INDIRECT, 6);
	EQ(BLKIF_MAX_SEGMENTS_PER_REQUEST, 11);
	EQ(BLKIF_RSP_EOPNOTSUPP, -2);
	EQ(BLKIF_RSP_ERROR, -1);
	EQ(BLKIF_RSP_OKAY, 0);
	EQ(BLKIF_DISCARD_SECURE, 1);
	EQ(VDISK_CDROM, 1);
	EQ(VDISK_REMOVABLE, 2);
	EQ(VDISK_READONLY, 4);
	OFF(blkif_request_segment, gref, 0);
	OFF(blkif_request_segment, first_sect, 4);
	OFF(blkif_request_segment, last_sect, 5);
	SIZE(blkif_request_segment, 8);
	OFF(blkif_request, operation, 0);
	OFF(blkif_request, nr_segments, 1);
	OFF(blkif_request, handle, 2);
	OFF(blkif_request, id, 8);
	OFF(blkif_request, sector_number, 16);
	OFF(blkif_request, seg, 24);
	SIZE(blkif_request, 112);
	OFF(blkif_request_discard, flag, 1);
	OFF(blkif_request_discard, id, 8);
	OFF(blkif_request_discard, sector_number, 16);
	OFF(blkif_request_discard, nr_sectors, 24);
	SIZE(blkif_request_discard, 32);
	OFF(blkif_response, id, 0);
	OFF(blkif_response, operation, 8);
	OFF(blkif_response, status, 10);
	SIZE(blkif_response, 16);
}
