/*
 * inc/public/version.h - __HYPERVISOR_xen_version(cmd, arg)
 * (xen/include/public/version.h).  XENVER_version returns
 * major << 16 | minor; the others fill arg.
 */
#ifndef INC_PUBLIC_VERSION_H
#define INC_PUBLIC_VERSION_H

#define XENVER_version	    0
#define XENVER_extraversion 1 /* char[16] */
#define XENVER_capabilities 3 /* char[1024] */
#define XENVER_get_features 6 /* struct xen_feature_info */
#define XENVER_pagesize	    7 /* returns 4096 */
#define XENVER_commandline  9 /* char[1024]: dom0 only */

struct xen_feature_info {
	uint32_t submap_idx; /* IN: which 32 bits */
	uint32_t submap;     /* OUT: XENFEAT_* of xen.h */
};

#endif
