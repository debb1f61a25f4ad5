/*
 * xenstored_tree.c - xenstore's node tree (lab 7): nodes with a value, a
 * permission list and children, kept in a fixed table linked by index,
 * and Xen's path rules (docs/misc/xenstore.txt, "Paths").  Every change
 * stamps the node, and the parent whose children changed, with the
 * store's change counter, which transactions check at commit.
 */
#include "xenstored.h"
#include <inc/string.h>
#include <inc/stdio.h>

struct xsd_node {
	bool used;
	char name[XSD_NAME_MAX];
	int parent, child, sibling;
	uint16_t len;
	struct xsd_perms perms;
	uint64_t gen;
	char value[XSD_VALUE_MAX];
};

static struct xsd_node xsd_nodes[XSD_NODES];
uint64_t xsd_gen;

void xsd_tree_init(void)
{
	memset(xsd_nodes, 0, sizeof(xsd_nodes));
	xsd_nodes[0] = (struct xsd_node){
		.used = true,
		.parent = -1,
		.child = -1,
		.sibling = -1,
		.perms = { .n = 1, .p = { { 0, 'n' } } },
	};
	xsd_gen = 1;
}

/* Xen's node names: letters, digits and "-/_@". */
static bool xsd_valid_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '/' || c == '_' ||
	       c == '@';
}

long xsd_canon(domid_t dom, const char *path, char out[XSD_PATH_MAX])
{
	int n;

	if (path[0] == '/')
		n = snprintf(out, XSD_PATH_MAX, "%s", path);
	else
		n = snprintf(out, XSD_PATH_MAX, "/local/domain/%u/%s", dom,
			     path);
	if (n >= XSD_PATH_MAX)
		return -XEN_E2BIG;
	if (!*path || (n > 1 && out[n - 1] == '/'))
		return -XEN_EINVAL;
	for (const char *p = out; *p; p++)
		if (!xsd_valid_char(*p) || (p[0] == '/' && p[1] == '/'))
			return -XEN_EINVAL;
	return 0;
}

/* The child of node n named by the component at name (up to '/' or
 * NUL), or -1. */
static int xsd_find_child(int n, const char *name)
{
	size_t len = strchr(name, '/') ? (size_t)(strchr(name, '/') - name) :
					 strlen(name);

	for (int c = xsd_nodes[n].child; c >= 0; c = xsd_nodes[c].sibling)
		if (strlen(xsd_nodes[c].name) == len &&
		    memcmp(xsd_nodes[c].name, name, len) == 0)
			return c;
	return -1;
}

/* The deepest node on path's way; *rest the part below it ("" if the
 * node is path's own). */
static int xsd_walk(const char *path, const char **rest)
{
	int n = 0, c;
	const char *p = path + 1;

	while (*p && (c = xsd_find_child(n, p)) >= 0) {
		n = c;
		p = strchr(p, '/') ? strchr(p, '/') + 1 : p + strlen(p);
	}
	*rest = p;
	return n;
}

int xsd_lookup(const char *path)
{
	const char *rest;
	int n;

	if (path[0] != '/')
		return -1;
	n = xsd_walk(path, &rest);
	return *rest ? -1 : n;
}

unsigned xsd_access(int n, domid_t dom)
{
	const struct xsd_perms *ps = &xsd_nodes[n].perms;
	char perm = ps->p[0].perm;

	if (dom == 0 || ps->p[0].dom == dom)
		return XSD_READ | XSD_WRITE;
	for (unsigned i = 1; i < ps->n; i++)
		if (ps->p[i].dom == dom)
			perm = ps->p[i].perm;
	return (perm == 'r' || perm == 'b' ? XSD_READ : 0) |
	       (perm == 'w' || perm == 'b' ? XSD_WRITE : 0);
}

unsigned xsd_access_path(const char *path, domid_t dom)
{
	const char *rest;

	return xsd_access(xsd_walk(path, &rest), dom);
}

unsigned xsd_owned(domid_t dom)
{
	unsigned count = 0;

	for (int i = 1; i < XSD_NODES; i++)
		count += xsd_nodes[i].used &&
			 xsd_nodes[i].perms.p[0].dom == dom;
	return count;
}

/* A new child of parent named by the component at name, owned by dom
 * with the parent's other permissions; -XEN_E* when none can be made. */
static int xsd_new_child(int parent, const char *name, domid_t dom)
{
	size_t len = strchr(name, '/') ? (size_t)(strchr(name, '/') - name) :
					 strlen(name);
	struct xsd_node *p = &xsd_nodes[parent], *c;
	int i;

	if (len >= XSD_NAME_MAX)
		return -XEN_E2BIG;
	if (dom != 0 && xsd_owned(dom) >= XSD_QUOTA_NODES)
		return -XEN_ENOSPC;
	for (i = 1; i < XSD_NODES && xsd_nodes[i].used; i++)
		;
	if (i == XSD_NODES)
		return -XEN_ENOSPC;
	c = &xsd_nodes[i];
	*c = (struct xsd_node){ .used = true,
				.parent = parent,
				.child = -1,
				.sibling = p->child,
				.perms = p->perms,
				.gen = ++xsd_gen };
	memcpy(c->name, name, len);
	if (dom != 0)
		c->perms.p[0].dom = dom;
	p->child = i;
	p->gen = xsd_gen;
	return i;
}

long xsd_write(domid_t dom, const char *path, const char *value, size_t len,
	       bool create_only)
{
	const char *rest;
	int n = xsd_walk(path, &rest);

	if (len > XSD_VALUE_MAX)
		return -XEN_E2BIG;
	if (!(xsd_access(n, dom) & XSD_WRITE))
		return -XEN_EACCES;
	if (create_only && !*rest)
		return 0;
	while (*rest) {
		n = xsd_new_child(n, rest, dom);
		if (n < 0)
			return n;
		rest = strchr(rest, '/') ? strchr(rest, '/') + 1 :
					   rest + strlen(rest);
	}
	if (!create_only) {
		memcpy(xsd_nodes[n].value, value, len);
		xsd_nodes[n].len = (uint16_t)len;
	}
	xsd_nodes[n].gen = ++xsd_gen;
	return 0;
}

/* Frees node n and everything below it. */
static void xsd_free(int n)
{
	for (int c = xsd_nodes[n].child, next; c >= 0; c = next) {
		next = xsd_nodes[c].sibling;
		xsd_free(c);
	}
	xsd_nodes[n].used = false;
}

long xsd_remove(const char *path)
{
	int n = xsd_lookup(path), *link;

	if (n < 0)
		return -XEN_ENOENT;
	if (n == 0)
		return -XEN_EINVAL;
	for (link = &xsd_nodes[xsd_nodes[n].parent].child; *link != n;
	     link = &xsd_nodes[*link].sibling)
		;
	*link = xsd_nodes[n].sibling;
	xsd_nodes[xsd_nodes[n].parent].gen = ++xsd_gen;
	xsd_free(n);
	return 0;
}

const char *xsd_value(int n, size_t *len)
{
	*len = xsd_nodes[n].len;
	return xsd_nodes[n].value;
}

const struct xsd_perms *xsd_get_perms(int n)
{
	return &xsd_nodes[n].perms;
}

void xsd_set_perms_node(int n, const struct xsd_perms *perms)
{
	xsd_nodes[n].perms = *perms;
	xsd_nodes[n].gen = ++xsd_gen;
}

int xsd_child(int n)
{
	return xsd_nodes[n].child;
}

int xsd_sibling(int n)
{
	return xsd_nodes[n].sibling;
}

const char *xsd_name(int n)
{
	return xsd_nodes[n].name;
}

uint64_t xsd_node_gen(int n)
{
	return xsd_nodes[n].gen;
}
